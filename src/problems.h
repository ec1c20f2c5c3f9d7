/*-------------------------------------------------------------------------
 *
 * problems.h
 *	  The registry of problem codes that validation reports, and the one
 *	  text form of a problem.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EC_PROBLEMS_H
#define EC_PROBLEMS_H

#include "postgres.h"

#include "lib/stringinfo.h"

/* in the order of the registry (SPEC 3.2, then ingest's own) */
typedef enum EcProblemCode
{
	EC_PROBLEM_NOT_OBJECT,
	EC_PROBLEM_MISSING_PROPERTY,
	EC_PROBLEM_MISSING_IDENTITY,
	EC_PROBLEM_WRONG_TYPE,
	EC_PROBLEM_INVALID_VALUE,
	EC_PROBLEM_INVALID_FORMAT,
	EC_PROBLEM_TOO_LONG,
	EC_PROBLEM_UNKNOWN_EVENT,
	EC_PROBLEM_UNKNOWN_PARAM,
	EC_PROBLEM_UNKNOWN_PROPERTY,
	EC_PROBLEM_TOO_MANY_PARAMS,
	EC_PROBLEM_INVALID_JSON,
	EC_PROBLEM_TOO_LARGE,
	EC_PROBLEM_COLUMN_MISMATCH
} EcProblemCode;

#define EC_NUM_PROBLEM_CODES	(EC_PROBLEM_COLUMN_MISMATCH + 1)

typedef struct EcProblemInfo
{
	const char *code;			/* as problems carry it */
	bool		is_error;		/* default severity */
	const char *description;	/* one sentence */
} EcProblemInfo;

extern const EcProblemInfo ec_problem_registry[EC_NUM_PROBLEM_CODES];

/* the code string of a problem code */
#define ec_problem_code(c)	(ec_problem_registry[(c)].code)

/* a problem's severity as problems carry it */
#define ec_severity_name(is_error)	((is_error) ? "error" : "warning")

/*
 * The hint of an event that ingest refuses under on_invalid = error
 * because it could not be read (not JSON, too large, null).
 */
#define EC_UNREADABLE_HINT	"Set event_catalog.on_invalid to quarantine to load the other events."

extern int	ec_refused_event_sqlstate(EcProblemCode code, bool unreadable);
extern bool ec_problem_code_by_name(const char *name, int len, EcProblemCode *code);
extern void ec_append_problem_text(StringInfo buf, const char *severity,
								   const char *message, const char *code,
								   const char *path);

#endif							/* EC_PROBLEMS_H */
