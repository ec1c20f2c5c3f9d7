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
#include "utils/array.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "catalog_cache.h"

extern int	ec_version_cmp(const char *a, int alen, const char *b, int blen);
extern bool ec_jsonb_value_text(const JsonbValue *v, const char **str, int *len);
extern bool ec_jsonb_key_text(Jsonb *object, text *key, const char **str, int *len);
extern text *ec_event_version(TimestampTz at, const pg_uuid_t *digest);

/* profiles.c */
extern Jsonb *ec_profile_values_of(const EcEventDef *def, Jsonb *payload);
extern Jsonb *ec_picked_attributes_of(Jsonb *vals, ArrayType *names);

/* self_exclusion.c */
extern bool ec_customer_exclusion_periods(int32 tenant, text *customer, Datum *periods);

/*
 * The newest value and version of each attribute of a customer's writes
 * (profiles.c): the state of the merge aggregates, and of the merge of a
 * statement's stashed writes (effects.c).
 */
typedef struct MergeItem
{
	char	   *key;
	int			keylen;
	char	   *version;
	int			versionlen;
	JsonbValue	value;
} MergeItem;

typedef struct MergeState
{
	int			n;
	int			cap;
	MergeItem  *items;
} MergeState;

extern void ec_merge_add(MergeState *st, Jsonb *vals, const char *ver, int verlen,
						 MemoryContext cxt);
extern Jsonb *ec_merge_object(const MergeState *st, bool versions);
extern Jsonb *ec_versions_object(Jsonb *vals, const char *ver, int verlen);

#endif							/* EC_VERSIONS_H */
