/*-------------------------------------------------------------------------
 *
 * event_catalog.h
 *	  Declarations shared by the event_catalog sources: GUCs, the per-backend
 *	  catalog cache, timestamp parsing and the validator.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EVENT_CATALOG_H
#define EVENT_CATALOG_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/date.h"
#include "utils/timestamp.h"

/* Optimove's limits */
#define EC_MAX_PARAMS			50		/* keys in one event's context */
#define EC_IDENTITY_MAX_CHARS	255		/* customer and visitor ids */
#define EC_DEFAULT_MAX_LENGTH	255		/* string params without max_length */
#define EC_KEY_MAX_BYTES		100		/* event and param keys (snake_case) */

/* ---------------------------------------------------------------------
 * GUCs (guc.c)
 * ---------------------------------------------------------------------
 */
typedef enum EcUnknownParams
{
	EC_UNKNOWN_PARAMS_WARN,
	EC_UNKNOWN_PARAMS_ALLOW,
	EC_UNKNOWN_PARAMS_REJECT
} EcUnknownParams;

typedef enum EcUnknownEvents
{
	EC_UNKNOWN_EVENTS_REJECT,
	EC_UNKNOWN_EVENTS_ACCEPT
} EcUnknownEvents;

typedef enum EcOnInvalid
{
	EC_ON_INVALID_ERROR,
	EC_ON_INVALID_QUARANTINE
} EcOnInvalid;

typedef enum EcTimestampFormat
{
	EC_TIMESTAMP_LENIENT,
	EC_TIMESTAMP_STRICT
} EcTimestampFormat;

/* execution channels, as bits of event_catalog.channels */
#define EC_CHANNEL_EMAIL	0x01
#define EC_CHANNEL_SMS		0x02
#define EC_CHANNEL_PUSH		0x04
#define EC_CHANNEL_WHATSAPP 0x08

extern int	ec_unknown_params;
extern int	ec_unknown_events;
extern int	ec_on_invalid;
extern int	ec_timestamp_format;
extern int	ec_enabled_channels;

extern void ec_guc_init(void);
extern int	ec_channel_from_name(const char *name, int len);

/* ---------------------------------------------------------------------
 * The catalog cache (catalog_cache.c)
 * ---------------------------------------------------------------------
 */
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
extern void ec_catalog_begin_query(FmgrInfo *flinfo);
extern const EcEventDef *ec_catalog_lookup(const char *key, int len);
extern int	ec_jsonb_key_cmp(const char *a, int alen, const char *b, int blen);
extern bool ec_jsonb_next_pair(JsonbIterator **it, JsonbValue *key, JsonbValue *val);
extern const EcParamDef *ec_catalog_next_param(const EcEventDef *def, int *next,
											   const char *key, int keylen);

/* ---------------------------------------------------------------------
 * Dates and timestamps (timestamp_parse.c)
 * ---------------------------------------------------------------------
 */
typedef enum EcTimestampMode
{
	EC_TS_EVENT,				/* top-level timestamp, lenient */
	EC_TS_EVENT_STRICT,			/* top-level, only Optimove's exact form */
	EC_TS_PARAM					/* a timestamp param: also plain dates */
} EcTimestampMode;

extern bool ec_parse_date(const char *str, int len, DateADT *result);
extern bool ec_parse_timestamp(const char *str, int len, EcTimestampMode mode,
							   TimestampTz *result);

/* ---------------------------------------------------------------------
 * Validation (validate.c)
 * ---------------------------------------------------------------------
 */
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
extern void ec_report_invalid(const EcValidation *v) pg_attribute_noreturn();

#endif							/* EVENT_CATALOG_H */
