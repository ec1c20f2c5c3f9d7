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
 *	  Bucket locks: lock_buckets(buckets).  Customers fall into 256 buckets
 *	  (customer_bucket() in sql/effects/locks.sql); the upkeep of a
 *	  statement locks its buckets in ascending order, exclusively, until the
 *	  transaction ends, so the queries that follow see every transaction
 *	  that held them before.
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
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/array.h"
#include "utils/lsyscache.h"

#include "ingest.h"

PG_FUNCTION_INFO_V1(ec_lock_buckets);

/*
 * Take the load lock of tenant for a statement storing events: shared for
 * a single event (track), exclusive otherwise.  Taking a lock the
 * transaction already holds costs a local hash lookup.
 */
void
ec_lock_tenant_load(int32 tenant, bool single_event)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, 0, (uint32) tenant, EC_LOCKTAG_TENANT);
	(void) LockAcquire(&tag, single_event ? ShareLock : ExclusiveLock, false, false);
}

static int
cmp_int32(const void *a, const void *b)
{
	int32		x = *(const int32 *) a;
	int32		y = *(const int32 *) b;

	return (x > y) - (x < y);
}

Datum
ec_lock_buckets(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int32	   *buckets;
	int			nb = 0;

	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("event_catalog cannot keep profiles and self-exclusions up to date under %s isolation",
						IsolationIsSerializable() ? "SERIALIZABLE" : "REPEATABLE READ"),
				 errdetail("The upkeep of derived state must see the events other transactions committed before it."),
				 errhint("Load events, write customers and erase under READ COMMITTED (the default).")));

	deconstruct_array(arr, INT4OID, sizeof(int32), true, TYPALIGN_INT, &elems, &nulls, &n);
	buckets = palloc(sizeof(int32) * Max(n, 1));
	for (int i = 0; i < n; i++)
		if (!nulls[i])
			buckets[nb++] = DatumGetInt32(elems[i]);
	qsort(buckets, nb, sizeof(int32), cmp_int32);

	for (int i = 0; i < nb; i++)
	{
		LOCKTAG		tag;

		if (i > 0 && buckets[i] == buckets[i - 1])
			continue;
		SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, 0, (uint32) buckets[i], EC_LOCKTAG_BUCKET);
		(void) LockAcquire(&tag, ExclusiveLock, false, false);
	}
	PG_RETURN_VOID();
}
