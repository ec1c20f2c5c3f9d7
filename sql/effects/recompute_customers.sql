/*
 * effects/recompute_customers.sql
 *	  Rebuild customers' derived state from what remains (after deletes).
 */

-- recompute the derived state of customers from what remains (by
-- customer: index paths only, as in the merge functions it calls)
CREATE OR REPLACE FUNCTION event_catalog_internal.recompute_customers(customers event_catalog_internal.customer_ref[])
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
	IF cardinality(customers) = 0 THEN
		RETURN;
	END IF;
	PERFORM event_catalog_internal.lock_customers(customers);
	DELETE FROM event_catalog.customers c
	WHERE (c.tenant, c.customer_id) IN (SELECT r.tenant, r.customer_id FROM unnest(customers) r);
	PERFORM event_catalog_internal.merge_customer_event_writes(customers);
	PERFORM event_catalog_internal.merge_customer_api_writes(customers);
	PERFORM event_catalog_internal.recompute_self_exclusions(customers);
END
$$;

REVOKE ALL ON FUNCTION event_catalog_internal.recompute_customers(event_catalog_internal.customer_ref[]) FROM PUBLIC;
