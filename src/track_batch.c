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
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/tuplestore.h"

#include "citus.h"
#include "ingest.h"

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
	if (track_plans[kind] == NULL)
	{
		Oid			type = track_insert_type[kind];
		SPIPlanPtr	plan = SPI_prepare(track_insert_sql[kind], 1, &type);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		track_plans[kind] = plan;
	}

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
	if (c->n == 0 && !(kind == TRACK_RAW && isnull) && ec_citus_distributed())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("track_batch and track_raw do not run through a Citus coordinator yet"),
				 errdetail("The outcome of each event is decided on the worker that stores it."),
				 errhint("Load with COPY event_catalog.events (raw_line), INSERT or track().")));
	if (kind != TRACK_RAW)
		error_context_stack = errcb.previous;
	SPI_finish();
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
	run_insert(TRACK_RAW, PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0),
			   PG_ARGISNULL(0), &c);
	if (c.n != 1)
		elog(ERROR, "a raw line gave %d outcomes", c.n);
	result_values(&c.rows[0], 1, values, nulls);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
