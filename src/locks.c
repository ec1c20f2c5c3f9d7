/*-------------------------------------------------------------------------
 *
 * locks.c
 *	  The locks of loads and of the upkeep of derived state.
 *
 *	  All are advisory-type lock tags of classes (field4, see ingest.h) that
 *	  the SQL advisory lock functions cannot take (they use 1 and 2), so no
 *	  role can hold one to stall a load.
 *
 *	  Tenant load locks.  Two loads of overlapping events that each wait for
 *	  the other's uncommitted copy of an event deadlock (A holds e1 and
 *	  waits for B's e2, B holds e2 and waits for A's e1).  So a statement
 *	  that inserts many rows (COPY, INSERT ... SELECT) takes its tenants'
 *	  load locks exclusively, until the end of its transaction, before its
 *	  first stored row of each: loads of one tenant run one after the other.
 *	  track() inserts one event per statement and takes the lock shared:
 *	  tracks run side by side, and wait only for a bulk load of their
 *	  tenant.  (A file that mixes tenants, loaded at the same time as another
 *	  that mixes them in another order, can still deadlock; see README.)
 *
 *	  On a Citus shard both kinds are per shard group (citus.c): Citus
 *	  fills the shards of one worker over one connection each, in one
 *	  distributed transaction, so node-wide keys would make those
 *	  connections wait for each other; a person's events, and so their
 *	  duplicates and upkeep, are in one shard group.
 *
 *	  Bucket locks.  Customers fall into 256 buckets (customer_bucket(),
 *	  here); the upkeep of a statement locks its buckets in ascending order,
 *	  exclusively, until the transaction ends, so the queries that follow
 *	  see every transaction that held them before.  The insert trigger
 *	  collects the buckets of its events as it stores them and locks them
 *	  from C (ec_lock_bucket_set); the SQL paths call lock_buckets().
 *
 *	  The upkeep needs each statement to see what committed before it took
 *	  the locks.  Under REPEATABLE READ or SERIALIZABLE every statement sees
 *	  the transaction's first snapshot instead, so a load could compute a
 *	  customer's state without events another load committed meanwhile (a
 *	  self-excluded customer could come out contactable): lock_buckets
 *	  refuses to run there.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/array.h"
#include "utils/lsyscache.h"

#include "citus.h"
#include "ingest.h"

PG_FUNCTION_INFO_V1(ec_lock_buckets);
PG_FUNCTION_INFO_V1(ec_customer_bucket);

/*
 * Take the load lock of tenant for a statement storing events: shared for
 * a single event (track), exclusive otherwise.  Taking a lock the
 * transaction already holds costs a local hash lookup.
 */
void
ec_lock_tenant_load(int32 tenant, bool single_event)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, ec_citus_lock_space(), (uint32) tenant, EC_LOCKTAG_TENANT);
	(void) LockAcquire(&tag, single_event ? ShareLock : ExclusiveLock, false, false);
}

/*
 * The upkeep must see what committed before it took its locks, which
 * REPEATABLE READ and SERIALIZABLE statements do not: refuse to run there.
 */
static void
check_upkeep_isolation(void)
{
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("event_catalog cannot keep profiles and self-exclusions up to date under %s isolation",
						IsolationIsSerializable() ? "SERIALIZABLE" : "REPEATABLE READ"),
				 errdetail("The upkeep of derived state must see the events other transactions committed before it."),
				 errhint("Load events, write customers and erase under READ COMMITTED (the default).")));
}

/* lock one bucket of customers, exclusively, until the transaction ends */
static void
lock_bucket(int32 bucket)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, ec_citus_lock_space(), (uint32) bucket, EC_LOCKTAG_BUCKET);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

/*
 * The bucket of a customer: the low 8 bits of the text hash of
 * "tenant/customer_id" (customer_bucket() in SQL is this function).
 */
int32
ec_customer_bucket_of(int32 tenant, const char *customer_id, int len)
{
	char		prefix[16];
	int			plen = snprintf(prefix, sizeof(prefix), "%d/", tenant);
	char	   *buf = palloc(plen + len);
	uint32		hash;

	memcpy(buf, prefix, plen);
	memcpy(buf + plen, customer_id, len);
	hash = DatumGetUInt32(hash_any((unsigned char *) buf, plen + len));
	pfree(buf);
	return (int32) (hash & (EC_BUCKETS - 1));
}

Datum
ec_customer_bucket(PG_FUNCTION_ARGS)
{
	int32		tenant = PG_GETARG_INT32(0);
	text	   *customer_id = PG_GETARG_TEXT_PP(1);

	PG_RETURN_INT32(ec_customer_bucket_of(tenant, VARDATA_ANY(customer_id),
										  VARSIZE_ANY_EXHDR(customer_id)));
}

/* lock the buckets whose bits are set, in ascending order */
void
ec_lock_bucket_set(const uint32 *bits)
{
	check_upkeep_isolation();
	for (int b = 0; b < EC_BUCKETS; b++)
		if (bits[b / 32] & ((uint32) 1 << (b % 32)))
			lock_bucket(b);
}

Datum
ec_lock_buckets(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	uint32		bits[EC_BUCKETS / 32] = {0};

	deconstruct_array(arr, INT4OID, sizeof(int32), true, TYPALIGN_INT, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		int32		b;

		if (nulls[i])
			continue;
		b = DatumGetInt32(elems[i]);
		if (b < 0 || b >= EC_BUCKETS)
			elog(ERROR, "customer bucket %d out of range", b);
		bits[b / 32] |= (uint32) 1 << (b % 32);
	}
	ec_lock_bucket_set(bits);
	PG_RETURN_VOID();
}
