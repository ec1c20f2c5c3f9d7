/*
 * profiles/upsert_customer.sql
 *	  The legacy single-customer profile write.
 */

CREATE OR REPLACE FUNCTION event_catalog.upsert_customer(tenant integer, customer_id text, attributes jsonb)
RETURNS text
LANGUAGE plpgsql VOLATILE STRICT
-- as the owner, to reach the internal problem formatter; only the writer may call it
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r			record;
	v_detail	text;
BEGIN
	SELECT * INTO r FROM event_catalog.upsert_customers(tenant,
		jsonb_build_array(jsonb_build_object('customer_id', customer_id, 'attributes', attributes)));
	IF r.status = 'rejected' THEN
		v_detail := event_catalog_internal.problems_text(r.problems);
		RAISE EXCEPTION 'invalid customer "%": %', left(customer_id, 60),
			(SELECT p->>'message' FROM jsonb_array_elements(r.problems) p
			 WHERE p->>'severity' = 'error' LIMIT 1)
			USING ERRCODE = 'invalid_parameter_value', DETAIL = v_detail;
	END IF;
	RETURN r.status;
END
$$;

COMMENT ON FUNCTION event_catalog.upsert_customer(integer, text, jsonb) IS
	'Legacy single-customer profile write: inserted, updated or unchanged; an invalid attribute raises 22023.';

REVOKE ALL ON FUNCTION event_catalog.upsert_customer(integer, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.upsert_customer(integer, text, jsonb) TO event_catalog_writer;
