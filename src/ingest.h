/*-------------------------------------------------------------------------
 *
 * ingest.h
 *	  The insert path of event_catalog.events: the row trigger that
 *	  validates each event, fills the derived columns, quarantines invalid
 *	  events and skips duplicates; the refusal of UPDATE and TRUNCATE; the
 *	  statement trigger that counts duplicates and applies the effects of
 *	  the stored events once per statement; and track() for applications.
 *
 *	  One file per phase, and what they share:
 *	    ingest_raw.c		a raw NDJSON line to jsonb, within limits
 *	    ingest_dedup.c		content digest, duplicate probe, duplicate counts
 *	    ingest_quarantine.c	which events are refused; rejected_events rows
 *	    ingest_trigger.c	the triggers on events, the effects list and the
 *							transaction callbacks that keep it
 *	    ingest_load.c		loads: the statement stack, per-load counts,
 *							event_catalog.loads, the batch collector
 *	    effects.c			the upkeep of the effects list, its inputs read
 *							in C by primary key
 *	    track.c				track() and event_content_hash()
 *	    track_batch.c		track_batch(), track_batch_raw(), track_raw()
 *
 *-------------------------------------------------------------------------
 */
#ifndef EC_INGEST_H
#define EC_INGEST_H

#include "access/attnum.h"
#include "access/tupdesc.h"
#include "access/xact.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"
#include "utils/relcache.h"
#include "utils/uuid.h"

#include "problems.h"
#include "validate.h"

/* attribute numbers of events, looked up once per query */
typedef struct IngestState
{
	Oid			relid;
	AttrNumber	att_event_id;
	AttrNumber	att_tenant;
	AttrNumber	att_event_key;
	AttrNumber	att_customer_id;
	AttrNumber	att_visitor_id;
	AttrNumber	att_occurred_at;
	AttrNumber	att_payload;
	AttrNumber	att_problems;
	AttrNumber	att_content_hash;
	AttrNumber	att_has_effects;
	AttrNumber	att_raw_line;
	AttrNumber	att_person_key;	/* after distribute() only, else 0 */
	AttrNumber	att_routed_load_id; /* the same */
	AttrNumber	att_routed_line;	/* the same */
	Oid			content_index;
	bool		sole_row_trigger;	/* no other BEFORE INSERT row trigger: the
									 * row stored is the row this trigger returns */
	struct EcTenantScope *tenant_scope;	/* tenant.c, read at the first row */
	struct EcNewEvents *new_events; /* ingest_dedup.c, at the first probe of a bulk statement */
} IngestState;

/* what happened to the last row the insert trigger saw (for track) */
typedef enum EcOutcome
{
	EC_OUTCOME_NONE,
	EC_OUTCOME_STORED,
	EC_OUTCOME_DUPLICATE,
	EC_OUTCOME_QUARANTINED,
	EC_OUTCOME_SKIPPED
} EcOutcome;

/*
 * For a subtransaction callback over a list of entries with a subid: drop
 * (abort) or hand to the parent (commit) the subtransaction's entries.
 * Uses the callback's event, mySubid and parentSubid, and a ListCell *lc.
 */
#define RETAG_OR_DROP(list, type) \
	foreach(lc, (list)) \
	{ \
		type	   *entry = (type *) lfirst(lc); \
		if (entry->subid != mySubid) \
			continue; \
		if (event == SUBXACT_EVENT_ABORT_SUB) \
			(list) = foreach_delete_current((list), lc); \
		else \
			entry->subid = parentSubid; \
	}

/* ingest_raw.c */
extern Jsonb *ec_parse_raw_line(text *raw, char **error, EcProblemCode *code,
								bool *blank);

/* json_fast.c */
extern Jsonb *ec_json_fast(const char *s, int len);

/*
 * Lock tag classes (LOCKTAG field4) of our advisory-type locks; the SQL
 * advisory lock functions use 1 and 2 only, so no role can take these.
 */
#define EC_LOCKTAG_DIGEST	0x6563	/* an event digest, while its row is inserted */
#define EC_LOCKTAG_BUCKET	0x6564	/* a bucket of customers, for their upkeep */
#define EC_LOCKTAG_TENANT	0x6565	/* a tenant's loads */

/* locks.c */
#define EC_BUCKETS	256			/* buckets of customers (bucket locks) */
extern void ec_lock_tenant_load(int32 tenant, bool single_event);
extern int32 ec_customer_bucket_of(int32 tenant, const char *customer_id, int len);
extern void ec_lock_bucket_set(const uint32 *bits);

/*
 * effects.c: the effects of a statement's stored events, as the row
 * trigger collected them (one entry per subtransaction that stored some)
 */
typedef struct EcCustomer
{
	int32		tenant;
	char	   *customer_id;
} EcCustomer;

/*
 * The profile write of an event with effects, as the insert trigger had it
 * in hand (ingest_trigger.c), so that the statement's merge need not read
 * the event back (event_writes, effects.c).  vals is NULL when the event
 * carries no profile value.
 */
typedef struct EcStashedWrite
{
	int64		event_id;
	int32		tenant;
	TimestampTz occurred_at;
	pg_uuid_t	digest;
	char	   *customer_id;
	Jsonb	   *vals;
} EcStashedWrite;

typedef struct EcPendingEffects
{
	SubTransactionId subid;
	int			n;				/* event ids */
	int			cap;
	int64	   *ids;
	int			nstashed;		/* the writes of ids[0 .. nstashed - 1] */
	int			capstashed;
	EcStashedWrite *stashed;
	uint32		buckets[EC_BUCKETS / 32];	/* their customers' buckets */
	int			nexcluded;		/* customers with self-exclusion events */
	int			capexcluded;
	EcCustomer *excluded;
} EcPendingEffects;

extern int	ec_lifecycle_rank_of(const char *event_key, int len);
extern void ec_apply_effects(List *pending, Oid namespace);

/* ingest_dedup.c */
extern void ec_release_digest_lock(void);
extern void ec_content_hash(const EcValidation *v, Jsonb *payload, pg_uuid_t *out);
extern bool ec_find_duplicate(Relation heaprel, IngestState *st, pg_uuid_t *hash,
							  const EcValidation *v, Jsonb *payload, bool tenant_exclusive,
							  int64 *event_id);
extern void ec_dedup_note_stored(IngestState *st);
extern void ec_count_duplicate(int32 tenant, const char *event_key, int event_key_len);
extern List *ec_take_duplicate_counts(void);
extern void ec_flush_duplicate_counts(List *counts);
extern void ec_dedup_end_xact(void);
extern void ec_dedup_end_subxact(SubXactEvent event, SubTransactionId mySubid,
								 SubTransactionId parentSubid);

/*
 * The bookkeeping writes (quarantine, duplicate counts, the upkeep) run as
 * the owner of the events table, the extension's owner, so that no loading
 * role needs, or has, write access to those tables.
 */
typedef struct EcSavedUser
{
	Oid			userid;
	int			sec_context;
} EcSavedUser;

/* ingest_quarantine.c */
extern void ec_become_owner(Relation rel, EcSavedUser *saved);
extern void ec_restore_user(const EcSavedUser *saved);
extern bool ec_event_acceptable(const EcValidation *v);
extern void ec_quarantine(Relation rel, const EcValidation *v, Jsonb *payload,
						  text *raw, Jsonb *problems);
extern Jsonb *ec_single_problem(const char *code, const char *message);

/* ingest_trigger.c */
extern Oid	ec_table_of(const char *name);
extern AttrNumber ec_column_of(TupleDesc desc, const char *table, const char *name);
extern void ec_ingest_register_callbacks(void);
extern void ec_ingest_reset_outcome(void);
extern bool ec_ingest_single_event(void);
pg_noreturn extern void ec_events_refuse_update(void);
extern void ec_load_set_last(int64 load_id);
extern EcOutcome ec_ingest_last_outcome(int64 *duplicate_id);
extern Jsonb *ec_read_event(Jsonb *payload, text *raw, bool *blank, Jsonb **problems,
							EcProblemCode *code);

/* what became of one row of a statement, for track_batch and track_raw */
typedef struct EcRowResult
{
	EcOutcome	outcome;
	int64		event_id;		/* stored, or the stored one for a duplicate */
	Jsonb	   *problems;		/* NULL when none */
} EcRowResult;

/* the rows of a statement, in the order the insert trigger saw them */
typedef struct EcCollector
{
	MemoryContext mcxt;			/* where rows and their problems live */
	int			n;
	int			cap;
	EcRowResult *rows;
	int			rows_seen;		/* rows begun, for the error context */
} EcCollector;

/* ingest_load.c */
extern void ec_load_init(void);
extern void ec_load_collect(EcCollector *c);
extern void ec_load_begin_row(void);
extern void ec_load_position(int64 *load_id, int64 *line);
extern void ec_load_routed(int64 load_id, int64 line);
extern void ec_load_outcome(EcOutcome outcome, int64 event_id, Jsonb *problems,
							const EcValidation *v, EcProblemCode code);

#endif							/* EC_INGEST_H */
