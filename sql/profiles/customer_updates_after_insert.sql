/*
 * profiles/customer_updates_after_insert.sql
 *	  API writes are merged once per statement, however they are inserted
 *	  (by upsert_customers, or by a restore from pg_dump).
 */

CREATE OR REPLACE FUNCTION event_catalog_internal.customer_updates_after_insert()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- on a Citus shard: its SQL reads the colocated shards (src/citus.c)
	PERFORM event_catalog_internal.citus_enter_shard(TG_RELID);
	PERFORM event_catalog_internal.lock_customers(ARRAY(
		SELECT DISTINCT ROW(n.tenant, n.customer_id)::event_catalog_internal.customer_ref FROM new_updates n));
	PERFORM event_catalog_internal.merge_api_writes(ARRAY(SELECT n.update_id FROM new_updates n));
	RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.customer_updates_after_insert() FROM PUBLIC;
