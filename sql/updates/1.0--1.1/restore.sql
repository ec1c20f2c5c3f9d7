/*
 * updates/1.0--1.1/restore.sql
 *	  Restore keeps what was stored: an event type with stored events is
 *	  not dropped, and the operator's indexes, customers columns and tenant
 *	  isolation are recorded (those made under 1.0 are recorded here).
 */

CREATE TRIGGER event_types_in_use
	BEFORE DELETE ON event_catalog.event_types
	FOR EACH ROW EXECUTE FUNCTION event_catalog_internal.refuse_drop_of_used_event();

\ir ../../restore/triggers.sql

-- what the operator added under 1.0: customers columns, tenant isolation,
-- and indexes on the extension's tables other than 1.0's own and this
-- update's
SELECT event_catalog_internal.record_customers_columns();
INSERT INTO event_catalog.operator_ddl (kind, name, definition)
SELECT 'tenant_isolation', 'tenant_isolation', 'SELECT event_catalog.enable_tenant_isolation()'
WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_policy p
			  WHERE p.polrelid = 'event_catalog.events'::pg_catalog.regclass AND p.polname = 'tenant_isolation')
ON CONFLICT (kind, name) DO NOTHING;
INSERT INTO event_catalog.operator_ddl (kind, name, definition)
SELECT 'index', i.relname, pg_catalog.pg_get_indexdef(i.oid)
FROM pg_catalog.pg_index x
JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
JOIN pg_catalog.pg_class t ON t.oid = x.indrelid
WHERE t.relnamespace = 'event_catalog'::pg_catalog.regnamespace
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conindid = i.oid)
  -- not made by this update
  AND i.xmin OPERATOR(pg_catalog.<>) pg_catalog.xid(pg_catalog.pg_current_xact_id())
  AND i.relname <> ALL (ARRAY['events_customer_idx', 'rejected_events_rejected_at_idx',
							  'customer_updates_customer_idx', 'consent_log_customer_idx',
							  'self_exclusions_open_idx', 'self_exclusion_anomalies_customer_idx'])
ON CONFLICT (kind, name) DO NOTHING;
