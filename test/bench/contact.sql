-- contact.sql: contactable_customers over :customers customers, 2% of them
-- with self-exclusion history (half of those still excluded), next to a
-- plain SELECT of the customers consented to email with an address; the
-- two alternate for 5 rounds and the medians are compared.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SET jit = off;
DROP EXTENSION IF EXISTS event_catalog CASCADE;
CREATE EXTENSION event_catalog;

INSERT INTO event_catalog.customers (tenant, customer_id, email, allow_email, is_blocked, is_test,
									 created_at, updated_at)
SELECT 1, 'c' || lpad(i::text, 8, '0'),
	   CASE WHEN i % 10 <> 0 THEN 'c' || i || '@example.com' END,
	   CASE WHEN i % 3 = 0 THEN false WHEN i % 7 = 0 THEN NULL ELSE true END,
	   i % 101 = 0, i % 211 = 0, now(), now()
FROM generate_series(1, :customers) i;

INSERT INTO event_catalog.self_exclusions (tenant, customer_id, episode, status, exclusion_type,
										   requested_at, activated_at, expires_at, lifted_at,
										   first_event_id, last_event_id)
SELECT 1, 'c' || lpad(i::text, 8, '0'), 1,
	   CASE WHEN i % 100 = 1 THEN 'lifted' ELSE 'active' END,
	   CASE WHEN i % 3 = 0 THEN 'cool_off' ELSE 'self_exclusion' END,
	   now() - interval '30 days', now() - interval '30 days', now() + interval '150 days',
	   CASE WHEN i % 100 = 1 THEN now() - interval '1 day' END, i, i
FROM generate_series(1, :customers) i WHERE i % 50 = 1 OR i % 100 = 1;
UPDATE event_catalog.customers c SET exclusion_periods = x.periods
FROM event_catalog_internal.exclusion_periods_of(ARRAY(
		SELECT DISTINCT ROW(s.tenant, s.customer_id)::event_catalog_internal.customer_ref
		FROM event_catalog.self_exclusions s)) x
WHERE c.tenant = x.tenant AND c.customer_id = x.customer_id;
VACUUM ANALYZE event_catalog.customers;
VACUUM ANALYZE event_catalog.self_exclusions;

CREATE TEMP TABLE contact_timings (kind text, round integer, ms double precision, n bigint);
DO $$
DECLARE
	t0 timestamptz;
	n bigint;
BEGIN
	PERFORM count(*) FROM event_catalog.contactable_customers(1, 'email');
	FOR round IN 1..5 LOOP
		t0 := clock_timestamp();
		SELECT count(*) INTO n FROM event_catalog.customers c
		WHERE c.tenant = 1 AND c.allow_email AND c.email IS NOT NULL;
		INSERT INTO contact_timings VALUES ('plain SELECT of consented', round,
			1000 * extract(epoch FROM clock_timestamp() - t0), n);
		t0 := clock_timestamp();
		SELECT count(*) INTO n FROM event_catalog.contactable_customers(1, 'email');
		INSERT INTO contact_timings VALUES ('contactable_customers', round,
			1000 * extract(epoch FROM clock_timestamp() - t0), n);
	END LOOP;
END $$;

WITH med AS (SELECT kind, min(n) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms
			 FROM contact_timings GROUP BY kind)
SELECT '| contactable_customers over ' || :customers || ' customers (2% with exclusion history) | ' ||
	   round(p.ms::numeric, 1) || ' ms (' || p.n || ' rows) | ' ||
	   round(c.ms::numeric, 1) || ' ms (' || c.n || ' rows) | ' ||
	   round((c.ms / p.ms)::numeric, 2) || '× |' AS row
FROM med p, med c WHERE p.kind = 'plain SELECT of consented' AND c.kind = 'contactable_customers' \gset
\echo :row
