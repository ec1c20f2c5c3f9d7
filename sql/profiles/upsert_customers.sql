/*
 * profiles/upsert_customers.sql
 *	  The Customer Data API equivalent: batch profile writes.
 */

/*
 * upsert_customers(tenant, customers): a batch of
 * {"customer_id": ..., "attributes": {...}, "timestamp": ...}.  Attribute
 * keys may carry the ootb_ prefix or not; values of User Details Update
 * params are validated as in the event, other keys are custom attributes
 * (scalars, strings of at most 255 characters).  Returns per element what
 * happened; one bad element is reported and does not stop the others.
 */
CREATE OR REPLACE FUNCTION event_catalog.upsert_customers(tenant integer, customers jsonb)
RETURNS TABLE (ordinal integer, customer_id text, status text, problems jsonb)
LANGUAGE plpgsql VOLATILE STRICT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_tenant	constant integer := upsert_customers.tenant;
	v_elem		jsonb;
	v_ord		integer := 0;
	v_write		record;
	v_results	jsonb := '[]';	-- [{ord, id, status, problems, update_id}]
	v_update_id	bigint;
	v_ids		bigint[] := '{}';	v_won	bigint[] := '{}';	-- written, winning
	v_before	jsonb;
	v_after		jsonb;
BEGIN
	IF v_tenant <= 0 THEN
		RAISE EXCEPTION 'tenant % is not a positive integer', v_tenant
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- the tenant barrier: this function runs as the owner, so it asks for
	-- the role it acts for what the policies would answer
	IF NOT event_catalog_internal.may_write_tenant(event_catalog_internal.outer_user(), v_tenant) THEN
		RAISE EXCEPTION 'role "%" may not write customers of tenant %',
			pg_get_userbyid(event_catalog_internal.outer_user()), v_tenant
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('Tenant isolation is enabled and tenant %s is not bound to the role in event_catalog.tenant_roles.', v_tenant),
				  HINT = 'An administrator binds tenants to roles in event_catalog.tenant_roles.';
	END IF;
	IF jsonb_typeof(customers) <> 'array' THEN
		RAISE EXCEPTION 'customers must be a JSON array, not %', jsonb_typeof(customers)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass [{"customer_id": ..., "attributes": {...}, "timestamp": ...}, ...].';
	END IF;

	-- the customers named, locked (as event loads lock them) and as they are
	PERFORM event_catalog_internal.lock_customers(ARRAY(
		SELECT DISTINCT ROW(v_tenant, e->>'customer_id')::event_catalog_internal.customer_ref
		FROM jsonb_array_elements(customers) e
		WHERE jsonb_typeof(e) = 'object' AND jsonb_typeof(e->'customer_id') = 'string'));
	SELECT COALESCE(jsonb_object_agg(c.customer_id,
			   to_jsonb(c) - 'attribute_versions' - 'created_at' - 'updated_at'), '{}')
	INTO v_before
	FROM event_catalog.customers c
	WHERE c.tenant = v_tenant
	  AND c.customer_id IN (SELECT e->>'customer_id' FROM jsonb_array_elements(customers) e
							WHERE jsonb_typeof(e) = 'object');

	FOR v_elem IN SELECT e FROM jsonb_array_elements(customers) e LOOP
		v_ord := v_ord + 1;
		-- the element checked with the rules of a User Details Update (C)
		v_write := event_catalog_internal.check_customer_write(v_elem);

		IF EXISTS (SELECT 1 FROM jsonb_array_elements(v_write.problems) p WHERE p->>'severity' = 'error') THEN
			v_results := v_results || jsonb_build_object('ord', v_ord, 'id', v_write.customer_id,
				'status', 'rejected', 'problems', v_write.problems);
			CONTINUE;
		END IF;

		INSERT INTO event_catalog.customer_updates (tenant, customer_id, attributes, occurred_at)
		VALUES (v_tenant, v_write.customer_id, v_write.attributes, COALESCE(v_write.occurred_at, clock_timestamp()))
		RETURNING update_id INTO v_update_id;
		v_ids := v_ids || v_update_id;
		v_results := v_results || jsonb_build_object('ord', v_ord, 'id', v_write.customer_id, 'update_id', v_update_id,
			'problems', CASE WHEN jsonb_array_length(v_write.problems) > 0 THEN v_write.problems END);
	END LOOP;

	IF cardinality(v_ids) > 0 THEN
		SELECT COALESCE(jsonb_object_agg(c.customer_id,
				   to_jsonb(c) - 'attribute_versions' - 'created_at' - 'updated_at'), '{}')
		INTO v_after
		FROM event_catalog.customers c
		WHERE c.tenant = v_tenant
		  AND c.customer_id IN (SELECT u.customer_id FROM event_catalog.customer_updates u
								WHERE u.update_id = ANY (v_ids));
	END IF;

	/*
	 * The writes that won at least one attribute: the version of one of
	 * the customer's attributes is theirs (one query joining the customer
	 * to its writes by their key: on Citus it runs on every shard).
	 */
	IF cardinality(v_ids) > 0 THEN
		SELECT COALESCE(array_agg(DISTINCT u.update_id), '{}') INTO v_won
		FROM event_catalog.customer_updates u
		JOIN event_catalog.customers c ON c.tenant = u.tenant AND c.customer_id = u.customer_id
		CROSS JOIN LATERAL jsonb_each_text(c.attribute_versions) cv
		WHERE u.update_id = ANY (v_ids)
		  AND cv.value = event_catalog_internal.api_write_version(u.occurred_at, u.attributes);
	END IF;

	/*
	 * Status of each accepted element: a write that won at least one
	 * attribute inserted the customer (the first such element of a new
	 * customer) or updated it (if the row changed); any other is unchanged.
	 */
	RETURN QUERY
	WITH r AS (
		SELECT (x->>'ord')::integer AS ord, x->>'id' AS id, x->>'status' AS status,
			   NULLIF(x->'problems', 'null') AS problems, (x->>'update_id')::bigint AS update_id
		FROM jsonb_array_elements(v_results) x
	), won AS (
		SELECT r.*, r.update_id = ANY (v_won) AS won
		FROM r WHERE r.status IS NULL
	)
	SELECT r.ord, r.id, r.status, r.problems FROM r WHERE r.status IS NOT NULL
	UNION ALL
	SELECT w.ord, w.id,
		   CASE WHEN NOT w.won THEN 'unchanged'
				WHEN NOT v_before ? w.id
					 AND w.ord = min(w.ord) FILTER (WHERE w.won) OVER (PARTITION BY w.id)
					THEN 'inserted'
				WHEN v_before -> w.id IS DISTINCT FROM v_after -> w.id THEN 'updated'
				ELSE 'unchanged' END,
		   w.problems
	FROM won w
	ORDER BY 1;
END
$$;

COMMENT ON FUNCTION event_catalog.upsert_customers(integer, jsonb) IS
	'Batch profile writes [{customer_id, attributes, timestamp}]: per customer inserted, updated, unchanged or rejected.';

REVOKE ALL ON FUNCTION event_catalog.upsert_customers(integer, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.upsert_customers(integer, jsonb) TO event_catalog_writer;
