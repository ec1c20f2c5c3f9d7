/*-------------------------------------------------------------------------
 *
 * versions.c
 *	  Versions of profile writes and their comparison, the one rule behind
 *	  last-writer-wins: write_version, version_newer, newer_versions,
 *	  newest_applied, and the merge aggregate in profiles.c.
 *
 *	  A version is the event time in UTC as "YYYY-MM-DD HH24:MI:SS.US"
 *	  (fixed width for years 1 to 9999, so that it sorts as text), then
 *	  '|', then a content digest that breaks ties.  Versions compare as
 *	  bytes, as text COLLATE "C" does; the greater one wins.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog_cache.h"
#include "timestamp_parse.h"
#include "versions.h"

#include "catalog/pg_collation.h"
#include "datatype/timestamp.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"

PG_FUNCTION_INFO_V1(ec_write_version);
PG_FUNCTION_INFO_V1(ec_version_newer);
PG_FUNCTION_INFO_V1(ec_newer_versions);
PG_FUNCTION_INFO_V1(ec_newest_applied);

/* length of "YYYY-MM-DD HH24:MI:SS.US" for years 1 to 9999 */
#define VERSION_TIME_LEN 26

/*
 * Compare two versions as bytes, then by length: <0, 0 or >0 as a is
 * older than, the same as or newer than b.
 */
int
ec_version_cmp(const char *a, int alen, const char *b, int blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

/* n (0 <= n < 10^width) as width decimal digits, zero-padded, at s */
static void
put_digits(char *s, int n, int width)
{
	for (int i = width - 1; i >= 0; i--)
	{
		s[i] = '0' + n % 10;
		n /= 10;
	}
}

/*
 * The version of a write at `at` with the digest text (len bytes) as text;
 * NULL for an infinite time, as to_char() gives.
 */
static text *
version_text(TimestampTz at, const char *digest, int len)
{
	struct pg_tm tm;
	fsec_t		fsec;
	text	   *result;
	char	   *s;
	int			timelen;
	text	   *formatted = NULL;

	if (TIMESTAMP_NOT_FINITE(at))
		return NULL;
	/* a timestamptz is UTC: broken down without a zone, it is the UTC time */
	if (timestamp2tm(at, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	if (tm.tm_year >= 1 && tm.tm_year <= 9999)
		timelen = VERSION_TIME_LEN;
	else
	{
		/* BC or five-digit years: whatever to_char() makes of them */
		formatted = DatumGetTextPP(DirectFunctionCall2Coll(timestamp_to_char,
														   DEFAULT_COLLATION_OID,
														   TimestampGetDatum(at),
														   CStringGetTextDatum("YYYY-MM-DD HH24:MI:SS.US")));
		timelen = VARSIZE_ANY_EXHDR(formatted);
	}
	result = (text *) palloc(VARHDRSZ + timelen + 1 + len);
	SET_VARSIZE(result, VARHDRSZ + timelen + 1 + len);
	s = VARDATA(result);
	if (formatted == NULL)
	{
		/* YYYY-MM-DD HH:MI:SS.US, by hand: a merge formats one per write */
		put_digits(s, tm.tm_year, 4);
		s[4] = '-';
		put_digits(s + 5, tm.tm_mon, 2);
		s[7] = '-';
		put_digits(s + 8, tm.tm_mday, 2);
		s[10] = ' ';
		put_digits(s + 11, tm.tm_hour, 2);
		s[13] = ':';
		put_digits(s + 14, tm.tm_min, 2);
		s[16] = ':';
		put_digits(s + 17, tm.tm_sec, 2);
		s[19] = '.';
		put_digits(s + 20, (int) fsec, 6);
	}
	else
		memcpy(s, VARDATA_ANY(formatted), timelen);
	s[timelen] = '|';
	memcpy(s + timelen + 1, digest, len);
	return result;
}

/* write_version(at, digest): the version of a write at that time */
Datum
ec_write_version(PG_FUNCTION_ARGS)
{
	text	   *digest = PG_GETARG_TEXT_PP(1);
	text	   *version = version_text(PG_GETARG_TIMESTAMPTZ(0), VARDATA_ANY(digest),
									   VARSIZE_ANY_EXHDR(digest));

	if (version == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(version);
}

/*
 * The version of a stored event's write: write_version(occurred_at,
 * content_hash::text), the digest as uuid_out() writes it, without going
 * through text datums (a merge of stashed writes makes one per write)
 */
text *
ec_event_version(TimestampTz at, const pg_uuid_t *digest)
{
	static const char hex[] = "0123456789abcdef";
	char		buf[2 * UUID_LEN + 4];
	int			len = 0;

	for (int i = 0; i < UUID_LEN; i++)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf[len++] = '-';
		buf[len++] = hex[digest->data[i] >> 4];
		buf[len++] = hex[digest->data[i] & 0x0F];
	}
	return version_text(at, buf, len);
}

/*
 * version_newer(new, old): whether new wins over old; an absent old counts
 * as '' and an absent new never wins.
 */
Datum
ec_version_newer(PG_FUNCTION_ARGS)
{
	text	   *newv;

	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	newv = PG_GETARG_TEXT_PP(0);
	if (PG_ARGISNULL(1))
		PG_RETURN_BOOL(VARSIZE_ANY_EXHDR(newv) > 0);
	else
	{
		text	   *oldv = PG_GETARG_TEXT_PP(1);

		PG_RETURN_BOOL(ec_version_cmp(VARDATA_ANY(newv), VARSIZE_ANY_EXHDR(newv),
									  VARDATA_ANY(oldv), VARSIZE_ANY_EXHDR(oldv)) > 0);
	}
}

/*
 * The text of a jsonb value as ->> and jsonb_each_text give it; false for
 * JSON null.
 */
bool
ec_jsonb_value_text(const JsonbValue *v, const char **str, int *len)
{
	switch (v->type)
	{
		case jbvNull:
			return false;
		case jbvString:
			*str = v->val.string.val;
			*len = v->val.string.len;
			return true;
		case jbvBool:
			*str = v->val.boolean ? "true" : "false";
			*len = strlen(*str);
			return true;
		case jbvNumeric:
			*str = DatumGetCString(DirectFunctionCall1(numeric_out,
													   NumericGetDatum(v->val.numeric)));
			*len = strlen(*str);
			return true;
		case jbvBinary:
			*str = JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
			*len = strlen(*str);
			return true;
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
	return false;				/* keep compiler quiet */
}

/*
 * The text of the value of key in the jsonb object, as object ->> key
 * gives it; false when it is absent or JSON null (or object is no object).
 */
bool
ec_jsonb_key_text(Jsonb *object, text *key, const char **str, int *len)
{
	JsonbValue	v;

	if (!JB_ROOT_IS_OBJECT(object) ||
		getKeyJsonValueFromContainer(&object->root, VARDATA_ANY(key),
									 VARSIZE_ANY_EXHDR(key), &v) == NULL)
		return false;
	return ec_jsonb_value_text(&v, str, len);
}

/*
 * The next version of new that is newer than old's version of the same
 * key (an absent or null one counts as ''); false when there is no more.
 * *it walks new.
 */
static bool
next_newer_version(JsonbIterator **it, Jsonb *old, JsonbValue *key,
				   const char **ver, int *verlen)
{
	JsonbValue	val;

	while (ec_jsonb_next_pair(it, key, &val))
	{
		JsonbValue	oldval;
		const char *oldver = "";
		int			oldlen = 0;

		if (!ec_jsonb_value_text(&val, ver, verlen))
			continue;			/* null: no version */
		if (JB_ROOT_IS_OBJECT(old) && !JB_ROOT_IS_SCALAR(old) &&
			getKeyJsonValueFromContainer(&old->root, key->val.string.val,
										 key->val.string.len, &oldval) &&
			!ec_jsonb_value_text(&oldval, &oldver, &oldlen))
		{
			oldver = "";
			oldlen = 0;
		}
		if (ec_version_cmp(*ver, *verlen, oldver, oldlen) > 0)
			return true;
	}
	return false;
}

/* start walking an object of versions; an error for anything else */
static JsonbIterator *
versions_iterator(Jsonb *versions)
{
	if (!JB_ROOT_IS_OBJECT(versions) || JB_ROOT_IS_SCALAR(versions))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("versions must be a JSON object, not %s",
						JB_ROOT_IS_SCALAR(versions) ? "a scalar" : "an array")));
	return JsonbIteratorInit(&versions->root);
}

/*
 * newer_versions(old, new): the attributes of new whose version is newer
 * than in old, with their versions (as strings); {} when there is none.
 */
Datum
ec_newer_versions(PG_FUNCTION_ARGS)
{
	Jsonb	   *old = PG_GETARG_JSONB_P(0);
	Jsonb	   *new = PG_GETARG_JSONB_P(1);
	JsonbIterator *it = versions_iterator(new);
	JsonbParseState *state = NULL;
	JsonbValue	key;
	JsonbValue	ver;
	JsonbValue *result;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	ver.type = jbvString;
	while (next_newer_version(&it, old, &key, (const char **) &ver.val.string.val,
							  &ver.val.string.len))
	{
		pushJsonbValue(&state, WJB_KEY, &key);
		pushJsonbValue(&state, WJB_VALUE, &ver);
	}
	result = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(result));
}

/*
 * The event time of a version, the part before its first '|' read as a
 * UTC timestamp: by hand in the form write_version makes, else by the
 * timestamp input function (as split_part(version, '|', 1)::timestamp).
 */
static Timestamp
version_time(const char *ver, int len)
{
	const char *bar = memchr(ver, '|', len);
	int			n = bar ? bar - ver : len;

	if (n == VERSION_TIME_LEN && ver[4] == '-' && ver[7] == '-' &&
		ver[10] == ' ' && ver[13] == ':' && ver[16] == ':' && ver[19] == '.')
	{
		struct pg_tm tm = {0};
		int			us = ec_read_digits(ver + 20, 6);
		Timestamp	ts;

		tm.tm_year = ec_read_digits(ver, 4);
		tm.tm_mon = ec_read_digits(ver + 5, 2);
		tm.tm_mday = ec_read_digits(ver + 8, 2);
		tm.tm_hour = ec_read_digits(ver + 11, 2);
		tm.tm_min = ec_read_digits(ver + 14, 2);
		tm.tm_sec = ec_read_digits(ver + 17, 2);
		if (tm.tm_year >= 1 && tm.tm_mon >= 1 && tm.tm_mon <= 12 &&
			tm.tm_mday >= 1 && tm.tm_mday <= day_tab[isleap(tm.tm_year)][tm.tm_mon - 1] &&
			tm.tm_hour >= 0 && tm.tm_hour <= 23 && tm.tm_min >= 0 && tm.tm_min <= 59 &&
			tm.tm_sec >= 0 && tm.tm_sec <= 59 && us >= 0 &&
			tm2timestamp(&tm, us, NULL, &ts) == 0)
			return ts;
	}
	/* anything else: as the timestamp input function reads it, or its error */
	return DatumGetTimestamp(DirectFunctionCall3(timestamp_in,
												 CStringGetDatum(pnstrdup(ver, n)),
												 ObjectIdGetDatum(InvalidOid),
												 Int32GetDatum(-1)));
}

/*
 * newest_applied(old, new): the greatest event time among the versions of
 * new that are newer than old's; null when there is none.
 */
Datum
ec_newest_applied(PG_FUNCTION_ARGS)
{
	Jsonb	   *old = PG_GETARG_JSONB_P(0);
	Jsonb	   *new = PG_GETARG_JSONB_P(1);
	JsonbIterator *it = versions_iterator(new);
	JsonbValue	key;
	const char *ver;
	int			verlen;
	bool		found = false;
	Timestamp	newest = 0;

	while (next_newer_version(&it, old, &key, &ver, &verlen))
	{
		Timestamp	t = version_time(ver, verlen);

		if (!found || t > newest)
			newest = t;
		found = true;
	}
	if (!found)
		PG_RETURN_NULL();
	/* a timestamp in UTC is the same timestamptz */
	PG_RETURN_TIMESTAMPTZ((TimestampTz) newest);
}

/*
 * version_newer_at(new_versions, old_versions, key):
 * version_newer(new_versions ->> key, old_versions ->> key), for the
 * merge's ON CONFLICT (either object may be null)
 */
PG_FUNCTION_INFO_V1(ec_version_newer_at);

Datum
ec_version_newer_at(PG_FUNCTION_ARGS)
{
	text	   *key;
	const char *newv;
	const char *oldv;
	int			newlen;
	int			oldlen;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		PG_RETURN_BOOL(false);
	key = PG_GETARG_TEXT_PP(2);
	if (!ec_jsonb_key_text(PG_GETARG_JSONB_P(0), key, &newv, &newlen))
		PG_RETURN_BOOL(false);
	if (PG_ARGISNULL(1) || !ec_jsonb_key_text(PG_GETARG_JSONB_P(1), key, &oldv, &oldlen))
		PG_RETURN_BOOL(newlen > 0);
	PG_RETURN_BOOL(ec_version_cmp(newv, newlen, oldv, oldlen) > 0);
}
