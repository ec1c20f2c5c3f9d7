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
#include "event_catalog.h"

PG_FUNCTION_INFO_V1(ec_profile_values);

/*
 * profile_values(event_key, payload): {profile_attribute: value} for each
 * context param of the event that has a profile attribute and a non-null
 * value; {} when there is none (or no such event, or no context object).
 */
Datum
ec_profile_values(PG_FUNCTION_ARGS)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	Jsonb	   *payload = PG_GETARG_JSONB_P(1);
	const EcEventDef *def;
	JsonbValue	ctx;
	JsonbParseState *state = NULL;
	JsonbValue *result;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	k;
	JsonbValue	v;
	int			next = 0;

	ec_catalog_begin_query(fcinfo->flinfo);
	def = ec_catalog_lookup(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key));

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	if (def != NULL && JB_ROOT_IS_OBJECT(payload) &&
		getKeyJsonValueFromContainer(&payload->root, "context", 7, &ctx) &&
		ctx.type == jbvBinary && JsonContainerIsObject(ctx.val.binary.data))
	{
		it = JsonbIteratorInit(ctx.val.binary.data);
		while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
		{
			const EcParamDef *param;

			if (tok != WJB_KEY)
				continue;
			tok = JsonbIteratorNext(&it, &v, true);

			param = ec_catalog_next_param(def, &next, k.val.string.val, k.val.string.len);
			if (param == NULL || param->profile_attribute == NULL || v.type == jbvNull)
				continue;

			k.type = jbvString;
			k.val.string.val = (char *) param->profile_attribute;
			k.val.string.len = strlen(param->profile_attribute);
			pushJsonbValue(&state, WJB_KEY, &k);
			pushJsonbValue(&state, WJB_VALUE, &v);
		}
	}
	result = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(result));
}

PG_FUNCTION_INFO_V1(ec_versions_of);

/*
 * versions_of(values, version): {key: version} for each key of values, the
 * per-attribute versions of one write.
 */
Datum
ec_versions_of(PG_FUNCTION_ARGS)
{
	Jsonb	   *values = PG_GETARG_JSONB_P(0);
	text	   *version = PG_GETARG_TEXT_PP(1);
	JsonbParseState *state = NULL;
	JsonbValue *result;
	JsonbValue	ver;

	ver.type = jbvString;
	ver.val.string.val = VARDATA_ANY(version);
	ver.val.string.len = VARSIZE_ANY_EXHDR(version);

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	if (JB_ROOT_IS_OBJECT(values))
	{
		JsonbIterator *it = JsonbIteratorInit(&values->root);
		JsonbIteratorToken tok;
		JsonbValue	k;

		while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
		{
			if (tok == WJB_KEY)
			{
				pushJsonbValue(&state, WJB_KEY, &k);
				pushJsonbValue(&state, WJB_VALUE, &ver);
			}
		}
	}
	result = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(result));
}
