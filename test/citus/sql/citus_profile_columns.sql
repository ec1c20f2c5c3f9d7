-- A customers column added on a cluster (the README's recipe: ALTER TABLE,
-- then build_profile_functions() on the coordinator): the merge on every
-- worker writes it, and a value kept in attributes before the column
-- existed moves into it on its shard.
SELECT event_catalog.track(jsonb_build_object('tenant', 830, 'timestamp', '2026-06-01T10:00:00Z',
		'event', 'ootb_user_details_update', 'customer', 'pc' || i, 'context', '{}'::jsonb)) > 0 AS tracked
FROM generate_series(1, 4) i;
SELECT count(*) AS upserted FROM event_catalog.upsert_customers(830, (
	SELECT jsonb_agg(jsonb_build_object('customer_id', 'pc' || i, 'attributes', jsonb_build_object('tier', 'gold' || i)))
	FROM generate_series(1, 4) i)) WHERE status <> 'rejected';
SELECT customer_id, attributes FROM event_catalog.customers WHERE tenant = 830 ORDER BY 1;
-- (on both workers)
SELECT count(DISTINCT p.nodeport) AS workers
FROM generate_series(1, 4) i, pg_catalog.pg_dist_shard_placement p
WHERE p.shardid = pg_catalog.get_shard_id_for_distribution_column('event_catalog.customers', 'pc' || i);
ALTER TABLE event_catalog.customers ADD COLUMN tier text;
SELECT event_catalog.build_profile_functions();
-- the values kept in attributes are in the column now, on every shard
SELECT customer_id, tier, attributes FROM event_catalog.customers WHERE tenant = 830 ORDER BY 1;
-- and the merge on the workers writes the column
SELECT count(*) AS upserted FROM event_catalog.upsert_customers(830,
	'[{"customer_id": "pc1", "attributes": {"tier": "silver"}}, {"customer_id": "pc5", "attributes": {"tier": "bronze"}}]') WHERE status <> 'rejected';
SELECT customer_id, tier, attributes FROM event_catalog.customers WHERE tenant = 830 ORDER BY 1;
-- clean up
DELETE FROM event_catalog.events WHERE tenant = 830;
DELETE FROM event_catalog.customer_updates WHERE tenant = 830;
DELETE FROM event_catalog.customers WHERE tenant = 830;
ALTER TABLE event_catalog.customers DROP COLUMN tier;
SELECT event_catalog.build_profile_functions();
