/*
 * updates/1.0--1.1/tenants_after.sql
 *	  After the functions: an install that had 1.0's isolation enabled gets
 *	  1.1's policies (the barrier of tenant_roles) in place of the old ones.
 */
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_policy p
			   WHERE p.polname = 'tenant_isolation'
				 AND p.polrelid = 'event_catalog.events'::pg_catalog.regclass) THEN
		PERFORM event_catalog_internal.set_tenant_isolation(true);
	END IF;
END
$$;
