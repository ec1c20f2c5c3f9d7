/*-------------------------------------------------------------------------
 *
 * profile_column.h
 *	  Which values a typed column of customers can hold (profile_column.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef EC_PROFILE_COLUMN_H
#define EC_PROFILE_COLUMN_H

#include "utils/jsonb.h"

#include "catalog_cache.h"

extern bool ec_column_type_checked(Oid typid);
extern bool ec_boolean_value(const JsonbValue *val, bool *result);
extern char *ec_column_misfit(const EcColumnDef *col, const JsonbValue *val);

#endif							/* EC_PROFILE_COLUMN_H */
