/*
 * tenant_isolation/tables.sql
 *	  Which roles may see and write which tenants.
 */

/*
 * tenant_roles: a role (and every member of it) may see and write the
 * tenants bound to it here, once enable_tenant_isolation() has put the
 * policies in place.  Only event_catalog_admin writes it; every role reads
 * its own bindings (the policies of the other tables read it as the
 * querying role).  The rows are the installation's, so pg_dump keeps them
 * (the roles themselves must exist where it is restored).
 */
CREATE TABLE event_catalog.tenant_roles (
	role			regrole NOT NULL,
	tenant			integer NOT NULL CHECK (tenant > 0),
	PRIMARY KEY (role, tenant)
);

COMMENT ON TABLE event_catalog.tenant_roles IS
	'Tenants bound to roles: under tenant isolation a role sees and writes only the tenants bound to a role it is a member of.';

ALTER TABLE event_catalog.tenant_roles ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_roles_own ON event_catalog.tenant_roles FOR SELECT
	USING (pg_catalog.pg_has_role(role, 'MEMBER'));
CREATE POLICY tenant_roles_admin ON event_catalog.tenant_roles TO event_catalog_admin
	USING (true) WITH CHECK (true);

SELECT pg_catalog.pg_extension_config_dump('event_catalog.tenant_roles', '');

GRANT SELECT ON event_catalog.tenant_roles TO PUBLIC;
GRANT INSERT, UPDATE, DELETE ON event_catalog.tenant_roles TO event_catalog_admin;
