/*-------------------------------------------------------------------------
 *
 * customer_write.c
 *	  check_customer_write(customer): the validation of one element of a
 *	  Customer Data API batch, {"customer_id": ..., "attributes": {...},
 *	  "timestamp": ...}, with the rules and messages of an event's.
 *
 *	  customer_id is checked as an event's customer, timestamp as an
 *	  event's timestamp, and an attribute that names a profile param of
 *	  ootb_user_details_update (with or without its ootb_ prefix) as that
 *	  param's value in an event's context, at /attributes/<key>.  Any other
 *	  attribute is a custom one: a scalar, strings of at most 255
 *	  characters; one named after a typed column of customers must fit that
 *	  column (profile_column.c), as a profile param's value must.  A write carries only what it changes, so nothing is
 *	  reported missing but customer_id.
 *
 *	  Problems come in this order: unknown top-level keys, customer_id,
 *	  timestamp, a missing customer_id, then the attributes in jsonb order.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "customer_write.h"

#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "problems.h"
#include "validate_checks.h"

PG_FUNCTION_INFO_V1(ec_check_customer_write);

/* the JSON type of a value, as jsonb_typeof names it */
static const char *
json_type_name(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "string";
		case jbvNumeric:
			return "number";
		case jbvBool:
			return "boolean";
		case jbvArray:
			return "array";
		case jbvObject:
			return "object";
		case jbvBinary:
			return JsonContainerIsArray(v->val.binary.data) ? "array" : "object";
		default:
			return "unknown";
	}
}

/* a key for messages: at most EC_QUOTE_MAX bytes, cut on a character boundary */
static char *
cut_key(const char *key, int len)
{
	return pnstrdup(key, len > EC_QUOTE_MAX ? pg_mbcliplen(key, len, EC_QUOTE_MAX) : len);
}

/* the param of def named exactly key, or NULL */
static const EcParamDef *
find_param(const EcEventDef *def, const char *key, int len)
{
	int			lo = 0;
	int			hi = def->nparams - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		const EcParamDef *p = def->by_key[mid];
		int			cmp = ec_jsonb_key_cmp(p->key, p->keylen, key, len);

		if (cmp == 0)
			return p;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

/*
 * The profile param an attribute key names: the param named key, or else
 * the one named ootb_<key>, or else the one whose profile attribute is key
 * (registration_status is ootb_status's); NULL unless it has a profile
 * attribute.  So a write to a profile attribute is always checked with the
 * rules of the param that feeds it, whichever name it is given under.
 */
static const EcParamDef *
profile_param(const EcEventDef *def, const char *key, int len)
{
	const EcParamDef *param;

	if (def == NULL)
		return NULL;
	param = find_param(def, key, len);
	if (param == NULL)
	{
		int			plen = strlen(EC_OOTB_PREFIX);
		char	   *prefixed = palloc(plen + len);

		memcpy(prefixed, EC_OOTB_PREFIX, plen);
		memcpy(prefixed + plen, key, len);
		param = find_param(def, prefixed, plen + len);
		pfree(prefixed);
	}
	if (param == NULL)
	{
		for (int i = 0; i < def->nparams; i++)
		{
			const char *attr = def->params[i].profile_attribute;

			if (attr != NULL && strlen(attr) == len && memcmp(attr, key, len) == 0)
			{
				param = &def->params[i];
				break;
			}
		}
	}
	return (param != NULL && param->profile_attribute != NULL) ? param : NULL;
}

/* push key and a scalar value onto an object being built */
static void
push_pair(JsonbParseState **state, const char *key, int keylen, JsonbValue *val)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = keylen;
	pushJsonbValue(state, WJB_KEY, &k);
	pushJsonbValue(state, WJB_VALUE, val);
}

/*
 * Check the attributes object; each valid one goes to *state under its
 * profile attribute (profile params) or its own key (custom attributes).
 */
static void
check_attributes(EcValidation *v, JsonbContainer *attrs, JsonbParseState **state)
{
	const EcEventDef *def = ec_catalog_lookup(EC_PROFILE_EVENT, strlen(EC_PROFILE_EVENT));
	JsonbIterator *it = JsonbIteratorInit(attrs);
	JsonbValue	key;
	JsonbValue	val;

	while (ec_jsonb_next_pair(&it, &key, &val))
	{
		const char *k = key.val.string.val;
		int			klen = key.val.string.len;
		const EcParamDef *param = profile_param(def, k, klen);
		const EcColumnDef *column;
		int			nchars;

		if (param != NULL)
		{
			int			before = v->nproblems;

			if (val.type != jbvNull)	/* null: clears nothing, is valid */
				ec_check_param_value(v, param, k, klen, &val);
			if (v->nproblems == before)
				push_pair(state, param->profile_attribute,
						  strlen(param->profile_attribute), &val);
		}
		else if (val.type == jbvBinary)
			ec_add_problem(v, EC_PROBLEM_WRONG_TYPE, true, true,
						   ec_json_pointer("/attributes", k, klen),
						   psprintf("custom attribute \"%s\" must be a string, number or boolean, not %s",
									cut_key(k, klen), json_type_name(&val)));
		else if (val.type == jbvString &&
				 val.val.string.len > EC_DEFAULT_MAX_LENGTH &&
				 (nchars = pg_mbstrlen_with_len(val.val.string.val,
												val.val.string.len)) > EC_DEFAULT_MAX_LENGTH)
			ec_add_problem(v, EC_PROBLEM_TOO_LONG, true, true,
						   ec_json_pointer("/attributes", k, klen),
						   psprintf("custom attribute \"%s\" is %d characters long, more than its maximum of %d",
									cut_key(k, klen), nchars, EC_DEFAULT_MAX_LENGTH));
		else if ((column = ec_catalog_column(k, klen)) == NULL ||
				 ec_check_column_value(v, column, "attribute", cut_key(k, klen),
									   k, klen, &val))
			push_pair(state, k, klen, &val);
	}
}

/*
 * check_customer_write(customer, OUT customer_id, OUT attributes,
 * OUT occurred_at, OUT problems): the problems of one Customer Data API
 * write, and what it writes when it has no error.
 */
Datum
ec_check_customer_write(PG_FUNCTION_ARGS)
{
	Jsonb	   *customer = PG_GETARG_JSONB_P(0);
	EcValidation v = {0};
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {true, true, true, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	v.collect = true;
	v.param_parent = "/attributes";

	if (!JB_ROOT_IS_OBJECT(customer) || JB_ROOT_IS_SCALAR(customer))
	{
		JsonbValue	scalar;
		const char *type = "array";

		if (JB_ROOT_IS_SCALAR(customer) &&
			JsonbExtractScalar(&customer->root, &scalar))
			type = json_type_name(&scalar);
		ec_add_problem(&v, EC_PROBLEM_NOT_OBJECT, true, false, pstrdup(""),
					   psprintf("customer must be a JSON object, not %s", type));
	}
	else
	{
		JsonbIterator *it = JsonbIteratorInit(&customer->root);
		JsonbValue	key;
		JsonbValue	val;
		JsonbValue	id = {.type = jbvNull};
		JsonbValue	ts = {.type = jbvNull};
		JsonbValue	attrs = {.type = jbvNull};
		bool		has_ts = false;
		bool		has_attrs = false;
		JsonbParseState *state = NULL;

		/* the three properties; any other key is reported as found */
		while (ec_jsonb_next_pair(&it, &key, &val))
		{
			const char *k = key.val.string.val;
			int			klen = key.val.string.len;

			if (klen == 11 && memcmp(k, "customer_id", 11) == 0)
				id = val;
			else if (klen == 9 && memcmp(k, "timestamp", 9) == 0)
			{
				ts = val;
				has_ts = true;
			}
			else if (klen == 10 && memcmp(k, "attributes", 10) == 0)
			{
				attrs = val;
				has_attrs = true;
			}
			else
				ec_add_problem(&v, EC_PROBLEM_UNKNOWN_PROPERTY, false, false,
							   ec_json_pointer(NULL, k, klen),
							   psprintf("property \"%s\" is not a customer property",
										cut_key(k, klen)));
		}

		/* customer_id: as an event's customer; absent or null is missing */
		if (id.type != jbvNull)
		{
			ec_check_identity(&v, "customer_id", &id);
			if (id.type == jbvString)
			{
				values[0] = PointerGetDatum(cstring_to_text_with_len(id.val.string.val,
																	 id.val.string.len));
				nulls[0] = false;
			}
		}

		/* timestamp: optional; when given, as an event's (null: not given) */
		if (has_ts && ts.type != jbvNull)
		{
			ec_check_timestamp(&v, &ts);
			if (v.has_timestamp)
			{
				values[2] = TimestampTzGetDatum(v.occurred_at);
				nulls[2] = false;
			}
		}

		if (id.type == jbvNull)
			ec_add_problem(&v, EC_PROBLEM_MISSING_PROPERTY, true, false,
						   pstrdup("/customer_id"),
						   pstrdup("property \"customer_id\" is missing"));

		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		if (has_attrs)
		{
			if (attrs.type != jbvBinary || !JsonContainerIsObject(attrs.val.binary.data))
				ec_add_problem(&v, EC_PROBLEM_NOT_OBJECT, true, false,
							   pstrdup("/attributes"),
							   psprintf("attributes must be a JSON object, not %s",
										json_type_name(&attrs)));
			else
				check_attributes(&v, attrs.val.binary.data, &state);
		}
		values[1] = JsonbPGetDatum(JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL)));
		nulls[1] = false;
	}

	values[3] = JsonbPGetDatum(ec_problems_to_jsonb(&v));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}
