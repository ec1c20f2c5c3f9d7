/*
 * erasure/erase_customer.sql
 *	  Erase a customer: everything that names them, but an exclusion.
 */

/*
 * erase_customer(tenant, customer_id): deletes the customer's events, API
 * writes, quarantined events that name them, profile, consent history,
 * episodes and anomalies (the delete triggers recompute what is derived),
 * and returns the rows removed per table.  A self-exclusion that is not
 * lifted stays in force: its periods go to erased_exclusions under a
 * digest of the id, which is_self_excluded and the contact rule read.
 * Only event_catalog_admin may call it.
 */
CREATE OR REPLACE FUNCTION event_catalog.erase_customer(tenant integer, customer_id text)
RETURNS TABLE (what text, rows bigint)
LANGUAGE plpgsql VOLATILE STRICT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_tenant	constant integer := erase_customer.tenant;
	v_id		constant text := erase_customer.customer_id;
	v_digest	constant bytea := sha256(convert_to(v_id, 'UTF8'));
	v_keep		tstzmultirange;
	n_events	bigint;
	n_updates	bigint;
	n_rejected	bigint;
	n_consent	bigint;
	n_customers	bigint;
	n_episodes	bigint;
	n_anomalies	bigint;
BEGIN
	PERFORM event_catalog_internal.lock_customers(
		ARRAY[ROW(v_tenant, v_id)::event_catalog_internal.customer_ref]);

	-- an exclusion not lifted stays in force, under the digest only
	SELECT range_agg(tstzrange(s.requested_at, NULL, '[)')) INTO v_keep
	FROM event_catalog.self_exclusions s
	WHERE s.tenant = v_tenant AND s.customer_id = v_id AND s.lifted_at IS NULL;
	IF v_keep IS NOT NULL THEN
		INSERT INTO event_catalog.erased_exclusions AS x (tenant, customer_digest, in_force)
		VALUES (v_tenant, v_digest, v_keep)
		ON CONFLICT ON CONSTRAINT erased_exclusions_pkey
		DO UPDATE SET in_force = x.in_force + EXCLUDED.in_force, erased_at = EXCLUDED.erased_at;
	END IF;

	-- what is derived, counted before the triggers remove it
	SELECT count(*) INTO n_consent FROM event_catalog.consent_log l
	WHERE l.tenant = v_tenant AND l.customer_id = v_id;
	SELECT count(*) INTO n_customers FROM event_catalog.customers c
	WHERE c.tenant = v_tenant AND c.customer_id = v_id;
	SELECT count(*) INTO n_episodes FROM event_catalog.self_exclusions s
	WHERE s.tenant = v_tenant AND s.customer_id = v_id;
	SELECT count(*) INTO n_anomalies FROM event_catalog.self_exclusion_anomalies a
	WHERE a.tenant = v_tenant AND a.customer_id = v_id;

	-- what was received; the delete triggers recompute the customer from
	-- what remains (nothing: the profile and episodes go)
	DELETE FROM event_catalog.customer_updates u WHERE u.tenant = v_tenant AND u.customer_id = v_id;
	GET DIAGNOSTICS n_updates = ROW_COUNT;
	DELETE FROM event_catalog.events e WHERE e.tenant = v_tenant AND e.customer_id = v_id;
	GET DIAGNOSTICS n_events = ROW_COUNT;
	-- quarantined events that name them: by the customer read, or the
	-- payload's; a line that was not JSON at all, when it holds the id as a
	-- JSON string (its tenant is unknown)
	DELETE FROM event_catalog.rejected_events r
	WHERE (COALESCE(r.tenant::text, r.payload ->> 'tenant') = v_tenant::text
		   AND (r.customer_id = v_id OR r.payload ->> 'customer' = v_id))
	   OR (r.payload IS NULL AND r.raw_line IS NOT NULL
		   AND strpos(r.raw_line, to_jsonb(v_id)::text) > 0);
	GET DIAGNOSTICS n_rejected = ROW_COUNT;

	-- anything derived that the recomputation left
	DELETE FROM event_catalog.consent_log l WHERE l.tenant = v_tenant AND l.customer_id = v_id;
	DELETE FROM event_catalog.self_exclusion_anomalies a WHERE a.tenant = v_tenant AND a.customer_id = v_id;
	DELETE FROM event_catalog.self_exclusions s WHERE s.tenant = v_tenant AND s.customer_id = v_id;
	DELETE FROM event_catalog.customers c WHERE c.tenant = v_tenant AND c.customer_id = v_id;

	RETURN QUERY VALUES
		('events', n_events), ('customer_updates', n_updates), ('rejected_events', n_rejected),
		('customers', n_customers), ('consent_log', n_consent), ('self_exclusions', n_episodes),
		('self_exclusion_anomalies', n_anomalies),
		('erased_exclusions (kept)', CASE WHEN v_keep IS NULL THEN 0::bigint ELSE 1::bigint END);
END
$$;

COMMENT ON FUNCTION event_catalog.erase_customer(integer, text) IS
	'Erase a customer (events, API writes, quarantined events, profile, consent history); an exclusion in force is kept by digest. Rows removed per table.';

REVOKE ALL ON FUNCTION event_catalog.erase_customer(integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.erase_customer(integer, text) TO event_catalog_admin;
