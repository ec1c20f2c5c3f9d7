/*-------------------------------------------------------------------------
 *
 * json_fast.c
 *	  JSON text to jsonb in one pass, for the lines a load reads: the
 *	  common case of ec_parse_raw_line (ingest_raw.c).
 *
 *	  PostgreSQL's jsonb input lexes the text into tokens, copying every
 *	  string character by character into a buffer, hands each token to a
 *	  callback that pushes it onto a parse state, and only then lays the
 *	  result out as jsonb.  An event is a small object of a few dozen
 *	  values, so most of that is overhead per token.  This parser builds
 *	  the JsonbValue tree directly (strings without escapes point into the
 *	  input, small numbers are built from integers) and lays it out with
 *	  JsonbValueToJsonb, so the result is the same jsonb, byte for byte:
 *	  keys sorted by length then bytes, the last of equal keys kept, numbers
 *	  with the scale they were written with.
 *
 *	  It only ever accepts what jsonb input accepts, and gives up (returns
 *	  NULL) on anything it does not handle itself: any syntax error, a
 *	  \u escape that is a surrogate or \u0000, a database encoding other
 *	  than UTF-8, nesting beyond EC_RAW_MAX_DEPTH, a number beyond the
 *	  limits ingest_raw.c checks.  The caller then
 *	  takes the general path, which reports the error or converts what is
 *	  left, exactly as before.  test/sql/json_fast.sql compares the two on
 *	  every line of the fuzz corpus and on generated values.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/int.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "ingest.h"
#include "optimove_limits.h"

typedef struct FastJson
{
	const char *p;				/* next character */
	const char *end;			/* end of input */
	int			depth;			/* containers open */
} FastJson;

static bool parse_value(FastJson *fj, JsonbValue *out);

static inline void
skip_space(FastJson *fj)
{
	while (fj->p < fj->end &&
		   (*fj->p == ' ' || *fj->p == '\n' || *fj->p == '\r' || *fj->p == '\t'))
		fj->p++;
}

/* the character after a token: it may not continue the token (as "01" or "truex") */
static inline bool
token_ends(FastJson *fj)
{
	char		c;

	if (fj->p >= fj->end)
		return true;
	c = *fj->p;
	return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '_' || IS_HIGHBIT_SET(c));
}

static inline int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A string, the opening quote consumed.  Without escapes the value points
 * into the input; with them it is unescaped into a new buffer.
 */
static bool
parse_string(FastJson *fj, JsonbValue *out)
{
	const char *start = fj->p;
	const char *s = start;
	char	   *buf;
	char	   *w;

	while (s < fj->end && *s != '"' && *s != '\\')
	{
		if ((unsigned char) *s < 0x20)
			return false;		/* a control character must be escaped */
		s++;
	}
	if (s >= fj->end)
		return false;
	if (*s == '"')
	{
		out->type = jbvString;
		out->val.string.val = (char *) start;
		out->val.string.len = s - start;
		fj->p = s + 1;
		return true;
	}

	/*
	 * Escapes: find the closing quote first, so that the buffer is the size
	 * of this string (unescaping never makes it longer), not of the rest of
	 * the line, which for many escaped strings in a long line would add up
	 * to the square of its length.
	 */
	{
		const char *q = s;

		while (q < fj->end && *q != '"')
			q += (*q == '\\') ? 2 : 1;
		if (q >= fj->end)
			return false;
		buf = palloc(q - start + 1);
	}
	memcpy(buf, start, s - start);
	w = buf + (s - start);
	while (s < fj->end && *s != '"')
	{
		if ((unsigned char) *s < 0x20)
			return false;
		if (*s != '\\')
		{
			*w++ = *s++;
			continue;
		}
		if (++s >= fj->end)
			return false;
		switch (*s++)
		{
			case '"':
				*w++ = '"';
				break;
			case '\\':
				*w++ = '\\';
				break;
			case '/':
				*w++ = '/';
				break;
			case 'b':
				*w++ = '\b';
				break;
			case 'f':
				*w++ = '\f';
				break;
			case 'n':
				*w++ = '\n';
				break;
			case 'r':
				*w++ = '\r';
				break;
			case 't':
				*w++ = '\t';
				break;
			case 'u':
				{
					pg_wchar	ch = 0;

					if (fj->end - s < 4)
						return false;
					for (int i = 0; i < 4; i++)
					{
						int			h = hex_value(s[i]);

						if (h < 0)
							return false;
						ch = (ch << 4) | h;
					}
					s += 4;
					/* \u0000 and surrogates: the general path decides */
					if (ch == 0 || (ch >= 0xD800 && ch <= 0xDFFF))
						return false;
					w = (char *) unicode_to_utf8(ch, (unsigned char *) w);
					w += pg_utf_mblen((unsigned char *) w);
					break;
				}
			default:
				return false;
		}
	}
	if (s >= fj->end)
		return false;
	fj->p = s + 1;
	out->type = jbvString;
	out->val.string.val = buf;
	out->val.string.len = w - buf;
	return true;
}

/*
 * A number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, as numeric
 * input gives it (with the scale as written).  Up to 18 digits without an
 * exponent it is built from an int64; longer ones go through numeric input
 * after the checks of ingest_raw.c (digits plus exponent within
 * EC_RAW_MAX_DIGITS, exponent within 1000), which the general path reports.
 */
static bool
parse_number(FastJson *fj, JsonbValue *out)
{
	const char *start = fj->p;
	const char *s = start;
	int64		mantissa = 0;
	int			digits = 0;
	int			scale = 0;
	bool		exact = true;	/* fits the int64 path */

#define DIGIT(c) ((c) >= '0' && (c) <= '9')
	if (*s == '-')
		s++;
	if (s >= fj->end || !DIGIT(*s))
		return false;
	if (*s == '0')
	{
		s++;
		digits++;
	}
	else
		while (s < fj->end && DIGIT(*s))
		{
			if (++digits <= 18)
				mantissa = mantissa * 10 + (*s - '0');
			s++;
		}
	if (s < fj->end && *s == '.')
	{
		s++;
		if (s >= fj->end || !DIGIT(*s))
			return false;
		while (s < fj->end && DIGIT(*s))
		{
			if (++digits <= 18)
				mantissa = mantissa * 10 + (*s - '0');
			scale++;
			s++;
		}
	}
	if (digits > 18)
		exact = false;
	if (s < fj->end && (*s == 'e' || *s == 'E'))
	{
		long		exponent = 0;

		s++;
		if (s < fj->end && (*s == '+' || *s == '-'))
			s++;
		if (s >= fj->end || !DIGIT(*s))
			return false;
		while (s < fj->end && DIGIT(*s))
		{
			exponent = exponent * 10 + (*s++ - '0');
			if (exponent > 1000)
				return false;	/* numeric input's limits: the general path */
		}
		digits += exponent;
		exact = false;
	}
#undef DIGIT
	fj->p = s;
	if (!token_ends(fj))
		return false;			/* trailing garbage, as in "01" */
	if (digits > EC_RAW_MAX_DIGITS)
		return false;
	out->type = jbvNumeric;
	if (exact)
	{
		if (*start == '-')
			mantissa = -mantissa;
		out->val.numeric = scale == 0 ? int64_to_numeric(mantissa)
			: int64_div_fast_to_numeric(mantissa, scale);
	}
	else
		out->val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
															   CStringGetDatum(pnstrdup(start, s - start)),
															   ObjectIdGetDatum(InvalidOid),
															   Int32GetDatum(-1)));
	return true;
}

/* a literal word: true, false or null */
static bool
parse_word(FastJson *fj, const char *word, int len)
{
	if (fj->end - fj->p < len || memcmp(fj->p, word, len) != 0)
		return false;
	fj->p += len;
	return token_ends(fj);
}

/* the order of keys in jsonb: by length, then bytes */
static inline int
key_cmp(const JsonbValue *a, const JsonbValue *b)
{
	if (a->val.string.len != b->val.string.len)
		return a->val.string.len > b->val.string.len ? 1 : -1;
	return memcmp(a->val.string.val, b->val.string.val, a->val.string.len);
}

/*
 * Sort the pairs as jsonb keeps them and drop all but the last of equal
 * keys.  Insertion sort: stable, so equal keys stay in input order, and
 * fast for the dozen keys of an event.
 */
static void
sort_pairs(JsonbValue *object)
{
	JsonbPair  *pairs = object->val.object.pairs;
	int			n = object->val.object.nPairs;
	int			kept = 0;

	for (int i = 1; i < n; i++)
	{
		JsonbPair	p = pairs[i];
		int			j = i - 1;

		while (j >= 0 && key_cmp(&pairs[j].key, &p.key) > 0)
		{
			pairs[j + 1] = pairs[j];
			j--;
		}
		pairs[j + 1] = p;
	}
	for (int i = 0; i < n; i++)
	{
		if (i + 1 < n && key_cmp(&pairs[i].key, &pairs[i + 1].key) == 0)
			continue;			/* a later pair of the same key wins */
		pairs[kept++] = pairs[i];
	}
	object->val.object.nPairs = kept;
}

/*
 * After an element of a container: its closing character (1), or a comma
 * and the white space after it (0); anything else is not JSON (-1).
 */
static int
next_element(FastJson *fj, char close)
{
	skip_space(fj);
	if (fj->p >= fj->end)
		return -1;
	if (*fj->p == close)
	{
		fj->p++;
		return 1;
	}
	if (*fj->p != ',')
		return -1;
	fj->p++;
	skip_space(fj);
	return 0;
}

static bool
parse_object(FastJson *fj, JsonbValue *out)
{
	int			cap = 16;
	int			n = 0;
	int			next;
	JsonbPair  *pairs = palloc(sizeof(JsonbPair) * cap);

	skip_space(fj);
	if (fj->p < fj->end && *fj->p == '}')
		fj->p++;
	else
		for (;;)
		{
			if (n == cap)
			{
				cap *= 2;
				pairs = repalloc(pairs, sizeof(JsonbPair) * cap);
			}
			if (fj->p >= fj->end || *fj->p != '"')
				return false;
			fj->p++;
			if (!parse_string(fj, &pairs[n].key))
				return false;
			skip_space(fj);
			if (fj->p >= fj->end || *fj->p != ':')
				return false;
			fj->p++;
			skip_space(fj);
			if (!parse_value(fj, &pairs[n].value))
				return false;
			pairs[n].order = n;
			n++;
			if ((next = next_element(fj, '}')) < 0)
				return false;
			if (next > 0)
				break;
		}
	out->type = jbvObject;
	out->val.object.pairs = pairs;
	out->val.object.nPairs = n;
	if (n > 1)
		sort_pairs(out);
	return true;
}

static bool
parse_array(FastJson *fj, JsonbValue *out)
{
	int			cap = 8;
	int			n = 0;
	int			next;
	JsonbValue *elems = palloc(sizeof(JsonbValue) * cap);

	skip_space(fj);
	if (fj->p < fj->end && *fj->p == ']')
		fj->p++;
	else
		for (;;)
		{
			if (n == cap)
			{
				cap *= 2;
				elems = repalloc(elems, sizeof(JsonbValue) * cap);
			}
			if (!parse_value(fj, &elems[n++]))
				return false;
			if ((next = next_element(fj, ']')) < 0)
				return false;
			if (next > 0)
				break;
		}
	out->type = jbvArray;
	out->val.array.elems = elems;
	out->val.array.nElems = n;
	out->val.array.rawScalar = false;
	return true;
}

/* a value at fj->p (white space before it skipped) */
static bool
parse_value(FastJson *fj, JsonbValue *out)
{
	bool		ok;

	if (fj->p >= fj->end)
		return false;
	switch (*fj->p)
	{
		case '"':
			fj->p++;
			return parse_string(fj, out);
		case '{':
		case '[':
			if (++fj->depth > EC_RAW_MAX_DEPTH)
				return false;
			check_stack_depth();
			fj->p++;
			ok = (fj->p[-1] == '{') ? parse_object(fj, out) : parse_array(fj, out);
			fj->depth--;
			return ok;
		case 't':
			out->type = jbvBool;
			out->val.boolean = true;
			return parse_word(fj, "true", 4);
		case 'f':
			out->type = jbvBool;
			out->val.boolean = false;
			return parse_word(fj, "false", 5);
		case 'n':
			out->type = jbvNull;
			return parse_word(fj, "null", 4);
		default:
			return parse_number(fj, out);
	}
}

/*
 * The jsonb of the JSON object or array in s (len bytes), or NULL when the
 * general path must decide (see the file's header).  Allocates in the
 * current memory context.
 */
Jsonb *
ec_json_fast(const char *s, int len)
{
	FastJson	fj;
	JsonbValue	top;

	if (GetDatabaseEncoding() != PG_UTF8)
		return NULL;
	fj.p = s;
	fj.end = s + len;
	fj.depth = 0;
	skip_space(&fj);
	if (fj.p >= fj.end || (*fj.p != '{' && *fj.p != '['))
		return NULL;			/* a scalar or nothing: not an event anyway */
	if (!parse_value(&fj, &top))
		return NULL;
	skip_space(&fj);
	if (fj.p != fj.end)
		return NULL;
	return JsonbValueToJsonb(&top);
}

/*
 * json_fast_check(line text) returns text: for the tests, whether the
 * one-pass reader gives exactly the jsonb that jsonb input gives ("same"),
 * leaves the line to the general path ("general"), or differs.  A line
 * jsonb input refuses must not be read here.
 */
PG_FUNCTION_INFO_V1(ec_json_fast_check);

Datum
ec_json_fast_check(PG_FUNCTION_ARGS)
{
	text	   *line = PG_GETARG_TEXT_PP(0);
	Jsonb	   *fast = ec_json_fast(VARDATA_ANY(line), VARSIZE_ANY_EXHDR(line));
	Datum		general;
	const char *verdict;

	if (fast == NULL)
		PG_RETURN_TEXT_P(cstring_to_text("general"));

	/* jsonb input of the same text; an error there means we accepted too much */
	general = DirectFunctionCall1(jsonb_in, CStringGetDatum(text_to_cstring(line)));
	verdict = (VARSIZE(DatumGetPointer(general)) == VARSIZE(fast) &&
			   memcmp(DatumGetPointer(general), fast, VARSIZE(fast)) == 0)
		? "same" : "DIFFERENT";
	PG_RETURN_TEXT_P(cstring_to_text(verdict));
}
