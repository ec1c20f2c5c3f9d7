/*-------------------------------------------------------------------------
 *
 * catalog_cache.h
 *	  The per-backend copy of the event catalog (catalog_cache.c): event and
 *	  param definitions, their lookup, and the jsonb key-order helpers that
 *	  merge an event's keys with its params.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EC_CATALOG_CACHE_H
#define EC_CATALOG_CACHE_H

#include "fmgr.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "optimove_limits.h"

typedef enum EcDataType
{
	EC_TYPE_STRING,
	EC_TYPE_NUMBER,
	EC_TYPE_BOOLEAN,
	EC_TYPE_DATE,
	EC_TYPE_TIMESTAMP
} EcDataType;

typedef enum EcRequirement
{
	EC_REQ_MANDATORY,
	EC_REQ_CHANNEL,
	EC_REQ_ENRICHMENT,
	EC_REQ_OPTIONAL
} EcRequirement;

/*
 * A typed column of customers that profile values land in (profile_columns()
 * lists them): its type decides which values it can hold (profile_column.c).
 */
typedef struct EcColumnDef
{
	const char *name;
	int			namelen;
	Oid			typid;
	int32		typmod;
	const char *type_name;		/* with its modifier, for messages */
} EcColumnDef;

typedef struct EcParamDef
{
	const char *key;
	int			keylen;
	int			ordinal;		/* index in catalog order */
	EcDataType	type;
	EcRequirement requirement;
	int			channel;		/* EC_CHANNEL_* bit, 0 for none */
	int			max_length;		/* characters; strings only */
	int			nallowed;		/* 0: any value */
	const char **allowed;		/* allowed values as text */
	int		   *allowed_len;
	Numeric    *allowed_num;	/* number params: the values as numerics */
	const char *allowed_list;	/* "Yes, No", for messages */
	const char *profile_attribute;	/* customers column, or NULL */
	const EcColumnDef *column;	/* the typed column it feeds, or NULL */
} EcParamDef;

typedef struct EcEventDef
{
	char		key[EC_KEY_MAX_BYTES + 1];	/* hash key, NUL-terminated */
	const char *category;
	bool		requires_customer;
	bool		fail_safe;
	bool		builtin;
	bool		has_effects;	/* feeds profiles or self-exclusion state */
	int			nparams;
	EcParamDef *params;			/* in catalog order */
	EcParamDef **by_key;		/* in jsonb key order: length, then bytes */
} EcEventDef;

extern void ec_catalog_cache_init(void);
extern const EcEventDef *ec_catalog_lookup(const char *key, int len);
extern const EcColumnDef *ec_catalog_column(const char *name, int len);
extern int	ec_jsonb_key_cmp(const char *a, int alen, const char *b, int blen);
extern bool ec_jsonb_next_pair(JsonbIterator **it, JsonbValue *key, JsonbValue *val);
extern const EcParamDef *ec_catalog_next_param(const EcEventDef *def, int *next,
											   const char *key, int keylen);

#endif							/* EC_CATALOG_CACHE_H */
