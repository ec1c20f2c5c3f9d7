/*-------------------------------------------------------------------------
 *
 * profile_column.c
 *	  Which values a typed column of customers can hold, decided when a
 *	  value is validated rather than when the merge casts it.
 *
 *	  A profile value reaches its column through the merge that
 *	  build_profile_functions() generates (profile_merge_body): "" clears
 *	  the column, any other value is converted from its JSON text.  One
 *	  value the column cannot hold would abort the whole statement there,
 *	  so validation asks here first and refuses that value's event (or
 *	  Customer Data API customer) alone, with problem column_mismatch; and
 *	  profile_values() leaves out a stored value that does not fit (a
 *	  fail-safe event is kept with its param problems).
 *
 *	  PostgreSQL 15 has no input functions that report bad input without
 *	  raising an error, so the check is written here for the column types
 *	  listed in ec_column_type_checked; build_profile_functions() and
 *	  define_event refuse a profile column of any other type.  Each rule
 *	  matches the conversion the merge does for that type:
 *	    text						any value
 *	    character varying(n)		its text, at most n characters
 *	    smallint, integer, bigint	an integral number in range (read as
 *									numeric, so 2.0 is 2)
 *	    numeric(p, s)				a number with at most p - s digits
 *									before the point once rounded to s
 *	    real, double precision		a number within the type's range
 *	    boolean						true, false, "Yes" or "No"
 *	    date						a YYYY-MM-DD calendar date
 *	    timestamp with time zone	a timestamp param's form
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#include "profile_column.h"
#include "timestamp_parse.h"

PG_FUNCTION_INFO_V1(ec_is_checked_column_type);

/* can the values of a column of type typid be checked here? */
bool
ec_column_type_checked(Oid typid)
{
	switch (typid)
	{
		case TEXTOID:
		case VARCHAROID:
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case NUMERICOID:
		case FLOAT4OID:
		case FLOAT8OID:
		case BOOLOID:
		case DATEOID:
		case TIMESTAMPTZOID:
			return true;
		default:
			return false;
	}
}

/* is_checked_column_type(type): for build_profile_functions and define_event */
Datum
ec_is_checked_column_type(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ec_column_type_checked(PG_GETARG_OID(0)));
}

/* the text of a scalar as the merge reads it (jsonb #>> '{}') */
static char *
scalar_text(const JsonbValue *val, int *len)
{
	char	   *s;

	switch (val->type)
	{
		case jbvString:
			*len = val->val.string.len;
			return val->val.string.val;
		case jbvNumeric:
			s = DatumGetCString(DirectFunctionCall1(numeric_out,
													NumericGetDatum(val->val.numeric)));
			break;
		case jbvBool:
			s = val->val.boolean ? "true" : "false";
			break;
		default:
			s = "";
			break;
	}
	*len = strlen(s);
	return s;
}

/* why a number does not fit an integer column of type typid, or NULL */
static char *
integer_misfit(Oid typid, Numeric num)
{
	int64		min = typid == INT2OID ? PG_INT16_MIN : typid == INT4OID ? PG_INT32_MIN : PG_INT64_MIN;
	int64		max = typid == INT2OID ? PG_INT16_MAX : typid == INT4OID ? PG_INT32_MAX : PG_INT64_MAX;
	Datum		n = NumericGetDatum(num);

	if (DatumGetInt32(DirectFunctionCall1(numeric_min_scale, n)) != 0)
		return pstrdup("it is not an integer");
	if (DatumGetBool(DirectFunctionCall2(numeric_lt, n,
										 DirectFunctionCall1(int8_numeric, Int64GetDatum(min)))) ||
		DatumGetBool(DirectFunctionCall2(numeric_gt, n,
										 DirectFunctionCall1(int8_numeric, Int64GetDatum(max)))))
		return pstrdup("it is out of range");
	return NULL;
}

/* why a number does not fit numeric(p, s) (typmod), or NULL */
static char *
numeric_misfit(int32 typmod, Numeric num)
{
	int32		tm = typmod - VARHDRSZ;
	int			precision = (tm >> 16) & 0xffff;
	int			scale = ((tm & 0x7ff) ^ 1024) - 1024;
	Datum		rounded;
	Datum		bound;

	if (typmod < (int32) VARHDRSZ)
		return NULL;			/* numeric without a modifier: any number */
	rounded = DirectFunctionCall2(numeric_round, NumericGetDatum(num),
								  Int32GetDatum(scale));
	bound = DirectFunctionCall2(numeric_power,
								DirectFunctionCall1(int4_numeric, Int32GetDatum(10)),
								DirectFunctionCall1(int4_numeric, Int32GetDatum(precision - scale)));
	if (DatumGetBool(DirectFunctionCall2(numeric_lt,
										 DirectFunctionCall1(numeric_abs, rounded),
										 bound)))
		return NULL;
	return psprintf("it has more than %d digits before the decimal point", precision - scale);
}

/* why a number does not fit real or double precision, or NULL */
static char *
float_misfit(Oid typid, Numeric num)
{
	char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)));
	double		d;

	/* as float4in and float8in: an underflow to 0 or an overflow is an error */
	errno = 0;
	d = (typid == FLOAT4OID) ? (double) strtof(s, NULL) : strtod(s, NULL);
	if (errno == ERANGE && (d == 0.0 || isinf(d)))
		return pstrdup("it is out of range");
	return NULL;
}

/*
 * The value of a boolean column for val: a JSON boolean, or the string
 * Yes or No; false when it is none of them
 */
bool
ec_boolean_value(const JsonbValue *val, bool *result)
{
	if (val->type == jbvBool)
		*result = val->val.boolean;
	else if (val->type == jbvString && val->val.string.len == 3 &&
			 memcmp(val->val.string.val, "Yes", 3) == 0)
		*result = true;
	else if (val->type == jbvString && val->val.string.len == 2 &&
			 memcmp(val->val.string.val, "No", 2) == 0)
		*result = false;
	else
		return false;
	return true;
}

/*
 * Why val cannot be held by col, as a phrase ("it is not an integer"), or
 * NULL when it can (or col's type is not checked here).  JSON null and ""
 * (which clears the column) fit every column.
 */
char *
ec_column_misfit(const EcColumnDef *col, const JsonbValue *val)
{
	int			len;
	char	   *s;

	if (val->type == jbvNull ||
		(val->type == jbvString && val->val.string.len == 0))
		return NULL;

	switch (col->typid)
	{
		case VARCHAROID:
			{
				int			max = col->typmod - VARHDRSZ;
				int			nchars;

				if (col->typmod < (int32) VARHDRSZ || val->type == jbvBinary)
					return NULL;	/* unlimited; containers are refused as such */
				s = scalar_text(val, &len);
				if (len > max && (nchars = pg_mbstrlen_with_len(s, len)) > max)
					return psprintf("it is %d characters long, more than %d", nchars, max);
				return NULL;
			}
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case NUMERICOID:
		case FLOAT4OID:
		case FLOAT8OID:
			if (val->type != jbvNumeric)
				return pstrdup("it is not a number");
			if (col->typid == NUMERICOID)
				return numeric_misfit(col->typmod, val->val.numeric);
			if (col->typid == FLOAT4OID || col->typid == FLOAT8OID)
				return float_misfit(col->typid, val->val.numeric);
			return integer_misfit(col->typid, val->val.numeric);
		case BOOLOID:
			{
				bool		b;

				if (ec_boolean_value(val, &b))
					return NULL;
				return pstrdup("it is not true, false, \"Yes\" or \"No\"");
			}
		case DATEOID:
			{
				DateADT		d;

				if (val->type == jbvString &&
					ec_parse_date(val->val.string.val, val->val.string.len, &d))
					return NULL;
				return pstrdup("it is not a calendar date in the form YYYY-MM-DD");
			}
		case TIMESTAMPTZOID:
			{
				TimestampTz ts;

				if (val->type == jbvString &&
					ec_parse_timestamp(val->val.string.val, val->val.string.len,
									   EC_TS_PARAM, &ts))
					return NULL;
				return pstrdup("it is not a timestamp");
			}
		default:
			return NULL;		/* text, or a type refused as a profile column */
	}
}
