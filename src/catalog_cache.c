/*-------------------------------------------------------------------------
 *
 * catalog_cache.c
 *	  Per-backend copy of event_catalog.event_types and event_params.
 *
 *	  Validation never reads the catalog tables per event: the first use in
 *	  a backend loads both tables with one SPI query into a hash table that
 *	  lives in its own memory context under CacheMemoryContext.  A statement
 *	  trigger on the two tables (ec_catalog_changed) sends a relcache
 *	  invalidation for the changed table; the callback registered here marks
 *	  the copy stale, and the next use reloads it.  Invalidations become
 *	  visible at the next command of the changing transaction and, once it
 *	  commits, at the next statement of every other backend, whatever that
 *	  backend's isolation level.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "catalog_cache.h"
#include "guc.h"
#include "optimove_limits.h"
#include "rules.h"

PG_FUNCTION_INFO_V1(ec_catalog_changed);

static MemoryContext cache_context = NULL;
static HTAB *event_hash = NULL;
static bool cache_valid = false;

/* loaded during a parallel query, with that query's snapshot: for it only */
static bool loaded_in_parallel = false;
static uint64 invalidation_count = 0;
static Oid	event_types_relid = InvalidOid;
static Oid	event_params_relid = InvalidOid;

/* marker kept in fn_extra: this call site has checked for invalidations */
static char query_checked_marker;

/* a relcache invalidation of a catalog table (or of all) marks the copy stale */
static void
ec_catalog_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == event_types_relid ||
		relid == event_params_relid)
	{
		cache_valid = false;
		invalidation_count++;
	}
}

/* at load time: register for relcache invalidations */
void
ec_catalog_cache_init(void)
{
	CacheRegisterRelcacheCallback(ec_catalog_relcache_callback, (Datum) 0);
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

/*
 * Fill param from columns 7.. of the SPI row; all memory in the current
 * context (the new cache context).
 */
static void
load_param(EcParamDef *param, int ordinal, HeapTuple tuple, TupleDesc desc)
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

	cache_valid = false;

	newcxt = AllocSetContextCreate(CurrentMemoryContext,
								   "event_catalog cache",
								   ALLOCSET_DEFAULT_SIZES);

	nspid = get_namespace_oid("event_catalog", false);
	event_types_relid = get_relname_relid("event_types", nspid);
	event_params_relid = get_relname_relid("event_params", nspid);
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
	ret = SPI_execute("SELECT t.event_key, t.category, t.requires_customer, "
					  "       t.fail_safe, t.builtin, "
					  "       (SELECT pg_catalog.count(*)::integer "
					  "          FROM event_catalog.event_params c "
					  "         WHERE c.event_key OPERATOR(pg_catalog.=) t.event_key), "
					  "       p.param_key, p.data_type, p.requirement, p.channel, "
					  "       p.allowed_values, p.max_length, p.profile_attribute "
					  "  FROM event_catalog.event_types t "
					  "  LEFT JOIN event_catalog.event_params p "
					  "    ON p.event_key OPERATOR(pg_catalog.=) t.event_key "
					  " ORDER BY t.event_key, p.position, p.param_key",
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
				load_param(&def->params[def->nparams], def->nparams, tuple, desc);
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
	/* an invalidation that arrived while loading makes us load again */
	cache_valid = (invalidation_count == count_at_start);
	loaded_in_parallel = IsInParallelMode();
}

/*
 * Called once per query by every function that uses the cache (flinfo is
 * the caller's): picks up catalog changes committed by other sessions since
 * this session's previous statement.
 */
void
ec_catalog_begin_query(FmgrInfo *flinfo)
{
	if (flinfo == NULL || flinfo->fn_extra != &query_checked_marker)
	{
		AcceptInvalidationMessages();
		if (flinfo != NULL)
			flinfo->fn_extra = &query_checked_marker;
	}
}

/*
 * The definition of an event key, or NULL when it is not in the catalog.
 * The result is valid until the next call into the cache.
 */
const EcEventDef *
ec_catalog_lookup(const char *key, int len)
{
	char		buf[EC_KEY_MAX_BYTES + 1];

	if (!cache_valid || (loaded_in_parallel && !IsInParallelMode()))
		ec_catalog_load();
	if (len <= 0 || len > EC_KEY_MAX_BYTES || memchr(key, '\0', len) != NULL)
		return NULL;
	memcpy(buf, key, len);
	buf[len] = '\0';
	return (const EcEventDef *) hash_search(event_hash, buf, HASH_FIND, NULL);
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
	PG_RETURN_POINTER(NULL);
}
