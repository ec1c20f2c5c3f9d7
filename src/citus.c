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
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/planner.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "access/htup_details.h"
#include "catalog/pg_index.h"
#include "utils/syscache.h"

#include "citus.h"
#include "ingest.h"

/* one entry: a logical table and its shard on this node */
typedef struct ShardMapEntry
{
	Oid			logical;
	Oid			shard;
} ShardMapEntry;

static planner_hook_type prev_planner = NULL;

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

void
ec_citus_init(void)
{
	prev_planner = planner_hook;
	planner_hook = ec_planner;
	RegisterXactCallback(ec_citus_xact_callback, NULL);
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
