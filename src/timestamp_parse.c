/*-------------------------------------------------------------------------
 *
 * timestamp_parse.c
 *	  Parsing of the date and timestamp forms that events may carry, with
 *	  real calendar checks.  Hand-written rather than through the datetime
 *	  input functions: those accept far more forms than Optimove does, and
 *	  they report bad input by raising errors, which the validator must not.
 *
 *	  Accepted timestamps:
 *	    YYYY-MM-DD HH:MM:SS[.f{1,6}] UTC			(Optimove's documented form)
 *	    YYYY-MM-DD(T|t| )HH:MM:SS[.f{1,6}](Z|z|+HH:MM|-HH:MM)	(RFC 3339)
 *	  strict mode accepts only the first, with exactly six digits; a
 *	  timestamp param also accepts a plain YYYY-MM-DD (midnight UTC).
 *	  The instant, in UTC, must lie in years 0001 to 9999 (so that its
 *	  write version, which starts with the UTC year, sorts by time).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "utils/date.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "guc.h"
#include "timestamp_parse.h"

/* read n decimal digits at s, or return -1 */
int
ec_read_digits(const char *s, int n)
{
	int			value = 0;

	for (int i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return -1;
		value = value * 10 + (s[i] - '0');
	}
	return value;
}

/*
 * Parse YYYY-MM-DD at str (exactly ten characters must be available) into
 * year, month and day; false unless it is a real date from 0001-01-01 to
 * 9999-12-31.
 */
static bool
parse_ymd(const char *str, int *year, int *month, int *day)
{
	int			y,
				m,
				d;

	if (str[4] != '-' || str[7] != '-')
		return false;
	y = ec_read_digits(str, 4);
	m = ec_read_digits(str + 5, 2);
	d = ec_read_digits(str + 8, 2);
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return false;
	if (d > day_tab[isleap(y)][m - 1])
		return false;
	*year = y;
	*month = m;
	*day = d;
	return true;
}

/* a real YYYY-MM-DD date into *result; false for anything else */
bool
ec_parse_date(const char *str, int len, DateADT *result)
{
	int			y,
				m,
				d;

	if (len != 10 || !parse_ymd(str, &y, &m, &d))
		return false;
	*result = date2j(y, m, d) - POSTGRES_EPOCH_JDATE;
	return true;
}

/* a timestamp in a form that mode accepts into *result; false otherwise */
bool
ec_parse_timestamp(const char *str, int len, EcTimestampMode mode,
				   TimestampTz *result)
{
	int			y,
				mo,
				d,
				h,
				mi,
				s;
	int64		usec = 0;
	int			offset_sec = 0;
	int			pos;
	int64		days;
	char		sep;
	TimestampTz ts;

	if (len < 10 || !parse_ymd(str, &y, &mo, &d))
		return false;
	days = date2j(y, mo, d) - POSTGRES_EPOCH_JDATE;

	if (len == 10)
	{
		if (mode != EC_TS_PARAM)
			return false;
		*result = days * USECS_PER_DAY;
		return true;
	}

	/* separator and HH:MM:SS */
	sep = str[10];
	if (mode == EC_TS_EVENT_STRICT ? sep != ' ' : (sep != ' ' && sep != 'T' && sep != 't'))
		return false;
	if (len < 19 || str[13] != ':' || str[16] != ':')
		return false;
	h = ec_read_digits(str + 11, 2);
	mi = ec_read_digits(str + 14, 2);
	s = ec_read_digits(str + 17, 2);
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
		return false;
	pos = 19;

	/* fraction: one to six digits */
	if (pos < len && str[pos] == '.')
	{
		int			ndigits = 0;
		int64		scale = 100000;

		pos++;
		while (pos < len && str[pos] >= '0' && str[pos] <= '9')
		{
			if (++ndigits > 6)
				return false;
			usec += (str[pos] - '0') * scale;
			scale /= 10;
			pos++;
		}
		if (ndigits == 0)
			return false;
		if (mode == EC_TS_EVENT_STRICT && ndigits != 6)
			return false;
	}
	else if (mode == EC_TS_EVENT_STRICT)
		return false;

	/* zone */
	if (len - pos == 4 && memcmp(str + pos, " UTC", 4) == 0)
	{
		if (sep != ' ')
			return false;
	}
	else if (mode == EC_TS_EVENT_STRICT)
		return false;
	else if (len - pos == 1 && (str[pos] == 'Z' || str[pos] == 'z'))
		;
	else if (len - pos == 6 && (str[pos] == '+' || str[pos] == '-') && str[pos + 3] == ':')
	{
		int			oh = ec_read_digits(str + pos + 1, 2);
		int			om = ec_read_digits(str + pos + 4, 2);

		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return false;
		offset_sec = (oh * 60 + om) * 60;
		if (str[pos] == '-')
			offset_sec = -offset_sec;
	}
	else
		return false;

	ts = days * USECS_PER_DAY +
		((int64) ((h * 60 + mi) * 60 + s - offset_sec)) * USECS_PER_SEC + usec;

	/*
	 * The instant itself must lie in years 0001 to 9999 UTC, not only its
	 * written form: "9999-12-31T23:59:59-23:59" is in year 10000, whose
	 * write version ("10000-...") would sort before every other year's.
	 */
	if (ts < (date2j(1, 1, 1) - POSTGRES_EPOCH_JDATE) * USECS_PER_DAY ||
		ts >= (date2j(10000, 1, 1) - POSTGRES_EPOCH_JDATE) * USECS_PER_DAY)
		return false;
	*result = ts;
	return true;
}

/* ---------------------------------------------------------------------
 * SQL entry points
 * ---------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(ec_to_date_or_null);
PG_FUNCTION_INFO_V1(ec_parse_event_timestamp);

/* to_date_or_null(text): a real YYYY-MM-DD date, or null */
Datum
ec_to_date_or_null(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	DateADT		result;

	if (!ec_parse_date(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value), &result))
		PG_RETURN_NULL();
	PG_RETURN_DATEADT(result);
}

/* parse_event_timestamp(text): an event timestamp in any accepted form */
Datum
ec_parse_event_timestamp(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	TimestampTz result;

	if (!ec_parse_timestamp(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value),
							ec_timestamp_format == EC_TIMESTAMP_STRICT ? EC_TS_EVENT_STRICT : EC_TS_EVENT,
							&result))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_DATETIME_FORMAT),
				 errmsg("invalid event timestamp: \"%s\"", text_to_cstring(value)),
				 errhint("Use \"YYYY-MM-DD HH:MM:SS.ffffff UTC\" or RFC 3339, e.g. \"2026-06-09T10:15:00Z\".")));
	PG_RETURN_TIMESTAMPTZ(result);
}

PG_FUNCTION_INFO_V1(ec_to_timestamp_or_null);

/* to_timestamp_or_null(text): a timestamp param's value, or null */
Datum
ec_to_timestamp_or_null(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	TimestampTz result;

	if (!ec_parse_timestamp(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value), EC_TS_PARAM, &result))
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(result);
}
