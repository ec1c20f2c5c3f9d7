/*-------------------------------------------------------------------------
 *
 * track_batch.c
 *	  The application entry points that return what became of each event:
 *	  track_batch(events jsonb[]) and track_batch_raw(lines text[]) record
 *	  many events in one statement (one load, effects applied once), and
 *	  track_raw(line text) one raw NDJSON line, so that a line that is not
 *	  JSON is quarantined instead of failing the application's cast.
 *
 *	  Each inserts through one INSERT into event_catalog.events, so the
 *	  same triggers, locks, tenant barrier and privileges apply as to COPY
 *	  (the functions run with the caller's rights); the insert trigger
 *	  hands every row's outcome to a collector (ingest_load.c), in input
 *	  order.  A result row: (ordinal, event_id, status, problems), status
 *	  one of stored, stored_with_warnings, duplicate (event_id of the
 *	  stored event), quarantined, skipped (a blank line).
 *
 *	  Under on_invalid = error an invalid event raises, as in COPY: the
 *	  statement fails whole, the error's context names the element.
 *
 *	  Through a Citus coordinator the trigger runs on the workers, out of
 *	  the collector's reach, so the coordinator decides each outcome as the
 *	  shard will: it reads and validates the element with the catalog (a
 *	  reference table, the same on every node), inserts it alone with
 *	  RETURNING event_id (stored), and when no row comes back looks for the
 *	  stored event it duplicates on the cluster, as track() does.  One
 *	  INSERT per element, in input order, in the caller's transaction.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "citus.h"
#include "guc.h"
#include "ingest.h"
#include "validate.h"

PG_FUNCTION_INFO_V1(ec_track_batch);
PG_FUNCTION_INFO_V1(ec_track_batch_raw);
PG_FUNCTION_INFO_V1(ec_track_raw);

/* the three inserts, prepared once per backend */
typedef enum TrackInsert
{
	TRACK_BATCH,
	TRACK_BATCH_RAW,
	TRACK_RAW
} TrackInsert;

static const char *const track_insert_sql[] = {
	[TRACK_BATCH] = "INSERT INTO event_catalog.events (payload) "
	"SELECT e FROM pg_catalog.unnest($1) AS e",
	[TRACK_BATCH_RAW] = "INSERT INTO event_catalog.events (raw_line) "
	"SELECT l FROM pg_catalog.unnest($1) AS l",
	[TRACK_RAW] = "INSERT INTO event_catalog.events (raw_line) VALUES ($1)",
};

static const Oid track_insert_type[] = {
	[TRACK_BATCH] = JSONBARRAYOID,
	[TRACK_BATCH_RAW] = TEXTARRAYOID,
	[TRACK_RAW] = TEXTOID,
};

static SPIPlanPtr track_plans[3];

/* prepare sql (one parameter of type) into *slot once per backend */
static void
kept_plan(SPIPlanPtr *slot, const char *sql, Oid type)
{
	SPIPlanPtr	plan;

	if (*slot != NULL)
		return;
	plan = SPI_prepare(sql, 1, &type);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	*slot = plan;
}

/* the error context of a batch: which element failed */
static void
batch_error_context(void *arg)
{
	EcCollector *c = (EcCollector *) arg;

	if (c->rows_seen > 0)
		errcontext("element %d of the batch", c->rows_seen);
}

/*
 * Insert arg with the insert of kind, collecting every row's outcome into
 * c (allocated in the caller's memory).  A single raw line is one event,
 * as track() inserts it: not a load, its tenant's load lock shared.
 */
static void
run_insert(TrackInsert kind, Datum arg, bool isnull, EcCollector *c)
{
	ErrorContextCallback errcb;
	Datum		values[1];
	char		nulls[1];
	int			ret;

	c->mcxt = CurrentMemoryContext;
	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	kept_plan(&track_plans[kind], track_insert_sql[kind], track_insert_type[kind]);

	values[0] = arg;
	nulls[0] = isnull ? 'n' : ' ';
	if (kind == TRACK_RAW)
		ec_ingest_reset_outcome();
	else
	{
		errcb.callback = batch_error_context;
		errcb.arg = c;
		errcb.previous = error_context_stack;
		error_context_stack = &errcb;
	}
	ec_load_collect(c);
	ret = SPI_execute_plan(track_plans[kind], values, nulls, false, 0);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "could not record the events: %s", SPI_result_code_string(ret));
	if (kind != TRACK_RAW)
		error_context_stack = errcb.previous;
	SPI_finish();
}

/* the one-row inserts of the coordinator: payload, raw_line */
static SPIPlanPtr coordinator_plans[2];

/*
 * On a Citus coordinator: record one element (isnull: a null one) and
 * decide its outcome into r, problems allocated in rcxt.
 */
static void
coordinator_row(TrackInsert kind, Datum elem, bool isnull, EcRowResult *r,
				MemoryContext rcxt)
{
	bool		raw_kind = (kind != TRACK_BATCH);
	Jsonb	   *event;
	bool		blank;
	bool		acceptable = false;
	Jsonb	   *problems;
	EcProblemCode code;
	EcValidation v = {0};
	Datum		values[1];
	char		nulls[1];
	int			ret;

	/* what the shard's trigger will decide, and its problems */
	event = ec_read_event((!raw_kind && !isnull) ? DatumGetJsonbP(elem) : NULL,
						  (raw_kind && !isnull) ? DatumGetTextPP(elem) : NULL,
						  &blank, &problems, &code);
	if (event != NULL)
	{
		v.collect = true;
		ec_validate(event, &v);
		acceptable = ec_event_acceptable(&v);
		if (!acceptable && ec_on_invalid == EC_ON_INVALID_ERROR)
			ec_report_invalid(&v);
		problems = v.nproblems > 0 ? ec_problems_to_jsonb(&v) : NULL;
	}
	r->outcome = blank ? EC_OUTCOME_SKIPPED : EC_OUTCOME_QUARANTINED;
	r->event_id = 0;
	r->problems = NULL;
	if (problems != NULL)
	{
		r->problems = MemoryContextAlloc(rcxt, VARSIZE(problems));
		memcpy(r->problems, problems, VARSIZE(problems));
	}

	/* the row goes to its shard, which skips, quarantines or stores it */
	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	kept_plan(&coordinator_plans[raw_kind],
			  raw_kind ? "INSERT INTO event_catalog.events (raw_line) VALUES ($1) RETURNING event_id"
			  : "INSERT INTO event_catalog.events (payload) VALUES ($1) RETURNING event_id",
			  raw_kind ? TEXTOID : JSONBOID);
	values[0] = elem;
	nulls[0] = isnull ? 'n' : ' ';
	ret = SPI_execute_plan(coordinator_plans[raw_kind], values, nulls, false, 0);
	if (ret != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "could not record the event: %s", SPI_result_code_string(ret));
	if (acceptable)
	{
		bool		idnull = true;

		if (SPI_processed == 1)
		{
			r->event_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
													  SPI_tuptable->tupdesc, 1, &idnull));
			r->outcome = EC_OUTCOME_STORED;
		}
		else if (ec_citus_find_stored(event, &r->event_id))
			r->outcome = EC_OUTCOME_DUPLICATE;
	}
	SPI_finish();
}

/*
 * On a Citus coordinator: record the n elements of arr (or the one of a
 * raw line) one by one into c, per element memory reset.
 */
static void
coordinator_insert(TrackInsert kind, ArrayType *arr, Datum one, bool one_null,
				   EcCollector *c)
{
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext, "track_batch row",
												 ALLOCSET_DEFAULT_SIZES);
	MemoryContext old;
	ErrorContextCallback errcb;
	Datum	   *elems = &one;
	bool	   *enulls = &one_null;
	int			n = 1;

	if (arr != NULL)
	{
		int16		typlen;
		bool		typbyval;
		char		typalign;

		get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
		deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign,
						  &elems, &enulls, &n);
		errcb.callback = batch_error_context;
		errcb.arg = c;
		errcb.previous = error_context_stack;
		error_context_stack = &errcb;
	}
	c->rows = palloc(sizeof(EcRowResult) * n);
	c->cap = n;
	for (int i = 0; i < n; i++)
	{
		c->rows_seen = i + 1;
		old = MemoryContextSwitchTo(rowcxt);
		coordinator_row(kind, elems[i], enulls[i], &c->rows[i], old);
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
		c->n = i + 1;
	}
	if (arr != NULL)
		error_context_stack = errcb.previous;
	MemoryContextDelete(rowcxt);
}

/* the status of a row's outcome */
static const char *
status_name(const EcRowResult *r)
{
	switch (r->outcome)
	{
		case EC_OUTCOME_STORED:
			return r->problems ? "stored_with_warnings" : "stored";
		case EC_OUTCOME_DUPLICATE:
			return "duplicate";
		case EC_OUTCOME_QUARANTINED:
			return "quarantined";
		case EC_OUTCOME_SKIPPED:
			return "skipped";
		default:
			elog(ERROR, "an event of the batch has no outcome");
	}
	return NULL;				/* keep compiler quiet */
}

/* the result row of input ordinal i (1-based) */
static void
result_values(const EcRowResult *r, int ordinal, Datum *values, bool *nulls)
{
	values[0] = Int32GetDatum(ordinal);
	nulls[0] = false;
	values[1] = Int64GetDatum(r->event_id);
	nulls[1] = (r->outcome != EC_OUTCOME_STORED && r->outcome != EC_OUTCOME_DUPLICATE);
	values[2] = CStringGetTextDatum(status_name(r));
	nulls[2] = false;
	values[3] = r->problems ? JsonbPGetDatum(r->problems) : (Datum) 0;
	nulls[3] = (r->problems == NULL);
}

/* a batch: one insert of every element, then one result row per element */
static Datum
track_many(FunctionCallInfo fcinfo, TrackInsert kind)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	int			nelems = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	EcCollector c = {0};

	InitMaterializedSRF(fcinfo, 0);
	if (nelems == 0)
		return (Datum) 0;
	if (ec_citus_distributed())
		coordinator_insert(kind, arr, (Datum) 0, false, &c);
	else
		run_insert(kind, PointerGetDatum(arr), false, &c);
	if (c.n != nelems)
		elog(ERROR, "the batch of %d events gave %d outcomes", nelems, c.n);
	for (int i = 0; i < c.n; i++)
	{
		Datum		values[4];
		bool		nulls[4];

		result_values(&c.rows[i], i + 1, values, nulls);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* track_batch(events jsonb[]): record the events in one statement */
Datum
ec_track_batch(PG_FUNCTION_ARGS)
{
	return track_many(fcinfo, TRACK_BATCH);
}

/* track_batch_raw(lines text[]): record raw NDJSON lines in one statement */
Datum
ec_track_batch_raw(PG_FUNCTION_ARGS)
{
	return track_many(fcinfo, TRACK_BATCH_RAW);
}

/*
 * track_raw(line text): record one raw NDJSON line; a null line is a null
 * event (quarantined, or an error under on_invalid = error).
 */
Datum
ec_track_raw(PG_FUNCTION_ARGS)
{
	EcCollector c = {0};
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4];

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (ec_citus_distributed())
		coordinator_insert(TRACK_RAW, NULL, PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0),
						   PG_ARGISNULL(0), &c);
	else
		run_insert(TRACK_RAW, PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0),
				   PG_ARGISNULL(0), &c);
	if (c.n != 1)
		elog(ERROR, "a raw line gave %d outcomes", c.n);
	result_values(&c.rows[0], 1, values, nulls);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
