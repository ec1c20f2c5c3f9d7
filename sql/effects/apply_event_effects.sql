/*
 * effects/apply_event_effects.sql
 *	  The effects of newly stored events, once per statement.
 */

/*
 * event_ids are the events the insert trigger stored with has_effects: the
 * one decision, made from the catalog when each event was stored, that an
 * event takes part in its customer's derived state.  What each does is
 * decided by the same functions the recomputation after deletes uses
 * (recompute_customers): the profile merge takes the event's profile
 * params (profile_values), the lifecycle the five self-exclusion events
 * (lifecycle_rank); nothing here looks at the event's category.
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
BEGIN
	-- lock buckets rather than distinct customers: sorting integers is
	-- cheap, sorting a big load's customer records is not
	SELECT array_agg(DISTINCT event_catalog_internal.customer_bucket(e.tenant, e.customer_id)),
		   array_agg(DISTINCT ROW(e.tenant, e.customer_id)::event_catalog_internal.customer_ref)
			   FILTER (WHERE event_catalog_internal.lifecycle_rank(e.event_key) IS NOT NULL)
	INTO v_buckets, v_excluded
	FROM event_catalog.events e
	WHERE e.event_id = ANY (event_ids) AND e.has_effects AND e.customer_id IS NOT NULL;

	IF v_buckets IS NULL THEN
		RETURN;
	END IF;
	PERFORM event_catalog_internal.lock_buckets(v_buckets);
	PERFORM event_catalog_internal.merge_event_writes(event_ids);
	IF v_excluded IS NOT NULL THEN
		PERFORM event_catalog_internal.recompute_self_exclusions(v_excluded);
	END IF;
END
$$;

REVOKE ALL ON FUNCTION event_catalog_internal.apply_event_effects(bigint[]) FROM PUBLIC;
