/*-------------------------------------------------------------------------
 *
 * citus.c
 *	  event_catalog on Citus shards.
 *
 *	  After event_catalog.distribute() (sql/citus/distribute.sql) the
 *	  triggers of events fire on a worker, on one shard (events_102008,
 *	  say).  Their upkeep SQL names the logical tables (customers,
 *	  consent_log, ...), which on a worker are Citus tables: planned by
 *	  Citus, a query on them from inside a shard's statement is refused
 *	  ("cannot execute a distributed query from a query on a shard").  The
 *	  rows it needs are in the colocated shards on this node: a person's
 *	  events, profile and episodes share a shard range.
 *
 *	  So a trigger on a shard makes that shard's group current
 *	  (ec_citus_enter), and a planner hook points every range table entry
 *	  of a logical event_catalog table at its colocated shard (reference
 *	  tables at this node's copy) before Citus sees the query, which then
 *	  plans it as a local one.  The map is read from pg_dist_shard once per
 *	  statement and shard, never kept across statements, so shard moves
 *	  and rebalancing take effect at the next statement.  Plans cached
 *	  under another shard group are dropped when the group changes.
 *
 *	  Without Citus, or on a table that is not a shard, nothing changes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/planner.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_index.h"
#include "catalog/pg_proc.h"
#include "commands/defrem.h"
#include "parser/parsetree.h"
#include "commands/copy.h"
#include "commands/copyfrom_internal.h"
#include "commands/sequence.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "parser/parser.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/uuid.h"
#include "validate.h"

#include "citus.h"
#include "compat.h"
#include "guc.h"
#include "ingest.h"

/* one entry: a logical table and its shard on this node */
typedef struct ShardMapEntry
{
	Oid			logical;
	Oid			shard;
} ShardMapEntry;

static planner_hook_type prev_planner = NULL;
static ProcessUtility_hook_type prev_process_utility = NULL;
static ExecutorRun_hook_type prev_executor_run = NULL;

static void add_person_key(Query *parse);
static bool targets_events(Query *parse);
static Oid	events_relid(void);
static bool update_refused(Oid relid);
static void ec_citus_process_utility(PlannedStmt *pstmt, const char *queryString,
									 bool readOnlyTree, ProcessUtilityContext context,
									 ParamListInfo params, QueryEnvironment *queryEnv,
									 DestReceiver *dest, QueryCompletion *qc);

/* the current shard group: the shard relation whose trigger set it */
static Oid	current_shard = InvalidOid;
static TransactionId current_xid = InvalidTransactionId;
static TimestampTz current_stmt = 0;
static int	nmap = 0;
static ShardMapEntry *map = NULL;	/* TopMemoryContext */
/* the shard group the cached plans were made for */
static Oid	planned_for = InvalidOid;

/*
 * The logical table of a shard: "<name>_<shardid>" in the same schema,
 * where <name> is a table; InvalidOid when rel is no shard.
 */
Oid
ec_citus_logical_relid(Relation rel)
{
	const char *name = RelationGetRelationName(rel);
	const char *us = strrchr(name, '_');
	char	   *logical;
	Oid			relid;

	if (us == NULL || us[1] == '\0' || strspn(us + 1, "0123456789") != strlen(us + 1))
		return InvalidOid;
	logical = pnstrdup(name, us - name);
	relid = get_relname_relid(logical, RelationGetNamespace(rel));
	pfree(logical);
	return relid;
}

/* read the shard map of the shard group of shard relation rel */
static void
load_map(Relation rel, Oid logical)
{
	const char *name = RelationGetRelationName(rel);
	int64		shardid = pg_strtoint64(strrchr(name, '_') + 1);
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	int			ret;
	MemoryContext oldcxt;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	values[0] = Int64GetDatum(shardid);
	ret = SPI_execute_with_args(
								"SELECT s.logicalrelid::pg_catalog.oid, "
								"       pg_catalog.to_regclass(pg_catalog.shard_name(s.logicalrelid, s.shardid))::pg_catalog.oid "
								"  FROM pg_catalog.pg_dist_shard s "
								"  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) s.logicalrelid "
								"  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
								" WHERE n.nspname OPERATOR(pg_catalog.=) 'event_catalog' "
								"   AND (s.shardminvalue IS NULL OR s.shardminvalue OPERATOR(pg_catalog.=) "
								"        (SELECT m.shardminvalue FROM pg_catalog.pg_dist_shard m "
								"          WHERE m.shardid OPERATOR(pg_catalog.=) $1))",
								1, types, values, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading the shard map failed: %s", SPI_result_code_string(ret));
	oldcxt = MemoryContextSwitchTo(TopMemoryContext);
	if (map != NULL)
		pfree(map);
	map = palloc0(sizeof(ShardMapEntry) * Max(SPI_processed, 1));
	MemoryContextSwitchTo(oldcxt);
	nmap = 0;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull1,
					isnull2;
		Datum		l = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull1);
		Datum		s = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull2);

		/* a shard that is not on this node is left alone */
		if (isnull1 || isnull2)
			continue;
		map[nmap].logical = DatumGetObjectId(l);
		map[nmap].shard = DatumGetObjectId(s);
		nmap++;
	}
	SPI_finish();
}

/*
 * A trigger of ours fires on rel: when rel is a shard, its group becomes
 * current (the map read again at each new statement); else none is.
 */
void
ec_citus_enter(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	Oid			logical;

	if (relid == current_shard && current_xid == GetTopTransactionIdIfAny() &&
		current_stmt == GetCurrentStatementStartTimestamp())
		return;
	logical = ec_citus_logical_relid(rel);
	current_shard = InvalidOid;
	nmap = 0;
	if (OidIsValid(logical) && get_extension_oid("citus", true) != InvalidOid)
	{
		load_map(rel, logical);
		current_shard = relid;
		current_xid = GetTopTransactionIdIfAny();
		current_stmt = GetCurrentStatementStartTimestamp();
		if (planned_for != relid)
		{
			/* plans made for another shard group name its shards */
			ResetPlanCache();
			planned_for = relid;
		}
	}
}

/*
 * citus_enter_shard(rel): the same for the PL/pgSQL triggers (the upkeep
 * of deletes and of API writes), called first with TG_RELID.
 */
PG_FUNCTION_INFO_V1(ec_citus_enter_shard);

Datum
ec_citus_enter_shard(PG_FUNCTION_ARGS)
{
	Relation	rel = relation_open(PG_GETARG_OID(0), AccessShareLock);

	ec_citus_enter(rel);
	relation_close(rel, AccessShareLock);
	PG_RETURN_VOID();
}

/*
 * The node's own copy (placement) of the reference table event_catalog.name,
 * schema-qualified, or the table itself where the node has none (no Citus,
 * not yet distributed).  A query that reads the copy is a local one, which
 * may run inside a query on a shard; one on the table is planned by Citus,
 * which refuses it there ("cannot execute a distributed query from a query
 * on a shard").  Called connected to SPI; the name is allocated in the
 * current memory context.
 */
char *
ec_citus_local_copy(const char *name)
{
	char	   *table = psprintf("event_catalog.%s", quote_identifier(name));
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	bool		isnull;
	int			ret;

	if (!OidIsValid(get_relname_relid("pg_dist_shard", PG_CATALOG_NAMESPACE)))
		return table;
	values[0] = CStringGetTextDatum(table);
	ret = SPI_execute_with_args("SELECT pg_catalog.shard_name(s.logicalrelid, s.shardid) "
								"  FROM pg_catalog.pg_dist_shard s "
								" WHERE s.logicalrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1) "
								"   AND pg_catalog.to_regclass(pg_catalog.shard_name(s.logicalrelid, s.shardid)) IS NOT NULL",
								1, types, values, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not find this node's copy of %s: %s", table, SPI_result_code_string(ret));
	if (SPI_processed == 1)
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			table = TextDatumGetCString(d);
	}
	return table;
}

/* a logical table's shard in the current shard group, or the table */
Oid
ec_citus_relid(Oid logical)
{
	for (int i = 0; i < nmap; i++)
		if (map[i].logical == logical)
			return map[i].shard;
	return logical;
}

bool
ec_citus_in_shard(void)
{
	return OidIsValid(current_shard) && nmap > 0;
}

/* the key space of advisory-type locks: the shard group, or 0 off shards */
uint32
ec_citus_lock_space(void)
{
	return ec_citus_in_shard() ? (uint32) current_shard : 0;
}

static Oid
mapped(Oid relid)
{
	for (int i = 0; i < nmap; i++)
		if (map[i].logical == relid)
			return map[i].shard;
	return InvalidOid;
}

/* point the range table entries of logical tables at their shards */
static bool
rewrite_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind == RTE_RELATION)
		{
			Oid			shard = mapped(rte->relid);

			if (OidIsValid(shard))
				rte->relid = shard;
		}
		return false;
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, rewrite_walker, context,
								 QTW_EXAMINE_RTES_BEFORE);
	return expression_tree_walker(node, rewrite_walker, context);
}

static PlannedStmt *
ec_planner(Query *parse, const char *query_string, int cursorOptions,
		   ParamListInfo boundParams)
{
	if (ec_citus_in_shard() && planned_for == current_shard)
		(void) query_tree_walker(parse, rewrite_walker, NULL, QTW_EXAMINE_RTES_BEFORE);
	else if (parse->commandType == CMD_INSERT)
		add_person_key(parse);
	else if (parse->commandType == CMD_UPDATE && targets_events(parse) &&
			 update_refused(events_relid()))
		ec_events_refuse_update();
	if (prev_planner)
		return prev_planner(parse, query_string, cursorOptions, boundParams);
	return standard_planner(parse, query_string, cursorOptions, boundParams);
}

/* the shard group lasts no longer than its transaction */
static void
ec_citus_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)
	{
		current_shard = InvalidOid;
		nmap = 0;
	}
}

/* ---------------------------------------------------------------------
 * A shard's error in rows that Citus streams to it
 *
 * Citus sends the rows of an INSERT ... SELECT that it runs through the
 * coordinator (the COPY through the coordinator is one, track_batch's
 * INSERT another) to the shards by COPY, and reports a shard's error there
 * by its message and detail alone (its ReportCopyError: SQLSTATE XX000, no
 * hint, no context).  The insert trigger's refusal of an event under
 * on_invalid = error is recognised by its detail, the problem list as
 * JSON, and raised again with the single node's SQLSTATE and hint
 * (ec_refused_event_sqlstate), around the run of every INSERT.  The line
 * of a COPY is not restored: the failing row is known on its shard only.
 * ---------------------------------------------------------------------
 */

/*
 * The code of the first problem when detail is a problem list as the
 * insert trigger writes it (ec_problems_to_jsonb: keys in jsonb's order),
 * its path "" in *pathless; else false.
 */
static bool
problem_list_code(const char *detail, EcProblemCode *code, bool *pathless)
{
	static const char head[] = "[{\"code\": \"";
	static const char path[] = "\", \"path\": \"";
	const char *name;
	const char *end;

	if (detail == NULL || strncmp(detail, head, sizeof(head) - 1) != 0)
		return false;
	name = detail + sizeof(head) - 1;
	end = strchr(name, '"');
	if (end == NULL || strncmp(end, path, sizeof(path) - 1) != 0 ||
		!ec_problem_code_by_name(name, end - name, code))
		return false;
	*pathless = end[sizeof(path) - 1] == '"';
	return true;
}

/*
 * edata, a shard's error as Citus reports it from a COPY, made the insert
 * trigger's own where it is one (the only errors with a problem list as
 * detail): an invalid event (ec_report_invalid: "invalid event: ...") or
 * an event that could not be read (unreadable_problems: one problem, at
 * path "")
 */
static void
restore_refused_event(ErrorData *edata)
{
	EcProblemCode code;
	bool		pathless;
	bool		invalid;

	if (edata->sqlerrcode != ERRCODE_INTERNAL_ERROR || edata->message == NULL ||
		edata->hint != NULL || !problem_list_code(edata->detail, &code, &pathless))
		return;
	invalid = strncmp(edata->message, "invalid event: ", 15) == 0;
	if (!invalid && !pathless)
		return;
	edata->sqlerrcode = ec_refused_event_sqlstate(code, !invalid);
	if (!invalid)
		edata->hint = pstrdup(EC_UNREADABLE_HINT);
}

/* in a PG_CATCH: raise the error again, a shard's refusal restored */
static pg_noreturn void
rethrow_restored(MemoryContext cxt)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	if (edata->sqlerrcode != ERRCODE_INTERNAL_ERROR)
		PG_RE_THROW();
	FlushErrorState();
	restore_refused_event(edata);
	ReThrowError(edata);
}

static void
run_query(EC_EXECUTOR_RUN_ARGS)
{
	if (prev_executor_run)
		prev_executor_run(EC_EXECUTOR_RUN_PASS);
	else
		standard_ExecutorRun(EC_EXECUTOR_RUN_PASS);
}

/* an INSERT (into a Citus table, maybe) runs: its errors restored */
static void
ec_citus_executor_run(EC_EXECUTOR_RUN_ARGS)
{
	MemoryContext cxt = CurrentMemoryContext;

	if (queryDesc->operation != CMD_INSERT)
	{
		run_query(EC_EXECUTOR_RUN_PASS);
		return;
	}
	PG_TRY();
	{
		run_query(EC_EXECUTOR_RUN_PASS);
	}
	PG_CATCH();
	{
		rethrow_restored(cxt);
	}
	PG_END_TRY();
}

void
ec_citus_init(void)
{
	prev_planner = planner_hook;
	planner_hook = ec_planner;
	prev_executor_run = ExecutorRun_hook;
	ExecutorRun_hook = ec_citus_executor_run;
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = ec_citus_process_utility;
	RegisterXactCallback(ec_citus_xact_callback, NULL);
	ec_citus_settings_init();
}

/* ---------------------------------------------------------------------
 * The distribution key and the duplicate probe's index on a shard
 * ---------------------------------------------------------------------
 */

/* the person key of the last event stored or skipped on a shard */
static char *shard_person_key = NULL;

/*
 * events.person_key of an event (after distribute() only): its customer,
 * else its visitor.  A row routed with another key (the coordinator
 * computes it before routing) would sit in a shard where its customer's
 * profile is not: refused.
 */
Datum
ec_person_key_datum(Relation rel, IngestState *st, HeapTuple tuple, const EcValidation *v)
{
	const char *key = v->customer ? v->customer : v->visitor;
	int			len = v->customer ? v->customer_len : v->visitor_len;
	bool		isnull;
	Datum		given = heap_getattr(tuple, st->att_person_key, RelationGetDescr(rel), &isnull);

	if (!isnull)
	{
		text	   *t = DatumGetTextPP(given);

		if (VARSIZE_ANY_EXHDR(t) != len || memcmp(VARDATA_ANY(t), key, len) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("event routed by person_key \"%s\" belongs to \"%.*s\"",
							text_to_cstring(t), len, key),
					 errdetail("person_key is the event's customer, or its visitor when it has no customer.")));
	}
	if (ec_citus_in_shard())
	{
		if (shard_person_key != NULL)
			pfree(shard_person_key);
		shard_person_key = MemoryContextStrdup(TopMemoryContext, pnstrdup(key, len));
	}
	return PointerGetDatum(cstring_to_text_with_len(key, len));
}

/* a key that belongs to the current shard, for its duplicate counts */
const char *
ec_citus_shard_person_key(void)
{
	return shard_person_key ? shard_person_key : "";
}

/*
 * The duplicate probe's index of events (or of one of its shards, whose
 * indexes carry the shard id in their names): the unique index that
 * starts with tenant, occurred_at, content_hash.
 */
Oid
ec_content_index(Relation rel, IngestState *st)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	Oid			found = InvalidOid;

	foreach(lc, indexes)
	{
		Oid			indexoid = lfirst_oid(lc);
		HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
		Form_pg_index idx;

		if (!HeapTupleIsValid(tup))
			continue;
		idx = (Form_pg_index) GETSTRUCT(tup);
		if (idx->indisunique && idx->indnkeyatts >= 3 &&
			idx->indkey.values[0] == st->att_tenant &&
			idx->indkey.values[1] == st->att_occurred_at &&
			idx->indkey.values[2] == st->att_content_hash)
			found = indexoid;
		ReleaseSysCache(tup);
		if (OidIsValid(found))
			break;
	}
	list_free(indexes);
	if (!OidIsValid(found))
		elog(ERROR, "index event_catalog.events_content_key is missing");
	return found;
}

/* ---------------------------------------------------------------------
 * Intake through the coordinator: the key computed before routing
 *
 * Citus routes a row by its person_key before any trigger runs (on the
 * shard it is routed to), so an INSERT or COPY that gives only the event
 * (payload or raw_line) gets the key here, on the node that routes it:
 *  - an INSERT into events without person_key (INSERT (payload), track(),
 *    track_batch*, track_raw) gets the target entry
 *    person_key = event_catalog_internal.person_key(payload, raw_line)
 *    in the planner hook, before Citus plans it;
 *  - a COPY into events without person_key (the README's NDJSON COPY) is
 *    run as INSERT INTO events (columns) SELECT ... FROM the COPY's rows,
 *    which Citus streams to the shards as it reads them.
 * Before distribute() events has no person_key, and nothing changes.
 * ---------------------------------------------------------------------
 */

PG_FUNCTION_INFO_V1(ec_person_key);
PG_FUNCTION_INFO_V1(ec_copy_lines);
PG_FUNCTION_INFO_V1(ec_copy_line);

/* event_catalog.events, or InvalidOid */
static Oid
events_relid(void)
{
	Oid			nsp = get_namespace_oid("event_catalog", true);

	return OidIsValid(nsp) ? get_relname_relid("events", nsp) : InvalidOid;
}

/* whether events is distributed (has its person key) */
bool
ec_citus_distributed(void)
{
	Oid			relid = events_relid();

	return OidIsValid(relid) && get_attnum(relid, "person_key") != InvalidAttrNumber;
}

/*
 * person_key(payload, raw_line): the key the insert trigger will give the
 * row (the customer, else the visitor), or '' for a row with neither (it
 * is quarantined, or refused, on the shard of key '').  Takes the event's
 * tenant load lock.
 */
Datum
ec_person_key(PG_FUNCTION_ARGS)
{
	Jsonb	   *payload = NULL;
	EcValidation v = {0};

	if (!PG_ARGISNULL(0) && PG_ARGISNULL(1))
		payload = PG_GETARG_JSONB_P(0);
	else if (PG_ARGISNULL(0) && !PG_ARGISNULL(1))
	{
		char	   *error = NULL;
		EcProblemCode code;
		bool		blank;

		payload = ec_parse_raw_line(PG_GETARG_TEXT_PP(1), &error, &code, &blank);
	}
	if (payload != NULL)
		ec_validate(payload, &v);

	/*
	 * The tenant's load lock, here on the node that routes the rows: the
	 * shards of a load take theirs (per shard group) in whatever order the
	 * rows reach them, so two loads of one tenant would deadlock across
	 * shards.  Exclusive but for track()'s single event, as on one node.
	 */
	if (v.has_tenant)
		ec_lock_tenant_load(v.tenant, ec_ingest_single_event());
	if (v.customer != NULL)
		PG_RETURN_TEXT_P(cstring_to_text_with_len(v.customer, v.customer_len));
	if (v.visitor != NULL)
		PG_RETURN_TEXT_P(cstring_to_text_with_len(v.visitor, v.visitor_len));
	PG_RETURN_TEXT_P(cstring_to_text(""));
}

/* the expression of column attno in an INSERT's target list, or a null */
static Expr *
target_expr(List *tlist, AttrNumber attno, Oid type, Oid collation)
{
	ListCell   *lc;

	foreach(lc, tlist)
	{
		TargetEntry *te = lfirst_node(TargetEntry, lc);

		if (te->resno == attno && !te->resjunk)
			return (Expr *) copyObject(te->expr);
	}
	return (Expr *) makeNullConst(type, -1, collation);
}

/* Vars of the INSERT's source (a VALUES row or a subquery) replaced */
typedef struct SourceColumns
{
	Index		varno;
	List	   *exprs;			/* by attribute number */
} SourceColumns;

static Node *
source_mutator(Node *node, SourceColumns *src)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Var) && ((Var *) node)->varno == src->varno &&
		((Var *) node)->varlevelsup == 0)
		return copyObject(list_nth(src->exprs, ((Var *) node)->varattno - 1));
	return expression_tree_mutator(node, source_mutator, src);
}

/* the source RTE of an INSERT ... SELECT or multi-row VALUES, or 0 */
static Index
insert_source(Query *parse)
{
	if (parse->jointree == NULL || list_length(parse->jointree->fromlist) != 1 ||
		!IsA(linitial(parse->jointree->fromlist), RangeTblRef))
		return 0;
	return ((RangeTblRef *) linitial(parse->jointree->fromlist))->rtindex;
}

/*
 * Add the target entry att (name) = expr to an INSERT into events that
 * does not give it.  Citus routes by a target entry of each kind of
 * INSERT as it is: the expression itself for one VALUES row, a column of
 * the VALUES rows or of the SELECT otherwise (so the expression, over the
 * source's columns, is added to each row, or to the SELECT's output).
 * False when the INSERT gives the column or has a source this cannot
 * extend (Citus then asks for it).
 */
static bool
add_insert_column(Query *parse, AttrNumber att, const char *name, Expr *expr)
{
	TargetEntry *te;
	ListCell   *lc;
	int			pos = 0;
	Index		srcno;
	Oid			type = exprType((Node *) expr);
	Oid			collation = exprCollation((Node *) expr);

	foreach(lc, parse->targetList)
	{
		te = lfirst_node(TargetEntry, lc);
		if (te->resno == att)
			return false;
		if (te->resno < att)
			pos = foreach_current_index(lc) + 1;
	}
	srcno = insert_source(parse);
	if (srcno != 0)
	{
		RangeTblEntry *src = rt_fetch(srcno, parse->rtable);
		SourceColumns cols = {srcno, NIL};
		AttrNumber	newatt;

		if (src->rtekind == RTE_VALUES)
		{
			List	   *rows = NIL;

			foreach(lc, src->values_lists)
			{
				cols.exprs = (List *) lfirst(lc);
				rows = lappend(rows, lappend(list_copy(cols.exprs),
											 source_mutator((Node *) expr, &cols)));
			}
			src->values_lists = rows;
			src->coltypes = lappend_oid(src->coltypes, type);
			src->coltypmods = lappend_int(src->coltypmods, -1);
			src->colcollations = lappend_oid(src->colcollations, collation);
			newatt = list_length(src->coltypes);
		}
		else if (src->rtekind == RTE_SUBQUERY && src->subquery->setOperations == NULL)
		{
			Query	   *sub = src->subquery;

			/*
			 * the key after the SELECT's columns, before its junk entries
			 * (sort keys not selected: ORDER BY md5(...)), which move one
			 * place on; they are found by ressortgroupref, not position
			 */
			newatt = 1;
			foreach(lc, sub->targetList)
			{
				te = lfirst_node(TargetEntry, lc);
				if (te->resjunk)
					te->resno++;
				else
				{
					cols.exprs = lappend(cols.exprs, te->expr);
					newatt++;
				}
			}
			sub->targetList = list_insert_nth(sub->targetList, newatt - 1,
											  makeTargetEntry((Expr *) source_mutator((Node *) expr, &cols),
															  newatt, pstrdup(name), false));
			if (expression_returns_set((Node *) expr))
				sub->hasTargetSRFs = true;
		}
		else
			return false;
		src->eref->colnames = lappend(src->eref->colnames, makeString(pstrdup(name)));
		expr = (Expr *) makeVar(srcno, newatt, type, -1, collation, 0);
	}
	te = makeTargetEntry(expr, att, pstrdup(name), false);
	parse->targetList = list_insert_nth(parse->targetList, pos, te);
	return true;
}

/* a function of event_catalog_internal by name and argument types */
static Oid
internal_function(const char *name, Oid *argtypes, int nargs)
{
	/* by name in its schema, without the caller's USAGE (it has none) */
	return GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
						   CStringGetDatum(name),
						   PointerGetDatum(buildoidvector(argtypes, nargs)),
						   ObjectIdGetDatum(get_namespace_oid("event_catalog_internal", true)));
}

/* the COPY whose rows copy_lines() returns, its rows so far and its load */
static CopyFromState active_copy = NULL;
static int	active_natts = 0;
static int64 active_line = 0;
static int64 active_load_id = 0;

/* whether parse writes event_catalog.events (its result relation) */
static bool
targets_events(Query *parse)
{
	RangeTblEntry *rte;

	if (parse->resultRelation == 0)
		return false;
	rte = rt_fetch(parse->resultRelation, parse->rtable);
	return rte->rtekind == RTE_RELATION && rte->relid == events_relid();
}

/*
 * Whether an UPDATE of relid, events distributed by Citus, is refused
 * here: its trigger events_no_update refuses it on one node, and on a
 * cluster fires on the shards the UPDATE reaches, of which Citus may pick
 * none (UPDATE ... WHERE false).  As the trigger would, when it is
 * enabled (distribute() disables it for its own UPDATE).
 */
static bool
update_refused(Oid relid)
{
	Relation	rel;
	bool		refused = false;

	if (!ec_citus_settings_matter(relid))
		return false;
	rel = table_open(relid, NoLock);	/* locked by the parser */
	for (int i = 0; rel->trigdesc != NULL && i < rel->trigdesc->numtriggers; i++)
	{
		Trigger    *t = &rel->trigdesc->triggers[i];

		if (strcmp(t->tgname, "events_no_update") != 0 || !TRIGGER_FOR_UPDATE(t->tgtype))
			continue;
		if (SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA)
			refused = t->tgenabled == TRIGGER_FIRES_ON_REPLICA ||
				t->tgenabled == TRIGGER_FIRES_ALWAYS;
		else
			refused = t->tgenabled != TRIGGER_FIRES_ON_REPLICA &&
				t->tgenabled != TRIGGER_DISABLED;
	}
	table_close(rel, NoLock);
	return refused;
}

/*
 * An INSERT into events after distribute() that does not give person_key
 * gets it from the row's payload or raw_line.  The INSERT that runs a
 * COPY through the coordinator also sends each row's place in the load:
 * the coordinator's load id and the row's number in the COPY
 * (routed_load_id, routed_line: the shard's quarantine records them, and
 * the insert trigger stores neither).
 */
static void
add_person_key(Query *parse)
{
	Oid			relid;
	AttrNumber	att_key;
	AttrNumber	att_line;
	AttrNumber	att_load;
	Oid			funcid;
	Oid			argtypes[2] = {JSONBOID, TEXTOID};

	if (!targets_events(parse))
		return;
	relid = events_relid();
	att_key = get_attnum(relid, "person_key");
	if (att_key == InvalidAttrNumber || !OidIsValid(funcid = internal_function("person_key", argtypes, 2)))
		return;
	if (!add_insert_column(parse, att_key, "person_key",
						   (Expr *) makeFuncExpr(funcid, TEXTOID,
												 list_make2(target_expr(parse->targetList,
																		get_attnum(relid, "payload"),
																		JSONBOID, InvalidOid),
															target_expr(parse->targetList,
																		get_attnum(relid, "raw_line"),
																		TEXTOID, DEFAULT_COLLATION_OID)),
												 C_COLLATION_OID, DEFAULT_COLLATION_OID,
												 COERCE_EXPLICIT_CALL)))
		return;

	att_line = get_attnum(relid, "routed_line");
	att_load = get_attnum(relid, "routed_load_id");
	if (active_copy == NULL || att_line == InvalidAttrNumber || att_load == InvalidAttrNumber ||
		!OidIsValid(funcid = internal_function("copy_line", NULL, 0)))
		return;
	add_insert_column(parse, att_load, "routed_load_id",
					  (Expr *) makeConst(INT8OID, -1, InvalidOid, sizeof(int64),
										 Int64GetDatum(active_load_id), false, FLOAT8PASSBYVAL));
	add_insert_column(parse, att_line, "routed_line",
					  (Expr *) makeFuncExpr(funcid, INT8OID, NIL, InvalidOid, InvalidOid,
											COERCE_EXPLICIT_CALL));
}

/*
 * The stored event an event sent through the coordinator is a duplicate
 * of (track() learns nothing from the shard's trigger): found by its key
 * and digest on its shard.  False when it was not stored (quarantined).
 */
bool
ec_citus_find_stored(Jsonb *event, int64 *event_id)
{
	static SPIPlanPtr plan = NULL;
	EcValidation v = {0};
	pg_uuid_t  *hash;
	Datum		values[4];
	bool		found = false;
	int			ret;

	ec_validate(event, &v);
	if (!v.has_tenant || !v.has_timestamp || v.event_key == NULL ||
		(v.customer == NULL && v.visitor == NULL))
		return false;
	hash = palloc(sizeof(pg_uuid_t));
	ec_content_hash(&v, event, hash);
	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	if (plan == NULL)
	{
		Oid			types[4] = {TEXTOID, INT4OID, TIMESTAMPTZOID, UUIDOID};

		plan = SPI_prepare("SELECT event_id FROM event_catalog.events "
						   " WHERE person_key OPERATOR(pg_catalog.=) $1 AND tenant OPERATOR(pg_catalog.=) $2 "
						   "   AND occurred_at OPERATOR(pg_catalog.=) $3 AND content_hash OPERATOR(pg_catalog.=) $4",
						   4, types);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
	}
	values[0] = v.customer ? PointerGetDatum(cstring_to_text_with_len(v.customer, v.customer_len))
		: PointerGetDatum(cstring_to_text_with_len(v.visitor, v.visitor_len));
	values[1] = Int32GetDatum(v.tenant);
	values[2] = TimestampTzGetDatum(v.occurred_at);
	values[3] = UUIDPGetDatum(hash);
	ret = SPI_execute_plan(plan, values, NULL, true, 1);
	if (ret == SPI_OK_SELECT && SPI_processed == 1)
	{
		bool		isnull;

		*event_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		found = !isnull;
	}
	SPI_finish();
	return found;
}

/*
 * copy_lines(): the rows of the COPY being run as an INSERT, one text[] of
 * its fields per row (nulls for NULL), read as the INSERT consumes them.
 */
Datum
ec_copy_lines(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	char	  **fields;
	int			nfields;
	Datum	   *values;
	bool	   *nulls;
	int			dims[1];
	int			lbs[1] = {1};
	ErrorContextCallback errcallback;

	if (SRF_IS_FIRSTCALL())
	{
		funcctx = SRF_FIRSTCALL_INIT();
		if (active_copy == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("no COPY into event_catalog.events is running")));
	}
	funcctx = SRF_PERCALL_SETUP();
	if (active_copy == NULL)
		SRF_RETURN_DONE(funcctx);
	/* an unreadable line (its encoding, its fields) named as COPY names it */
	errcallback.callback = CopyFromErrorCallback;
	errcallback.arg = (void *) active_copy;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;
	if (!NextCopyFromRawFields(active_copy, &fields, &nfields))
	{
		error_context_stack = errcallback.previous;
		SRF_RETURN_DONE(funcctx);
	}
	active_line++;
	if (nfields != active_natts)
		ereport(ERROR,
				(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
				 errmsg(nfields > active_natts ? "extra data after last expected column"
						: "missing data for column %d", nfields + 1)));
	error_context_stack = errcallback.previous;
	values = palloc(sizeof(Datum) * nfields);
	nulls = palloc(sizeof(bool) * nfields);
	for (int i = 0; i < nfields; i++)
	{
		char	   *field = fields[i];

		/*
		 * FORCE_NOT_NULL and FORCE_NULL, as NextCopyFrom applies them to
		 * the raw fields: a blank line under FORCE_NOT_NULL (raw_line), the
		 * README's COPY, is an empty line to skip, not a null event
		 */
		if (active_copy->opts.csv_mode)
		{
			int			m = list_nth_int(active_copy->attnumlist, i) - 1;

			if (field == NULL && active_copy->opts.force_notnull_flags[m])
				field = active_copy->opts.null_print;
			else if (field != NULL && active_copy->opts.force_null_flags[m] &&
					 strcmp(field, active_copy->opts.null_print) == 0)
				field = NULL;
		}
		nulls[i] = (field == NULL);
		values[i] = nulls[i] ? (Datum) 0 : CStringGetTextDatum(field);
	}
	dims[0] = nfields;
	SRF_RETURN_NEXT(funcctx, PointerGetDatum(construct_md_array(values, nulls, 1, dims, lbs,
																TEXTOID, -1, false,
																TYPALIGN_INT)));
}

/*
 * copy_line(): the number of the row copy_lines() returned last, counted
 * from 1 in its COPY (the line number of a one-line-per-row file)
 */
Datum
ec_copy_line(PG_FUNCTION_ARGS)
{
	if (active_copy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no COPY into event_catalog.events is running")));
	PG_RETURN_INT64(active_line);
}

/*
 * A COPY FROM STDIN, a server file or a program into events (text or csv)
 * that does not give person_key, after distribute(): run as an INSERT
 * that computes it.
 */
static bool
copy_needs_key(CopyStmt *stmt)
{
	Oid			relid;
	ListCell   *lc;

	if (!stmt->is_from || stmt->relation == NULL || stmt->query != NULL ||
		stmt->whereClause != NULL || stmt->attlist == NIL)
		return false;
	relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	if (!OidIsValid(relid) || relid != events_relid() ||
		get_attnum(relid, "person_key") == InvalidAttrNumber)
		return false;
	foreach(lc, stmt->attlist)
		if (strcmp(strVal(lfirst(lc)), "person_key") == 0)
			return false;
	foreach(lc, stmt->options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);

		if (strcmp(opt->defname, "format") == 0 &&
			strcmp(defGetString(opt), "binary") == 0)
			return false;
	}
	return true;
}

/* a COPY FROM into a Citus table of event_catalog that Citus runs itself */
static bool
copy_into_citus_table(CopyStmt *stmt)
{
	Oid			relid;

	if (!stmt->is_from || stmt->relation == NULL)
		return false;
	relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	return OidIsValid(relid) && ec_citus_settings_matter(relid);
}

/*
 * Run sql, an INSERT, as the caller, with its names resolved as owner
 * (the COPY's rows come from a function of the internal schema, which the
 * caller may not use): privileges, the tenant barrier of the insert
 * trigger and the Citus connections are the caller's.  The count of rows.
 */
static uint64
insert_as_caller(const char *sql, Oid owner)
{
	Oid			save_userid;
	int			save_sec;
	Query	   *query;
	PlannedStmt *plan;
	QueryDesc  *qd;
	uint64		processed;

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
	query = linitial_node(Query,
						  pg_analyze_and_rewrite_fixedparams(linitial_node(RawStmt, raw_parser(sql, RAW_PARSE_DEFAULT)),
															 sql, NULL, 0, NULL));
	plan = pg_plan_query(query, sql, 0, NULL);
	SetUserIdAndSecContext(save_userid, save_sec);

	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	qd = CreateQueryDesc(plan, sql, GetActiveSnapshot(), InvalidSnapshot,
						 None_Receiver, NULL, NULL, 0);
	ExecutorStart(qd, 0);
	ec_executor_run_all(qd);
	ExecutorFinish(qd);
	processed = qd->estate->es_processed;
	ExecutorEnd(qd);
	FreeQueryDesc(qd);
	PopActiveSnapshot();
	return processed;
}

/*
 * Without Citus's SET LOCAL propagation (src/citus_settings.c: another
 * Citus release) the workers keep their own settings: say so when this
 * session changed one, which then reaches the coordinator alone.
 */
static void
warn_unsent_settings(void)
{
	if (ec_citus_settings_sent())
		return;
	for (int i = 0; i < ec_num_settings; i++)
	{
		const char *now = GetConfigOption(ec_setting_names[i], true, false);
		const char *reset = GetConfigOptionResetString(ec_setting_names[i]);

		if (now != NULL && reset != NULL && strcmp(now, reset) != 0)
			ereport(WARNING,
					(errmsg("%s = %s is set in this session only and does not reach the Citus workers",
							ec_setting_names[i], now),
					 errhint("Set it as a default of the role or database on every node.")));
	}
}

/*
 * The load of a COPY through the coordinator: a row in the coordinator's
 * loads with the id its rows were sent with (the quarantine on the shards
 * records it), the lines it routed and its distributed transaction (the
 * column's default); load_report() adds the counts of the workers' shard
 * loads of that transaction.  As the owner, as the insert trigger does.
 */
static void
record_coordinator_load(Relation rel, int64 load_id, TimestampTz started, uint64 lines)
{
	Oid			types[4] = {TIMESTAMPTZOID, TEXTOID, INT8OID, INT8OID};
	Datum		values[4];
	EcSavedUser saved;
	int			ret;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	values[0] = TimestampTzGetDatum(started);
	values[1] = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));
	values[2] = Int64GetDatum((int64) lines);
	values[3] = Int64GetDatum(load_id);
	ec_become_owner(rel, &saved);
	ret = SPI_execute_with_args("INSERT INTO event_catalog.loads "
								"(load_id, started_at, finished_at, loaded_by, lines, stored, "
								" stored_with_warnings, duplicates, quarantined, skipped, quarantined_by_code) "
								"VALUES ($4, $1, pg_catalog.clock_timestamp(), $2, $3, 0, 0, 0, 0, 0, '{}')",
								4, types, values, NULL, false, 0);
	ec_restore_user(&saved);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "could not record the load: %s", SPI_result_code_string(ret));
	ec_load_set_last(load_id);
	SPI_finish();
}

static void
copy_through_insert(ParseState *pstate, CopyStmt *stmt, QueryCompletion *qc)
{
	Relation	rel = table_openrv(stmt->relation, RowExclusiveLock);
	StringInfoData sql;
	StringInfoData sel;
	ListCell   *lc;
	CopyFromState cstate;
	uint64		processed;
	TimestampTz started;
	Oid			seq;

	initStringInfo(&sql);
	initStringInfo(&sel);
	appendStringInfoString(&sql, "INSERT INTO event_catalog.events (");
	foreach(lc, stmt->attlist)
	{
		const char *name = strVal(lfirst(lc));
		AttrNumber	attno = get_attnum(RelationGetRelid(rel), name);
		Form_pg_attribute att;
		int			i = foreach_current_index(lc);

		if (attno <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"%s\" does not exist",
							name, RelationGetRelationName(rel))));
		att = TupleDescAttr(RelationGetDescr(rel), attno - 1);
		appendStringInfo(&sql, "%s%s", i > 0 ? ", " : "", quote_identifier(name));
		appendStringInfo(&sel, "%ss.f[%d]::%s", i > 0 ? ", " : "", i + 1,
						 format_type_with_typemod(att->atttypid, att->atttypmod));

	}
	/* the planner hook adds the key (add_person_key) */
	appendStringInfo(&sql, ") SELECT %s FROM (SELECT event_catalog_internal.copy_lines() AS f OFFSET 0) s",
					 sel.data);

	warn_unsent_settings();
	started = GetCurrentTimestamp();
	/* a server file or program: the privileges COPY itself asks for */
	if (stmt->is_program && !has_privs_of_role(GetUserId(), ROLE_PG_EXECUTE_SERVER_PROGRAM))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be superuser or have privileges of the pg_execute_server_program role to COPY to or from an external program"),
				 errhint("Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.")));
	if (stmt->filename != NULL && !stmt->is_program &&
		!has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be superuser or have privileges of the pg_read_server_files role to COPY from a file"),
				 errhint("Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.")));
	seq = get_relname_relid("loads_load_id_seq", RelationGetNamespace(rel));
	if (!OidIsValid(seq))
		elog(ERROR, "sequence event_catalog.loads_load_id_seq is missing");
	cstate = BeginCopyFrom(pstate, rel, NULL, stmt->filename, stmt->is_program, NULL,
						   stmt->attlist, stmt->options);
	active_copy = cstate;
	active_natts = list_length(stmt->attlist);
	active_line = 0;
	active_load_id = nextval_internal(seq, false);
	PG_TRY();
	{
		processed = insert_as_caller(sql.data, rel->rd_rel->relowner);
	}
	PG_FINALLY();
	{
		active_copy = NULL;
	}
	PG_END_TRY();
	EndCopyFrom(cstate);
	record_coordinator_load(rel, active_load_id, started, processed);
	table_close(rel, NoLock);
	if (qc)
		SetQueryCompletion(qc, CMDTAG_COPY, processed);
}

static void
ec_citus_process_utility(PlannedStmt *pstmt, const char *queryString,
						 bool readOnlyTree, ProcessUtilityContext context,
						 ParamListInfo params, QueryEnvironment *queryEnv,
						 DestReceiver *dest, QueryCompletion *qc)
{
	if (IsA(pstmt->utilityStmt, CopyStmt) && copy_needs_key((CopyStmt *) pstmt->utilityStmt))
	{
		ParseState *pstate = make_parsestate(NULL);

		pstate->p_sourcetext = queryString;
		copy_through_insert(pstate, (CopyStmt *) pstmt->utilityStmt, qc);
		free_parsestate(pstate);
		return;
	}
	if (IsA(pstmt->utilityStmt, CopyStmt) && copy_into_citus_table((CopyStmt *) pstmt->utilityStmt))
		ec_citus_send_settings();
	if (prev_process_utility)
		prev_process_utility(pstmt, queryString, readOnlyTree, context,
							 params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
}
