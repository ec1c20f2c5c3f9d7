/*-------------------------------------------------------------------------
 *
 * ingest.c
 *	  The insert path of event_catalog.events: the row trigger that
 *	  validates each event, fills the derived columns, quarantines invalid
 *	  events and skips duplicates; the refusal of UPDATE and TRUNCATE; the
 *	  statement trigger that counts duplicates and applies the effects of
 *	  the stored events once per statement; and track() for applications.
 *
 *	  A row arrives with payload (jsonb, parsed by COPY or INSERT) or with
 *	  raw_line (text, parsed here, so that a line that is not JSON at all can
 *	  be quarantined instead of aborting a COPY).  The trigger runs in the
 *	  executor's per-tuple memory context, which is reset for every row, so
 *	  per-row allocations need no freeing.
 *
 *	  Duplicates: an event whose content digest (tenant, event key, customer,
 *	  visitor, instant, context) is already stored is skipped.  The probe of
 *	  the unique digest index uses a dirty snapshot and waits for an
 *	  in-progress inserter of the same digest, as a unique check does, so a
 *	  concurrent load of the same event is skipped once that load commits;
 *	  the unique index is the last guard.
 *
 *-------------------------------------------------------------------------
 */
#include "event_catalog.h"

#include <ctype.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/jsonapi.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/uuid.h"

PG_FUNCTION_INFO_V1(ec_events_before_insert);
PG_FUNCTION_INFO_V1(ec_events_refuse_change);
PG_FUNCTION_INFO_V1(ec_events_after_statement);
PG_FUNCTION_INFO_V1(ec_track);
PG_FUNCTION_INFO_V1(ec_event_content_hash);

/* limits for raw lines, so that jsonb input never raises an error */
#define EC_RAW_MAX_BYTES	(64 * 1024 * 1024)
#define EC_RAW_MAX_DEPTH	1000
#define EC_RAW_MAX_DIGITS	10000	/* digits plus |exponent| of a number */

/* what happened to the last row the insert trigger saw (for track) */
typedef enum EcOutcome
{
	EC_OUTCOME_NONE,
	EC_OUTCOME_STORED,
	EC_OUTCOME_DUPLICATE,
	EC_OUTCOME_QUARANTINED,
	EC_OUTCOME_SKIPPED
} EcOutcome;

static EcOutcome last_outcome = EC_OUTCOME_NONE;
static int64 last_duplicate_id = 0;

/* attribute numbers of events, looked up once per query */
typedef struct IngestState
{
	Oid			relid;
	AttrNumber	att_event_id;
	AttrNumber	att_tenant;
	AttrNumber	att_event_key;
	AttrNumber	att_customer_id;
	AttrNumber	att_visitor_id;
	AttrNumber	att_occurred_at;
	AttrNumber	att_payload;
	AttrNumber	att_problems;
	AttrNumber	att_content_hash;
	AttrNumber	att_has_effects;
	AttrNumber	att_raw_line;
	Oid			content_index;
} IngestState;

/* duplicates skipped but not yet added to duplicate_counts */
typedef struct PendingCount
{
	SubTransactionId subid;
	int32		tenant;
	char	   *event_key;
	int64		count;
} PendingCount;

/* ids of stored events with effects, not yet applied */
typedef struct PendingIds
{
	SubTransactionId subid;
	int			n;
	int			cap;
	int64	   *ids;
} PendingIds;

/* both lists and their contents live in TopTransactionContext */
static List *pending_counts = NIL;
static List *pending_ids = NIL;
static bool callbacks_registered = false;

static SPIPlanPtr quarantine_plan = NULL;
static SPIPlanPtr track_plan = NULL;
static SPIPlanPtr count_plan = NULL;
static SPIPlanPtr effects_plan = NULL;

/* ---------------------------------------------------------------------
 * Pending duplicate counts, kept per subtransaction so that a failed
 * statement's counts vanish with it
 * ---------------------------------------------------------------------
 */

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
			pending_counts = NIL;
			pending_ids = NIL;
			break;
		default:
			break;
	}
}

/* drop (abort) or hand to the parent (commit) a subtransaction's entries */
#define RETAG_OR_DROP(list, type) \
	foreach(lc, (list)) \
	{ \
		type	   *entry = (type *) lfirst(lc); \
		if (entry->subid != mySubid) \
			continue; \
		if (event == SUBXACT_EVENT_ABORT_SUB) \
			(list) = foreach_delete_current((list), lc); \
		else \
			entry->subid = parentSubid; \
	}

static void
ingest_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	if (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB)
		return;
	RETAG_OR_DROP(pending_counts, PendingCount);
	RETAG_OR_DROP(pending_ids, PendingIds);
}

static void
register_callbacks(void)
{
	if (!callbacks_registered)
	{
		RegisterXactCallback(ingest_xact_callback, NULL);
		RegisterSubXactCallback(ingest_subxact_callback, NULL);
		callbacks_registered = true;
	}
}

/* remember a stored event whose effects the statement trigger applies */
static void
remember_effect(int64 event_id)
{
	SubTransactionId subid = GetCurrentSubTransactionId();
	PendingIds *pi = NULL;

	register_callbacks();
	if (pending_ids != NIL)
	{
		pi = (PendingIds *) llast(pending_ids);
		if (pi->subid != subid)
			pi = NULL;
	}
	if (pi == NULL)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(TopTransactionContext);

		pi = palloc(sizeof(PendingIds));
		pi->subid = subid;
		pi->n = 0;
		pi->cap = 1024;
		pi->ids = palloc(sizeof(int64) * pi->cap);
		pending_ids = lappend(pending_ids, pi);
		MemoryContextSwitchTo(oldcxt);
	}
	if (pi->n >= pi->cap)
	{
		pi->cap *= 2;
		pi->ids = repalloc_huge(pi->ids, sizeof(int64) * pi->cap);
	}
	pi->ids[pi->n++] = event_id;
}

static void
count_duplicate(int32 tenant, const char *event_key, int event_key_len)
{
	SubTransactionId subid = GetCurrentSubTransactionId();
	MemoryContext oldcxt;
	PendingCount *pc;
	ListCell   *lc;

	register_callbacks();
	foreach(lc, pending_counts)
	{
		pc = (PendingCount *) lfirst(lc);
		if (pc->subid == subid && pc->tenant == tenant &&
			strlen(pc->event_key) == event_key_len &&
			memcmp(pc->event_key, event_key, event_key_len) == 0)
		{
			pc->count++;
			return;
		}
	}

	oldcxt = MemoryContextSwitchTo(TopTransactionContext);
	pc = palloc(sizeof(PendingCount));
	pc->subid = subid;
	pc->tenant = tenant;
	pc->event_key = pnstrdup(event_key, event_key_len);
	pc->count = 1;
	pending_counts = lappend(pending_counts, pc);
	MemoryContextSwitchTo(oldcxt);
}

/* ---------------------------------------------------------------------
 * Raw lines
 * ---------------------------------------------------------------------
 */

typedef struct NumberCheck
{
	bool		too_big;
} NumberCheck;

/*
 * Numbers that numeric input would refuse (exponent beyond +-1000, or
 * absurdly many digits) must not reach jsonb_in, which would raise an error.
 */
static void
check_number_token(void *state, char *token, JsonTokenType tokentype)
{
	NumberCheck *nc = (NumberCheck *) state;
	int			digits = 0;
	const char *p;

	if (tokentype != JSON_TOKEN_NUMBER)
		return;
	for (p = token; *p && *p != 'e' && *p != 'E'; p++)
		if (*p >= '0' && *p <= '9')
			digits++;
	if (*p == 'e' || *p == 'E')
	{
		long		exponent = strtol(p + 1, NULL, 10);

		if (exponent > 1000 || exponent < -1000)
			nc->too_big = true;
		digits += labs(exponent);
	}
	if (digits > EC_RAW_MAX_DIGITS)
		nc->too_big = true;
}

/* deepest nesting of arrays and objects in a JSON text, strings skipped */
static int
json_depth(const char *s, int len, int limit)
{
	int			depth = 0;
	bool		in_string = false;

	for (int i = 0; i < len; i++)
	{
		char		c = s[i];

		if (in_string)
		{
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		}
		else if (c == '"')
			in_string = true;
		else if (c == '{' || c == '[')
		{
			if (++depth > limit)
				return depth;
		}
		else if (c == '}' || c == ']')
			depth--;
	}
	return 0;
}

/*
 * Parse a raw line into jsonb, or return NULL with *error set.  Every check
 * that jsonb input could fail on is made first, without raising errors.
 */
static Jsonb *
parse_raw_line(text *raw, char **error, bool *blank)
{
	char	   *s = text_to_cstring(raw);
	int			len = strlen(s);
	JsonLexContext *lex;
	JsonSemAction sem = {0};
	NumberCheck nc = {false};
	JsonParseErrorType err;
	int			i;

	*blank = false;
	for (i = 0; i < len; i++)
		if (!isspace((unsigned char) s[i]))
			break;
	if (i == len)
	{
		*blank = true;
		return NULL;
	}
	if (len > EC_RAW_MAX_BYTES)
	{
		*error = psprintf("line is %d bytes long, more than the limit of %d", len, EC_RAW_MAX_BYTES);
		return NULL;
	}
	if (json_depth(s, len, EC_RAW_MAX_DEPTH) > EC_RAW_MAX_DEPTH)
	{
		*error = psprintf("JSON is nested more than %d levels deep", EC_RAW_MAX_DEPTH);
		return NULL;
	}

	lex = makeJsonLexContextCstringLen(s, len, GetDatabaseEncoding(), true);
	sem.semstate = &nc;
	sem.scalar = check_number_token;
	err = pg_parse_json(lex, &sem);
	if (err != JSON_SUCCESS)
	{
		*error = psprintf("invalid JSON: %s", json_errdetail(err, lex));
		return NULL;
	}
	if (nc.too_big)
	{
		*error = pstrdup("invalid JSON: a number is out of the range of numeric");
		return NULL;
	}
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(s)));
}

/* ---------------------------------------------------------------------
 * Content digest and duplicate probe
 * ---------------------------------------------------------------------
 */

static void
append_sized(StringInfo buf, const char *data, int len)
{
	appendBinaryStringInfo(buf, (const char *) &len, sizeof(len));
	if (len > 0)
		appendBinaryStringInfo(buf, data, len);
}

/*
 * The identity of an event as bytes: tenant, instant, event key, customer,
 * visitor and the binary context.  Only for events whose mandatory
 * properties are valid.
 */
static void
content_bytes(const EcValidation *v, Jsonb *payload, StringInfo buf)
{
	JsonbValue	ctx;

	appendBinaryStringInfo(buf, (const char *) &v->tenant, sizeof(v->tenant));
	appendBinaryStringInfo(buf, (const char *) &v->occurred_at, sizeof(v->occurred_at));
	append_sized(buf, v->event_key, v->event_key_len);
	append_sized(buf, v->customer, v->customer ? v->customer_len : -1);
	append_sized(buf, v->visitor, v->visitor ? v->visitor_len : -1);
	if (getKeyJsonValueFromContainer(&payload->root, "context", 7, &ctx) &&
		ctx.type == jbvBinary)
		append_sized(buf, (const char *) ctx.val.binary.data, ctx.val.binary.len);
	else
		append_sized(buf, NULL, -1);
}

/*
 * A 128-bit digest of the identity: two 64-bit hashes with different seeds.
 * A match is confirmed by comparing the stored event's content, so the
 * digest only has to be well spread, not collision-proof.
 */
static void
content_hash(const EcValidation *v, Jsonb *payload, pg_uuid_t *out)
{
	StringInfoData buf;
	uint64		h1;
	uint64		h2;

	initStringInfo(&buf);
	content_bytes(v, payload, &buf);
	h1 = hash_bytes_extended((const unsigned char *) buf.data, buf.len, 0x6576656e74636174);
	h2 = hash_bytes_extended((const unsigned char *) buf.data, buf.len, 0x636f6e74656e7473);
	memcpy(out->data, &h1, 8);
	memcpy(out->data + 8, &h2, 8);
	pfree(buf.data);
}

/*
 * Is an event with this digest stored (or being stored by a transaction
 * that then commits)?  Sets *event_id to the stored event's id.
 */
/* does the stored event in slot have the identity of the new one? */
static bool
same_content(TupleTableSlot *slot, IngestState *st, const EcValidation *v, Jsonb *payload)
{
	EcValidation stored = {0};
	Jsonb	   *stored_payload;
	StringInfoData a;
	StringInfoData b;
	bool		isnull;
	bool		same;

	/* the stored payload was valid when stored: re-derive its identity */
	stored_payload = DatumGetJsonbP(slot_getattr(slot, st->att_payload, &isnull));
	ec_validate(stored_payload, &stored);
	initStringInfo(&a);
	initStringInfo(&b);
	content_bytes(v, payload, &a);
	content_bytes(&stored, stored_payload, &b);
	same = (a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
	pfree(a.data);
	pfree(b.data);
	return same;
}

static bool
find_duplicate(Relation heaprel, IngestState *st, pg_uuid_t *hash,
			   const EcValidation *v, Jsonb *payload, int64 *event_id)
{
	Relation	index = index_open(st->content_index, AccessShareLock);
	TupleTableSlot *slot = table_slot_create(heaprel, NULL);
	SnapshotData dirty;
	ScanKeyData keys[3];
	bool		found = false;

	InitDirtySnapshot(dirty);
	/* the key of events_content_key: tenant, instant, digest */
	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(v->tenant));
	ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_TIMESTAMPTZ_EQ,
				TimestampTzGetDatum(v->occurred_at));
	ScanKeyInit(&keys[2], 3, BTEqualStrategyNumber, F_UUID_EQ, UUIDPGetDatum(hash));

	for (;;)
	{
		IndexScanDesc scan = index_beginscan(heaprel, index, &dirty, 3, 0);
		TransactionId xwait = InvalidTransactionId;
		ItemPointerData tid;

		index_rescan(scan, keys, 3, NULL, 0);
		while (index_getnext_slot(scan, ForwardScanDirection, slot))
		{
			bool		isnull;

			xwait = TransactionIdIsValid(dirty.xmin) ? dirty.xmin : dirty.xmax;
			if (TransactionIdIsValid(xwait))
			{
				tid = slot->tts_tid;
				break;
			}
			found = true;
			{
				*event_id = DatumGetInt64(slot_getattr(slot, st->att_event_id, &isnull));
				if (!same_content(slot, st, v, payload))
					ereport(ERROR,
							(errcode(ERRCODE_DATA_EXCEPTION),
							 errmsg("event digest collides with stored event %lld of different content",
									(long long) *event_id),
							 errhint("Report this to the event_catalog developers with both events.")));
			}
			break;
		}
		index_endscan(scan);

		if (found || !TransactionIdIsValid(xwait))
			break;
		/* another transaction is inserting or deleting it: wait, look again */
		XactLockTableWait(xwait, heaprel, &tid, XLTW_InsertIndex);
	}

	ExecDropSingleTupleTableSlot(slot);
	index_close(index, AccessShareLock);
	return found;
}

/*
 * May the event be stored?  Yes without errors; a fail-safe event also with
 * errors in its context, as long as its properties are valid.
 */
static bool
ec_event_acceptable(const EcValidation *v)
{
	return !v->has_error ||
		(v->def != NULL && v->def->fail_safe && !v->has_property_error);
}

/* ---------------------------------------------------------------------
 * The insert trigger
 * ---------------------------------------------------------------------
 */

static AttrNumber
attnum_of(TupleDesc desc, const char *name)
{
	int			attnum = SPI_fnumber(desc, name);

	if (attnum <= 0)
		elog(ERROR, "column \"%s\" of event_catalog.events is missing", name);
	return attnum;
}

static IngestState *
ingest_state(FmgrInfo *flinfo, Relation rel)
{
	IngestState *st = (IngestState *) flinfo->fn_extra;

	if (st == NULL || st->relid != RelationGetRelid(rel))
	{
		TupleDesc	desc = RelationGetDescr(rel);

		st = MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(IngestState));
		st->relid = RelationGetRelid(rel);
		st->att_event_id = attnum_of(desc, "event_id");
		st->att_tenant = attnum_of(desc, "tenant");
		st->att_event_key = attnum_of(desc, "event_key");
		st->att_customer_id = attnum_of(desc, "customer_id");
		st->att_visitor_id = attnum_of(desc, "visitor_id");
		st->att_occurred_at = attnum_of(desc, "occurred_at");
		st->att_payload = attnum_of(desc, "payload");
		st->att_problems = attnum_of(desc, "problems");
		st->att_content_hash = attnum_of(desc, "content_hash");
		st->att_has_effects = attnum_of(desc, "has_effects");
		st->att_raw_line = attnum_of(desc, "raw_line");
		st->content_index = get_relname_relid("events_content_key",
										   RelationGetNamespace(rel));
		if (!OidIsValid(st->content_index))
			elog(ERROR, "index event_catalog.events_content_key is missing");
		flinfo->fn_extra = st;

		/* catalog changes committed since the last statement apply to this one */
		ec_catalog_begin_query(NULL);
	}
	return st;
}

/*
 * Store a rejected event in rejected_events.
 */
static void
quarantine(const EcValidation *v, Jsonb *payload, text *raw, Jsonb *problems)
{
	Datum		values[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	int			ret;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	if (quarantine_plan == NULL)
	{
		Oid			types[6] = {INT4OID, TEXTOID, TEXTOID, JSONBOID, TEXTOID, JSONBOID};
		SPIPlanPtr	plan;

		plan = SPI_prepare("INSERT INTO event_catalog.rejected_events "
						   "(tenant, event_key, customer_id, payload, raw_line, problems) "
						   "VALUES ($1, $2, $3, $4, $5, $6)", 6, types);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		quarantine_plan = plan;
	}

	if (v && v->has_tenant)
		values[0] = Int32GetDatum(v->tenant);
	else
		nulls[0] = 'n';
	if (v && v->event_key)
		values[1] = PointerGetDatum(cstring_to_text_with_len(v->event_key, v->event_key_len));
	else
		nulls[1] = 'n';
	if (v && v->customer)
		values[2] = PointerGetDatum(cstring_to_text_with_len(v->customer, v->customer_len));
	else
		nulls[2] = 'n';
	if (payload)
		values[3] = JsonbPGetDatum(payload);
	else
		nulls[3] = 'n';
	if (raw)
		values[4] = PointerGetDatum(raw);
	else
		nulls[4] = 'n';
	values[5] = JsonbPGetDatum(problems);

	ret = SPI_execute_plan(quarantine_plan, values, nulls, false, 0);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "could not quarantine an event: %s", SPI_result_code_string(ret));
	SPI_finish();
}

/* a one-problem list for events that could not even be read */
static Jsonb *
single_problem(const char *code, const char *message)
{
	EcValidation v = {0};
	EcProblem	p;

	p.code = code;
	p.is_error = true;
	p.in_params = false;
	p.path = "";
	p.message = (char *) message;
	v.problems = &p;
	v.nproblems = 1;
	return ec_problems_to_jsonb(&v);
}

static Datum
text_datum(const char *s, int len)
{
	return PointerGetDatum(cstring_to_text_with_len(s, len));
}

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

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("event_catalog.events_before_insert() must be a BEFORE INSERT row trigger")));

	rel = trigdata->tg_relation;
	st = ingest_state(fcinfo->flinfo, rel);
	desc = RelationGetDescr(rel);
	tuple = trigdata->tg_trigtuple;
	last_outcome = EC_OUTCOME_NONE;

	d = heap_getattr(tuple, st->att_payload, desc, &payload_null);
	if (!payload_null)
		payload = DatumGetJsonbP(d);
	d = heap_getattr(tuple, st->att_raw_line, desc, &raw_null);
	if (!raw_null)
		raw = DatumGetTextPP(d);

	/* a raw line: parse it here, quarantine it if it is not JSON */
	if (raw != NULL)
	{
		char	   *error = NULL;
		bool		blank;

		if (payload != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("an event row must give either payload or raw_line, not both")));
		payload = parse_raw_line(raw, &error, &blank);
		if (blank)
		{
			last_outcome = EC_OUTCOME_SKIPPED;
			return PointerGetDatum(NULL);	/* a blank line holds no event */
		}
		if (payload == NULL)
		{
			if (ec_on_invalid == EC_ON_INVALID_ERROR)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("raw_line is not a JSON event: %s", error),
						 errhint("Set event_catalog.on_invalid to quarantine to load the other lines.")));
			quarantine(NULL, NULL, raw, single_problem("invalid_json", error));
			last_outcome = EC_OUTCOME_QUARANTINED;
			return PointerGetDatum(NULL);
		}
	}
	else if (payload == NULL)
	{
		if (ec_on_invalid == EC_ON_INVALID_ERROR)
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("an event row needs a payload or a raw_line")));
		quarantine(NULL, NULL, NULL, single_problem("not_object", "event is null"));
		last_outcome = EC_OUTCOME_QUARANTINED;
		return PointerGetDatum(NULL);
	}

	/* validate; fail-safe events are kept when their properties are valid */
	v.collect = true;
	ec_validate(payload, &v);
	if (!ec_event_acceptable(&v))
	{
		if (ec_on_invalid == EC_ON_INVALID_ERROR)
			ec_report_invalid(&v);
		quarantine(&v, payload, raw, ec_problems_to_jsonb(&v));
		last_outcome = EC_OUTCOME_QUARANTINED;
		return PointerGetDatum(NULL);
	}

	/* an identical event already stored: skip and count */
	hash = palloc(sizeof(pg_uuid_t));
	content_hash(&v, payload, hash);
	if (find_duplicate(rel, st, hash, &v, payload, &dup_id))
	{
		count_duplicate(v.tenant, v.event_key, v.event_key_len);
		last_outcome = EC_OUTCOME_DUPLICATE;
		last_duplicate_id = dup_id;
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
	SET_COLUMN(st->att_problems,
			   v.nproblems > 0 ? JsonbPGetDatum(ec_problems_to_jsonb(&v)) : (Datum) 0,
			   v.nproblems == 0);
	SET_COLUMN(st->att_content_hash, UUIDPGetDatum(hash), false);
	SET_COLUMN(st->att_raw_line, (Datum) 0, true);
	has_effects = v.def != NULL && v.def->has_effects && v.customer != NULL;
	SET_COLUMN(st->att_has_effects, BoolGetDatum(has_effects), false);
#undef SET_COLUMN

	if (has_effects)
	{
		bool		isnull;
		Datum		id = heap_getattr(tuple, st->att_event_id, desc, &isnull);

		if (!isnull)
			remember_effect(DatumGetInt64(id));
	}

	last_outcome = EC_OUTCOME_STORED;
	return PointerGetDatum(heap_modify_tuple(tuple, desc, values, nulls, replace));
}

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
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("event_catalog.events is append-only; UPDATE is not allowed"),
			 errhint("Delete the event and record a corrected one.")));
	PG_RETURN_NULL();			/* keep compiler quiet */
}

/* add the duplicates the statement skipped to duplicate_counts */
static void
flush_counts(List *counts)
{
	ListCell   *lc;
	int			ret;

	if (count_plan == NULL)
	{
		Oid			types[3] = {INT4OID, TEXTOID, INT8OID};
		SPIPlanPtr	plan;

		plan = SPI_prepare("INSERT INTO event_catalog.duplicate_counts AS c "
						   "  (tenant, event_key, day, duplicates) "
						   "VALUES ($1, $2, (pg_catalog.now() AT TIME ZONE 'UTC')::pg_catalog.date, $3) "
						   "ON CONFLICT (tenant, event_key, day) DO UPDATE "
						   "SET duplicates = c.duplicates OPERATOR(pg_catalog.+) EXCLUDED.duplicates",
						   3, types);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		count_plan = plan;
	}
	foreach(lc, counts)
	{
		PendingCount *pc = (PendingCount *) lfirst(lc);
		Datum		values[3];

		values[0] = Int32GetDatum(pc->tenant);
		values[1] = CStringGetTextDatum(pc->event_key);
		values[2] = Int64GetDatum(pc->count);
		ret = SPI_execute_plan(count_plan, values, NULL, false, 0);
		if (ret != SPI_OK_INSERT)
			elog(ERROR, "could not count duplicates: %s", SPI_result_code_string(ret));
	}
}

/* apply the effects of the stored events, in one call for the statement */
static void
apply_effects(List *idlists)
{
	ListCell   *lc;
	int			total = 0;
	Datum	   *elems;
	ArrayType  *arr;
	Datum		values[1];
	int			ret;

	foreach(lc, idlists)
		total += ((PendingIds *) lfirst(lc))->n;
	if (total == 0)
		return;
	elems = palloc(sizeof(Datum) * total);
	total = 0;
	foreach(lc, idlists)
	{
		PendingIds *pi = (PendingIds *) lfirst(lc);

		for (int i = 0; i < pi->n; i++)
			elems[total++] = Int64GetDatum(pi->ids[i]);
	}
	arr = construct_array(elems, total, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);

	if (effects_plan == NULL)
	{
		Oid			types[1] = {INT8ARRAYOID};
		SPIPlanPtr	plan;

		plan = SPI_prepare("SELECT event_catalog.apply_event_effects($1)", 1, types);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		effects_plan = plan;
	}
	values[0] = PointerGetDatum(arr);
	ret = SPI_execute_plan(effects_plan, values, NULL, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not apply event effects: %s", SPI_result_code_string(ret));
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
	List	   *idlists;
	int			ret;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("event_catalog.events_after_statement() must be called as a trigger")));
	if (pending_counts == NIL && pending_ids == NIL)
		PG_RETURN_POINTER(NULL);

	counts = pending_counts;
	idlists = pending_ids;
	pending_counts = NIL;
	pending_ids = NIL;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	if (counts != NIL)
		flush_counts(counts);
	if (idlists != NIL)
		apply_effects(idlists);
	SPI_finish();
	PG_RETURN_POINTER(NULL);
}

/*
 * track(event): record one event.  Returns its event_id; for a duplicate,
 * the id of the stored event; null when it was quarantined.  Invalid events
 * raise the error of assert_valid_event under on_invalid = error.
 */
Datum
ec_track(PG_FUNCTION_ARGS)
{
	Jsonb	   *event = PG_GETARG_JSONB_P(0);
	Datum		values[1];
	int			ret;
	bool		isnull = true;
	int64		event_id = 0;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	if (track_plan == NULL)
	{
		Oid			types[1] = {JSONBOID};
		SPIPlanPtr	plan;

		plan = SPI_prepare("INSERT INTO event_catalog.events (payload) VALUES ($1) "
						   "RETURNING event_id", 1, types);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		track_plan = plan;
	}

	/* an invalid event fails exactly as assert_valid_event does */
	if (ec_on_invalid == EC_ON_INVALID_ERROR)
	{
		EcValidation v = {0};

		ec_catalog_begin_query(fcinfo->flinfo);
		v.collect = true;
		ec_validate(event, &v);
		if (!ec_event_acceptable(&v))
			ec_report_invalid(&v);
	}

	values[0] = JsonbPGetDatum(event);
	last_outcome = EC_OUTCOME_NONE;
	/* no row limit: a limited run would stop before the statement triggers */
	ret = SPI_execute_plan(track_plan, values, NULL, false, 0);
	if (ret != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "could not record the event: %s", SPI_result_code_string(ret));

	if (SPI_processed == 1)
	{
		event_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											   SPI_tuptable->tupdesc, 1, &isnull));
	}
	else if (last_outcome == EC_OUTCOME_DUPLICATE)
	{
		event_id = last_duplicate_id;
		isnull = false;
	}
	SPI_finish();

	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_INT64(event_id);
}

/*
 * event_content_hash(event): the digest duplicate detection uses, or null
 * when the event's mandatory properties are not valid.
 */
Datum
ec_event_content_hash(PG_FUNCTION_ARGS)
{
	Jsonb	   *event = PG_GETARG_JSONB_P(0);
	EcValidation v = {0};
	pg_uuid_t  *hash;

	ec_catalog_begin_query(fcinfo->flinfo);
	ec_validate(event, &v);
	if (v.has_property_error || !v.has_tenant || !v.has_timestamp ||
		v.event_key == NULL || (v.customer == NULL && v.visitor == NULL))
		PG_RETURN_NULL();
	hash = palloc(sizeof(pg_uuid_t));
	content_hash(&v, event, hash);
	PG_RETURN_UUID_P(hash);
}
