/*
 * tenant_isolation/tenant_isolation.sql
 *	  Optional per-tenant row-level security.
 */

/*
 * enable_tenant_isolation(): every table with a tenant column gets a policy
 * that shows (and accepts) only the rows of the tenant in the setting
 * event_catalog.tenant; without the setting, nothing.  The owner (and so the
 * SECURITY DEFINER upkeep functions) is not subject to it.
 * disable_tenant_isolation() removes it.
 */
CREATE OR REPLACE FUNCTION event_catalog_internal.set_tenant_isolation(enabled boolean)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
AS $$
DECLARE
	t text;
BEGIN
	-- every table of the extension that has a tenant column
	FOR t IN
		SELECT c.relname FROM pg_class c
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant' AND NOT a.attisdropped
		WHERE c.relnamespace = 'event_catalog'::regnamespace AND c.relkind = 'r'
		ORDER BY c.relname
	LOOP
		EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON event_catalog.%I', t);
		IF enabled THEN
			EXECUTE format('ALTER TABLE event_catalog.%I ENABLE ROW LEVEL SECURITY', t);
			-- quarantined lines whose tenant could not be read belong to no tenant
			EXECUTE format($p$CREATE POLICY tenant_isolation ON event_catalog.%I
							  USING (tenant OPERATOR(pg_catalog.=) event_catalog.current_tenant() %2$s)
							  WITH CHECK (tenant OPERATOR(pg_catalog.=) event_catalog.current_tenant() %2$s) $p$,
						   t, CASE WHEN t = 'rejected_events' THEN 'OR tenant IS NULL' ELSE '' END);
		ELSE
			EXECUTE format('ALTER TABLE event_catalog.%I DISABLE ROW LEVEL SECURITY', t);
		END IF;
	END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION event_catalog.enable_tenant_isolation()
RETURNS void
LANGUAGE sql
AS $$ SELECT event_catalog_internal.set_tenant_isolation(true) $$;

CREATE OR REPLACE FUNCTION event_catalog.disable_tenant_isolation()
RETURNS void
LANGUAGE sql
AS $$ SELECT event_catalog_internal.set_tenant_isolation(false) $$;

-- the tenant of event_catalog.tenant, or null
CREATE OR REPLACE FUNCTION event_catalog.current_tenant()
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT NULLIF(pg_catalog.current_setting('event_catalog.tenant', true), '')::integer $$;

GRANT EXECUTE ON FUNCTION event_catalog.current_tenant() TO PUBLIC;

REVOKE ALL ON FUNCTION event_catalog_internal.set_tenant_isolation(boolean) FROM PUBLIC;
COMMENT ON FUNCTION event_catalog.enable_tenant_isolation() IS
	'Give every table with a tenant column a policy showing only the rows of the tenant in event_catalog.tenant.';
REVOKE ALL ON FUNCTION event_catalog.enable_tenant_isolation() FROM PUBLIC;
COMMENT ON FUNCTION event_catalog.disable_tenant_isolation() IS
	'Remove the per-tenant row-level security.';
REVOKE ALL ON FUNCTION event_catalog.disable_tenant_isolation() FROM PUBLIC;
COMMENT ON FUNCTION event_catalog.current_tenant() IS
	'The tenant of the setting event_catalog.tenant, or null (used by the tenant isolation policies).';
REVOKE ALL ON FUNCTION event_catalog.current_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.current_tenant() TO PUBLIC;
