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
SELECT max(event_id) AS deleted_id FROM event_catalog.events WHERE tenant = 7701 AND customer_id = 'u3' \gset
DELETE FROM event_catalog.events WHERE event_id = :deleted_id;
SELECT email FROM event_catalog.customers WHERE tenant = 7701 AND customer_id = 'u3';
-- no sequential scan of any of the extension's tables (the catalog tables
-- aside: a session reads them whole once into its catalog cache)
SELECT relname, seq_scan FROM pg_stat_xact_user_tables
WHERE schemaname = 'event_catalog' AND seq_scan > 0
  AND relname NOT IN ('event_types', 'event_params')
ORDER BY relname;
-- event_writes finds the same writes whether the ids come in ascending
-- order (one walk along the primary key, descending again past a gap of
-- more than 32 entries) or in any other order (a lookup per id); ids with
-- no stored row (here: the deleted event, ids before and after all events)
-- are left out.  40 logins make a gap between the profile updates.
SELECT count(event_catalog.track(jsonb_build_object(
		'tenant', 7701, 'timestamp', '2026-03-02T10:00:00Z', 'event', 'ootb_login',
		'customer', 'g' || i, 'context', '{}'::jsonb)))
FROM generate_series(1, 40) i;
SELECT count(event_catalog.track(jsonb_build_object(
		'tenant', 7701, 'timestamp', '2026-03-03T10:00:00Z', 'event', 'ootb_user_details_update',
		'customer', 'u' || i, 'context', jsonb_build_object('ootb_email', 'late' || i || '@example.com'))))
FROM generate_series(1, 3) i;
CREATE TEMP TABLE writes_ids AS
SELECT array_agg(e.event_id ORDER BY e.event_id) AS ids,
	   array_agg(e.event_id ORDER BY e.event_id DESC) AS ids_desc
FROM (SELECT event_id FROM event_catalog.events WHERE tenant = 7701
	  UNION ALL SELECT -1 UNION ALL SELECT (SELECT max(event_id) FROM event_catalog.events) + 1000
	  UNION ALL SELECT :deleted_id) e;
SELECT count(*) AS writes, count(DISTINCT w.event_id) AS events,
	   count(*) FILTER (WHERE w.vals ? 'email') AS with_email
FROM writes_ids, event_catalog_internal.event_writes(writes_ids.ids) w;
SELECT (SELECT array_agg(w ORDER BY w.event_id) FROM event_catalog_internal.event_writes(ids) w)
	   IS NOT DISTINCT FROM
	   (SELECT array_agg(w ORDER BY w.event_id) FROM event_catalog_internal.event_writes(ids_desc) w)
	   AS same_writes_any_order
FROM writes_ids;
ROLLBACK;
