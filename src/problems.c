/*-------------------------------------------------------------------------
 *
 * problems.c
 *	  The problem codes: one table of every code validation and ingest
 *	  report, with its default severity and what it means, and the text
 *	  form of a problem that error details show.  SQL entry points:
 *	  problem_codes() and problems_text(problems).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "problems.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "optimove_limits.h"

PG_FUNCTION_INFO_V1(ec_problem_codes);
PG_FUNCTION_INFO_V1(ec_problems_text);

const EcProblemInfo ec_problem_registry[EC_NUM_PROBLEM_CODES] = {
	[EC_PROBLEM_NOT_OBJECT] = {
		"not_object", true,
		"The event or its context is not a JSON object (at ingest also a row without a payload; in the Customer Data API a customer or its attributes)."
	},
	[EC_PROBLEM_MISSING_PROPERTY] = {
		"missing_property", true,
		"A mandatory property or param is absent or null, including customer for an event type that requires it and a channel param whose channel is listed in event_catalog.channels."
	},
	[EC_PROBLEM_MISSING_IDENTITY] = {
		"missing_identity", true,
		"The event has neither customer nor visitor."
	},
	[EC_PROBLEM_WRONG_TYPE] = {
		"wrong_type", true,
		"A property, param or custom profile attribute has the wrong JSON type, such as \"true\" for a boolean, \"5\" for a number or a number for a string."
	},
	[EC_PROBLEM_INVALID_VALUE] = {
		"invalid_value", true,
		"A value is not one of the param's allowed values (exact and case-sensitive), an identity is empty, or tenant is not a positive integer."
	},
	[EC_PROBLEM_INVALID_FORMAT] = {
		"invalid_format", true,
		"A date is not a real YYYY-MM-DD calendar date, or a timestamp is not in an accepted form (under event_catalog.timestamp_format = strict, only \"YYYY-MM-DD HH:MM:SS.ffffff UTC\" for the event's timestamp) or not a real instant from year 1 to 9999 UTC."
	},
	[EC_PROBLEM_TOO_LONG] = {
		"too_long", true,
		"A string is longer than its maximum in characters: the param's max_length (" CppAsString2(EC_DEFAULT_MAX_LENGTH) " by default, as for custom profile attributes), " CppAsString2(EC_IDENTITY_MAX_CHARS) " for customer and visitor."
	},
	[EC_PROBLEM_UNKNOWN_EVENT] = {
		"unknown_event", true,
		"The event key is not in the catalog; under event_catalog.unknown_events = accept it is a warning and the event is stored without effects."
	},
	[EC_PROBLEM_UNKNOWN_PARAM] = {
		"unknown_param", false,
		"A context key that the event does not define; an error under event_catalog.unknown_params = reject, not reported under allow."
	},
	[EC_PROBLEM_UNKNOWN_PROPERTY] = {
		"unknown_property", false,
		"A top-level key that is not an event property (tenant, timestamp, event, customer, visitor, context) or, for the Customer Data API, not a customer property."
	},
	[EC_PROBLEM_TOO_MANY_PARAMS] = {
		"too_many_params", true,
		"The context has more than " CppAsString2(EC_MAX_PARAMS) " params, Optimove's limit per event."
	},
	[EC_PROBLEM_INVALID_JSON] = {
		"invalid_json", true,
		"A raw NDJSON line loaded through raw_line is not JSON."
	},
	[EC_PROBLEM_TOO_LARGE] = {
		"too_large", true,
		"At ingest, a raw line longer than " CppAsString2(EC_EVENT_MAX_BYTES) " bytes, a payload larger than " CppAsString2(EC_EVENT_MAX_BYTES) " bytes as jsonb, or a number of a raw line with more than " CppAsString2(EC_RAW_MAX_DIGITS) " digits."
	},
	[EC_PROBLEM_COLUMN_MISMATCH] = {
		"column_mismatch", true,
		"A profile value that the typed customers column it feeds cannot hold (a number that is not an integer or out of range for an integer column, too many digits for numeric(p,s), a string longer than varchar(n), a value of the wrong kind for a boolean, date or timestamp column): only its event, or its Customer Data API customer, is refused."
	}
};

/*
 * The SQLSTATE of the error ingest refuses an event with under
 * on_invalid = error (README, Errors an application can act on): an event
 * that could not be read by the code of its one problem, an invalid one
 * (any validation error, code its first) invalid_parameter_value.
 */
int
ec_refused_event_sqlstate(EcProblemCode code, bool unreadable)
{
	if (!unreadable)
		return ERRCODE_INVALID_PARAMETER_VALUE;
	switch (code)
	{
		case EC_PROBLEM_TOO_LARGE:
			return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
		case EC_PROBLEM_INVALID_JSON:
			return ERRCODE_INVALID_TEXT_REPRESENTATION;
		default:
			return ERRCODE_NOT_NULL_VIOLATION;
	}
}

/* the problem code named name (len bytes); false when there is none */
bool
ec_problem_code_by_name(const char *name, int len, EcProblemCode *code)
{
	for (int i = 0; i < EC_NUM_PROBLEM_CODES; i++)
		if (strlen(ec_problem_registry[i].code) == len &&
			memcmp(ec_problem_registry[i].code, name, len) == 0)
		{
			*code = (EcProblemCode) i;
			return true;
		}
	return false;
}

/*
 * Append the text of a problem, "message (code at "path")", after
 * "severity: " unless severity is NULL: errmsg shows a problem without its
 * severity, errdetail lines with it.
 */
void
ec_append_problem_text(StringInfo buf, const char *severity, const char *message,
					   const char *code, const char *path)
{
	if (severity != NULL)
		appendStringInfo(buf, "%s: ", severity);
	appendStringInfo(buf, "%s (%s at \"%s\")", message, code, path);
}

/*
 * problem_codes(): the registry, one row per code in its order.
 */
Datum
ec_problem_codes(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext oldcxt;
		TupleDesc	tupdesc;

		funcctx = SRF_FIRSTCALL_INIT();
		oldcxt = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		funcctx->tuple_desc = BlessTupleDesc(tupdesc);
		funcctx->max_calls = EC_NUM_PROBLEM_CODES;
		MemoryContextSwitchTo(oldcxt);
	}
	funcctx = SRF_PERCALL_SETUP();

	if (funcctx->call_cntr < funcctx->max_calls)
	{
		const EcProblemInfo *info = &ec_problem_registry[funcctx->call_cntr];
		Datum		values[3];
		bool		nulls[3] = {false, false, false};
		HeapTuple	tuple;

		values[0] = CStringGetTextDatum(info->code);
		values[1] = CStringGetTextDatum(ec_severity_name(info->is_error));
		values[2] = CStringGetTextDatum(info->description);
		tuple = heap_form_tuple(funcctx->tuple_desc, values, nulls);
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(tuple));
	}
	SRF_RETURN_DONE(funcctx);
}

/*
 * The text of the member key of a problem object as ->> gives it; "" when
 * absent or null (as format('%s', NULL) shows it).
 */
static char *
member_text(JsonbContainer *problem, const char *key)
{
	JsonbValue	v;

	if (problem == NULL ||
		!getKeyJsonValueFromContainer(problem, key, strlen(key), &v))
		return "";
	switch (v.type)
	{
		case jbvString:
			return pnstrdup(v.val.string.val, v.val.string.len);
		case jbvBool:
			return v.val.boolean ? "true" : "false";
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out,
													   NumericGetDatum(v.val.numeric)));
		case jbvBinary:
			return JsonbToCString(NULL, v.val.binary.data, v.val.binary.len);
		default:
			return "";
	}
}

/*
 * problems_text(problems): one line per problem of a JSON array of
 * {path, code, severity, message}, as assert_valid_event's errdetail shows
 * them, joined by newlines.
 */
Datum
ec_problems_text(PG_FUNCTION_ARGS)
{
	Jsonb	   *problems = PG_GETARG_JSONB_P(0);
	StringInfoData buf;
	JsonbIterator *it;
	JsonbValue	elem;
	JsonbIteratorToken tok;
	bool		first = true;

	if (!JB_ROOT_IS_ARRAY(problems) || JB_ROOT_IS_SCALAR(problems))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("problems must be a JSON array, not %s",
						JB_ROOT_IS_SCALAR(problems) ? "a scalar" : "an object")));

	initStringInfo(&buf);
	it = JsonbIteratorInit(&problems->root);
	while ((tok = JsonbIteratorNext(&it, &elem, true)) != WJB_DONE)
	{
		JsonbContainer *p;

		if (tok != WJB_ELEM)
			continue;
		p = (elem.type == jbvBinary && JsonContainerIsObject(elem.val.binary.data))
			? elem.val.binary.data : NULL;
		if (!first)
			appendStringInfoChar(&buf, '\n');
		first = false;
		ec_append_problem_text(&buf, member_text(p, "severity"), member_text(p, "message"),
							   member_text(p, "code"), member_text(p, "path"));
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}
