/*
 * self_exclusion/is_self_excluded.sql
 *	  Is a customer self-excluded at a time?
 */

-- in force at a time: requested by then and not lifted by then
CREATE OR REPLACE FUNCTION event_catalog.is_self_excluded(tenant integer, customer_id text,
											   at timestamptz DEFAULT pg_catalog.now())
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (
		SELECT 1 FROM event_catalog.self_exclusions s
		WHERE s.tenant = is_self_excluded.tenant
		  AND s.customer_id = is_self_excluded.customer_id
		  AND s.requested_at <= is_self_excluded.at
		  AND (s.lifted_at IS NULL OR s.lifted_at > is_self_excluded.at))
	OR EXISTS (
		-- an exclusion kept through the customer's erasure
		SELECT 1 FROM event_catalog.erased_exclusions x
		WHERE x.tenant = is_self_excluded.tenant
		  AND x.customer_digest = sha256(convert_to(is_self_excluded.customer_id, 'UTF8'))
		  AND x.in_force @> is_self_excluded.at)
$$;

COMMENT ON FUNCTION event_catalog.is_self_excluded(integer, text, timestamptz) IS
	'True from the moment a self-exclusion is requested until it is lifted (an expired one stays in force).';

REVOKE ALL ON FUNCTION event_catalog.is_self_excluded(integer, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.is_self_excluded(integer, text, timestamptz) TO event_catalog_reader, event_catalog_writer, event_catalog_admin;
