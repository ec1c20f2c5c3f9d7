/*-------------------------------------------------------------------------
 *
 * effects.c
 *	  The upkeep of the events a statement stored with effects (the list
 *	  the insert trigger collects, ingest_trigger.c), and what it reads, in
 *	  C so that its cost depends neither on planner statistics nor on how
 *	  many statements the transaction ran:
 *	    - the customers' buckets and the self-exclusion events are noted by
 *	      the row trigger as it stores each event; the buckets are locked
 *	      from C, without reading the events back;
 *	    - the profile writes the row trigger stashed are merged from the
 *	      stash, grouped per customer in C (stashed_customer_writes,
 *	      stashed_consent_writes, for merge_stashed_writes);
 *	    - when it could not stash them all, event_writes(event_ids), the
 *	      source of merge_event_writes, looks each event up by primary key
 *	      (no plan: a generic plan of "event_id = ANY ($1)" made while
 *	      events was small scanned the whole table for every statement
 *	      after);
 *	    - lifecycle_rank(event_key), the one list of the five lifecycle
 *	      events, used by the trigger and by recompute_self_exclusions.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/itup.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/uuid.h"

#include "catalog_cache.h"
#include "citus.h"
#include "compat.h"
#include "ingest.h"
#include "versions.h"

PG_FUNCTION_INFO_V1(ec_lifecycle_rank);
PG_FUNCTION_INFO_V1(ec_event_writes);

/* the self-exclusion lifecycle, in the order of events at the same instant */
static const char *const lifecycle_events[] = {
	"ootb_self_exclusion_initiated",
	"ootb_self_exclusion_activated",
	"ootb_self_exclusion_updated",
	"ootb_self_exclusion_violation_attempt",
	"ootb_self_exclusion_lifted"
};

/* the lifecycle rank of an event key (1 to 5), 0 for other events */
int
ec_lifecycle_rank_of(const char *event_key, int len)
{
	for (int i = 0; i < lengthof(lifecycle_events); i++)
		if (strlen(lifecycle_events[i]) == len &&
			memcmp(lifecycle_events[i], event_key, len) == 0)
			return i + 1;
	return 0;
}

/* lifecycle_rank(event_key): the rank, or null for other events */
Datum
ec_lifecycle_rank(PG_FUNCTION_ARGS)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	int			rank = ec_lifecycle_rank_of(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key));

	if (rank == 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(rank);
}

/* the columns of events that event_writes reads */
typedef struct WriteColumns
{
	AttrNumber	tenant;
	AttrNumber	event_key;
	AttrNumber	customer_id;
	AttrNumber	occurred_at;
	AttrNumber	payload;
	AttrNumber	content_hash;
	AttrNumber	has_effects;
} WriteColumns;

/*
 * The profile write of the stored event in slot into values (7 columns, as
 * event_writes returns them); false when the event has none.
 */
static bool
event_write(TupleTableSlot *slot, const WriteColumns *col, Datum *values, bool *nulls)
{
	bool		isnull;
	text	   *event_key;
	Jsonb	   *vals;
	text	   *version;

	if (!DatumGetBool(slot_getattr(slot, col->has_effects, &isnull)))
		return false;
	values[1] = slot_getattr(slot, col->customer_id, &isnull);
	if (isnull)
		return false;
	event_key = DatumGetTextPP(slot_getattr(slot, col->event_key, &isnull));
	vals = ec_profile_values_of(ec_catalog_lookup(VARDATA_ANY(event_key),
												  VARSIZE_ANY_EXHDR(event_key)),
								DatumGetJsonbP(slot_getattr(slot, col->payload, &isnull)));
	if (JB_ROOT_COUNT(vals) == 0)
		return false;
	values[0] = slot_getattr(slot, col->tenant, &isnull);
	values[2] = JsonbPGetDatum(vals);
	values[4] = slot_getattr(slot, col->occurred_at, &isnull);
	version = ec_event_version(DatumGetTimestampTz(values[4]),
							   DatumGetUUIDP(slot_getattr(slot, col->content_hash, &isnull)));
	memset(nulls, 0, sizeof(bool) * 7);
	values[3] = PointerGetDatum(version);
	nulls[3] = (version == NULL);
	nulls[6] = true;			/* update_id: not an API write */
	return true;
}

/* a stored event whose id event_writes looks for: emit its write, if any */
static void
emit_event_write(ReturnSetInfo *rsinfo, TupleTableSlot *slot, const WriteColumns *col,
				 Datum id, MemoryContext rowcxt)
{
	Datum		values[7];
	bool		nulls[7];
	MemoryContext oldcxt = MemoryContextSwitchTo(rowcxt);

	values[5] = id;
	if (event_write(slot, col, values, nulls))
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(rowcxt);
}

/* ---------------------------------------------------------------------
 * The profile writes the insert trigger stashed (EcStashedWrite) for the
 * ids the running merge was called with (ec_apply_effects sets them for
 * the call): merge_stashed_writes takes them from stashed_customer_writes
 * and stashed_consent_writes, which read nothing back and group and sort
 * in C, where merge_event_writes reads the writes back with event_writes
 * and groups them in SQL.
 * ---------------------------------------------------------------------
 */
static EcStashedWrite **active_writes = NULL;
static int	nactive_writes = 0;

/*
 * Error unless the stashed writes are those of exactly the ids in arr, in
 * that order: the functions that emit them serve only the merge
 * ec_apply_effects runs.
 */
static void
require_stash(ArrayType *arr)
{
	Datum	   *ids;
	bool	   *idnulls;
	int			nids;
	bool		match;

	deconstruct_array(arr, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &ids, &idnulls, &nids);
	match = (active_writes != NULL && nids == nactive_writes);
	for (int i = 0; match && i < nids; i++)
		match = !idnulls[i] && DatumGetInt64(ids[i]) == active_writes[i]->event_id;
	if (!match)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no stashed profile writes for these events"),
				 errdetail("Only the upkeep of a statement's events merges the writes its insert trigger stashed.")));
}

/* order of stashed writes by customer: tenant, then customer_id as bytes */
static int
compare_customers(const void *a, const void *b)
{
	const EcStashedWrite *x = *(EcStashedWrite *const *) a;
	const EcStashedWrite *y = *(EcStashedWrite *const *) b;

	if (x->tenant != y->tenant)
		return x->tenant < y->tenant ? -1 : 1;
	/* strcmp compares as unsigned bytes: the order of COLLATE "C" */
	return strcmp(x->customer_id, y->customer_id);
}

/*
 * The walk of a value-per-call function over the stashed writes: the
 * writes (with values) it emits from, and the next one.  The functions
 * return a row per call, so that the merge reads them as they are made
 * (from the target list, a ProjectSet node) instead of keeping them all
 * in a tuplestore first.
 */
typedef struct StashWalk
{
	EcStashedWrite **writes;
	int			n;
	int			next;
	TupleDesc	desc;
	MemoryContext scratch;		/* a row's work, reset once it is formed */
} StashWalk;

/* first call: the walk over the stashed writes of the ids in arr */
static StashWalk *
begin_stash_walk(FunctionCallInfo fcinfo, ArrayType *arr, bool by_customer)
{
	FuncCallContext *funcctx = SRF_FIRSTCALL_INIT();
	MemoryContext oldcxt = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
	StashWalk  *walk = palloc0(sizeof(StashWalk));

	require_stash(arr);
	if (get_call_result_type(fcinfo, NULL, &walk->desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	walk->desc = BlessTupleDesc(walk->desc);
	walk->writes = palloc(sizeof(EcStashedWrite *) * Max(nactive_writes, 1));
	for (int i = 0; i < nactive_writes; i++)
		if (active_writes[i]->vals != NULL)
			walk->writes[walk->n++] = active_writes[i];
	if (by_customer)
		qsort(walk->writes, walk->n, sizeof(EcStashedWrite *), compare_customers);
	walk->scratch = AllocSetContextCreate(funcctx->multi_call_memory_ctx, "stashed writes scratch",
										  ALLOCSET_DEFAULT_SIZES);
	funcctx->user_fctx = walk;
	MemoryContextSwitchTo(oldcxt);
	return walk;
}

PG_FUNCTION_INFO_V1(ec_stashed_customer_writes);

/*
 * stashed_customer_writes(event_ids): per customer of the stashed writes,
 * in key order (tenant, customer_id COLLATE "C"), each attribute's newest
 * value and version and the first and last instant: what the merge's
 * GROUP BY of the read-back writes gives (newest_values, newest_versions,
 * min and max of occurred_at), with one sort of pointers instead of a
 * materialized CTE, a sort of the rows and an aggregate.  A row per call,
 * each customer folded in the walk's scratch memory.
 */
Datum
ec_stashed_customer_writes(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	StashWalk  *walk;
	int			first_write;
	MergeState	st = {0};
	TimestampTz first;
	TimestampTz last;
	Datum		values[6];
	bool		nulls[6] = {false};
	MemoryContext oldcxt;
	HeapTuple	tuple;

	if (SRF_IS_FIRSTCALL())
		begin_stash_walk(fcinfo, PG_GETARG_ARRAYTYPE_P(0), true);
	funcctx = SRF_PERCALL_SETUP();
	walk = (StashWalk *) funcctx->user_fctx;
	if (walk->next >= walk->n)
		SRF_RETURN_DONE(funcctx);

	oldcxt = MemoryContextSwitchTo(walk->scratch);
	first_write = walk->next;
	first = last = walk->writes[first_write]->occurred_at;
	if (walk->next + 1 >= walk->n ||
		compare_customers(&walk->writes[first_write], &walk->writes[walk->next + 1]) != 0)
	{
		/*
		 * A customer's only write (most customers of a load): its values
		 * are the merge's, each at the write's version, as folding the one
		 * write would give them.
		 */
		EcStashedWrite *w = walk->writes[walk->next++];
		text	   *version = ec_event_version(w->occurred_at, &w->digest);

		values[2] = JsonbPGetDatum(version != NULL && JB_ROOT_IS_OBJECT(w->vals)
								   ? w->vals : ec_merge_object(NULL, false));
		values[3] = JsonbPGetDatum(version != NULL
								   ? ec_versions_object(w->vals, VARDATA(version),
														VARSIZE(version) - VARHDRSZ)
								   : ec_merge_object(NULL, true));
	}
	else
	{
		for (; walk->next < walk->n &&
			 compare_customers(&walk->writes[first_write], &walk->writes[walk->next]) == 0;
			 walk->next++)
		{
			EcStashedWrite *w = walk->writes[walk->next];
			text	   *version = ec_event_version(w->occurred_at, &w->digest);

			first = Min(first, w->occurred_at);
			last = Max(last, w->occurred_at);
			/* a write without a version (an infinite instant) merges nothing */
			if (version != NULL)
			{
				ec_merge_add(&st, w->vals, VARDATA(version), VARSIZE(version) - VARHDRSZ,
							 walk->scratch);
				pfree(version); /* copied where it won: a customer's many writes */
			}
		}
		values[2] = JsonbPGetDatum(ec_merge_object(&st, false));
		values[3] = JsonbPGetDatum(ec_merge_object(&st, true));
	}
	values[0] = Int32GetDatum(walk->writes[first_write]->tenant);
	values[1] = CStringGetTextDatum(walk->writes[first_write]->customer_id);
	values[4] = TimestampTzGetDatum(first);
	values[5] = TimestampTzGetDatum(last);
	MemoryContextSwitchTo(oldcxt);
	tuple = heap_form_tuple(walk->desc, values, nulls);
	MemoryContextReset(walk->scratch);
	SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(tuple));
}

PG_FUNCTION_INFO_V1(ec_stashed_consent_writes);

/*
 * stashed_consent_writes(event_ids, names): the consent history's rows of
 * the stashed writes, in id order: each write's attributes named in names
 * (picked_attributes), for the writes that carry one, with its instant,
 * version and event id (update_id null: not an API write).  A row per
 * call, as stashed_customer_writes.
 */
Datum
ec_stashed_consent_writes(PG_FUNCTION_ARGS)
{
	ArrayType  *names = PG_GETARG_ARRAYTYPE_P(1);
	FuncCallContext *funcctx;
	StashWalk  *walk;

	if (SRF_IS_FIRSTCALL())
		begin_stash_walk(fcinfo, PG_GETARG_ARRAYTYPE_P(0), false);
	funcctx = SRF_PERCALL_SETUP();
	walk = (StashWalk *) funcctx->user_fctx;
	while (walk->next < walk->n)
	{
		EcStashedWrite *w = walk->writes[walk->next++];
		MemoryContext oldcxt = MemoryContextSwitchTo(walk->scratch);
		Jsonb	   *picked = ec_picked_attributes_of(w->vals, names);
		Datum		values[7];
		bool		nulls[7] = {false};
		HeapTuple	tuple;

		if (JB_ROOT_COUNT(picked) == 0)
		{
			/* no consent or contact value: next write, in the same call */
			MemoryContextSwitchTo(oldcxt);
			MemoryContextReset(walk->scratch);
			continue;
		}
		values[0] = Int32GetDatum(w->tenant);
		values[1] = CStringGetTextDatum(w->customer_id);
		values[2] = JsonbPGetDatum(picked);
		values[3] = TimestampTzGetDatum(w->occurred_at);
		values[4] = PointerGetDatum(ec_event_version(w->occurred_at, &w->digest));
		nulls[4] = (values[4] == PointerGetDatum(NULL));
		values[5] = Int64GetDatum(w->event_id);
		nulls[6] = true;		/* update_id: not an API write */
		MemoryContextSwitchTo(oldcxt);
		tuple = heap_form_tuple(walk->desc, values, nulls);
		MemoryContextReset(walk->scratch);
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(tuple));
	}
	SRF_RETURN_DONE(funcctx);
}

/*
 * Leaf entries event_writes reads past, looking for the next id in an
 * ascending list, before it descends the index again from that id: the ids
 * of a statement's events with effects are usually close together, and a
 * walk along the leaf pages costs less than a descent per id.
 */
#define EC_WRITES_MAX_SKIP 32

/*
 * event_writes(event_ids): the profile writes of the given events, one row
 * per event stored with has_effects and a customer, as the merge functions
 * take them (tenant, customer_id, vals, version, occurred_at, event_id,
 * update_id); events carrying no profile value are left out.  Each event is
 * looked up by primary key, in the statement's snapshot.  Ids in ascending
 * order (those of one statement) are found in one forward walk of the
 * primary key, descending again only past a gap; others one by one.
 */
Datum
ec_event_writes(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			relid = ec_citus_relid(ec_table_of("events"));
	Relation	rel;
	TupleDesc	desc;
	Relation	index;
	TupleTableSlot *slot;
	IndexScanDesc scan;
	ScanKeyData key;
	Datum	   *ids;
	bool	   *idnulls;
	int			nids;
	int			n = 0;
	bool		ascending = true;
	WriteColumns col;
	MemoryContext rowcxt;

	InitMaterializedSRF(fcinfo, 0);
	deconstruct_array(arr, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &ids, &idnulls, &nids);
	/* the ids without nulls; are they strictly ascending? */
	for (int i = 0; i < nids; i++)
	{
		if (idnulls[i])
			continue;
		if (n > 0 && DatumGetInt64(ids[i]) <= DatumGetInt64(ids[n - 1]))
			ascending = false;
		ids[n++] = ids[i];
	}

	rel = table_open(relid, AccessShareLock);
	index = index_open(ec_primary_key_index(rel), AccessShareLock);
	desc = RelationGetDescr(rel);
	col.tenant = ec_column_of(desc, "events", "tenant");
	col.event_key = ec_column_of(desc, "events", "event_key");
	col.customer_id = ec_column_of(desc, "events", "customer_id");
	col.occurred_at = ec_column_of(desc, "events", "occurred_at");
	col.payload = ec_column_of(desc, "events", "payload");
	col.content_hash = ec_column_of(desc, "events", "content_hash");
	col.has_effects = ec_column_of(desc, "events", "has_effects");

	slot = table_slot_create(rel, NULL);
	scan = ec_index_beginscan(rel, index, GetActiveSnapshot(), 1, 0);
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "event_writes row",
								   ALLOCSET_DEFAULT_SIZES);
	if (!ascending)
	{
		for (int i = 0; i < n; i++)
		{
			ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, ids[i]);
			index_rescan(scan, &key, 1, NULL, 0);
			if (index_getnext_slot(scan, ForwardScanDirection, slot))
				emit_event_write(rsinfo, slot, &col, ids[i], rowcxt);
		}
	}
	else
	{
		int			i = 0;

		/* the key of each entry, to match it with the next id looked for */
		scan->xs_want_itup = true;
		while (i < n)
		{
			ItemPointer tid = NULL;
			int			skipped = 0;

			ScanKeyInit(&key, 1, BTGreaterEqualStrategyNumber, F_INT8GE, ids[i]);
			index_rescan(scan, &key, 1, NULL, 0);
			while (i < n && skipped <= EC_WRITES_MAX_SKIP &&
				   (tid = index_getnext_tid(scan, ForwardScanDirection)) != NULL)
			{
				bool		isnull;
				int64		id = DatumGetInt64(index_getattr(scan->xs_itup, 1,
															 scan->xs_itupdesc, &isnull));

				/* ids with no entry (a row that was not stored) */
				while (i < n && DatumGetInt64(ids[i]) < id)
					i++;
				if (i == n)
					break;
				if (DatumGetInt64(ids[i]) > id)
				{
					skipped++;
					continue;
				}
				/* an entry of the id: a version the snapshot may not see */
				if (index_fetch_heap(scan, slot))
				{
					emit_event_write(rsinfo, slot, &col, ids[i], rowcxt);
					i++;
					skipped = 0;
				}
			}
			if (tid == NULL)
				break;			/* no entries past the last one read */
		}
	}
	MemoryContextDelete(rowcxt);
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, AccessShareLock);
	table_close(rel, AccessShareLock);
	return (Datum) 0;
}

/* ---------------------------------------------------------------------
 * The upkeep of a statement's effects
 * ---------------------------------------------------------------------
 */

/* from this many writes on, the upkeep's calls get maintenance_work_mem */
#define EC_BULK_WRITES 1000

/* the prepared calls, and the schema they were prepared for */
static SPIPlanPtr merge_plan = NULL;
static SPIPlanPtr merge_stashed_plan = NULL;
static SPIPlanPtr exclusions_plan = NULL;
static Oid	plans_namespace = InvalidOid;

/* prepare and keep a statement of one call in the upkeep's schema */
static SPIPlanPtr
prepare_call(const char *sql, int nargs, Oid *types)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	return plan;
}

static void
prepare_plans(Oid namespace)
{
	char	   *nspname;
	const char *nsp;
	Oid			merge_types[1] = {INT8ARRAYOID};
	Oid			exclusion_types[2] = {INT4ARRAYOID, TEXTARRAYOID};

	if (merge_plan != NULL && plans_namespace == namespace)
		return;
	nspname = get_namespace_name(namespace);
	if (nspname == NULL)
		elog(ERROR, "cache lookup failed for namespace %u", namespace);
	nsp = quote_identifier(nspname);
	if (merge_plan != NULL)
	{
		SPI_freeplan(merge_plan);
		if (merge_stashed_plan != NULL)
			SPI_freeplan(merge_stashed_plan);
		SPI_freeplan(exclusions_plan);
		merge_plan = merge_stashed_plan = exclusions_plan = NULL;
	}
	merge_plan = prepare_call(psprintf("SELECT %s.merge_event_writes($1)", nsp),
							  1, merge_types);
	/* an installation older than the library may not have it (1.0) */
	if (OidIsValid(LookupFuncName(list_make2(makeString(nspname), makeString("merge_stashed_writes")),
								  1, merge_types, true)))
		merge_stashed_plan = prepare_call(psprintf("SELECT %s.merge_stashed_writes($1)", nsp),
										  1, merge_types);
	exclusions_plan = prepare_call(psprintf("SELECT %s.recompute_self_exclusions(pg_catalog.array_agg(DISTINCT "
											"ROW(u.tenant, u.customer_id)::%s.customer_ref)) "
											"FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS u(tenant, customer_id)",
											nsp, nsp),
								   2, exclusion_types);
	plans_namespace = namespace;
}

/* run a prepared call */
static void
run_call(SPIPlanPtr plan, Datum *values, bool bulk)
{
	int			nestlevel = -1;
	int			ret;

	/*
	 * The merge sorts and groups the statement's writes: for a bulk
	 * statement give it the memory of a bulk operation,
	 * maintenance_work_mem, so that a large load's writes are sorted in
	 * memory instead of on disk (measured: a fifth of the merge of 60,000
	 * writes).  Not for a few events (track()): setting and restoring a
	 * setting costs more than their sort.
	 */
	if (bulk && maintenance_work_mem > work_mem)
	{
		char		kb[32];

		nestlevel = NewGUCNestLevel();
		snprintf(kb, sizeof(kb), "%d", maintenance_work_mem);
		(void) set_config_option("work_mem", kb, PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	}
	ret = SPI_execute_plan(plan, values, NULL, false, 0);
	if (nestlevel >= 0)
		AtEOXact_GUC(true, nestlevel);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not apply event effects: %s", SPI_result_code_string(ret));
}

/*
 * Apply the effects of the stored events in the list (EcPendingEffects):
 * lock their customers' buckets, merge their profile writes and rebuild
 * the self-exclusion state of the customers with lifecycle events, with
 * the functions of the upkeep's schema.  The caller is connected to SPI
 * and runs as the extension's owner.
 */
void
ec_apply_effects(List *pending, Oid namespace)
{
	ListCell   *lc;
	uint32		buckets[EC_BUCKETS / 32] = {0};
	int			nids = 0;
	int			nexcluded = 0;
	Datum	   *ids;
	Datum	   *tenants;
	Datum	   *customers;
	Datum		values[2];
	EcStashedWrite **writes;
	int			stashed = 0;

	foreach(lc, pending)
	{
		EcPendingEffects *pe = (EcPendingEffects *) lfirst(lc);

		nids += pe->n;
		nexcluded += pe->nexcluded;
		for (int i = 0; i < EC_BUCKETS / 32; i++)
			buckets[i] |= pe->buckets[i];
	}
	if (nids == 0)
		return;

	ids = palloc(sizeof(Datum) * nids);
	writes = palloc(sizeof(EcStashedWrite *) * nids);
	tenants = palloc(sizeof(Datum) * Max(nexcluded, 1));
	customers = palloc(sizeof(Datum) * Max(nexcluded, 1));
	nids = nexcluded = 0;
	foreach(lc, pending)
	{
		EcPendingEffects *pe = (EcPendingEffects *) lfirst(lc);

		for (int i = 0; i < pe->n; i++)
		{
			if (i < pe->nstashed && stashed == nids)
				writes[stashed++] = &pe->stashed[i];
			ids[nids++] = Int64GetDatum(pe->ids[i]);
		}
		for (int i = 0; i < pe->nexcluded; i++)
		{
			tenants[nexcluded] = Int32GetDatum(pe->excluded[i].tenant);
			customers[nexcluded++] = CStringGetTextDatum(pe->excluded[i].customer_id);
		}
	}

	ec_lock_bucket_set(buckets);
	prepare_plans(namespace);
	values[0] = PointerGetDatum(construct_array(ids, nids, INT8OID, sizeof(int64),
												FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	if (stashed < nids || merge_stashed_plan == NULL)
		run_call(merge_plan, values, nids >= EC_BULK_WRITES);
	else
	{
		/*
		 * The insert trigger stashed every write: the merge takes them from
		 * the stash.  A merge can run inside another (a trigger on
		 * customers storing events): each restores the stash it found.
		 */
		EcStashedWrite **outer_writes = active_writes;
		int			outer_n = nactive_writes;

		active_writes = writes;
		nactive_writes = nids;
		PG_TRY();
		{
			run_call(merge_stashed_plan, values, nids >= EC_BULK_WRITES);
		}
		PG_FINALLY();
		{
			active_writes = outer_writes;
			nactive_writes = outer_n;
		}
		PG_END_TRY();
	}
	if (nexcluded > 0)
	{
		values[0] = PointerGetDatum(construct_array(tenants, nexcluded, INT4OID,
													sizeof(int32), true, TYPALIGN_INT));
		values[1] = PointerGetDatum(construct_array(customers, nexcluded, TEXTOID,
													-1, false, TYPALIGN_INT));
		run_call(exclusions_plan, values, nexcluded >= EC_BULK_WRITES);
	}
}
