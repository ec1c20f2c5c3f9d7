/*-------------------------------------------------------------------------
 *
 * citus.h
 *	  Running on Citus shards (src/citus.c): the upkeep of a shard's events
 *	  reads and writes the colocated shards of the same node directly.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EC_CITUS_H
#define EC_CITUS_H

#include "access/htup.h"
#include "utils/jsonb.h"
#include "utils/relcache.h"

extern void ec_citus_init(void);
extern void ec_citus_enter(Relation rel);
extern bool ec_citus_in_shard(void);
extern Oid	ec_citus_relid(Oid logical);
extern Oid	ec_citus_logical_relid(Relation rel);
extern const char *ec_citus_shard_person_key(void);
extern uint32 ec_citus_lock_space(void);
extern bool ec_citus_distributed(void);
extern bool ec_citus_find_stored(Jsonb *event, int64 *event_id);
extern char *ec_citus_local_copy(const char *name);

/* the session's settings on the workers (src/citus_settings.c) */
extern void ec_citus_settings_init(void);
extern bool ec_citus_settings_matter(Oid relid);
extern bool ec_citus_settings_sent(void);
extern void ec_citus_send_settings(void);

/* with ingest.h: the distribution key of an event, the probe's index */
struct IngestState;
struct EcValidation;
extern Datum ec_person_key_datum(Relation rel, struct IngestState *st, HeapTuple tuple,
								 const struct EcValidation *v);
extern Oid	ec_content_index(Relation rel, struct IngestState *st);

#endif							/* EC_CITUS_H */
