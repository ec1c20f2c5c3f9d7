/*
 * updates/1.0--1.1/tenants.sql
 *	  1.1's tenant barrier and bookkeeping privileges, for a 1.0 install
 *	  (before the functions: may_write_tenant reads tenant_roles).
 */

-- the bindings of roles to tenants (read by the isolation policies)
\ir ../../tenant_isolation/tables.sql

-- nobody writes the quarantine or the duplicate counts but the insert trigger
REVOKE INSERT ON event_catalog.rejected_events FROM event_catalog_writer;
REVOKE INSERT, UPDATE ON event_catalog.duplicate_counts FROM event_catalog_writer;

-- writers run self_exclusion_report, which counts the anomalies
GRANT SELECT ON event_catalog.self_exclusion_anomalies TO event_catalog_writer;

-- the history view reads with the reader's own privileges and policies
ALTER VIEW event_catalog.customer_changes SET (security_invoker = true);
