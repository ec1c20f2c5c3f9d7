/*
 * erasure/erase_customer.sql
 *	  Erase a customer: one call for a right-to-erasure request.
 */

/*
 * erase_customer(tenant, customer_id): remove what the extension holds of
 * the customer (events, API writes, quarantined lines that name them,
 * profile, consent history) and return what was removed and what was kept.
 *
 * Kept, because a regulator expects an exclusion to stay in force: the
 * customer's self-exclusion events (identity, times, exclusion type,
 * duration, reason, brand, license: no contact data), the episodes and the
 * anomalies derived from them.  They keep is_self_excluded() true and
 * recreate the exclusion if the customer comes back.
 */
CREATE OR REPLACE FUNCTION event_catalog.erase_customer(tenant integer, customer_id text)
RETURNS TABLE (what text, action text, rows bigint)
LANGUAGE plpgsql STRICT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_ref		constant event_catalog_internal.customer_ref[] :=
		ARRAY[ROW(erase_customer.tenant, erase_customer.customer_id)::event_catalog_internal.customer_ref];
	v_json		constant text := to_json(erase_customer.customer_id)::text;
	n			bigint;
BEGIN
	PERFORM event_catalog_internal.lock_customers(v_ref);

	-- API writes first, so that the recompute the event delete runs finds none
	DELETE FROM event_catalog.customer_updates u
	WHERE u.tenant = erase_customer.tenant AND u.customer_id = erase_customer.customer_id;
	GET DIAGNOSTICS n = ROW_COUNT;
	what := 'customer_updates'; action := 'removed'; rows := n; RETURN NEXT;

	-- the profile (the event delete's recompute then finds nothing to rebuild
	-- it from)
	DELETE FROM event_catalog.customers c
	WHERE c.tenant = erase_customer.tenant AND c.customer_id = erase_customer.customer_id;
	GET DIAGNOSTICS n = ROW_COUNT;
	what := 'customers'; action := 'removed'; rows := n; RETURN NEXT;

	-- every event but the self-exclusion ones; the delete trigger recomputes
	-- the episodes from what remains
	DELETE FROM event_catalog.events e
	WHERE e.tenant = erase_customer.tenant AND e.customer_id = erase_customer.customer_id
	  AND NOT EXISTS (SELECT 1 FROM event_catalog.event_types t
					  WHERE t.event_key = e.event_key AND t.category = 'self_exclusion');
	GET DIAGNOSTICS n = ROW_COUNT;
	what := 'events'; action := 'removed'; rows := n; RETURN NEXT;

	-- quarantined lines that name the customer: by the identity read from
	-- them, or as the JSON string anywhere in a line of no tenant or theirs
	DELETE FROM event_catalog.rejected_events r
	WHERE (r.tenant = erase_customer.tenant AND r.customer_id = erase_customer.customer_id)
	   OR ((r.tenant IS NULL OR r.tenant = erase_customer.tenant)
		   AND (strpos(r.raw_line, v_json) > 0 OR strpos(r.payload::text, v_json) > 0));
	GET DIAGNOSTICS n = ROW_COUNT;
	what := 'rejected_events'; action := 'removed'; rows := n; RETURN NEXT;

	DELETE FROM event_catalog.consent_log l
	WHERE l.tenant = erase_customer.tenant AND l.customer_id = erase_customer.customer_id;
	GET DIAGNOSTICS n = ROW_COUNT;
	what := 'consent_log'; action := 'removed'; rows := n; RETURN NEXT;

	what := 'events'; action := 'kept (self-exclusion)';
	SELECT count(*) INTO rows FROM event_catalog.events e
	WHERE e.tenant = erase_customer.tenant AND e.customer_id = erase_customer.customer_id;
	RETURN NEXT;
	what := 'self_exclusions'; action := 'kept (self-exclusion)';
	SELECT count(*) INTO rows FROM event_catalog.self_exclusions s
	WHERE s.tenant = erase_customer.tenant AND s.customer_id = erase_customer.customer_id;
	RETURN NEXT;
END
$$;

COMMENT ON FUNCTION event_catalog.erase_customer(integer, text) IS
	'Erase a customer (events, API writes, quarantined lines, profile, consent history); self-exclusion events and episodes are kept so the exclusion stays in force.';
REVOKE ALL ON FUNCTION event_catalog.erase_customer(integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.erase_customer(integer, text) TO event_catalog_admin;
