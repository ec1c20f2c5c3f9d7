/*-------------------------------------------------------------------------
 *
 * validate_checks.h
 *	  The validator's building blocks (validate.c), for the other entry
 *	  points that check values with the same rules and messages: recording
 *	  a problem, JSON Pointers, and the checks of an identity, a timestamp
 *	  and a param value.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EC_VALIDATE_CHECKS_H
#define EC_VALIDATE_CHECKS_H

#include "validate.h"
#include "problems.h"

/* longest piece of a user-supplied string quoted in a message, in bytes */
#define EC_QUOTE_MAX 60

extern void ec_add_problem(EcValidation *v, EcProblemCode code, bool is_error,
						   bool in_params, char *path, char *message);
extern char *ec_json_pointer(const char *parent, const char *key, int len);
extern void ec_missing_property(EcValidation *v, const char *name);
extern bool ec_check_identity(EcValidation *v, const char *name,
							  const JsonbValue *val);
extern void ec_check_timestamp(EcValidation *v, const JsonbValue *val);
extern bool ec_check_column_value(EcValidation *v, const EcColumnDef *col,
								  const char *kind, const char *name,
								  const char *key, int keylen, const JsonbValue *val);
extern void ec_check_param_value(EcValidation *v, const EcParamDef *param,
								 const char *key, int keylen,
								 const JsonbValue *val);

#endif							/* EC_VALIDATE_CHECKS_H */
