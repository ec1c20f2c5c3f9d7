/*
 * profiles/customer_updates_after_delete.sql
 *	  Deleted API writes: the affected customers are recomputed from what
 *	  remains, once per statement (as for deleted events).
 */

CREATE OR REPLACE FUNCTION event_catalog_internal.customer_updates_after_delete()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off
AS $$
BEGIN
	-- on a Citus shard: its SQL reads the colocated shards (src/citus.c)
	PERFORM event_catalog_internal.citus_enter_shard(TG_RELID);
	DELETE FROM event_catalog.consent_log l
	USING old_updates o
	WHERE l.tenant = o.tenant AND l.customer_id = o.customer_id AND l.update_id = o.update_id;
	PERFORM event_catalog_internal.recompute_customers(
		ARRAY(SELECT DISTINCT ROW(o.tenant, o.customer_id)::event_catalog_internal.customer_ref
			  FROM old_updates o
			  ORDER BY 1));
	RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.customer_updates_after_delete() FROM PUBLIC;
