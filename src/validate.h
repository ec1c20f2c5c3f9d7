/*-------------------------------------------------------------------------
 *
 * validate.h
 *	  The event validator (validate.c): one walk over an event that records
 *	  its problems and, when they are valid, its mandatory properties.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EC_VALIDATE_H
#define EC_VALIDATE_H

#include "datatype/timestamp.h"
#include "utils/jsonb.h"

#include "catalog_cache.h"
#include "compat.h"

typedef struct EcProblem
{
	const char *code;
	bool		is_error;
	bool		in_params;		/* about a context param (see fail-safe) */
	char	   *path;			/* JSON Pointer; NULL unless collecting */
	char	   *message;		/* NULL unless collecting */
} EcProblem;

typedef struct EcValidation
{
	/* how to run */
	bool		collect;		/* build paths and messages */
	bool		stop_on_error;	/* stop at the first error (is_valid) */
	const char *param_parent;	/* JSON Pointer of the params' object;
								 * NULL: "/context" */
	bool		stored;			/* re-reading a stored event: its timestamp
								 * in any accepted form, whatever
								 * timestamp_format says now */

	/* what was found */
	int			nproblems;
	int			maxproblems;
	EcProblem  *problems;
	bool		has_error;
	bool		has_property_error; /* an error outside the context */

	/* the mandatory properties, each set only when valid */
	const EcEventDef *def;		/* NULL: event missing, invalid or unknown */
	bool		has_tenant;
	int32		tenant;
	const char *event_key;
	int			event_key_len;
	const char *customer;
	int			customer_len;
	const char *visitor;
	int			visitor_len;
	bool		has_timestamp;
	TimestampTz occurred_at;
} EcValidation;

extern void ec_validate(Jsonb *event, EcValidation *v);
extern Jsonb *ec_problems_to_jsonb(const EcValidation *v);
extern char *ec_problem_text(const EcProblem *p);
pg_noreturn extern void ec_report_invalid(const EcValidation *v);

#endif							/* EC_VALIDATE_H */
