/*-------------------------------------------------------------------------
 *
 * ingest_load.c
 *	  Loads: every statement that inserts into event_catalog.events (a
 *	  COPY, an INSERT, a track_batch call) is a load with an id, and what
 *	  it did is recorded in event_catalog.loads when it ends: its lines
 *	  (every row the insert trigger saw, blank lines too), how many were
 *	  stored, stored with warnings, skipped as duplicates, quarantined (by
 *	  problem code) and skipped as blank.  Quarantined rows carry the load
 *	  id and their line number (the row's position in the statement).
 *
 *	  A statement of one event from track() or track_raw() is not a load:
 *	  the function returns what became of the event, and one more row per
 *	  tracked event would double the cost of track().  Neither is a
 *	  statement run with row_security = off, as pg_dump's and pg_restore's
 *	  sessions run: a restore re-inserts events already received, and its
 *	  load ids would collide with the restored ones (the loads sequence is
 *	  restored after the table data).
 *
 *	  A BEFORE statement trigger pushes an entry for the statement on a
 *	  stack, and the AFTER statement trigger pops it, so a statement that
 *	  runs inside another one (a function of the outer statement's query
 *	  that inserts events) has its own entry; the row trigger reports to
 *	  the top entry.  The stack lives in TopTransactionContext; entries of
 *	  a failed subtransaction are dropped with it.
 *
 *	  The entry can also carry a collector (track_batch, track_raw): the
 *	  outcome, event id and problems of every row, in the order the rows
 *	  came.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/timestamp.h"

#include "ingest.h"
#include "problems.h"

PG_FUNCTION_INFO_V1(ec_events_load_start);
PG_FUNCTION_INFO_V1(ec_events_load_end);
PG_FUNCTION_INFO_V1(ec_last_load_id);

/* one statement inserting into events */
typedef struct LoadEntry
{
	SubTransactionId subid;
	int64		load_id;		/* 0: not a load */
	TimestampTz started_at;
	char	   *loaded_by;
	int64		lines;
	int64		routed_load_id; /* the row's load and line on a Citus coordinator, or 0 */
	int64		routed_line;
	int64		counts[EC_OUTCOME_SKIPPED + 1]; /* by outcome */
	int64		warned;			/* stored with problems */
	int64		codes[EC_NUM_PROBLEM_CODES];	/* quarantined, by error code */
	EcCollector *collector;
} LoadEntry;

/* the statements running, innermost last; in TopTransactionContext */
static List *load_stack = NIL;

/* the collector for the next statement (set by ec_load_collect) */
static EcCollector *next_collector = NULL;

/* the id of the session's last load that ended */
static int64 last_load_id = 0;

static SPIPlanPtr loads_plan = NULL;

/* at the end of the transaction, forget the statements (their memory goes) */
static void
load_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)
	{
		load_stack = NIL;
		next_collector = NULL;
	}
}

/* a failed subtransaction's statements are gone; a committed one's go up */
static void
load_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					  SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	if (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB)
		return;
	if (event == SUBXACT_EVENT_ABORT_SUB)
		next_collector = NULL;
	RETAG_OR_DROP(load_stack, LoadEntry);
}

/* load time: keep the stack with the transactions */
void
ec_load_init(void)
{
	RegisterXactCallback(load_xact_callback, NULL);
	RegisterSubXactCallback(load_subxact_callback, NULL);
}

/* the entry of the statement whose rows the insert trigger sees, or NULL */
static inline LoadEntry *
current_entry(void)
{
	return load_stack != NIL ? (LoadEntry *) llast(load_stack) : NULL;
}

/*
 * The next statement that inserts into events collects its rows' outcomes
 * into c (track_batch, track_raw).
 */
void
ec_load_collect(EcCollector *c)
{
	next_collector = c;
}

/* the trigger sees a new row: count its line */
void
ec_load_begin_row(void)
{
	LoadEntry  *e = current_entry();

	if (e == NULL)
		return;
	e->lines++;
	e->routed_load_id = 0;
	if (e->collector != NULL)
		e->collector->rows_seen++;
}

/* the load id and line number of the row being inserted (0 when none) */
void
ec_load_position(int64 *load_id, int64 *line)
{
	LoadEntry  *e = current_entry();

	*load_id = (e != NULL) ? e->load_id : 0;
	*line = (e != NULL && e->load_id != 0) ? e->lines : 0;
	if (e != NULL && e->load_id != 0 && e->routed_load_id != 0)
	{
		*load_id = e->routed_load_id;
		*line = e->routed_line;
	}
}

/*
 * The row being inserted was routed by a Citus coordinator's COPY: its
 * quarantine records that load and the row's number in it rather than
 * this shard statement's (ec_load_position)
 */
void
ec_load_routed(int64 load_id, int64 line)
{
	LoadEntry  *e = current_entry();

	if (e == NULL)
		return;
	e->routed_load_id = load_id;
	e->routed_line = line;
}

/* count a quarantined row's error codes, each once */
static void
count_codes(LoadEntry *e, const EcValidation *v, EcProblemCode single)
{
	bool		seen[EC_NUM_PROBLEM_CODES] = {0};

	if (v == NULL)
		seen[single] = true;
	else
		for (int i = 0; i < v->nproblems; i++)
		{
			if (!v->problems[i].is_error)
				continue;
			for (int c = 0; c < EC_NUM_PROBLEM_CODES; c++)
				if (strcmp(v->problems[i].code, ec_problem_code(c)) == 0)
					seen[c] = true;
		}
	for (int c = 0; c < EC_NUM_PROBLEM_CODES; c++)
		if (seen[c])
			e->codes[c]++;
}

/*
 * What became of the row: stored (event_id, problems when it has
 * warnings), a duplicate (event_id of the stored event), quarantined
 * (problems; v when it was validated, else the one code), or skipped.
 */
void
ec_load_outcome(EcOutcome outcome, int64 event_id, Jsonb *problems,
				const EcValidation *v, EcProblemCode code)
{
	LoadEntry  *e = current_entry();
	EcCollector *c;

	if (e == NULL)
		return;
	e->counts[outcome]++;
	if (outcome == EC_OUTCOME_STORED && problems != NULL)
		e->warned++;
	else if (outcome == EC_OUTCOME_QUARANTINED)
		count_codes(e, v, code);

	if ((c = e->collector) == NULL)
		return;
	if (c->n >= c->cap)
	{
		c->cap = Max(16, c->cap * 2);
		c->rows = c->rows == NULL
			? MemoryContextAlloc(c->mcxt, sizeof(EcRowResult) * c->cap)
			: repalloc_huge(c->rows, sizeof(EcRowResult) * c->cap);
	}
	c->rows[c->n].outcome = outcome;
	c->rows[c->n].event_id = event_id;
	c->rows[c->n].problems = NULL;
	if (problems != NULL)
	{
		c->rows[c->n].problems = MemoryContextAlloc(c->mcxt, VARSIZE(problems));
		memcpy(c->rows[c->n].problems, problems, VARSIZE(problems));
	}
	c->n++;
}

/*
 * BEFORE INSERT statement trigger: a new statement on the stack, a load
 * (with an id) unless it is one event of track() or runs with
 * row_security off (a restore).
 */
Datum
ec_events_load_start(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	MemoryContext oldcxt;
	LoadEntry  *e;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("event_catalog.events_load_start() must be a statement trigger")));

	oldcxt = MemoryContextSwitchTo(TopTransactionContext);
	e = palloc0(sizeof(LoadEntry));
	e->subid = GetCurrentSubTransactionId();
	e->collector = next_collector;
	next_collector = NULL;
	if (!ec_ingest_single_event() && row_security)
	{
		Relation	rel = trigdata->tg_relation;
		Oid			seq = get_relname_relid("loads_load_id_seq", RelationGetNamespace(rel));

		if (!OidIsValid(seq))
			elog(ERROR, "sequence event_catalog.loads_load_id_seq is missing");
		e->load_id = nextval_internal(seq, false);
		e->started_at = GetCurrentTimestamp();
		e->loaded_by = GetUserNameFromId(GetUserId(), false);
	}
	load_stack = lappend(load_stack, e);
	MemoryContextSwitchTo(oldcxt);
	PG_RETURN_POINTER(NULL);
}

/* the quarantine counts by code, as a JSON object of the codes seen */
static Jsonb *
codes_jsonb(const LoadEntry *e)
{
	StringInfoData buf;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int c = 0; c < EC_NUM_PROBLEM_CODES; c++)
	{
		if (e->codes[c] == 0)
			continue;
		appendStringInfo(&buf, "%s\"%s\": " INT64_FORMAT, first ? "" : ", ",
						 ec_problem_code(c), e->codes[c]);
		first = false;
	}
	appendStringInfoChar(&buf, '}');
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/* write the row of a load that ended to event_catalog.loads, as the owner */
static void
record_load(Relation rel, const LoadEntry *e)
{
	Datum		values[11];
	int			ret;
	EcSavedUser saved;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	if (loads_plan == NULL)
	{
		Oid			types[11] = {INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID,
			INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, JSONBOID};
		SPIPlanPtr	plan;

		plan = SPI_prepare("INSERT INTO event_catalog.loads "
						   "(load_id, started_at, finished_at, loaded_by, lines, stored, "
						   " stored_with_warnings, duplicates, quarantined, skipped, quarantined_by_code) "
						   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)", 11, types);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		loads_plan = plan;
	}
	values[0] = Int64GetDatum(e->load_id);
	values[1] = TimestampTzGetDatum(e->started_at);
	values[2] = TimestampTzGetDatum(GetCurrentTimestamp());
	values[3] = CStringGetTextDatum(e->loaded_by);
	values[4] = Int64GetDatum(e->lines);
	values[5] = Int64GetDatum(e->counts[EC_OUTCOME_STORED] - e->warned);
	values[6] = Int64GetDatum(e->warned);
	values[7] = Int64GetDatum(e->counts[EC_OUTCOME_DUPLICATE]);
	values[8] = Int64GetDatum(e->counts[EC_OUTCOME_QUARANTINED]);
	values[9] = Int64GetDatum(e->counts[EC_OUTCOME_SKIPPED]);
	values[10] = JsonbPGetDatum(codes_jsonb(e));

	ec_become_owner(rel, &saved);
	ret = SPI_execute_plan(loads_plan, values, NULL, false, 0);
	ec_restore_user(&saved);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "could not record the load: %s", SPI_result_code_string(ret));
	SPI_finish();
}

/*
 * AFTER INSERT statement trigger: the statement ended; record it in loads
 * if it is a load.
 */
Datum
ec_events_load_end(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	LoadEntry  *e;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("event_catalog.events_load_end() must be a statement trigger")));

	e = current_entry();
	if (e == NULL)
		PG_RETURN_POINTER(NULL);	/* the statement began before the trigger existed */
	load_stack = list_delete_last(load_stack);
	if (e->load_id != 0)
	{
		record_load(trigdata->tg_relation, e);
		last_load_id = e->load_id;
	}
	pfree(e);
	PG_RETURN_POINTER(NULL);
}

/* a load recorded elsewhere (a COPY through a Citus coordinator) */
void
ec_load_set_last(int64 load_id)
{
	last_load_id = load_id;
}

/* last_load_id(): the id of the session's last load, or null */
Datum
ec_last_load_id(PG_FUNCTION_ARGS)
{
	if (last_load_id == 0)
		PG_RETURN_NULL();
	PG_RETURN_INT64(last_load_id);
}
