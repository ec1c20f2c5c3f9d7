/*
 * tenant_isolation/tenant_isolation.sql
 *	  Per-tenant row-level security: a barrier keyed by role membership.
 */

/*
 * enable_tenant_isolation(): every table with a tenant column (but
 * tenant_roles, which has its own policies) gets row-level security with a
 * policy that shows and accepts only the rows of the tenants bound in
 * event_catalog.tenant_roles to a role the querying role is a member of;
 * members of event_catalog_admin see every row, including quarantined lines
 * whose tenant could not be read.  event_catalog.loads, which has no
 * tenant, shows a role the loads it ran.  What a role SETs changes nothing.  The
 * owner (and so the upkeep) is not subject to it.  Both sub-selects run once
 * per statement.  disable_tenant_isolation() removes it.
 */
CREATE OR REPLACE FUNCTION event_catalog_internal.set_tenant_isolation(enabled boolean)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
AS $$
DECLARE
	t text;
	cluster boolean;
BEGIN
	-- Citus does not take policies with sub-selects on distributed tables:
	-- after distribute() they call tenant_visible(), which reads the node's
	-- copy of tenant_roles once per statement (src/tenant.c)
	cluster := EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'event_catalog.events'::regclass
					   AND attname = 'person_key' AND NOT attisdropped);
	-- the policies run as the querying role: every role may call it there
	-- (it answers for the calling role only); not on a single node
	IF enabled AND cluster THEN
		GRANT EXECUTE ON FUNCTION event_catalog_internal.tenant_visible(integer) TO PUBLIC;
		PERFORM pg_catalog.run_command_on_workers(
			'GRANT EXECUTE ON FUNCTION event_catalog_internal.tenant_visible(integer) TO PUBLIC');
	END IF;
	-- every table of the extension that has a tenant column
	FOR t IN
		SELECT c.relname FROM pg_class c
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant' AND NOT a.attisdropped
		WHERE c.relnamespace = 'event_catalog'::regnamespace AND c.relkind = 'r'
		  AND c.relname <> 'tenant_roles'
		ORDER BY c.relname
	LOOP
		EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON event_catalog.%I', t);
		IF enabled THEN
			EXECUTE format('ALTER TABLE event_catalog.%I ENABLE ROW LEVEL SECURITY', t);
			IF cluster THEN
				EXECUTE format($p$CREATE POLICY tenant_isolation ON event_catalog.%I
					USING (event_catalog_internal.tenant_visible(tenant))
					WITH CHECK (event_catalog_internal.tenant_visible(tenant))
					$p$, t);
				CONTINUE;
			END IF;
			EXECUTE format($p$CREATE POLICY tenant_isolation ON event_catalog.%I
				USING ((SELECT pg_catalog.pg_has_role('event_catalog_admin', 'MEMBER'))
					   OR tenant OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT r.tenant FROM event_catalog.tenant_roles r)))
				WITH CHECK ((SELECT pg_catalog.pg_has_role('event_catalog_admin', 'MEMBER'))
					   OR tenant OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT r.tenant FROM event_catalog.tenant_roles r)))
				$p$, t);
		ELSE
			EXECUTE format('ALTER TABLE event_catalog.%I DISABLE ROW LEVEL SECURITY', t);
		END IF;
	END LOOP;

	-- loads have no tenant (one load may hold several): a role sees the
	-- loads run by a role it is a member of (admins: all)
	DROP POLICY IF EXISTS tenant_isolation ON event_catalog.loads;
	IF enabled THEN
		ALTER TABLE event_catalog.loads ENABLE ROW LEVEL SECURITY;
		CREATE POLICY tenant_isolation ON event_catalog.loads FOR SELECT
			USING ((SELECT pg_catalog.pg_has_role('event_catalog_admin', 'MEMBER'))
				   OR loaded_by OPERATOR(pg_catalog.=) ANY (ARRAY(
						SELECT r.rolname::text FROM pg_catalog.pg_roles r
						WHERE pg_catalog.pg_has_role(r.oid, 'MEMBER'))));
	ELSE
		ALTER TABLE event_catalog.loads DISABLE ROW LEVEL SECURITY;
	END IF;

	-- pg_dump leaves the policies out: the record brings them back (restore/)
	IF enabled THEN
		INSERT INTO event_catalog.operator_ddl (kind, name, definition)
		VALUES ('tenant_isolation', 'tenant_isolation', 'SELECT event_catalog.enable_tenant_isolation()')
		ON CONFLICT (kind, name) DO NOTHING;
	ELSE
		DELETE FROM event_catalog.operator_ddl o WHERE o.kind = 'tenant_isolation';
	END IF;
END
$$;

/*
 * May a role write a tenant?  What the policies answer for it: yes without
 * isolation, for the owner, a superuser or a role that bypasses row-level
 * security, for members of event_catalog_admin, and for the tenants bound
 * to a role it is a member of.  For SECURITY DEFINER functions, which the
 * policies do not reach (they run as the owner): they ask it for
 * outer_user().
 */
CREATE OR REPLACE FUNCTION event_catalog_internal.may_write_tenant(role_id oid, tenant integer)
RETURNS boolean
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT NOT c.relrowsecurity
		OR c.relowner OPERATOR(pg_catalog.=) may_write_tenant.role_id
		OR r.rolsuper OR r.rolbypassrls
		OR pg_catalog.pg_has_role(may_write_tenant.role_id, 'event_catalog_admin', 'MEMBER')
		OR EXISTS (SELECT 1 FROM event_catalog.tenant_roles t
				   WHERE t.tenant OPERATOR(pg_catalog.=) may_write_tenant.tenant
					 AND pg_catalog.pg_has_role(may_write_tenant.role_id, t.role, 'MEMBER'))
	FROM pg_catalog.pg_class c, pg_catalog.pg_roles r
	WHERE c.oid = 'event_catalog.customers'::pg_catalog.regclass
	  AND r.oid OPERATOR(pg_catalog.=) may_write_tenant.role_id
$$;

-- the policy of tenant isolation on a Citus cluster (src/tenant.c): may
-- the current role see this tenant (null: admins only)
CREATE OR REPLACE FUNCTION event_catalog_internal.tenant_visible(tenant integer)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ec_tenant_visible'
LANGUAGE C STABLE PARALLEL SAFE;

-- the role outside every SECURITY DEFINER function (src/tenant.c)
CREATE OR REPLACE FUNCTION event_catalog_internal.outer_user()
RETURNS oid
AS 'MODULE_PATHNAME', 'ec_outer_user'
LANGUAGE C STABLE STRICT;

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

REVOKE ALL ON FUNCTION event_catalog_internal.set_tenant_isolation(boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.may_write_tenant(oid, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.outer_user() FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.tenant_visible(integer) FROM PUBLIC;
COMMENT ON FUNCTION event_catalog.enable_tenant_isolation() IS
	'Tenant isolation on: every role sees and writes only the tenants bound to its roles in tenant_roles (admins: all).';
REVOKE ALL ON FUNCTION event_catalog.enable_tenant_isolation() FROM PUBLIC;
COMMENT ON FUNCTION event_catalog.disable_tenant_isolation() IS
	'Tenant isolation off: every role with the grants sees every tenant.';
REVOKE ALL ON FUNCTION event_catalog.disable_tenant_isolation() FROM PUBLIC;
COMMENT ON FUNCTION event_catalog.current_tenant() IS
	'The tenant of the setting event_catalog.tenant, or null (a label for the application; isolation does not use it).';
REVOKE ALL ON FUNCTION event_catalog.current_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.current_tenant() TO PUBLIC;
