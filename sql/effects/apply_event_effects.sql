/*
 * effects/apply_event_effects.sql
 *	  The effects of newly stored events, once per statement.
 */

CREATE OR REPLACE FUNCTION event_catalog_internal.apply_event_effects(event_ids bigint[])
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_buckets	integer[];
	v_excluded	event_catalog_internal.customer_ref[];
	v_profile	boolean;
BEGIN
	-- lock buckets rather than distinct customers: sorting integers is
	-- cheap, sorting a big load's customer records is not
	SELECT array_agg(DISTINCT event_catalog_internal.customer_bucket(e.tenant, e.customer_id)),
		   array_agg(DISTINCT ROW(e.tenant, e.customer_id)::event_catalog_internal.customer_ref)
			   FILTER (WHERE t.category = 'self_exclusion'),
		   bool_or(t.category <> 'self_exclusion' OR t.category IS NULL)
	INTO v_buckets, v_excluded, v_profile
	FROM event_catalog.events e
	LEFT JOIN event_catalog.event_types t ON t.event_key = e.event_key
	WHERE e.event_id = ANY (event_ids) AND e.customer_id IS NOT NULL;

	IF v_buckets IS NULL THEN
		RETURN;
	END IF;
	PERFORM event_catalog_internal.lock_buckets(v_buckets);
	IF v_profile THEN
		PERFORM event_catalog_internal.merge_event_writes(event_ids);
	END IF;
	IF v_excluded IS NOT NULL THEN
		PERFORM event_catalog_internal.recompute_self_exclusions(v_excluded);
	END IF;
END
$$;

REVOKE ALL ON FUNCTION event_catalog_internal.apply_event_effects(bigint[]) FROM PUBLIC;
