/*-------------------------------------------------------------------------
 *
 * catalog_cache.c
 *	  Per-backend copy of event_catalog.event_types and event_params, and
 *	  of the typed columns of customers that profile params feed.
 *
 *	  Validation never reads the catalog tables per event: the first use in
 *	  a backend loads them with SPI into a hash table that lives in its own
 *	  memory context under CacheMemoryContext.  A statement trigger on the
 *	  two catalog tables (ec_catalog_changed) sends a relcache invalidation
 *	  for the changed table, and ALTER TABLE customers sends one for
 *	  customers; the callback registered here marks the copy stale.
 *
 *	  One top-level statement sees one catalog.  The copy is pinned to the
 *	  statement that first reads it: the stale mark is acted on only by the
 *	  first read of the NEXT top-level statement, which accepts pending
 *	  invalidations and reloads.  So a change committed by another session
 *	  while a COPY runs (its invalidation may be accepted at any lock the
 *	  COPY takes) changes neither the validation of the COPY's later rows nor
 *	  the profile mapping of its AFTER statement effects (profile_values
 *	  reads this copy), and the next statement of every session sees it,
 *	  whatever that backend's isolation level.  Top-level statements are
 *	  counted by executor and utility hooks (a query started outside any
 *	  other, a utility command with PROCESS_UTILITY_TOPLEVEL) and at each
 *	  transaction end.  A statement that changes the catalog itself (its
 *	  trigger fires in this backend) sees its change from its next command
 *	  on, as before.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "tcop/utility.h"

#include "catalog_cache.h"
#include "citus.h"
#include "compat.h"
#include "guc.h"
#include "optimove_limits.h"
#include "rules.h"

PG_FUNCTION_INFO_V1(ec_catalog_changed);

static MemoryContext cache_context = NULL;
static HTAB *event_hash = NULL;
static bool cache_valid = false;

/* the typed profile columns of customers, in column order */
static int	ncolumns = 0;
static EcColumnDef *columns = NULL;

/* loaded during a parallel query, with that query's snapshot: for it only */
static bool loaded_in_parallel = false;
static uint64 invalidation_count = 0;
static Oid	event_types_relid = InvalidOid;
static Oid	event_params_relid = InvalidOid;
static Oid	customers_relid = InvalidOid;

/*
 * Top-level statements: statement_count grows at the start of each; the
 * copy serves unchanged while pinned_statement equals it.  exec_nesting is
 * the depth of executor runs and utility commands under way (as
 * pg_stat_statements counts it).  The library is loaded in the middle of
 * some statement, at an unknown depth: until that statement is over
 * (another statement timestamp, a top-level utility, a transaction end),
 * queries it starts are not taken for new statements.
 */
static uint64 statement_count = 1;
static uint64 pinned_statement = 0;
static int	exec_nesting = 0;
static bool in_loading_statement = false;
static TimestampTz loading_statement_ts = 0;

/* this statement changed the catalog: its invalidations unpin the copy */
static bool own_change = false;

static ExecutorStart_hook_type prev_executor_start = NULL;
static ExecutorRun_hook_type prev_executor_run = NULL;
static ExecutorFinish_hook_type prev_executor_finish = NULL;
static ProcessUtility_hook_type prev_process_utility = NULL;

/*
 * A relcache invalidation of a catalog table, of customers (or of all)
 * marks the copy stale; a running statement keeps it (see above).
 */
static void
ec_catalog_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == event_types_relid ||
		relid == event_params_relid || relid == customers_relid)
	{
		cache_valid = false;
		invalidation_count++;
		if (own_change)
			pinned_statement = 0;
	}
}

/* a top-level statement starts: the next read may take a newer copy */
static void
new_statement(void)
{
	statement_count++;
	own_change = false;
	in_loading_statement = false;
}

/* a query started outside any other is a top-level statement */
static void
ec_executor_start(QueryDesc *queryDesc, int eflags)
{
	if (exec_nesting == 0)
	{
		if (!in_loading_statement ||
			GetCurrentStatementStartTimestamp() != loading_statement_ts)
			new_statement();
	}
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

/* queries started while one runs are part of its statement */
static void
ec_executor_run(EC_EXECUTOR_RUN_ARGS)
{
	exec_nesting++;
	PG_TRY();
	{
		if (prev_executor_run)
			prev_executor_run(EC_EXECUTOR_RUN_PASS);
		else
			standard_ExecutorRun(EC_EXECUTOR_RUN_PASS);
	}
	PG_FINALLY();
	{
		exec_nesting--;
	}
	PG_END_TRY();
}

/* ... and while its AFTER triggers run */
static void
ec_executor_finish(QueryDesc *queryDesc)
{
	exec_nesting++;
	PG_TRY();
	{
		if (prev_executor_finish)
			prev_executor_finish(queryDesc);
		else
			standard_ExecutorFinish(queryDesc);
	}
	PG_FINALLY();
	{
		exec_nesting--;
	}
	PG_END_TRY();
}

/* a top-level utility command (COPY, CALL, DO...) is a statement */
static void
ec_process_utility(PlannedStmt *pstmt, const char *queryString,
				   bool readOnlyTree, ProcessUtilityContext context,
				   ParamListInfo params, QueryEnvironment *queryEnv,
				   DestReceiver *dest, QueryCompletion *qc)
{
	if (context == PROCESS_UTILITY_TOPLEVEL)
		new_statement();
	exec_nesting++;
	PG_TRY();
	{
		if (prev_process_utility)
			prev_process_utility(pstmt, queryString, readOnlyTree, context,
								 params, queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
									params, queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		exec_nesting--;
	}
	PG_END_TRY();
}

/* no statement outlives its transaction */
static void
ec_catalog_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PREPARE || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT)
		new_statement();
}

/* at load time: register for relcache invalidations and statement starts */
void
ec_catalog_cache_init(void)
{
	CacheRegisterRelcacheCallback(ec_catalog_relcache_callback, (Datum) 0);
	RegisterXactCallback(ec_catalog_xact_callback, NULL);

	in_loading_statement = true;
	loading_statement_ts = GetCurrentStatementStartTimestamp();

	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = ec_executor_start;
	prev_executor_run = ExecutorRun_hook;
	ExecutorRun_hook = ec_executor_run;
	prev_executor_finish = ExecutorFinish_hook;
	ExecutorFinish_hook = ec_executor_finish;
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = ec_process_utility;
}

/*
 * Order of keys in a jsonb object: shorter first, then bytewise.
 */
int
ec_jsonb_key_cmp(const char *a, int alen, const char *b, int blen)
{
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return memcmp(a, b, alen);
}

/*
 * The next key and value of a jsonb object being walked with *it (nested
 * containers come back as jbvBinary); false at the end.
 */
bool
ec_jsonb_next_pair(JsonbIterator **it, JsonbValue *key, JsonbValue *val)
{
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(it, key, true)) != WJB_DONE)
	{
		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(it, val, true);
		Assert(tok == WJB_VALUE);
		return true;
	}
	return false;
}

/*
 * The param of def named key, for callers that walk a jsonb object's keys
 * in order: they come in the order of def->by_key, so a cursor (*next,
 * starting at 0) merges the two lists.  NULL when the event has no such
 * param.
 */
const EcParamDef *
ec_catalog_next_param(const EcEventDef *def, int *next, const char *key, int keylen)
{
	while (*next < def->nparams)
	{
		const EcParamDef *cand = def->by_key[*next];
		int			cmp = ec_jsonb_key_cmp(cand->key, cand->keylen, key, keylen);

		if (cmp > 0)
			return NULL;
		(*next)++;
		if (cmp == 0)
			return cand;
	}
	return NULL;
}

/* qsort comparator of params by key, in jsonb key order */
static int
param_by_key_cmp(const void *a, const void *b)
{
	const EcParamDef *pa = *(const EcParamDef *const *) a;
	const EcParamDef *pb = *(const EcParamDef *const *) b;

	return ec_jsonb_key_cmp(pa->key, pa->keylen, pb->key, pb->keylen);
}

/* the EcDataType of a data_type name stored in event_params */
static EcDataType
data_type_from_name(const char *name)
{
	int			i = ec_name_index(ec_data_type_names, EC_NUM_DATA_TYPES,
								  name, strlen(name));

	if (i < 0)
		elog(ERROR, "unexpected data_type \"%s\" in event_catalog.event_params", name);
	return (EcDataType) i;
}

/* the EcRequirement of a requirement name stored in event_params */
static EcRequirement
requirement_from_name(const char *name)
{
	int			i = ec_name_index(ec_requirement_names, EC_NUM_REQUIREMENTS,
								  name, strlen(name));

	if (i < 0)
		elog(ERROR, "unexpected requirement \"%s\" in event_catalog.event_params", name);
	return (EcRequirement) i;
}

/* a boolean column of an SPI row, null read as false */
static bool
spi_bool(HeapTuple tuple, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tuple, desc, col, &isnull);

	return !isnull && DatumGetBool(d);
}

/* the column of cols named name (len bytes), or NULL */
static const EcColumnDef *
find_column(const EcColumnDef *cols, int ncols, const char *name, int len)
{
	for (int i = 0; i < ncols; i++)
	{
		if (cols[i].namelen == len && memcmp(cols[i].name, name, len) == 0)
			return &cols[i];
	}
	return NULL;
}

/*
 * The typed profile columns of customers (profile_columns(), which 1.0
 * does not have: none then), read into cxt.  profile_columns() is internal:
 * it is called as the owner of customers (the extension's owner), in a
 * restricted operation, whoever validates.
 */
static EcColumnDef *
load_columns(MemoryContext cxt, int *ncols)
{
	EcColumnDef *cols;
	MemoryContext oldcxt;
	HeapTuple	classtup;
	Oid			owner;
	Oid			saved_userid;
	int			saved_sec_context;
	int			ret;

	*ncols = 0;
	if (!OidIsValid(customers_relid) ||
		!OidIsValid(get_namespace_oid("event_catalog_internal", true)))
		return NULL;
	classtup = SearchSysCache1(RELOID, ObjectIdGetDatum(customers_relid));
	if (!HeapTupleIsValid(classtup))
		elog(ERROR, "cache lookup failed for relation %u", customers_relid);
	owner = ((Form_pg_class) GETSTRUCT(classtup))->relowner;
	ReleaseSysCache(classtup);

	GetUserIdAndSecContext(&saved_userid, &saved_sec_context);
	SetUserIdAndSecContext(owner, saved_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	ret = SPI_execute("SELECT c.name, c.type::oid, c.typmod, "
					  "       pg_catalog.format_type(c.type, c.typmod) "
					  "  FROM event_catalog_internal.profile_columns() c",
					  true, 0);
	SetUserIdAndSecContext(saved_userid, saved_sec_context);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "loading the profile columns failed: %s",
			 SPI_result_code_string(ret));
	oldcxt = MemoryContextSwitchTo(cxt);
	cols = palloc0(sizeof(EcColumnDef) * Max(1, SPI_processed));
	for (uint64 row = 0; row < SPI_processed; row++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[row];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		EcColumnDef *col = &cols[(*ncols)++];

		col->name = SPI_getvalue(tuple, desc, 1);
		col->namelen = strlen(col->name);
		col->typid = DatumGetObjectId(SPI_getbinval(tuple, desc, 2, &isnull));
		col->typmod = DatumGetInt32(SPI_getbinval(tuple, desc, 3, &isnull));
		col->type_name = SPI_getvalue(tuple, desc, 4);
	}
	MemoryContextSwitchTo(oldcxt);
	return cols;
}

/*
 * Fill param from columns 7.. of the SPI row; all memory in the current
 * context (the new cache context).
 */
static void
load_param(EcParamDef *param, int ordinal, HeapTuple tuple, TupleDesc desc,
		   const EcColumnDef *cols, int ncols)
{
	bool		isnull;
	Datum		d;
	char	   *s;

	param->key = SPI_getvalue(tuple, desc, 7);
	param->keylen = strlen(param->key);
	param->ordinal = ordinal;
	param->type = data_type_from_name(SPI_getvalue(tuple, desc, 8));
	param->requirement = requirement_from_name(SPI_getvalue(tuple, desc, 9));
	s = SPI_getvalue(tuple, desc, 10);
	param->channel = s ? ec_channel_from_name(s, strlen(s)) : 0;

	d = SPI_getbinval(tuple, desc, 12, &isnull);
	if (param->type == EC_TYPE_STRING)
		param->max_length = isnull ? EC_DEFAULT_MAX_LENGTH : DatumGetInt32(d);
	param->profile_attribute = SPI_getvalue(tuple, desc, 13);
	if (param->profile_attribute != NULL)
		param->column = find_column(cols, ncols, param->profile_attribute,
									strlen(param->profile_attribute));

	d = SPI_getbinval(tuple, desc, 11, &isnull);
	if (!isnull && (param->type == EC_TYPE_STRING || param->type == EC_TYPE_NUMBER))
	{
		ArrayType  *arr = DatumGetArrayTypeP(d);
		Datum	   *elems;
		bool	   *nulls;
		int			n;
		StringInfoData list;

		deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &n);
		param->allowed = palloc(sizeof(char *) * n);
		param->allowed_len = palloc(sizeof(int) * n);
		if (param->type == EC_TYPE_NUMBER)
			param->allowed_num = palloc(sizeof(Numeric) * n);
		initStringInfo(&list);
		for (int i = 0; i < n; i++)
		{
			if (nulls[i])
				continue;
			param->allowed[param->nallowed] = TextDatumGetCString(elems[i]);
			param->allowed_len[param->nallowed] = strlen(param->allowed[param->nallowed]);
			if (param->type == EC_TYPE_NUMBER)
				param->allowed_num[param->nallowed] =
					DatumGetNumeric(DirectFunctionCall3(numeric_in,
														CStringGetDatum(param->allowed[param->nallowed]),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
			appendStringInfo(&list, "%s%s", param->nallowed > 0 ? ", " : "",
							 param->allowed[param->nallowed]);
			param->nallowed++;
		}
		param->allowed_list = list.data;
	}
}

/*
 * Load the whole catalog into a new memory context, then swap it in.  An
 * error while loading leaves the old state (invalid) and frees the new
 * context with the transaction.
 */
static void
ec_catalog_load(void)
{
	MemoryContext newcxt;
	MemoryContext oldcxt;
	HASHCTL		ctl;
	HTAB	   *hash;
	Oid			nspid;
	uint64		nrows;
	int			ret;
	uint64		count_at_start = invalidation_count;
	EcColumnDef *newcols;
	int			nnewcols;
	char	   *types_table;
	char	   *params_table;

	cache_valid = false;

	newcxt = AllocSetContextCreate(CurrentMemoryContext,
								   "event_catalog cache",
								   ALLOCSET_DEFAULT_SIZES);

	nspid = get_namespace_oid("event_catalog", false);
	event_types_relid = get_relname_relid("event_types", nspid);
	event_params_relid = get_relname_relid("event_params", nspid);
	customers_relid = get_relname_relid("customers", nspid);
	if (!OidIsValid(event_types_relid) || !OidIsValid(event_params_relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("event_catalog catalog tables are missing"),
				 errhint("Run CREATE EXTENSION event_catalog in this database.")));

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = EC_KEY_MAX_BYTES + 1;
	ctl.entrysize = sizeof(EcEventDef);
	ctl.hcxt = newcxt;
	hash = hash_create("event_catalog events", 64, &ctl,
					   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));

	/*
	 * Read with the latest snapshot, taken after the invalidations were
	 * accepted: a change committed after it sends a new invalidation.  Like
	 * the system catalogs, the event catalog is not held to a repeatable
	 * read transaction's snapshot.  During a parallel query (in a worker, or
	 * in the leader while workers run) the latest snapshot may not be taken:
	 * use the query's, which leader and workers share, and keep that copy
	 * for this query only (loaded_in_parallel), since a change committed
	 * after that snapshot may already have sent its invalidation.
	 */
	if (!IsInParallelMode())
		PushActiveSnapshot(GetLatestSnapshot());
	else if (ActiveSnapshotSet())
		PushActiveSnapshot(GetActiveSnapshot());
	else
		PushActiveSnapshot(GetTransactionSnapshot());
	newcols = load_columns(newcxt, &nnewcols);

	/*
	 * On a Citus node the catalog tables are reference tables: read this
	 * node's copy, so that validation in a query that Citus runs on a
	 * shard (validate_event(payload) over a distributed table) reads no
	 * table through Citus.  The invalidations still come by the logical
	 * tables (ec_catalog_changed).
	 */
	types_table = ec_citus_local_copy("event_types");
	params_table = ec_citus_local_copy("event_params");
	ret = SPI_execute(psprintf("SELECT t.event_key, t.category, t.requires_customer, "
							   "       t.fail_safe, t.builtin, "
							   "       (SELECT pg_catalog.count(*)::integer "
							   "          FROM %s c "
							   "         WHERE c.event_key OPERATOR(pg_catalog.=) t.event_key), "
							   "       p.param_key, p.data_type, p.requirement, p.channel, "
							   "       p.allowed_values, p.max_length, p.profile_attribute "
							   "  FROM %s t "
							   "  LEFT JOIN %s p "
							   "    ON p.event_key OPERATOR(pg_catalog.=) t.event_key "
							   " ORDER BY t.event_key, p.position, p.param_key",
							   params_table, types_table, params_table),
					  true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "loading the event catalog failed: %s",
			 SPI_result_code_string(ret));
	PopActiveSnapshot();

	nrows = SPI_processed;

	oldcxt = MemoryContextSwitchTo(newcxt);
	{
		TupleDesc	desc = SPI_tuptable->tupdesc;
		EcEventDef *def = NULL;

		for (uint64 row = 0; row < nrows; row++)
		{
			HeapTuple	tuple = SPI_tuptable->vals[row];
			char	   *key = SPI_getvalue(tuple, desc, 1);
			bool		isnull;

			if (def == NULL || strcmp(def->key, key) != 0)
			{
				bool		found;

				if (strlen(key) > EC_KEY_MAX_BYTES)
					continue;	/* can't be looked up; the table forbids it */
				def = hash_search(hash, key, HASH_ENTER, &found);
				def->category = SPI_getvalue(tuple, desc, 2);
				def->requires_customer = spi_bool(tuple, desc, 3);
				def->fail_safe = spi_bool(tuple, desc, 4);
				def->builtin = spi_bool(tuple, desc, 5);
				def->nparams = 0;
				def->params = palloc0(sizeof(EcParamDef) *
									  Max(1, DatumGetInt32(SPI_getbinval(tuple, desc, 6, &isnull))));
				def->by_key = NULL;
			}
			SPI_getbinval(tuple, desc, 7, &isnull);
			if (!isnull)
			{
				load_param(&def->params[def->nparams], def->nparams, tuple, desc,
						   newcols, nnewcols);
				def->nparams++;
			}
		}
	}

	/* index each event's params in jsonb key order for merge lookups */
	{
		HASH_SEQ_STATUS status;
		EcEventDef *def;

		hash_seq_init(&status, hash);
		while ((def = hash_seq_search(&status)) != NULL)
		{
			def->by_key = palloc(sizeof(EcParamDef *) * Max(1, def->nparams));
			/*
			 * The one decision whether an event takes part in its
			 * customer's derived state (stored as events.has_effects):
			 * one of the five seeded self-exclusion events, or an event
			 * with a param that feeds the profile.  Every SQL path takes
			 * the events by that column.
			 */
			def->has_effects = def->builtin &&
				strcmp(def->category, "self_exclusion") == 0;
			for (int i = 0; i < def->nparams; i++)
			{
				def->by_key[i] = &def->params[i];
				if (def->params[i].profile_attribute != NULL)
					def->has_effects = true;
			}
			qsort(def->by_key, def->nparams, sizeof(EcParamDef *), param_by_key_cmp);
		}
	}
	MemoryContextSwitchTo(oldcxt);
	SPI_finish();

	/* success: the new copy replaces the old one */
	MemoryContextSetParent(newcxt, CacheMemoryContext);
	if (cache_context != NULL)
		MemoryContextDelete(cache_context);
	cache_context = newcxt;
	event_hash = hash;
	columns = newcols;
	ncolumns = nnewcols;
	/* an invalidation that arrived while loading makes us load again */
	cache_valid = (invalidation_count == count_at_start);
	loaded_in_parallel = IsInParallelMode();
}

/*
 * The copy for the running top-level statement: at its first read, accept
 * the invalidations that arrived since the previous statement and reload
 * if the copy is stale; later reads of the same statement keep that copy
 * whatever arrives meanwhile.  A copy loaded during a parallel query serves
 * that query only.
 */
static void
ec_catalog_pin(void)
{
	bool		parallel_copy = loaded_in_parallel && !IsInParallelMode();

	if (pinned_statement == statement_count && event_hash != NULL && !parallel_copy)
		return;
	AcceptInvalidationMessages();
	if (!cache_valid || parallel_copy || event_hash == NULL)
		ec_catalog_load();
	pinned_statement = statement_count;
}

/*
 * The definition of an event key, or NULL when it is not in the catalog,
 * as the running statement sees the catalog.  The result is valid until
 * the statement ends.
 */
const EcEventDef *
ec_catalog_lookup(const char *key, int len)
{
	char		buf[EC_KEY_MAX_BYTES + 1];

	ec_catalog_pin();
	if (len <= 0 || len > EC_KEY_MAX_BYTES || memchr(key, '\0', len) != NULL)
		return NULL;
	memcpy(buf, key, len);
	buf[len] = '\0';
	return (const EcEventDef *) hash_search(event_hash, buf, HASH_FIND, NULL);
}

/*
 * The typed profile column of customers named name, or NULL (a custom
 * attribute, kept in customers.attributes), as the running statement sees
 * the catalog.
 */
const EcColumnDef *
ec_catalog_column(const char *name, int len)
{
	ec_catalog_pin();
	return find_column(columns, ncolumns, name, len);
}

/*
 * Statement trigger on the catalog tables: have every backend, this one
 * included, reload its copy.
 */
Datum
ec_catalog_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("event_catalog.catalog_changed() must be called as a trigger")));

	CacheInvalidateRelcache(trigdata->tg_relation);
	/* on a Citus node the change reaches this node's copy: the sessions
	 * watch the logical table */
	{
		Oid			logical = ec_citus_logical_relid(trigdata->tg_relation);

		if (OidIsValid(logical))
			CacheInvalidateRelcacheByRelid(logical);
	}
	/* the changing statement sees its change from its next command on */
	own_change = true;
	pinned_statement = 0;
	PG_RETURN_POINTER(NULL);
}
