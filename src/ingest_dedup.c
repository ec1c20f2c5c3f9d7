/*-------------------------------------------------------------------------
 *
 * ingest_dedup.c
 *	  Duplicate detection on the insert path: the content digest of an
 *	  event, the probe for a stored event with the same content, and the
 *	  count of the duplicates a statement skipped (duplicate_counts).
 *
 *	  Duplicates: an event whose content digest (tenant, event key, customer,
 *	  visitor, instant, context) is already stored is skipped.  The probe of
 *	  the unique digest index uses a dirty snapshot and waits for an
 *	  in-progress inserter of the same digest, as a unique check does, so a
 *	  concurrent load of the same event is skipped once that load commits;
 *	  the unique index is the last guard.
 *
 *	  Two loads of the same event at once: each takes the digest's lock
 *	  before its probe and keeps it until its row is in the index (released
 *	  by its next row or its statement's end), so the second one's probe
 *	  finds the first one's row and waits for its transaction instead of
 *	  both missing each other and the second failing on the unique index.
 *	  A session holds at most one digest lock and never waits for anything
 *	  while holding it (it lets go before waiting for an inserter), so these
 *	  locks cannot deadlock.  The lock tags are of a class (field4) that no
 *	  SQL function can take, so no role can hold them to stall a load.
 *
 *	  A statement of many events (COPY, INSERT ... SELECT, track_batch)
 *	  holds its tenants' load locks exclusively until its transaction ends
 *	  (locks.c), so while it runs nobody else adds events of those tenants.
 *	  It reads once per tenant the newest instant in the digest index, of
 *	  any row whatever its visibility (the high-water mark), and needs no
 *	  probe for an event later than that mark: it then raises the mark to
 *	  the event's instant, and remembers the digests it stored at the mark
 *	  (up to NEW_EVENTS_AT_NEWEST), so an event at the mark needs no probe
 *	  either unless it stored the same digest.  Events of earlier instants
 *	  are probed.  Should any other insert store events while the statement
 *	  runs (a trigger or function inserting events from inside it, a
 *	  restored row), the statement probes every row from then on.  In a
 *	  load in time order, the usual case, no row probes the index.
 *
 *	  Skipped duplicates are counted in memory per subtransaction, so that a
 *	  failed statement's counts vanish with it, and written to
 *	  duplicate_counts by the statement trigger (ingest_trigger.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "citus.h"
#include "compat.h"
#include "ingest.h"
#include "validate.h"

/* duplicates skipped but not yet added to duplicate_counts */
typedef struct PendingCount
{
	SubTransactionId subid;
	int32		tenant;
	char	   *event_key;
	int64		count;
} PendingCount;

/* the list and its contents live in TopTransactionContext */
static List *pending_counts = NIL;

static SPIPlanPtr count_plan = NULL;
static SPIPlanPtr shard_count_plan = NULL;	/* on a Citus shard (citus.c) */

/*
 * What a bulk statement knows of its tenants' stored events (see above),
 * per tenant: the high-water mark, the newest instant the statement stored
 * (later than the mark), and the digests it stored at that instant.  In
 * the trigger's per-query memory.
 */
#define NEW_EVENTS_TENANTS	8
#define NEW_EVENTS_AT_NEWEST 64

typedef struct NewEventsTenant
{
	int32		tenant;
	TimestampTz newest;			/* no stored row of the tenant is later */
	int			nat_newest;		/* -1: too many to remember, probe them */
	pg_uuid_t	at_newest[NEW_EVENTS_AT_NEWEST];	/* stored at newest */
} NewEventsTenant;

typedef struct EcNewEvents
{
	bool		off;			/* probe every row */
	uint64		expected;		/* stored_rows if only this statement stored */
	int			ntenants;
	NewEventsTenant tenants[NEW_EVENTS_TENANTS];
} EcNewEvents;

/* events stored in this backend, by any statement (ec_dedup_note_stored) */
static uint64 stored_rows = 0;

/*
 * the digest lock this session holds for a row being inserted, if any, and
 * the subtransaction that holds it (its abort releases the lock)
 */
static LOCKTAG held_digest_lock;
static bool digest_lock_held = false;
static SubTransactionId digest_lock_subid = InvalidSubTransactionId;

/* ---------------------------------------------------------------------
 * Digest locks
 * ---------------------------------------------------------------------
 */

/* let go of the digest lock of the last row inserted, if held */
void
ec_release_digest_lock(void)
{
	if (digest_lock_held)
	{
		digest_lock_held = false;
		LockRelease(&held_digest_lock, ExclusiveLock, false);
	}
}

static void
acquire_digest_lock(const pg_uuid_t *hash)
{
	uint32		hi;
	uint32		lo;

	memcpy(&hi, hash->data, 4);
	memcpy(&lo, hash->data + 4, 4);
	SET_LOCKTAG_ADVISORY(held_digest_lock, MyDatabaseId, hi, lo, EC_LOCKTAG_DIGEST);
	/* the callbacks that see a (sub)transaction end release it (register once) */
	ec_ingest_register_callbacks();
	(void) LockAcquire(&held_digest_lock, ExclusiveLock, false, false);
	digest_lock_held = true;
	digest_lock_subid = GetCurrentSubTransactionId();
}

/* ---------------------------------------------------------------------
 * Pending duplicate counts, kept per subtransaction so that a failed
 * statement's counts vanish with it
 * ---------------------------------------------------------------------
 */

/* at the end of the transaction, forget the pending counts (their memory
 * goes with it); called by the transaction callback of ingest_trigger.c */
void
ec_dedup_end_xact(void)
{
	pending_counts = NIL;
	digest_lock_held = false;	/* released with the transaction */
}

/* at the end of a subtransaction, drop or hand up its pending counts */
void
ec_dedup_end_subxact(SubXactEvent event, SubTransactionId mySubid,
					 SubTransactionId parentSubid)
{
	ListCell   *lc;

	if (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB)
		return;
	if (digest_lock_held && digest_lock_subid == mySubid)
	{
		if (event == SUBXACT_EVENT_ABORT_SUB)
			digest_lock_held = false;	/* released with the subtransaction */
		else
			digest_lock_subid = parentSubid;	/* now the parent's */
	}
	RETAG_OR_DROP(pending_counts, PendingCount);
}

/* count one skipped duplicate of (tenant, event_key) */
void
ec_count_duplicate(int32 tenant, const char *event_key, int event_key_len)
{
	SubTransactionId subid = GetCurrentSubTransactionId();
	MemoryContext oldcxt;
	PendingCount *pc;
	ListCell   *lc;

	ec_ingest_register_callbacks();
	foreach(lc, pending_counts)
	{
		pc = (PendingCount *) lfirst(lc);
		if (pc->subid == subid && pc->tenant == tenant &&
			strlen(pc->event_key) == event_key_len &&
			memcmp(pc->event_key, event_key, event_key_len) == 0)
		{
			pc->count++;
			return;
		}
	}

	oldcxt = MemoryContextSwitchTo(TopTransactionContext);
	pc = palloc(sizeof(PendingCount));
	pc->subid = subid;
	pc->tenant = tenant;
	pc->event_key = pnstrdup(event_key, event_key_len);
	pc->count = 1;
	pending_counts = lappend(pending_counts, pc);
	MemoryContextSwitchTo(oldcxt);
}

/* the pending counts (NIL if none), handed over: none are pending after */
List *
ec_take_duplicate_counts(void)
{
	List	   *counts = pending_counts;

	pending_counts = NIL;
	return counts;
}

/*
 * Add the duplicates the statement skipped (a list from
 * ec_take_duplicate_counts) to duplicate_counts.  The caller is connected
 * to SPI.
 */
/* the upsert of a duplicate count, with the shard's person key or not */
static SPIPlanPtr
prepare_count_plan(bool with_person_key)
{
	Oid			types[4] = {INT4OID, TEXTOID, INT8OID, TEXTOID};
	SPIPlanPtr	plan;

	plan = SPI_prepare(psprintf("INSERT INTO event_catalog.duplicate_counts AS c "
								"  (tenant, event_key, day, duplicates%s) "
								"VALUES ($1, $2, (pg_catalog.now() AT TIME ZONE 'UTC')::pg_catalog.date, $3%s) "
								"ON CONFLICT (tenant, event_key, day%s) DO UPDATE "
								"SET duplicates = c.duplicates OPERATOR(pg_catalog.+) EXCLUDED.duplicates",
								with_person_key ? ", person_key" : "",
								with_person_key ? ", $4" : "",
								with_person_key ? ", person_key" : ""),
					   with_person_key ? 4 : 3, types);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	return plan;
}

void
ec_flush_duplicate_counts(List *counts)
{
	ListCell   *lc;
	int			ret;

	/* on a Citus shard, rows under a key of the shard (citus.c) */
	if (count_plan == NULL)
		count_plan = prepare_count_plan(false);
	if (ec_citus_in_shard() && shard_count_plan == NULL)
		shard_count_plan = prepare_count_plan(true);
	foreach(lc, counts)
	{
		PendingCount *pc = (PendingCount *) lfirst(lc);
		Datum		values[4];

		values[0] = Int32GetDatum(pc->tenant);
		values[1] = CStringGetTextDatum(pc->event_key);
		values[2] = Int64GetDatum(pc->count);
		values[3] = CStringGetTextDatum(ec_citus_shard_person_key());
		ret = SPI_execute_plan(ec_citus_in_shard() ? shard_count_plan : count_plan,
							   values, NULL, false, 0);
		if (ret != SPI_OK_INSERT)
			elog(ERROR, "could not count duplicates: %s", SPI_result_code_string(ret));
	}
}

/* ---------------------------------------------------------------------
 * Content digest and duplicate probe
 * ---------------------------------------------------------------------
 */

/* append a length, then that many bytes (none for a length <= 0) */
static void
append_sized(StringInfo buf, const char *data, int len)
{
	appendBinaryStringInfo(buf, (const char *) &len, sizeof(len));
	if (len > 0)
		appendBinaryStringInfo(buf, data, len);
}

/*
 * The identity of an event as bytes: tenant, instant, event key, customer,
 * visitor and the binary context.  Only for events whose mandatory
 * properties are valid.
 */
static void
content_bytes(const EcValidation *v, Jsonb *payload, StringInfo buf)
{
	JsonbValue	ctx;

	appendBinaryStringInfo(buf, (const char *) &v->tenant, sizeof(v->tenant));
	appendBinaryStringInfo(buf, (const char *) &v->occurred_at, sizeof(v->occurred_at));
	append_sized(buf, v->event_key, v->event_key_len);
	append_sized(buf, v->customer, v->customer ? v->customer_len : -1);
	append_sized(buf, v->visitor, v->visitor ? v->visitor_len : -1);
	if (getKeyJsonValueFromContainer(&payload->root, "context", 7, &ctx) &&
		ctx.type == jbvBinary)
		append_sized(buf, (const char *) ctx.val.binary.data, ctx.val.binary.len);
	else
		append_sized(buf, NULL, -1);
}

/*
 * A 128-bit digest of the identity: two 64-bit hashes with different seeds.
 * A match is confirmed by comparing the stored event's content, so the
 * digest only has to be well spread, not collision-proof.
 */
void
ec_content_hash(const EcValidation *v, Jsonb *payload, pg_uuid_t *out)
{
	StringInfoData buf;
	uint64		h1;
	uint64		h2;

	initStringInfo(&buf);
	content_bytes(v, payload, &buf);
	h1 = hash_bytes_extended((const unsigned char *) buf.data, buf.len, 0x6576656e74636174);
	h2 = hash_bytes_extended((const unsigned char *) buf.data, buf.len, 0x636f6e74656e7473);
	memcpy(out->data, &h1, 8);
	memcpy(out->data + 8, &h2, 8);
	pfree(buf.data);
}

/* does the stored event in slot have the identity of the new one? */
static bool
same_content(TupleTableSlot *slot, IngestState *st, const EcValidation *v, Jsonb *payload)
{
	EcValidation stored = {0};
	Jsonb	   *stored_payload;
	StringInfoData a;
	StringInfoData b;
	bool		isnull;
	bool		same;

	/*
	 * the stored payload was valid when stored: re-derive its identity,
	 * reading its timestamp as it was accepted then (an RFC 3339 instant
	 * stored before timestamp_format became strict is still that instant)
	 */
	stored_payload = DatumGetJsonbP(slot_getattr(slot, st->att_payload, &isnull));
	stored.stored = true;
	ec_validate(stored_payload, &stored);
	initStringInfo(&a);
	initStringInfo(&b);
	content_bytes(v, payload, &a);
	content_bytes(&stored, stored_payload, &b);
	same = (a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
	pfree(a.data);
	pfree(b.data);
	return same;
}

/*
 * An event was stored: by the insert trigger's statement whose state is
 * st, or (st NULL) as a restored row, which no statement remembers.
 */
void
ec_dedup_note_stored(IngestState *st)
{
	stored_rows++;
	if (st != NULL && st->new_events != NULL)
		st->new_events->expected++;
}

/*
 * The newest instant of tenant in the digest index, of any row, committed
 * or not, live or deleted (DT_NOBEGIN when there is none).
 */
static TimestampTz
tenant_high_water(Relation heaprel, Relation index, IngestState *st, int32 tenant)
{
	TupleTableSlot *slot = table_slot_create(heaprel, NULL);
	IndexScanDesc scan;
	ScanKeyData key;
	TimestampTz mark;

	TIMESTAMP_NOBEGIN(mark);
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(tenant));
	scan = ec_index_beginscan(heaprel, index, SnapshotAny, 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	if (index_getnext_slot(scan, BackwardScanDirection, slot))
	{
		bool		isnull;

		mark = DatumGetTimestampTz(slot_getattr(slot, st->att_occurred_at, &isnull));
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	return mark;
}

/*
 * Can the statement tell without a probe that no event of this digest is
 * stored?  True for an event later than every row of its tenant, or at
 * the newest instant with a digest the statement has not stored; the
 * caller then stores it.  Only for a statement holding the tenant's load
 * lock exclusively.  An event of an earlier instant is probed.
 */
static bool
surely_new(Relation heaprel, IngestState *st, pg_uuid_t *hash, const EcValidation *v)
{
	EcNewEvents *ne = st->new_events;
	NewEventsTenant *t = NULL;

	if (ne == NULL)
	{
		ne = MemoryContextAllocZero(GetMemoryChunkContext(st), sizeof(EcNewEvents));
		ne->expected = stored_rows;
		st->new_events = ne;
	}
	/* someone else stored events since: probe from now on */
	if (ne->expected != stored_rows)
		ne->off = true;
	if (ne->off)
		return false;

	for (int i = 0; i < ne->ntenants; i++)
		if (ne->tenants[i].tenant == v->tenant)
			t = &ne->tenants[i];
	if (t == NULL)
	{
		Relation	index;

		if (ne->ntenants == NEW_EVENTS_TENANTS)
			return false;		/* a file of many tenants: probe the rest */
		index = index_open(st->content_index, AccessShareLock);
		t = &ne->tenants[ne->ntenants++];
		t->tenant = v->tenant;
		t->newest = tenant_high_water(heaprel, index, st, v->tenant);
		t->nat_newest = -1;		/* stored ones, unknown: probe */
		index_close(index, AccessShareLock);
	}

	if (v->occurred_at > t->newest)
	{
		t->newest = v->occurred_at;
		t->nat_newest = 0;
	}
	else if (v->occurred_at < t->newest || t->nat_newest < 0)
		return false;
	else
	{
		for (int i = 0; i < t->nat_newest; i++)
			if (memcmp(&t->at_newest[i], hash, sizeof(pg_uuid_t)) == 0)
				return false;	/* stored by this statement: probe for its id */
		if (t->nat_newest == NEW_EVENTS_AT_NEWEST)
		{
			t->nat_newest = -1; /* too many at one instant: probe the rest */
			return false;
		}
	}
	t->at_newest[t->nat_newest++] = *hash;
	return true;
}

/*
 * Is an event with this digest stored (or being stored by a transaction
 * that then commits)?  Sets *event_id to the stored event's id.
 * tenant_exclusive: the statement holds the event's tenant load lock
 * exclusively (a bulk statement), so it may skip the probe of an event
 * newer than anything stored (surely_new).
 */
bool
ec_find_duplicate(Relation heaprel, IngestState *st, pg_uuid_t *hash,
				  const EcValidation *v, Jsonb *payload, bool tenant_exclusive,
				  int64 *event_id)
{
	Relation	index;
	TupleTableSlot *slot;
	SnapshotData dirty;
	ScanKeyData keys[3];
	bool		found = false;

	if (tenant_exclusive && surely_new(heaprel, st, hash, v))
	{
		ec_release_digest_lock();
		return false;
	}
	index = index_open(st->content_index, AccessShareLock);
	slot = table_slot_create(heaprel, NULL);

	InitDirtySnapshot(dirty);
	/* the key of events_content_key: tenant, instant, digest */
	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(v->tenant));
	ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_TIMESTAMPTZ_EQ,
				TimestampTzGetDatum(v->occurred_at));
	ScanKeyInit(&keys[2], 3, BTEqualStrategyNumber, F_UUID_EQ, UUIDPGetDatum(hash));

	ec_release_digest_lock();
	for (;;)
	{
		IndexScanDesc scan;
		TransactionId xwait = InvalidTransactionId;
		ItemPointerData tid;

		acquire_digest_lock(hash);
		scan = ec_index_beginscan(heaprel, index, &dirty, 3, 0);

		index_rescan(scan, keys, 3, NULL, 0);
		while (index_getnext_slot(scan, ForwardScanDirection, slot))
		{
			bool		isnull;

			xwait = TransactionIdIsValid(dirty.xmin) ? dirty.xmin : dirty.xmax;
			if (TransactionIdIsValid(xwait))
			{
				tid = slot->tts_tid;
				break;
			}
			found = true;
			{
				*event_id = DatumGetInt64(slot_getattr(slot, st->att_event_id, &isnull));
				if (!same_content(slot, st, v, payload))
					ereport(ERROR,
							(errcode(ERRCODE_DATA_EXCEPTION),
							 errmsg("event digest collides with stored event %lld of different content",
									(long long) *event_id),
							 errhint("Report this to the event_catalog developers with both events.")));
			}
			break;
		}
		index_endscan(scan);

		/* not stored: keep the lock until this row is in the index */
		if (!found && !TransactionIdIsValid(xwait))
			break;
		ec_release_digest_lock();
		if (found)
			break;
		/* another transaction is inserting or deleting it: wait, look again */
		XactLockTableWait(xwait, heaprel, &tid, XLTW_InsertIndex);
	}

	ExecDropSingleTupleTableSlot(slot);
	index_close(index, AccessShareLock);
	return found;
}
