/*-------------------------------------------------------------------------
 *
 * validate.c
 *	  The event validator and its SQL entry points: validate_event,
 *	  is_valid_event and assert_valid_event.
 *
 *	  One walk over the event serves all three.  It reports problems in a
 *	  stable order: first the keys present in the event, in jsonb order
 *	  (jsonb keeps object keys sorted by length, then bytes, which is the
 *	  only document order a jsonb value has), the context's keys where the
 *	  context stands; then missing properties, then missing mandatory
 *	  params in catalog order.  When collect is false nothing is built but
 *	  the problem codes, so is_valid_event does no string work at all.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "catalog_cache.h"
#include "guc.h"
#include "optimove_limits.h"
#include "timestamp_parse.h"
#include "problems.h"
#include "profile_column.h"
#include "validate.h"
#include "validate_checks.h"

PG_FUNCTION_INFO_V1(ec_validate_event);
PG_FUNCTION_INFO_V1(ec_is_valid_event);
PG_FUNCTION_INFO_V1(ec_assert_valid_event);

/* the top-level properties an event may have */
typedef enum EcProperty
{
	EC_PROP_TENANT,
	EC_PROP_TIMESTAMP,
	EC_PROP_EVENT,
	EC_PROP_CUSTOMER,
	EC_PROP_VISITOR,
	EC_PROP_CONTEXT,
	EC_PROP_UNKNOWN
} EcProperty;

/* ---------------------------------------------------------------------
 * Recording problems
 * ---------------------------------------------------------------------
 */

/*
 * Append a key to a JSON Pointer, escaping '~' as "~0" and '/' as "~1"
 * (RFC 6901).
 */
static void
append_pointer_token(StringInfo buf, const char *key, int len)
{
	appendStringInfoChar(buf, '/');
	for (int i = 0; i < len; i++)
	{
		if (key[i] == '~')
			appendBinaryStringInfo(buf, "~0", 2);
		else if (key[i] == '/')
			appendBinaryStringInfo(buf, "~1", 2);
		else
			appendStringInfoChar(buf, key[i]);
	}
}

/* parent (or "") followed by key as a JSON Pointer token (if not NULL) */
char *
ec_json_pointer(const char *parent, const char *key, int len)
{
	StringInfoData buf;

	initStringInfo(&buf);
	if (parent)
		appendStringInfoString(&buf, parent);
	if (key)
		append_pointer_token(&buf, key, len);
	return buf.data;
}

/*
 * A bounded, printable quotation of a user-supplied string for messages:
 * at most EC_QUOTE_MAX bytes, cut on a character boundary, NUL bytes and
 * control characters shown as '?'.
 */
static char *
quote_value(const char *str, int len)
{
	StringInfoData buf;
	int			cut = len;

	if (len > EC_QUOTE_MAX)
		cut = pg_mbcliplen(str, len, EC_QUOTE_MAX);

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '"');
	for (int i = 0; i < cut; i++)
	{
		unsigned char c = (unsigned char) str[i];

		appendStringInfoChar(&buf, (c < 0x20 || c == 0x7f) ? '?' : (char) c);
	}
	appendStringInfoChar(&buf, '"');
	if (cut < len)
		appendStringInfoString(&buf, "...");
	return buf.data;
}

/* "a string", "an object"...: the type of a jsonb value, for messages */
static const char *
jsonb_type_name(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "a string";
		case jbvNumeric:
			return "a number";
		case jbvBool:
			return "a boolean";
		case jbvBinary:
			return JsonContainerIsArray(v->val.binary.data) ? "an array" : "an object";
		case jbvArray:
			return "an array";
		case jbvObject:
			return "an object";
		default:
			return "an unknown type";
	}
}

/* the type a param requires, for messages */
static const char *
data_type_name(EcDataType type)
{
	switch (type)
	{
		case EC_TYPE_STRING:
			return "a string";
		case EC_TYPE_NUMBER:
			return "a number";
		case EC_TYPE_BOOLEAN:
			return "a boolean";
		case EC_TYPE_DATE:
			return "a date string (YYYY-MM-DD)";
		case EC_TYPE_TIMESTAMP:
			return "a timestamp string";
	}
	return "?";
}

/*
 * Record one problem.  path and message are built only when collecting;
 * callers pass the pieces and a format so that nothing is formatted in
 * is_valid mode.
 */
void
ec_add_problem(EcValidation *v, EcProblemCode code, bool is_error, bool in_params,
			   char *path, char *message)
{
	EcProblem  *p;

	if (is_error)
	{
		v->has_error = true;
		if (!in_params)
			v->has_property_error = true;
	}
	if (!v->collect)
		return;

	if (v->nproblems >= v->maxproblems)
	{
		v->maxproblems = v->maxproblems ? v->maxproblems * 2 : 8;
		v->problems = v->problems
			? repalloc(v->problems, sizeof(EcProblem) * v->maxproblems)
			: palloc(sizeof(EcProblem) * v->maxproblems);
	}
	p = &v->problems[v->nproblems++];
	p->code = ec_problem_code(code);
	p->is_error = is_error;
	p->in_params = in_params;
	p->path = path;
	p->message = message;
}

/* a problem with a top-level property */
#define PROPERTY_PROBLEM(v, code, is_error, key, ...) \
	ec_add_problem((v), (code), (is_error), false, \
				   (v)->collect ? ec_json_pointer(NULL, (key), strlen(key)) : NULL, \
				   (v)->collect ? psprintf(__VA_ARGS__) : NULL)

/* a problem with the context as a whole: a param problem for fail-safe */
#define CONTEXT_PROBLEM(v, code, ...) \
	ec_add_problem((v), (code), true, true, \
				   (v)->collect ? pstrdup("/context") : NULL, \
				   (v)->collect ? psprintf(__VA_ARGS__) : NULL)

/* a problem with a param, at key of the params' object (the context) */
#define PARAM_PROBLEM(v, code, is_error, key, keylen, ...) \
	ec_add_problem((v), (code), (is_error), true, \
				   (v)->collect ? ec_json_pointer((v)->param_parent ? (v)->param_parent : "/context", \
												  (key), (keylen)) : NULL, \
				   (v)->collect ? psprintf(__VA_ARGS__) : NULL)

/* ---------------------------------------------------------------------
 * Checks of single values
 * ---------------------------------------------------------------------
 */

/* number of characters of a string, counted only when bytes exceed max */
static inline bool
string_too_long(const char *str, int len, int max_chars, int *nchars)
{
	if (len <= max_chars)
		return false;
	*nchars = pg_mbstrlen_with_len(str, len);
	return *nchars > max_chars;
}

/* is a string or number value one of the param's allowed values? */
static bool
value_allowed(const EcParamDef *param, const JsonbValue *val)
{
	for (int i = 0; i < param->nallowed; i++)
	{
		if (param->type == EC_TYPE_STRING)
		{
			if (val->val.string.len == param->allowed_len[i] &&
				memcmp(val->val.string.val, param->allowed[i], param->allowed_len[i]) == 0)
				return true;
		}
		else if (DatumGetBool(DirectFunctionCall2(numeric_eq,
												  NumericGetDatum(val->val.numeric),
												  NumericGetDatum(param->allowed_num[i]))))
			return true;
	}
	return false;
}

/*
 * The textual form of a number for messages (bounded: numbers in jsonb can
 * have thousands of digits).
 */
static char *
number_text(Numeric num)
{
	char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)));

	return quote_value(s, strlen(s));
}

/* a scalar for messages: a bounded quotation of a string, a number's text */
static char *
value_text(const JsonbValue *val)
{
	switch (val->type)
	{
		case jbvString:
			return quote_value(val->val.string.val, val->val.string.len);
		case jbvNumeric:
			return number_text(val->val.numeric);
		case jbvBool:
			return val->val.boolean ? "true" : "false";
		default:
			return pstrdup(jsonb_type_name(val));
	}
}

/*
 * Check that the profile column col can hold val, the value of the param
 * or attribute (kind) called name, given under key: false after a
 * column_mismatch problem.  The message names it ("param \"points\"")
 * only when there is a problem: a load checks a column value per profile
 * param of every event.
 */
bool
ec_check_column_value(EcValidation *v, const EcColumnDef *col, const char *kind,
					  const char *name, const char *key, int keylen, const JsonbValue *val)
{
	char	   *why = ec_column_misfit(col, val);

	if (why == NULL)
		return true;
	PARAM_PROBLEM(v, EC_PROBLEM_COLUMN_MISMATCH, true, key, keylen,
				  "value %s of %s \"%s\" does not fit profile column \"%s\" of type %s: %s",
				  value_text(val), kind, name, col->name, col->type_name, why);
	return false;
}

/*
 * Check the value of a param, given under key (keylen bytes) in the
 * params' object: problems name the param, their paths the key.  JSON
 * null is "not provided" and is not checked here.  The value of a param
 * that feeds a typed customers column must also fit that column.
 */
void
ec_check_param_value(EcValidation *v, const EcParamDef *param,
					 const char *key, int keylen, const JsonbValue *val)
{
	const char *name = param->key;
	bool		type_ok;

	/* "" clears a profile attribute, whatever its type and allowed values */
	if (param->profile_attribute != NULL && val->type == jbvString &&
		val->val.string.len == 0)
		return;

	switch (param->type)
	{
		case EC_TYPE_STRING:
		case EC_TYPE_DATE:
		case EC_TYPE_TIMESTAMP:
			type_ok = (val->type == jbvString);
			break;
		case EC_TYPE_NUMBER:
			type_ok = (val->type == jbvNumeric);
			break;
		case EC_TYPE_BOOLEAN:
			type_ok = (val->type == jbvBool);
			break;
		default:
			type_ok = false;
	}
	if (!type_ok)
	{
		PARAM_PROBLEM(v, EC_PROBLEM_WRONG_TYPE, true, key, keylen,
					  "param \"%s\" must be %s, not %s",
					  name, data_type_name(param->type), jsonb_type_name(val));
		return;
	}

	switch (param->type)
	{
		case EC_TYPE_STRING:
			{
				int			nchars;

				if (string_too_long(val->val.string.val, val->val.string.len,
									param->max_length, &nchars))
				{
					PARAM_PROBLEM(v, EC_PROBLEM_TOO_LONG, true, key, keylen,
								  "param \"%s\" is %d characters long, more than its maximum of %d",
								  name, nchars, param->max_length);
					return;
				}
				if (param->nallowed > 0 && !value_allowed(param, val))
				{
					PARAM_PROBLEM(v, EC_PROBLEM_INVALID_VALUE, true, key, keylen,
								  "value %s of param \"%s\" is not one of: %s",
								  quote_value(val->val.string.val, val->val.string.len),
								  name, param->allowed_list);
					return;
				}
				break;
			}
		case EC_TYPE_NUMBER:
			if (param->nallowed > 0 && !value_allowed(param, val))
			{
				PARAM_PROBLEM(v, EC_PROBLEM_INVALID_VALUE, true, key, keylen,
							  "value %s of param \"%s\" is not one of: %s",
							  number_text(val->val.numeric), name, param->allowed_list);
				return;
			}
			break;
		case EC_TYPE_DATE:
			{
				DateADT		d;

				if (!ec_parse_date(val->val.string.val, val->val.string.len, &d))
				{
					PARAM_PROBLEM(v, EC_PROBLEM_INVALID_FORMAT, true, key, keylen,
								  "value %s of param \"%s\" is not a calendar date in the form YYYY-MM-DD",
								  quote_value(val->val.string.val, val->val.string.len), name);
					return;
				}
				break;
			}
		case EC_TYPE_TIMESTAMP:
			{
				TimestampTz ts;

				if (!ec_parse_timestamp(val->val.string.val, val->val.string.len,
										EC_TS_PARAM, &ts))
				{
					PARAM_PROBLEM(v, EC_PROBLEM_INVALID_FORMAT, true, key, keylen,
								  "value %s of param \"%s\" is not a valid timestamp",
								  quote_value(val->val.string.val, val->val.string.len), name);
					return;
				}
				break;
			}
		case EC_TYPE_BOOLEAN:
			break;
	}

	if (param->column != NULL)
		(void) ec_check_column_value(v, param->column, "param", name, key, keylen, val);
}

/*
 * Check the context object against the event's params.  seen[i] is set for
 * each param (by catalog ordinal) that has a non-null value.
 */
static void
check_context(EcValidation *v, JsonbContainer *context, bool *seen)
{
	const EcEventDef *def = v->def;
	int			nkeys = JsonContainerSize(context);
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	val;
	int			next = 0;		/* cursor for ec_catalog_next_param */
	int			position = 0;	/* of the key, in jsonb order */

	if (nkeys > EC_MAX_PARAMS)
		CONTEXT_PROBLEM(v, EC_PROBLEM_TOO_MANY_PARAMS,
						"context has %d params, more than the limit of %d",
						 nkeys, EC_MAX_PARAMS);

	/* without a known event there is nothing to check the params against */
	if (def == NULL)
		return;

	it = JsonbIteratorInit(context);
	while (ec_jsonb_next_pair(&it, &key, &val))
	{
		const EcParamDef *param;

		param = ec_catalog_next_param(def, &next, key.val.string.val, key.val.string.len);

		if (param == NULL)
		{
			/*
			 * Beyond the limit of keys, too_many_params has said it all:
			 * unknown keys there are not listed one by one, so that the
			 * problems of an event stay bounded whatever its size.
			 */
			if (ec_unknown_params != EC_UNKNOWN_PARAMS_ALLOW &&
				position < EC_MAX_PARAMS)
				PARAM_PROBLEM(v, EC_PROBLEM_UNKNOWN_PARAM, ec_unknown_params == EC_UNKNOWN_PARAMS_REJECT,
							  key.val.string.val, key.val.string.len,
							  "param %s is not defined for event \"%s\"",
							  quote_value(key.val.string.val, key.val.string.len), def->key);
		}
		else if (val.type != jbvNull)	/* null: not provided */
		{
			seen[param->ordinal] = true;
			ec_check_param_value(v, param, key.val.string.val, key.val.string.len, &val);
		}
		position++;

		if (v->stop_on_error && v->has_error)
			return;
	}
}

/* ---------------------------------------------------------------------
 * Top-level properties
 * ---------------------------------------------------------------------
 */

/* which top-level property a key names */
static EcProperty
property_of(const char *key, int len)
{
	switch (len)
	{
		case 5:
			if (memcmp(key, "event", 5) == 0)
				return EC_PROP_EVENT;
			break;
		case 6:
			if (memcmp(key, "tenant", 6) == 0)
				return EC_PROP_TENANT;
			break;
		case 7:
			if (memcmp(key, "context", 7) == 0)
				return EC_PROP_CONTEXT;
			if (memcmp(key, "visitor", 7) == 0)
				return EC_PROP_VISITOR;
			break;
		case 8:
			if (memcmp(key, "customer", 8) == 0)
				return EC_PROP_CUSTOMER;
			break;
		case 9:
			if (memcmp(key, "timestamp", 9) == 0)
				return EC_PROP_TIMESTAMP;
			break;
	}
	return EC_PROP_UNKNOWN;
}

/* tenant: a positive integer that fits in int4 */
static void
check_tenant(EcValidation *v, const JsonbValue *val)
{
	bool		overflow = false;
	int32		tenant;

	if (val->type != jbvNumeric)
	{
		PROPERTY_PROBLEM(v, EC_PROBLEM_WRONG_TYPE, true, "tenant",
						 "property \"tenant\" must be a number, not %s", jsonb_type_name(val));
		return;
	}
	if (DatumGetInt32(DirectFunctionCall1(numeric_min_scale,
										  NumericGetDatum(val->val.numeric))) != 0)
	{
		PROPERTY_PROBLEM(v, EC_PROBLEM_INVALID_VALUE, true, "tenant",
						 "tenant %s is not an integer", number_text(val->val.numeric));
		return;
	}
	tenant = numeric_int4_opt_error(val->val.numeric, &overflow);
	if (overflow || tenant <= 0)
	{
		PROPERTY_PROBLEM(v, EC_PROBLEM_INVALID_VALUE, true, "tenant",
						 "tenant %s is not a positive integer of at most 2147483647",
						 number_text(val->val.numeric));
		return;
	}
	v->has_tenant = true;
	v->tenant = tenant;
}

/* the event's timestamp: a string in an accepted form (see timestamp_format) */
void
ec_check_timestamp(EcValidation *v, const JsonbValue *val)
{
	bool		strict = (ec_timestamp_format == EC_TIMESTAMP_STRICT && !v->stored);

	if (val->type != jbvString)
	{
		PROPERTY_PROBLEM(v, EC_PROBLEM_WRONG_TYPE, true, "timestamp",
						 "property \"timestamp\" must be a string, not %s", jsonb_type_name(val));
		return;
	}
	if (!ec_parse_timestamp(val->val.string.val, val->val.string.len,
							strict ? EC_TS_EVENT_STRICT : EC_TS_EVENT, &v->occurred_at))
	{
		/*
		 * Strict is a check of the form, not of the instant: the instant of
		 * an accepted lenient form is still taken (has_timestamp stays
		 * false), so that a stored event re-validated under strict for the
		 * duplicate check keeps the identity it was stored with.
		 */
		if (strict)
			(void) ec_parse_timestamp(val->val.string.val, val->val.string.len,
									  EC_TS_EVENT, &v->occurred_at);
		PROPERTY_PROBLEM(v, EC_PROBLEM_INVALID_FORMAT, true, "timestamp",
						 strict
						 ? "timestamp %s is not in the form \"YYYY-MM-DD HH:MM:SS.ffffff UTC\" or not a real instant"
						 : "timestamp %s is not an accepted timestamp form or not a real instant",
						 quote_value(val->val.string.val, val->val.string.len));
		return;
	}
	v->has_timestamp = true;
}

/*
 * customer or visitor (property name): a non-empty string of at most 255
 * characters; false when it is not.
 */
bool
ec_check_identity(EcValidation *v, const char *name, const JsonbValue *val)
{
	int			nchars;

	if (val->type != jbvString)
	{
		PROPERTY_PROBLEM(v, EC_PROBLEM_WRONG_TYPE, true, name,
						 "property \"%s\" must be a string, not %s", name, jsonb_type_name(val));
		return false;
	}
	if (val->val.string.len == 0)
	{
		PROPERTY_PROBLEM(v, EC_PROBLEM_INVALID_VALUE, true, name,
						 "property \"%s\" must not be empty", name);
		return false;
	}
	if (string_too_long(val->val.string.val, val->val.string.len,
						EC_IDENTITY_MAX_CHARS, &nchars))
	{
		PROPERTY_PROBLEM(v, EC_PROBLEM_TOO_LONG, true, name,
						 "property \"%s\" is %d characters long, more than its maximum of %d",
						 name, nchars, EC_IDENTITY_MAX_CHARS);
		return false;
	}
	return true;
}

/* a mandatory top-level property that is absent (or null) */
void
ec_missing_property(EcValidation *v, const char *name)
{
	PROPERTY_PROBLEM(v, EC_PROBLEM_MISSING_PROPERTY, true, name,
					 "mandatory property \"%s\" is missing", name);
}

/*
 * Validate an event.  v must be zeroed but for collect, stop_on_error and
 * param_parent.
 */
void
ec_validate(Jsonb *event, EcValidation *v)
{
	JsonbValue	evval;
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	val;
	bool		present[EC_PROP_UNKNOWN] = {false};
	bool		event_is_string = false;
	bool	   *seen = NULL;

	if (!JB_ROOT_IS_OBJECT(event) || JB_ROOT_IS_SCALAR(event))
	{
		ec_add_problem(v, EC_PROBLEM_NOT_OBJECT, true, false,
					   v->collect ? pstrdup("") : NULL,
					   v->collect ? psprintf("event must be a JSON object, not %s",
											 JB_ROOT_IS_SCALAR(event) ? "a scalar" : "an array")
					   : NULL);
		return;
	}

	/* the event key decides the params; find it first */
	if (getKeyJsonValueFromContainer(&event->root, "event", 5, &evval) &&
		evval.type == jbvString)
	{
		event_is_string = true;
		v->event_key = evval.val.string.val;
		v->event_key_len = evval.val.string.len;
		v->def = ec_catalog_lookup(evval.val.string.val, evval.val.string.len);
		if (v->def)
			seen = palloc0(sizeof(bool) * Max(1, v->def->nparams));
	}

	it = JsonbIteratorInit(&event->root);
	while (ec_jsonb_next_pair(&it, &key, &val))
	{
		EcProperty	prop;

		prop = property_of(key.val.string.val, key.val.string.len);
		if (prop != EC_PROP_UNKNOWN && val.type == jbvNull)
			continue;			/* null: not provided */
		if (prop != EC_PROP_UNKNOWN)
			present[prop] = true;

		switch (prop)
		{
			case EC_PROP_TENANT:
				check_tenant(v, &val);
				break;
			case EC_PROP_TIMESTAMP:
				ec_check_timestamp(v, &val);
				break;
			case EC_PROP_EVENT:
				if (!event_is_string)
					PROPERTY_PROBLEM(v, EC_PROBLEM_WRONG_TYPE, true, "event",
									 "property \"event\" must be a string, not %s",
									 jsonb_type_name(&val));
				else if (v->def == NULL)
				{
					bool		reject = (ec_unknown_events == EC_UNKNOWN_EVENTS_REJECT);

					PROPERTY_PROBLEM(v, EC_PROBLEM_UNKNOWN_EVENT, reject, "event",
									 reject ? "event %s is not in the catalog"
									 : "event %s is not in the catalog; accepted without effects",
									 quote_value(val.val.string.val, val.val.string.len));
				}
				break;
			case EC_PROP_CUSTOMER:
				if (ec_check_identity(v, "customer", &val))
				{
					v->customer = val.val.string.val;
					v->customer_len = val.val.string.len;
				}
				break;
			case EC_PROP_VISITOR:
				if (ec_check_identity(v, "visitor", &val))
				{
					v->visitor = val.val.string.val;
					v->visitor_len = val.val.string.len;
				}
				break;
			case EC_PROP_CONTEXT:
				if (val.type != jbvBinary || !JsonContainerIsObject(val.val.binary.data))
					CONTEXT_PROBLEM(v, EC_PROBLEM_NOT_OBJECT,
									"context must be a JSON object, not %s",
									jsonb_type_name(&val));
				else
					check_context(v, val.val.binary.data, seen);
				break;
			case EC_PROP_UNKNOWN:
				ec_add_problem(v, EC_PROBLEM_UNKNOWN_PROPERTY, false, false,
							   v->collect ? ec_json_pointer(NULL, key.val.string.val, key.val.string.len) : NULL,
							   v->collect ? psprintf("property %s is not an event property",
													 quote_value(key.val.string.val, key.val.string.len))
							   : NULL);
				break;
		}
		if (v->stop_on_error && v->has_error)
			return;
	}

	/* missing properties, in the order of Optimove's mandatory properties */
	if (!present[EC_PROP_TENANT])
		ec_missing_property(v, "tenant");
	if (!present[EC_PROP_TIMESTAMP])
		ec_missing_property(v, "timestamp");
	if (!present[EC_PROP_EVENT])
		ec_missing_property(v, "event");
	if (!present[EC_PROP_CUSTOMER] && !present[EC_PROP_VISITOR])
		ec_add_problem(v, EC_PROBLEM_MISSING_IDENTITY, true, false,
					   v->collect ? pstrdup("") : NULL,
					   v->collect ? pstrdup("event has neither \"customer\" nor \"visitor\"") : NULL);
	if (v->def && v->def->requires_customer && !present[EC_PROP_CUSTOMER])
		PROPERTY_PROBLEM(v, EC_PROBLEM_MISSING_PROPERTY, true, "customer",
						 "event \"%s\" requires property \"customer\"", v->def->key);
	if (v->stop_on_error && v->has_error)
		return;

	/* missing mandatory params, in catalog order */
	if (v->def)
	{
		for (int i = 0; i < v->def->nparams; i++)
		{
			const EcParamDef *param = &v->def->params[i];
			bool		mandatory;

			mandatory = param->requirement == EC_REQ_MANDATORY ||
				(param->requirement == EC_REQ_CHANNEL &&
				 (param->channel & ec_enabled_channels) != 0);
			if (mandatory && !seen[i])
				PARAM_PROBLEM(v, EC_PROBLEM_MISSING_PROPERTY, true, param->key, param->keylen,
							  param->requirement == EC_REQ_MANDATORY
							  ? "mandatory param \"%s\" of event \"%s\" is missing"
							  : "param \"%s\" of event \"%s\" is missing and its channel is enabled",
							  param->key, v->def->key);
		}
	}
}

/* ---------------------------------------------------------------------
 * Results
 * ---------------------------------------------------------------------
 */

/* push key: value, both strings, into the object being built */
static void
push_string_pair(JsonbParseState **state, const char *key, const char *value)
{
	JsonbValue	k;
	JsonbValue	s;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	pushJsonbValue(state, WJB_KEY, &k);
	s.type = jbvString;
	s.val.string.val = (char *) value;
	s.val.string.len = strlen(value);
	pushJsonbValue(state, WJB_VALUE, &s);
}

/*
 * The problems as a jsonb array of {path, code, severity, message}.
 */
Jsonb *
ec_problems_to_jsonb(const EcValidation *v)
{
	JsonbParseState *state = NULL;
	JsonbValue *result;

	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < v->nproblems; i++)
	{
		const EcProblem *p = &v->problems[i];

		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		push_string_pair(&state, "path", p->path);
		push_string_pair(&state, "code", p->code);
		push_string_pair(&state, "severity", ec_severity_name(p->is_error));
		push_string_pair(&state, "message", p->message);
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}
	result = pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	return JsonbValueToJsonb(result);
}

/* "message (code at "path")", as errmsg shows a problem */
char *
ec_problem_text(const EcProblem *p)
{
	StringInfoData buf;

	initStringInfo(&buf);
	ec_append_problem_text(&buf, NULL, p->message, p->code, p->path);
	return buf.data;
}

/* validate_event(event): the problems of an event, as a jsonb array */
Datum
ec_validate_event(PG_FUNCTION_ARGS)
{
	Jsonb	   *event = PG_GETARG_JSONB_P(0);
	EcValidation v = {0};

	v.collect = true;
	ec_validate(event, &v);
	PG_RETURN_JSONB_P(ec_problems_to_jsonb(&v));
}

/* is_valid_event(event): true when the event has no errors; stops at the first */
Datum
ec_is_valid_event(PG_FUNCTION_ARGS)
{
	Jsonb	   *event = PG_GETARG_JSONB_P(0);
	EcValidation v = {0};

	v.stop_on_error = true;
	ec_validate(event, &v);
	PG_RETURN_BOOL(!v.has_error);
}

/*
 * Raise the error of an invalid event: SQLSTATE 22023, its first error in
 * errmsg, every problem in errdetail as the JSON array validate_event
 * returns (machine-readable: clients parse the detail).  Shared by
 * assert_valid_event and the ingest path, so that both fail alike.
 */
void
ec_report_invalid(const EcValidation *v)
{
	const EcProblem *first = NULL;
	Jsonb	   *problems;
	EcProblemCode code = EC_PROBLEM_INVALID_VALUE;

	for (int i = 0; i < v->nproblems && first == NULL; i++)
		if (v->problems[i].is_error)
			first = &v->problems[i];
	if (first == NULL)
		elog(ERROR, "ec_report_invalid called for an event without errors");
	problems = ec_problems_to_jsonb(v);
	(void) ec_problem_code_by_name(first->code, strlen(first->code), &code);
	ereport(ERROR,
			(errcode(ec_refused_event_sqlstate(code, false)),
			 errmsg("invalid event: %s", ec_problem_text(first)),
			 errdetail_internal("%s", JsonbToCString(NULL, &problems->root, VARSIZE(problems)))));
}

/* assert_valid_event(event): the event itself, or the error of its problems */
Datum
ec_assert_valid_event(PG_FUNCTION_ARGS)
{
	Jsonb	   *event = PG_GETARG_JSONB_P(0);
	EcValidation v = {0};

	v.collect = true;
	ec_validate(event, &v);
	if (v.has_error)
		ec_report_invalid(&v);
	PG_RETURN_JSONB_P(event);
}
