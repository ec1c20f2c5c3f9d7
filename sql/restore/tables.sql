/*
 * restore/tables.sql
 *	  What the operator added to the extension's tables, kept for restore.
 */

/*
 * pg_dump leaves out what an operator adds to an extension's tables (an
 * index on events, a column of customers, the tenant isolation policies),
 * so the extension records it here, in a table pg_dump keeps, and a
 * restore applies it again (restore/operator_ddl.sql).  Written by the
 * extension only: the event trigger records indexes and customers columns,
 * enable_tenant_isolation() the policies.
 */
CREATE TABLE event_catalog.operator_ddl (
	kind			text NOT NULL,
	name			text NOT NULL,
	definition		text NOT NULL,
	recorded_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (kind, name),
	CONSTRAINT operator_ddl_kind CHECK (kind IN ('index', 'customers_column', 'tenant_isolation'))
);

COMMENT ON TABLE event_catalog.operator_ddl IS
	'What the operator added to the extension''s tables (indexes, customers columns, tenant isolation), kept by pg_dump and applied again on restore.';

SELECT pg_catalog.pg_extension_config_dump('event_catalog.operator_ddl', '');

GRANT SELECT ON event_catalog.operator_ddl TO event_catalog_admin;
