/*
 * effects/locks.sql
 *	  The lock that serializes the upkeep of a customer's derived state.
 */

/*
 * Serialize the upkeep of the given customers' derived state with other
 * transactions: an exclusive lock per bucket of customers (256 buckets, so
 * a big load takes a bounded number of locks), held to the end of the
 * transaction and taken in bucket order so that the upkeep of two
 * statements never waits on each other in a cycle.  The queries that
 * follow see every transaction that held the lock before.  The locks are
 * of a kind no SQL function can take (src/locks.c), and are refused
 * under REPEATABLE READ and SERIALIZABLE, whose statements would not see
 * those transactions.
 */
-- the bucket: the low 8 bits of hashtext(tenant || '/' || customer_id), in
-- C (src/locks.c) because the insert trigger computes it for every event
-- with effects
CREATE OR REPLACE FUNCTION event_catalog_internal.customer_bucket(tenant integer, customer_id text)
RETURNS integer
AS 'MODULE_PATHNAME', 'ec_customer_bucket'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION event_catalog_internal.lock_buckets(buckets integer[])
RETURNS void
LANGUAGE c STRICT
AS 'MODULE_PATHNAME', 'ec_lock_buckets';

CREATE OR REPLACE FUNCTION event_catalog_internal.lock_customers(customers event_catalog_internal.customer_ref[])
RETURNS void
LANGUAGE sql
AS $$
	SELECT event_catalog_internal.lock_buckets(ARRAY(
		SELECT event_catalog_internal.customer_bucket(r.tenant, r.customer_id) FROM unnest(customers) r))
$$;

REVOKE ALL ON FUNCTION event_catalog_internal.customer_bucket(integer, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.lock_buckets(integer[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.lock_customers(event_catalog_internal.customer_ref[]) FROM PUBLIC;
