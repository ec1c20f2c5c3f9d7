/*
 * effects/locks.sql
 *	  The lock that serializes the upkeep of a customer's derived state.
 */

/*
 * Serialize the upkeep of the given customers' derived state with other
 * transactions: a transaction-level advisory lock per bucket of customers
 * (256 buckets, so a big load takes a bounded number of locks), taken in
 * bucket order so that two loads never wait on each other in a cycle.
 * The queries that follow see every transaction that held the lock before.
 */
CREATE OR REPLACE FUNCTION event_catalog_internal.customer_bucket(tenant integer, customer_id text)
RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.hashtext(tenant OPERATOR(pg_catalog.||) '/' OPERATOR(pg_catalog.||) customer_id) OPERATOR(pg_catalog.&) 255 $$;

CREATE OR REPLACE FUNCTION event_catalog_internal.lock_buckets(buckets integer[])
RETURNS void
LANGUAGE sql
AS $$
	SELECT pg_catalog.count(pg_catalog.pg_advisory_xact_lock(1701999971, b))
	FROM (SELECT DISTINCT b FROM pg_catalog.unnest(buckets) b ORDER BY 1) x
$$;

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
