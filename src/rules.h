/*-------------------------------------------------------------------------
 *
 * rules.h
 *	  The catalog's vocabulary (data types, requirements, channels), its
 *	  limits and its naming rule, defined once for the C code and for SQL.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EC_RULES_H
#define EC_RULES_H

#include "catalog_cache.h"

#define EC_NUM_DATA_TYPES		(EC_TYPE_TIMESTAMP + 1)
#define EC_NUM_REQUIREMENTS		(EC_REQ_OPTIONAL + 1)
#define EC_NUM_CHANNELS			4

/* names indexed by EcDataType, by EcRequirement; channel i has bit 1 << i */
extern const char *const ec_data_type_names[EC_NUM_DATA_TYPES];
extern const char *const ec_requirement_names[EC_NUM_REQUIREMENTS];
extern const char *const ec_channel_names[EC_NUM_CHANNELS];

extern int	ec_name_index(const char *const *names, int nnames,
						  const char *name, int len);
extern char *ec_names_sentence(const char *const *names, int nnames);
extern bool ec_is_snake_case_name(const char *name, int len);
extern bool ec_is_catalog_key_name(const char *name, int len);

#endif							/* EC_RULES_H */
