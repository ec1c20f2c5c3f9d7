/*-------------------------------------------------------------------------
 *
 * ingest_raw.c
 *	  A raw NDJSON line (the raw_line column of event_catalog.events) to
 *	  jsonb.  A row may arrive with raw_line (text) instead of payload, so
 *	  that a line that is not JSON at all can be quarantined instead of
 *	  aborting a COPY.
 *
 *	  Invariant: parsing never raises an error for bad input.  Every check
 *	  that jsonb input could fail on (length, nesting depth, JSON syntax,
 *	  numbers beyond numeric's range) is made first, without raising
 *	  errors; only a line that passes them all reaches jsonb_in.  The
 *	  length limit (EC_EVENT_MAX_BYTES, 1 MB) also bounds jsonb_in's memory:
 *	  a 34 MB line of 17 million array elements made it ask for more than
 *	  1 GB and abort the whole COPY.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "compat.h"
#include "ingest.h"

typedef struct NumberCheck
{
	bool		too_big;
} NumberCheck;

/*
 * Numbers that numeric input would refuse (exponent beyond +-1000, or
 * absurdly many digits) must not reach jsonb_in, which would raise an error.
 */
static ec_json_action_result
check_number_token(void *state, char *token, JsonTokenType tokentype)
{
	NumberCheck *nc = (NumberCheck *) state;
	int			digits = 0;
	const char *p;

	if (tokentype != JSON_TOKEN_NUMBER)
		EC_JSON_ACTION_DONE;
	for (p = token; *p && *p != 'e' && *p != 'E'; p++)
		if (*p >= '0' && *p <= '9')
			digits++;
	if (*p == 'e' || *p == 'E')
	{
		long		exponent = strtol(p + 1, NULL, 10);

		if (exponent > 1000 || exponent < -1000)
			nc->too_big = true;
		else
			digits += labs(exponent);
	}
	if (digits > EC_RAW_MAX_DIGITS)
		nc->too_big = true;
	EC_JSON_ACTION_DONE;
}

/* deepest nesting of arrays and objects in a JSON text, strings skipped */
static int
json_depth(const char *s, int len, int limit)
{
	int			depth = 0;
	bool		in_string = false;

	for (int i = 0; i < len; i++)
	{
		char		c = s[i];

		if (in_string)
		{
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		}
		else if (c == '"')
			in_string = true;
		else if (c == '{' || c == '[')
		{
			if (++depth > limit)
				return depth;
		}
		else if (c == '}' || c == ']')
			depth--;
	}
	return 0;
}

/*
 * Parse a raw line into jsonb, or return NULL with *error and *code set
 * (too_large or invalid_json).  Every check that jsonb input could fail on
 * is made first, without raising errors.
 */
Jsonb *
ec_parse_raw_line(text *raw, char **error, EcProblemCode *code, bool *blank)
{
	char	   *s;
	int			len = VARSIZE_ANY_EXHDR(raw);
	JsonLexContext *lex;
	JsonSemAction sem = {0};
	NumberCheck nc = {false};
	JsonParseErrorType err;
	int			i;
	Jsonb	   *result;

	*blank = false;
	*code = EC_PROBLEM_INVALID_JSON;
	if (len > EC_EVENT_MAX_BYTES)
	{
		*code = EC_PROBLEM_TOO_LARGE;
		*error = psprintf("line is %d bytes long, more than the limit of %d",
						  len, EC_EVENT_MAX_BYTES);
		return NULL;
	}
	s = VARDATA_ANY(raw);
	for (i = 0; i < len; i++)
		if (!isspace((unsigned char) s[i]))
			break;
	if (i == len)
	{
		*blank = true;
		return NULL;
	}

	/* the common case in one pass (json_fast.c); the rest below */
	if ((result = ec_json_fast(s, len)) != NULL)
		return result;

	s = text_to_cstring(raw);
	len = strlen(s);
	if (json_depth(s, len, EC_RAW_MAX_DEPTH) > EC_RAW_MAX_DEPTH)
	{
		*error = psprintf("JSON is nested more than %d levels deep", EC_RAW_MAX_DEPTH);
		return NULL;
	}

	lex = ec_json_lex_context(s, len);
	sem.semstate = &nc;
	sem.scalar = check_number_token;
	err = pg_parse_json(lex, &sem);
	if (err != JSON_SUCCESS)
	{
		*error = psprintf("invalid JSON: %s", json_errdetail(err, lex));
		return NULL;
	}
	if (nc.too_big)
	{
		*code = EC_PROBLEM_TOO_LARGE;
		*error = psprintf("a number has more than %d digits (counting its exponent) or an exponent beyond 1000",
						  EC_RAW_MAX_DIGITS);
		return NULL;
	}
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(s)));
}
