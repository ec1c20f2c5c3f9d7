/*-------------------------------------------------------------------------
 *
 * profiles.c
 *	  The profile values an event carries: its context params that map to a
 *	  profile attribute in the catalog, as one {attribute: value} object.
 *	  The set-based merge in SQL (profile_merge_body) then needs one row
 *	  per event instead of one per attribute.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "catalog_cache.h"
#include "profile_column.h"
#include "versions.h"

PG_FUNCTION_INFO_V1(ec_profile_values);

/*
 * {profile_attribute: value} for each context param of the event (def,
 * NULL when it is not in the catalog) that has a profile attribute and a
 * non-null value its column can hold; {} when there is none (or no context
 * object).
 */
Jsonb *
ec_profile_values_of(const EcEventDef *def, Jsonb *payload)
{
	JsonbValue	ctx;
	JsonbParseState *state = NULL;
	JsonbValue *result;
	JsonbIterator *it;
	JsonbValue	k;
	JsonbValue	v;
	int			next = 0;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	if (def != NULL && JB_ROOT_IS_OBJECT(payload) &&
		getKeyJsonValueFromContainer(&payload->root, "context", 7, &ctx) &&
		ctx.type == jbvBinary && JsonContainerIsObject(ctx.val.binary.data))
	{
		it = JsonbIteratorInit(ctx.val.binary.data);
		while (ec_jsonb_next_pair(&it, &k, &v))
		{
			const EcParamDef *param =
				ec_catalog_next_param(def, &next, k.val.string.val, k.val.string.len);

			if (param == NULL || param->profile_attribute == NULL || v.type == jbvNull)
				continue;
			/* validation refused it, unless a fail-safe event was kept */
			if (param->column != NULL && ec_column_misfit(param->column, &v) != NULL)
				continue;

			k.type = jbvString;
			k.val.string.val = (char *) param->profile_attribute;
			k.val.string.len = strlen(param->profile_attribute);
			pushJsonbValue(&state, WJB_KEY, &k);
			pushJsonbValue(&state, WJB_VALUE, &v);
		}
	}
	result = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(result);
}

/* profile_values(event_key, payload): ec_profile_values_of, in SQL */
Datum
ec_profile_values(PG_FUNCTION_ARGS)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	Jsonb	   *payload = PG_GETARG_JSONB_P(1);

	PG_RETURN_JSONB_P(ec_profile_values_of(ec_catalog_lookup(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)),
										   payload));
}

/*
 * The per-customer merge of profile writes, last writer wins per attribute:
 * the aggregates newest_values(vals, version) and newest_versions(vals,
 * version) share one transition state (same step function and arguments),
 * which keeps, for each attribute, the value and version of the newest
 * write carrying it.  Versions compare as bytes (ec_version_cmp); two writes
 * with the same version are the same content, so which one is kept does
 * not matter.  No ORDER BY is needed, and nothing is rebuilt per row.
 * The statement merge of stashed writes (effects.c) folds each customer's
 * writes with the same state, ec_merge_add.
 */

/* a copy of a value of vals (a scalar, or a container as jbvBinary) */
static void
copy_value(JsonbValue *dst, const JsonbValue *src)
{
	*dst = *src;
	switch (src->type)
	{
		case jbvString:
			dst->val.string.val = pnstrdup(src->val.string.val, src->val.string.len);
			break;
		case jbvNumeric:
			dst->val.numeric = DatumGetNumeric(datumCopy(NumericGetDatum(src->val.numeric),
														 false, -1));
			break;
		case jbvBinary:
			{
				void	   *data = palloc(src->val.binary.len);

				memcpy(data, src->val.binary.data, src->val.binary.len);
				dst->val.binary.data = data;
			}
			break;
		default:
			break;
	}
}

/* free what copy_value allocated */
static void
free_value(JsonbValue *v)
{
	switch (v->type)
	{
		case jbvString:
			pfree(v->val.string.val);
			break;
		case jbvNumeric:
			pfree(v->val.numeric);
			break;
		case jbvBinary:
			pfree(v->val.binary.data);
			break;
		default:
			break;
	}
}

/*
 * Merge the writes of vals (an object) made at version ver into st, the
 * state's allocations in cxt: each attribute keeps the value of its newest
 * write.
 */
void
ec_merge_add(MergeState *st, Jsonb *vals, const char *ver, int verlen, MemoryContext cxt)
{
	JsonbIterator *it;
	JsonbValue	k;
	JsonbValue	v;

	if (!JB_ROOT_IS_OBJECT(vals))
		return;
	it = JsonbIteratorInit(&vals->root);
	while (ec_jsonb_next_pair(&it, &k, &v))
	{
		MergeItem  *item = NULL;
		MemoryContext oldcxt;

		for (int i = 0; i < st->n; i++)
		{
			if (st->items[i].keylen == k.val.string.len &&
				memcmp(st->items[i].key, k.val.string.val, k.val.string.len) == 0)
			{
				item = &st->items[i];
				break;
			}
		}
		if (item != NULL &&
			ec_version_cmp(ver, verlen, item->version, item->versionlen) <= 0)
			continue;			/* the attribute has a newer (or this) write */

		oldcxt = MemoryContextSwitchTo(cxt);
		if (item == NULL)
		{
			if (st->n >= st->cap)
			{
				st->cap = Max(16, st->cap * 2);
				st->items = st->items == NULL
					? palloc(sizeof(MergeItem) * st->cap)
					: repalloc(st->items, sizeof(MergeItem) * st->cap);
			}
			item = &st->items[st->n++];
			item->key = pnstrdup(k.val.string.val, k.val.string.len);
			item->keylen = k.val.string.len;
		}
		else
		{
			/* replaced: the state stays as big as its attributes */
			pfree(item->version);
			free_value(&item->value);
		}
		item->version = pnstrdup(ver, verlen);
		item->versionlen = verlen;
		copy_value(&item->value, &v);
		MemoryContextSwitchTo(oldcxt);
	}
}

PG_FUNCTION_INFO_V1(ec_merge_writes_step);

/* the step function: merge the writes of vals made at version into the state */
Datum
ec_merge_writes_step(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	MergeState *st;
	text	   *version;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("event_catalog.merge_writes_step() must be called as an aggregate step")));

	if (PG_ARGISNULL(0))
		st = (MergeState *) MemoryContextAllocZero(aggcxt, sizeof(MergeState));
	else
		st = (MergeState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);

	version = PG_GETARG_TEXT_PP(2);
	ec_merge_add(st, PG_GETARG_JSONB_P(1), VARDATA_ANY(version), VARSIZE_ANY_EXHDR(version), aggcxt);
	PG_RETURN_POINTER(st);
}

/* the merged state (NULL: none) as an object: each attribute's value, or its version */
Jsonb *
ec_merge_object(const MergeState *st, bool versions)
{
	JsonbParseState *state = NULL;
	JsonbValue *result;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; st != NULL && i < st->n; i++)
	{
		JsonbValue	k;

		k.type = jbvString;
		k.val.string.val = st->items[i].key;
		k.val.string.len = st->items[i].keylen;
		pushJsonbValue(&state, WJB_KEY, &k);
		if (versions)
		{
			JsonbValue	ver;

			ver.type = jbvString;
			ver.val.string.val = st->items[i].version;
			ver.val.string.len = st->items[i].versionlen;
			pushJsonbValue(&state, WJB_VALUE, &ver);
		}
		else
			pushJsonbValue(&state, WJB_VALUE, &st->items[i].value);
	}
	result = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(result);
}

PG_FUNCTION_INFO_V1(ec_merge_writes_values);

/* final function of newest_values: each attribute's newest value */
Datum
ec_merge_writes_values(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(ec_merge_object(PG_ARGISNULL(0) ? NULL : (MergeState *) PG_GETARG_POINTER(0),
									  false));
}

PG_FUNCTION_INFO_V1(ec_merge_writes_versions);

/* final function of newest_versions: each attribute's newest version */
Datum
ec_merge_writes_versions(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(ec_merge_object(PG_ARGISNULL(0) ? NULL : (MergeState *) PG_GETARG_POINTER(0),
									  true));
}

/* is key one of the names (a text array's elements)? */
static bool
key_in(const JsonbValue *key, Datum *names, bool *nulls, int nnames)
{
	for (int i = 0; i < nnames; i++)
	{
		text	   *name = DatumGetTextPP(names[i]);

		if (!nulls[i] &&
			VARSIZE_ANY_EXHDR(name) == key->val.string.len &&
			memcmp(VARDATA_ANY(name), key->val.string.val, key->val.string.len) == 0)
			return true;
	}
	return false;
}

/*
 * The pairs of the object vals whose key is (named true) or is not (named
 * false) in the text array names, without those whose value is skip_type
 * (jbvNull for JSON null, jbvString for "").  *nested: a kept value is an
 * object or array.
 */
static Jsonb *
filter_attributes(Jsonb *vals, ArrayType *names_array, bool named,
				  enum jbvType skip_type, bool *nested)
{
	Datum	   *names;
	bool	   *nulls;
	int			nnames;
	JsonbParseState *state = NULL;
	JsonbValue *result;

	deconstruct_array(names_array, TEXTOID, -1, false, TYPALIGN_INT, &names, &nulls, &nnames);
	*nested = false;
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	if (JB_ROOT_IS_OBJECT(vals))
	{
		JsonbIterator *it = JsonbIteratorInit(&vals->root);
		JsonbValue	k;
		JsonbValue	v;

		while (ec_jsonb_next_pair(&it, &k, &v))
		{
			if (v.type == skip_type &&
				(skip_type != jbvString || v.val.string.len == 0))
				continue;
			if (key_in(&k, names, nulls, nnames) != named)
				continue;
			*nested |= (v.type == jbvBinary);
			pushJsonbValue(&state, WJB_KEY, &k);
			pushJsonbValue(&state, WJB_VALUE, &v);
		}
	}
	result = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(result);
}

PG_FUNCTION_INFO_V1(ec_custom_attributes);

/*
 * custom_attributes(vals, columns): the attributes of vals that have no
 * column of their own, without those cleared by "" (custom attributes are
 * kept in customers.attributes, where a clear is an absent key).
 */
Datum
ec_custom_attributes(PG_FUNCTION_ARGS)
{
	bool		nested;

	PG_RETURN_JSONB_P(filter_attributes(PG_GETARG_JSONB_P(0), PG_GETARG_ARRAYTYPE_P(1),
										false, jbvString, &nested));
}

PG_FUNCTION_INFO_V1(ec_picked_attributes);

/*
 * picked_attributes(vals, names): the attributes of vals named in names,
 * without nulls, as jsonb_strip_nulls(jsonb_build_object(name, vals -> name,
 * ...)) gives them (the consent history's values of a write), in one pass.
 */
Jsonb *
ec_picked_attributes_of(Jsonb *vals, ArrayType *names)
{
	bool		nested;
	Jsonb	   *picked = filter_attributes(vals, names, true, jbvNull, &nested);

	/* nulls inside an object or array go too, as jsonb_strip_nulls drops them */
	if (nested)
		return DatumGetJsonbP(DirectFunctionCall1(jsonb_strip_nulls, JsonbPGetDatum(picked)));
	return picked;
}

Datum
ec_picked_attributes(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(ec_picked_attributes_of(PG_GETARG_JSONB_P(0), PG_GETARG_ARRAYTYPE_P(1)));
}

/* ---------------------------------------------------------------------
 * A profile column's value of a write, for the generated merge: one call
 * where the SQL was a CASE over jsonb operators, so that the merge's
 * plan has a node per column instead of a dozen (its executor start-up
 * is a fifth of a track() with a profile write); the ON CONFLICT version
 * test, version_newer_at, is in versions.c
 * ---------------------------------------------------------------------
 */

/*
 * profile_text(vals, key): NULLIF(vals -> key #>> '{}', ''), the value of
 * a text column
 */
PG_FUNCTION_INFO_V1(ec_profile_text);

Datum
ec_profile_text(PG_FUNCTION_ARGS)
{
	const char *s;
	int			len;

	if (!ec_jsonb_key_text(PG_GETARG_JSONB_P(0), PG_GETARG_TEXT_PP(1), &s, &len) || len == 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(s, len));
}

/*
 * profile_boolean(vals, key): the value of a boolean column: a JSON
 * boolean, or the string Yes or No; else null
 */
PG_FUNCTION_INFO_V1(ec_profile_boolean);

Datum
ec_profile_boolean(PG_FUNCTION_ARGS)
{
	Jsonb	   *vals = PG_GETARG_JSONB_P(0);
	text	   *key = PG_GETARG_TEXT_PP(1);
	JsonbValue	v;

	if (!JB_ROOT_IS_OBJECT(vals) ||
		getKeyJsonValueFromContainer(&vals->root, VARDATA_ANY(key),
									 VARSIZE_ANY_EXHDR(key), &v) == NULL)
		PG_RETURN_NULL();
	if (v.type == jbvBool)
		PG_RETURN_BOOL(v.val.boolean);
	if (v.type == jbvString && v.val.string.len == 3 && memcmp(v.val.string.val, "Yes", 3) == 0)
		PG_RETURN_BOOL(true);
	if (v.type == jbvString && v.val.string.len == 2 && memcmp(v.val.string.val, "No", 2) == 0)
		PG_RETURN_BOOL(false);
	PG_RETURN_NULL();
}
