/*-------------------------------------------------------------------------
 *
 * versions.h
 *	  Versions of profile writes: "YYYY-MM-DD HH24:MI:SS.US|digest", the
 *	  event time in UTC and a content digest, compared as bytes; and the
 *	  profile values of an event (profiles.c), which the merge takes.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EC_VERSIONS_H
#define EC_VERSIONS_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/jsonb.h"

#include "catalog_cache.h"

extern int	ec_version_cmp(const char *a, int alen, const char *b, int blen);
extern bool ec_jsonb_value_text(const JsonbValue *v, const char **str, int *len);
extern bool ec_jsonb_key_text(Jsonb *object, text *key, const char **str, int *len);
extern Datum ec_write_version(PG_FUNCTION_ARGS);
extern Jsonb *ec_profile_values_of(const EcEventDef *def, Jsonb *payload);

#endif							/* EC_VERSIONS_H */
