/*-------------------------------------------------------------------------
 *
 * ingest_trigger.c
 *	  The triggers on event_catalog.events: the BEFORE INSERT row trigger
 *	  that validates each event, fills the derived columns, quarantines
 *	  invalid events and skips duplicates; the refusal of UPDATE and
 *	  TRUNCATE; and the AFTER INSERT statement trigger that counts
 *	  duplicates and applies the effects of the stored events once per
 *	  statement, with the list of those events and the transaction
 *	  callbacks that keep it.
 *
 *	  A row arrives with payload (jsonb, parsed by COPY or INSERT) or with
 *	  raw_line (text, parsed here by ingest_raw.c, so that a line that is
 *	  not JSON at all can be quarantined instead of aborting a COPY).  The
 *	  trigger runs in the executor's per-tuple memory context, which is
 *	  reset for every row, so per-row allocations need no freeing.
 *
 *	  The effects list lives in TopTransactionContext and is kept per
 *	  subtransaction, so that a failed statement's events are not applied.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "catalog_cache.h"
#include "citus.h"
#include "guc.h"
#include "ingest.h"
#include "problems.h"
#include "tenant.h"
#include "validate.h"
#include "versions.h"

PG_FUNCTION_INFO_V1(ec_events_before_insert);
PG_FUNCTION_INFO_V1(ec_events_refuse_change);
PG_FUNCTION_INFO_V1(ec_events_after_statement);

/* what happened to the last row the insert trigger saw (for track) */
static EcOutcome last_outcome = EC_OUTCOME_NONE;
static int64 last_duplicate_id = 0;

/*
 * The stored events with effects not yet applied (EcPendingEffects, one
 * per subtransaction); the list and its contents live in
 * TopTransactionContext.
 */
static List *pending_effects = NIL;

/*
 * Bytes of profile writes stashed for the running statement's merge; past
 * maintenance_work_mem the merge reads the rest back from the table.
 */
static Size stashed_bytes = 0;
static bool callbacks_registered = false;

/*
 * Is the running insert a statement of one event (track's)?  It takes its
 * tenant's load lock shared instead of exclusive (locks.c).  Set by
 * ec_ingest_reset_outcome, cleared at the end of the statement or of the
 * transaction.
 */
static bool single_event_statement = false;

/* is the running insert a statement of one event (track's)? */
bool
ec_ingest_single_event(void)
{
	return single_event_statement;
}

/* forget the outcome of the last row, before a statement that inserts one */
void
ec_ingest_reset_outcome(void)
{
	last_outcome = EC_OUTCOME_NONE;
	single_event_statement = true;
}

/*
 * What happened to the last row the insert trigger saw; *duplicate_id is
 * the stored event's id when that is EC_OUTCOME_DUPLICATE.
 */
EcOutcome
ec_ingest_last_outcome(int64 *duplicate_id)
{
	*duplicate_id = last_duplicate_id;
	return last_outcome;
}

/* ---------------------------------------------------------------------
 * Pending effects, kept per subtransaction so that a failed statement's
 * events are not applied
 * ---------------------------------------------------------------------
 */

/* at the end of the transaction, forget the pending effects and counts */
static void
ingest_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			/* their memory goes with the transaction */
			pending_effects = NIL;
			stashed_bytes = 0;
			single_event_statement = false;
			ec_dedup_end_xact();
			break;
		default:
			break;
	}
}

/* at the end of a subtransaction, drop or hand up its pending effects and counts */
static void
ingest_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	if (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB)
		return;
	RETAG_OR_DROP(pending_effects, EcPendingEffects);
	ec_dedup_end_subxact(event, mySubid, parentSubid);
}

/* register the callbacks above (for the effects and the duplicate counts),
 * once per backend */
void
ec_ingest_register_callbacks(void)
{
	if (!callbacks_registered)
	{
		RegisterXactCallback(ingest_xact_callback, NULL);
		RegisterSubXactCallback(ingest_subxact_callback, NULL);
		callbacks_registered = true;
	}
}

/* grow an array of n elements of size bytes to hold at least one more */
static void *
grow(void *array, int n, int *cap, Size size)
{
	if (n < *cap)
		return array;
	*cap = Max(*cap * 2, 64);
	return array == NULL ? MemoryContextAlloc(TopTransactionContext, size * *cap)
		: repalloc_huge(array, size * *cap);
}

/*
 * Stash the profile write of a stored event with effects in pe (in
 * TopTransactionContext), as event_writes would read it back: its values
 * (NULL when it carries none), customer, instant and digest.
 */
static void
stash_write(EcPendingEffects *pe, int64 event_id, const EcValidation *v,
			Jsonb *payload, const pg_uuid_t *digest)
{
	Jsonb	   *vals = ec_profile_values_of(v->def, payload);
	MemoryContext oldcxt = MemoryContextSwitchTo(TopTransactionContext);
	EcStashedWrite *w;

	pe->stashed = grow(pe->stashed, pe->nstashed, &pe->capstashed, sizeof(EcStashedWrite));
	w = &pe->stashed[pe->nstashed++];
	w->event_id = event_id;
	w->tenant = v->tenant;
	w->occurred_at = v->occurred_at;
	w->digest = *digest;
	w->customer_id = pnstrdup(v->customer, v->customer_len);
	w->vals = NULL;
	if (JB_ROOT_COUNT(vals) > 0)
	{
		w->vals = palloc(VARSIZE(vals));
		memcpy(w->vals, vals, VARSIZE(vals));
		stashed_bytes += VARSIZE(vals);
	}
	stashed_bytes += sizeof(EcStashedWrite) + v->customer_len + 1;
	MemoryContextSwitchTo(oldcxt);
}

/*
 * Remember a stored event whose effects the statement trigger applies:
 * its id, its customer's bucket, and its customer when it is one of the
 * self-exclusion lifecycle events; with the payload and digest (not for a
 * restored row), its profile write, while every earlier id of the
 * statement has one and the stash is within maintenance_work_mem.
 */
static void
remember_effect(int64 event_id, const EcValidation *v, Jsonb *payload,
				const pg_uuid_t *digest)
{
	SubTransactionId subid = GetCurrentSubTransactionId();
	EcPendingEffects *pe = NULL;
	int32		bucket;

	ec_ingest_register_callbacks();
	if (pending_effects != NIL)
	{
		pe = (EcPendingEffects *) llast(pending_effects);
		if (pe->subid != subid)
			pe = NULL;
	}
	if (pe == NULL)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(TopTransactionContext);

		pe = palloc0(sizeof(EcPendingEffects));
		pe->subid = subid;
		pending_effects = lappend(pending_effects, pe);
		MemoryContextSwitchTo(oldcxt);
	}
	if (payload != NULL && pe->nstashed == pe->n &&
		stashed_bytes < (Size) maintenance_work_mem * 1024)
		stash_write(pe, event_id, v, payload, digest);
	pe->ids = grow(pe->ids, pe->n, &pe->cap, sizeof(int64));
	pe->ids[pe->n++] = event_id;
	bucket = ec_customer_bucket_of(v->tenant, v->customer, v->customer_len);
	pe->buckets[bucket / 32] |= (uint32) 1 << (bucket % 32);
	if (ec_lifecycle_rank_of(v->event_key, v->event_key_len) > 0)
	{
		EcCustomer *c;
		MemoryContext oldcxt = MemoryContextSwitchTo(TopTransactionContext);

		pe->excluded = grow(pe->excluded, pe->nexcluded, &pe->capexcluded, sizeof(EcCustomer));
		c = &pe->excluded[pe->nexcluded++];
		c->tenant = v->tenant;
		c->customer_id = pnstrdup(v->customer, v->customer_len);
		MemoryContextSwitchTo(oldcxt);
	}
}

/* free the pending effects the statement trigger applied (TopTransactionContext) */
static void
free_effects(List *effects)
{
	ListCell   *lc;

	foreach(lc, effects)
	{
		EcPendingEffects *pe = (EcPendingEffects *) lfirst(lc);

		for (int i = 0; i < pe->nstashed; i++)
		{
			pfree(pe->stashed[i].customer_id);
			if (pe->stashed[i].vals)
				pfree(pe->stashed[i].vals);
		}
		if (pe->stashed)
			pfree(pe->stashed);
		for (int i = 0; i < pe->nexcluded; i++)
			pfree(pe->excluded[i].customer_id);
		if (pe->excluded)
			pfree(pe->excluded);
		if (pe->ids)
			pfree(pe->ids);
		pfree(pe);
	}
	list_free(effects);
}

/* ---------------------------------------------------------------------
 * The insert trigger
 * ---------------------------------------------------------------------
 */

/* the relation id of the table event_catalog.<name>, which must exist */
Oid
ec_table_of(const char *name)
{
	Oid			relid = get_relname_relid(name, get_namespace_oid("event_catalog", false));

	if (!OidIsValid(relid))
		elog(ERROR, "table event_catalog.%s is missing", name);
	return relid;
}

/*
 * The attribute number of column name of the table event_catalog.<table>
 * (or its shard), whose descriptor is desc; the column must exist.
 */
AttrNumber
ec_column_of(TupleDesc desc, const char *table, const char *name)
{
	int			attnum = SPI_fnumber(desc, name);

	if (attnum <= 0)
		elog(ERROR, "column \"%s\" of event_catalog.%s is missing", name, table);
	return attnum;
}

/* the trigger's IngestState for rel, looked up once per query in fn_extra */
static IngestState *
ingest_state(FmgrInfo *flinfo, Relation rel)
{
	IngestState *st = (IngestState *) flinfo->fn_extra;

	if (st == NULL || st->relid != RelationGetRelid(rel))
	{
		TupleDesc	desc = RelationGetDescr(rel);

		st = MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(IngestState));
		st->relid = RelationGetRelid(rel);
		st->att_event_id = ec_column_of(desc, "events", "event_id");
		st->att_tenant = ec_column_of(desc, "events", "tenant");
		st->att_event_key = ec_column_of(desc, "events", "event_key");
		st->att_customer_id = ec_column_of(desc, "events", "customer_id");
		st->att_visitor_id = ec_column_of(desc, "events", "visitor_id");
		st->att_occurred_at = ec_column_of(desc, "events", "occurred_at");
		st->att_payload = ec_column_of(desc, "events", "payload");
		st->att_problems = ec_column_of(desc, "events", "problems");
		st->att_content_hash = ec_column_of(desc, "events", "content_hash");
		st->att_has_effects = ec_column_of(desc, "events", "has_effects");
		st->att_raw_line = ec_column_of(desc, "events", "raw_line");
		st->att_person_key = Max(SPI_fnumber(desc, "person_key"), 0);
		st->att_routed_load_id = Max(SPI_fnumber(desc, "routed_load_id"), 0);
		st->att_routed_line = Max(SPI_fnumber(desc, "routed_line"), 0);
		st->content_index = ec_content_index(rel, st);
		st->sole_row_trigger = true;
		for (int i = 0; rel->trigdesc != NULL && i < rel->trigdesc->numtriggers; i++)
		{
			Trigger    *t = &rel->trigdesc->triggers[i];

			if (t->tgfoid != flinfo->fn_oid && t->tgenabled != TRIGGER_DISABLED &&
				TRIGGER_TYPE_MATCHES(t->tgtype, TRIGGER_TYPE_ROW, TRIGGER_TYPE_BEFORE,
									 TRIGGER_TYPE_INSERT))
				st->sole_row_trigger = false;
		}
		flinfo->fn_extra = st;
	}
	return st;
}

/*
 * A row that arrives with its content_hash is a stored row coming back
 * (pg_restore, or the owner copying rows from another database): it was
 * validated when it was first received, so it is kept as it is, whatever
 * the catalog and the settings are now, and its effects are derived again.
 * Only the table's owner can supply the column (writers may insert payload
 * and raw_line alone), and we check that too, so that a grant of the whole
 * table does not open a way around validation.
 */
static Datum
restore_stored_row(Relation rel, IngestState *st, HeapTuple tuple)
{
	TupleDesc	desc = RelationGetDescr(rel);
	bool		isnull;
	Datum		d;
	int64		id;

	if (!superuser() && !has_privs_of_role(GetUserId(), rel->rd_rel->relowner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only the owner of event_catalog.events may insert stored rows"),
				 errdetail("A row that carries content_hash is a restored row and is not validated again; "
						   "load new events through payload or raw_line.")));
	(void) heap_getattr(tuple, st->att_raw_line, desc, &isnull);
	if (!isnull)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a restored event row cannot carry raw_line")));

	d = heap_getattr(tuple, st->att_tenant, desc, &isnull);
	if (!isnull)
		ec_lock_tenant_load(DatumGetInt32(d), single_event_statement);

	d = heap_getattr(tuple, st->att_event_id, desc, &isnull);
	id = isnull ? 0 : DatumGetInt64(d);
	d = heap_getattr(tuple, st->att_has_effects, desc, &isnull);
	if (!isnull && DatumGetBool(d) && id != 0)
	{
		/* what the upkeep needs to know of the event, from its columns */
		EcValidation v = {0};
		text	   *t;

		d = heap_getattr(tuple, st->att_tenant, desc, &isnull);
		v.tenant = isnull ? 0 : DatumGetInt32(d);
		d = heap_getattr(tuple, st->att_event_key, desc, &isnull);
		if (!isnull)
		{
			t = DatumGetTextPP(d);
			v.event_key = VARDATA_ANY(t);
			v.event_key_len = VARSIZE_ANY_EXHDR(t);
		}
		d = heap_getattr(tuple, st->att_customer_id, desc, &isnull);
		if (!isnull)
		{
			t = DatumGetTextPP(d);
			v.customer = VARDATA_ANY(t);
			v.customer_len = VARSIZE_ANY_EXHDR(t);
			remember_effect(id, &v, NULL, NULL);
		}
	}
	ec_dedup_note_stored(NULL);
	ec_load_outcome(EC_OUTCOME_STORED, id, NULL, NULL, 0);
	last_outcome = EC_OUTCOME_STORED;
	return PointerGetDatum(tuple);
}

/* a text datum of len bytes at s */
static Datum
text_datum(const char *s, int len)
{
	return PointerGetDatum(cstring_to_text_with_len(s, len));
}

/*
 * An event that could not be read (not JSON, too large, null): under
 * on_invalid = error, the error of its class (a SQLSTATE per problem code,
 * the problem list as JSON in the detail); else its problems.
 */
static Jsonb *
unreadable_problems(EcProblemCode code, const char *message, const char *what)
{
	Jsonb	   *problems = ec_single_problem(ec_problem_code(code), message);

	if (ec_on_invalid == EC_ON_INVALID_ERROR)
		ereport(ERROR,
				(errcode(ec_refused_event_sqlstate(code, true)),
				 errmsg("%s", what),
				 errdetail_internal("%s", JsonbToCString(NULL, &problems->root, VARSIZE(problems))),
				 errhint(EC_UNREADABLE_HINT)));
	return problems;
}

/*
 * The event of a row given as payload or raw_line, read as the insert
 * trigger reads it: the payload to validate, or NULL when the row holds
 * none, a blank line (*blank) or an unreadable event (*problems and *code;
 * an error under on_invalid = error).  Also what track_batch on a Citus
 * coordinator decides each row's outcome with (track_batch.c).
 */
Jsonb *
ec_read_event(Jsonb *payload, text *raw, bool *blank, Jsonb **problems, EcProblemCode *code)
{
	*blank = false;
	*problems = NULL;
	if (raw != NULL)
	{
		char	   *error = NULL;

		if (payload != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("an event row must give either payload or raw_line, not both")));
		payload = ec_parse_raw_line(raw, &error, code, blank);
		if (*blank)
			return NULL;		/* a blank line holds no event */
		if (payload == NULL)
		{
			*problems = unreadable_problems(*code, error,
											psprintf(*code == EC_PROBLEM_TOO_LARGE ? "raw_line is too large: %s"
													 : "raw_line is not a JSON event: %s", error));
			return NULL;
		}
	}
	else if (payload == NULL)
	{
		*code = EC_PROBLEM_NOT_OBJECT;
		*problems = unreadable_problems(*code, "event is null",
										"an event row needs a payload or a raw_line");
		return NULL;
	}

	/* an event too large to store, however it came (see EC_EVENT_MAX_BYTES) */
	if (VARSIZE(payload) > EC_EVENT_MAX_BYTES)
	{
		char	   *error = psprintf("event is %zu bytes as jsonb, more than the limit of %d",
									 (size_t) VARSIZE(payload), EC_EVENT_MAX_BYTES);

		*code = EC_PROBLEM_TOO_LARGE;
		*problems = unreadable_problems(*code, error, psprintf("event is too large: %s", error));
		return NULL;
	}
	return payload;
}

/*
 * BEFORE INSERT row trigger: validate the event, then quarantine it, skip
 * it as a duplicate, or store it with its derived columns filled in.
 */
Datum
ec_events_before_insert(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	IngestState *st;
	TupleDesc	desc;
	HeapTuple	tuple;
	Datum		d;
	bool		payload_null;
	bool		hash_null;
	bool		raw_null;
	text	   *raw = NULL;
	Jsonb	   *payload = NULL;
	EcValidation v = {0};
	pg_uuid_t  *hash;
	int64		dup_id;
	Datum	   *values;
	bool	   *nulls;
	bool	   *replace;
	bool		has_effects;
	Jsonb	   *problems;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("event_catalog.events_before_insert() must be a BEFORE INSERT row trigger")));

	rel = trigdata->tg_relation;
	ec_citus_enter(rel);
	st = ingest_state(fcinfo->flinfo, rel);
	desc = RelationGetDescr(rel);
	tuple = trigdata->tg_trigtuple;
	last_outcome = EC_OUTCOME_NONE;
	ec_load_begin_row();
	/* a row of a COPY through a Citus coordinator: its place in that load */
	if (st->att_routed_line > 0)
	{
		bool		load_null;
		bool		line_null;
		Datum		load = heap_getattr(tuple, st->att_routed_load_id, desc, &load_null);
		Datum		line = heap_getattr(tuple, st->att_routed_line, desc, &line_null);

		if (!load_null && !line_null)
			ec_load_routed(DatumGetInt64(load), DatumGetInt64(line));
	}

	/* a stored row coming back: kept as it was accepted */
	(void) heap_getattr(tuple, st->att_content_hash, desc, &hash_null);
	if (!hash_null)
		return restore_stored_row(rel, st, tuple);

	d = heap_getattr(tuple, st->att_payload, desc, &payload_null);
	if (!payload_null)
		payload = DatumGetJsonbP(d);
	d = heap_getattr(tuple, st->att_raw_line, desc, &raw_null);
	if (!raw_null)
		raw = DatumGetTextPP(d);

	/* read it: a blank line is skipped, an unreadable event quarantined */
	{
		Jsonb	   *given = payload;
		bool		blank;
		EcProblemCode code;

		payload = ec_read_event(given, raw, &blank, &problems, &code);
		if (blank)
		{
			last_outcome = EC_OUTCOME_SKIPPED;
			ec_load_outcome(EC_OUTCOME_SKIPPED, 0, NULL, NULL, 0);
			return PointerGetDatum(NULL);
		}
		if (payload == NULL)
		{
			ec_quarantine(rel, NULL, raw ? NULL : given, raw, problems);
			last_outcome = EC_OUTCOME_QUARANTINED;
			ec_load_outcome(EC_OUTCOME_QUARANTINED, 0, problems, NULL, code);
			return PointerGetDatum(NULL);
		}
	}

	/* validate; fail-safe events are kept when their properties are valid */
	v.collect = true;
	ec_validate(payload, &v);
	if (!ec_event_acceptable(&v))
	{
		if (ec_on_invalid == EC_ON_INVALID_ERROR)
			ec_report_invalid(&v);
		problems = ec_problems_to_jsonb(&v);
		ec_quarantine(rel, &v, payload, raw, problems);
		last_outcome = EC_OUTCOME_QUARANTINED;
		ec_load_outcome(EC_OUTCOME_QUARANTINED, 0, problems, &v, 0);
		return PointerGetDatum(NULL);
	}

	/*
	 * The tenant barrier, before the duplicate probe: an event of another
	 * tenant fails the same way whether or not it is stored.
	 */
	ec_tenant_check_write(rel, &st->tenant_scope, fcinfo->flinfo->fn_mcxt, v.tenant);

	/* a bulk load of this tenant runs alone (locks.c) */
	ec_lock_tenant_load(v.tenant, single_event_statement);

	/* an identical event already stored: skip and count */
	hash = palloc(sizeof(pg_uuid_t));
	ec_content_hash(&v, payload, hash);
	problems = v.nproblems > 0 ? ec_problems_to_jsonb(&v) : NULL;
	if (ec_find_duplicate(rel, st, hash, &v, payload, !single_event_statement, &dup_id))
	{
		ec_count_duplicate(v.tenant, v.event_key, v.event_key_len);
		last_outcome = EC_OUTCOME_DUPLICATE;
		last_duplicate_id = dup_id;
		ec_load_outcome(EC_OUTCOME_DUPLICATE, dup_id, problems, &v, 0);
		return PointerGetDatum(NULL);
	}

	/* derived columns, whatever the client supplied for them */
	values = palloc0(sizeof(Datum) * desc->natts);
	nulls = palloc0(sizeof(bool) * desc->natts);
	replace = palloc0(sizeof(bool) * desc->natts);

#define SET_COLUMN(att, value, isnull) \
	do { \
		replace[(att) - 1] = true; \
		values[(att) - 1] = (value); \
		nulls[(att) - 1] = (isnull); \
	} while (0)

	SET_COLUMN(st->att_tenant, Int32GetDatum(v.tenant), false);
	SET_COLUMN(st->att_event_key, text_datum(v.event_key, v.event_key_len), false);
	SET_COLUMN(st->att_customer_id,
			   v.customer ? text_datum(v.customer, v.customer_len) : (Datum) 0,
			   v.customer == NULL);
	SET_COLUMN(st->att_visitor_id,
			   v.visitor ? text_datum(v.visitor, v.visitor_len) : (Datum) 0,
			   v.visitor == NULL);
	SET_COLUMN(st->att_occurred_at, TimestampTzGetDatum(v.occurred_at), false);
	SET_COLUMN(st->att_payload, JsonbPGetDatum(payload), false);
	SET_COLUMN(st->att_problems, problems ? JsonbPGetDatum(problems) : (Datum) 0,
			   problems == NULL);
	SET_COLUMN(st->att_content_hash, UUIDPGetDatum(hash), false);
	SET_COLUMN(st->att_raw_line, (Datum) 0, true);
	has_effects = v.def != NULL && v.def->has_effects && v.customer != NULL;
	SET_COLUMN(st->att_has_effects, BoolGetDatum(has_effects), false);
	if (st->att_person_key > 0)
		SET_COLUMN(st->att_person_key, ec_person_key_datum(rel, st, tuple, &v), false);
	if (st->att_routed_line > 0)
	{
		SET_COLUMN(st->att_routed_load_id, (Datum) 0, true);
		SET_COLUMN(st->att_routed_line, (Datum) 0, true);
	}
#undef SET_COLUMN

	{
		bool		isnull;
		Datum		id = heap_getattr(tuple, st->att_event_id, desc, &isnull);

		if (has_effects && !isnull)
			remember_effect(DatumGetInt64(id), &v,
							st->sole_row_trigger ? payload : NULL, hash);
		ec_load_outcome(EC_OUTCOME_STORED, isnull ? 0 : DatumGetInt64(id), problems, &v, 0);
	}

	ec_dedup_note_stored(st);
	last_outcome = EC_OUTCOME_STORED;
	return PointerGetDatum(heap_modify_tuple(tuple, desc, values, nulls, replace));
}

/* ---------------------------------------------------------------------
 * The refusal of UPDATE and TRUNCATE
 * ---------------------------------------------------------------------
 */

/*
 * UPDATE and TRUNCATE of events are refused: the log is append-only, and
 * DELETE is the way to erase events with derived state kept correct.
 */
Datum
ec_events_refuse_change(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("event_catalog.events_refuse_change() must be called as a trigger")));

	if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("event_catalog.events cannot be truncated"),
				 errdetail("Truncation would bypass the upkeep of customer profiles and self-exclusion state."),
				 errhint("Use DELETE, which keeps derived state consistent with the remaining events.")));
	ec_events_refuse_update();
	PG_RETURN_NULL();			/* keep compiler quiet */
}

/*
 * The error of an UPDATE of events: the trigger's, and on a Citus
 * coordinator the planner's (citus.c), where an UPDATE that Citus routes
 * to no shard fires no trigger.
 */
void
ec_events_refuse_update(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("event_catalog.events is append-only; UPDATE is not allowed"),
			 errhint("Delete the event and record a corrected one.")));
}

/* ---------------------------------------------------------------------
 * The statement trigger
 * ---------------------------------------------------------------------
 */

/* the schema of a function (of this trigger function: the upkeep's) */
static Oid
function_schema(Oid funcid)
{
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	Oid			namespace;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", funcid);
	namespace = ((Form_pg_proc) GETSTRUCT(tup))->pronamespace;
	ReleaseSysCache(tup);
	return namespace;
}

/*
 * AFTER INSERT statement trigger: count the skipped duplicates and apply
 * the effects of the stored events, once for the whole statement.  The
 * row trigger collected both, so no transition table has to copy every
 * stored row.
 */
Datum
ec_events_after_statement(PG_FUNCTION_ARGS)
{
	List	   *counts;
	List	   *effects;
	int			ret;
	EcSavedUser saved;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("event_catalog.events_after_statement() must be called as a trigger")));

	ec_citus_enter(((TriggerData *) fcinfo->context)->tg_relation);
	ec_release_digest_lock();
	single_event_statement = false;
	counts = ec_take_duplicate_counts();
	effects = pending_effects;
	pending_effects = NIL;
	stashed_bytes = 0;
	if (counts == NIL && effects == NIL)
		PG_RETURN_POINTER(NULL);

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));

	/*
	 * The duplicate counts and the upkeep are internal (no role may write
	 * the one or call the other), so they run as the owner of the events
	 * table, the extension's owner, as a SECURITY DEFINER function would.
	 */
	ec_become_owner(((TriggerData *) fcinfo->context)->tg_relation, &saved);
	if (counts != NIL)
		ec_flush_duplicate_counts(counts);
	if (effects != NIL)
		ec_apply_effects(effects, function_schema(fcinfo->flinfo->fn_oid));
	ec_restore_user(&saved);
	SPI_finish();
	free_effects(effects);
	PG_RETURN_POINTER(NULL);
}
