-- upkeep_plans: the upkeep of effects (profile merge, self-exclusion
-- recompute, the recompute after deletes) reads by key only, whatever the
-- statistics: in one transaction, many track() calls of profile updates and
-- self-exclusion events, then a delete, scan no table of the extension
-- sequentially.  (1.0 planned "event_id = ANY ($1)" as a sequential scan of
-- events while the table had no statistics, and kept that plan as it grew.)
BEGIN;
SELECT count(event_catalog.track(jsonb_build_object(
		'tenant', 7701,
		'timestamp', '2026-03-01T10:00:00Z'::timestamptz + i * interval '1 minute',
		'event', CASE WHEN i % 10 = 0 THEN 'ootb_self_exclusion_initiated' ELSE 'ootb_user_details_update' END,
		'customer', 'u' || i % 7,
		'context', CASE WHEN i % 10 = 0 THEN '{"ootb_self_exclusion_start_date": "2026-03-02T00:00:00Z"}'::jsonb
					   ELSE jsonb_build_object('ootb_email', 'u' || i || '@example.com', 'ootb_allow_email', 'Yes') END)))
FROM generate_series(1, 60) i;
-- the derived state is there
SELECT count(*) AS customers, count(*) FILTER (WHERE exclusion_periods IS NOT NULL) AS excluded
FROM event_catalog.customers WHERE tenant = 7701;
SELECT email FROM event_catalog.customers WHERE tenant = 7701 AND customer_id = 'u3';
-- a delete recomputes its customers
DELETE FROM event_catalog.events
WHERE event_id = (SELECT max(event_id) FROM event_catalog.events WHERE tenant = 7701 AND customer_id = 'u3');
SELECT email FROM event_catalog.customers WHERE tenant = 7701 AND customer_id = 'u3';
-- no sequential scan of any of the extension's tables (the catalog tables
-- aside: a session reads them whole once into its catalog cache)
SELECT relname, seq_scan FROM pg_stat_xact_user_tables
WHERE schemaname = 'event_catalog' AND seq_scan > 0
  AND relname NOT IN ('event_types', 'event_params')
ORDER BY relname;
ROLLBACK;
