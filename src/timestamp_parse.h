/*-------------------------------------------------------------------------
 *
 * timestamp_parse.h
 *	  Parsing of the date and timestamp forms events may carry
 *	  (timestamp_parse.c); reports bad input by returning false, never by
 *	  raising an error.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EC_TIMESTAMP_PARSE_H
#define EC_TIMESTAMP_PARSE_H

#include "datatype/timestamp.h"
#include "utils/date.h"

typedef enum EcTimestampMode
{
	EC_TS_EVENT,				/* top-level timestamp, lenient */
	EC_TS_EVENT_STRICT,			/* top-level, only Optimove's exact form */
	EC_TS_PARAM					/* a timestamp param: also plain dates */
} EcTimestampMode;

extern int	ec_read_digits(const char *s, int n);
extern bool ec_parse_date(const char *str, int len, DateADT *result);
extern bool ec_parse_timestamp(const char *str, int len, EcTimestampMode mode,
							   TimestampTz *result);

#endif							/* EC_TIMESTAMP_PARSE_H */
