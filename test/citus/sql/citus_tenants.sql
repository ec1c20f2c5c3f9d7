-- Tenant isolation on the cluster: the policies call tenant_visible()
-- (Citus refuses the single node's sub-selects on distributed tables), so
-- two tenant roles through the coordinator each see and write only their
-- tenant, on every shard; admins see all; off again at the end.
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE ROLE regress_ct_a LOGIN IN ROLE event_catalog_writer, event_catalog_reader;
CREATE ROLE regress_ct_b LOGIN IN ROLE event_catalog_writer, event_catalog_reader;
RESET client_min_messages;
INSERT INTO event_catalog.tenant_roles VALUES ('regress_ct_a', 901), ('regress_ct_b', 902);
SELECT count(*) AS stored FROM event_catalog.track_batch(ARRAY[
  '{"tenant": 901, "timestamp": "2026-06-09T12:00:00Z", "event": "ootb_user_details_update", "customer": "a1", "context": {"ootb_email": "a1@example.com"}}',
  '{"tenant": 902, "timestamp": "2026-06-09T12:00:00Z", "event": "ootb_user_details_update", "customer": "b1", "context": {"ootb_email": "b1@example.com"}}'
]::jsonb[]) WHERE status = 'stored';
SELECT event_catalog.enable_tenant_isolation();
-- the policies on the tables and on their shards
SELECT count(*) AS policies FROM pg_policy WHERE polname = 'tenant_isolation'
   AND polrelid::regclass::text IN ('event_catalog.events', 'event_catalog.customers', 'event_catalog.consent_log');
SELECT count(*) > 0 AS on_every_shard
FROM run_command_on_shards('event_catalog.events',
	$$SELECT count(*) FROM pg_policy WHERE polrelid = '%s'::regclass AND polname = 'tenant_isolation'$$)
HAVING bool_and(result = '1');

SET ROLE regress_ct_a;
SELECT DISTINCT tenant FROM event_catalog.events WHERE tenant IS NOT NULL ORDER BY 1;
SELECT tenant, customer_id, email FROM event_catalog.customers ORDER BY 1, 2;
SELECT count(*) AS quarantine_seen FROM event_catalog.rejected_events;
-- its own tenant: INSERT, track, track_batch (COPY FROM is refused under
-- row-level security, by PostgreSQL, as on a single node)
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 901, "timestamp": "2026-06-09T12:01:00Z", "event": "ootb_login", "customer": "a2"}');
SELECT event_catalog.track('{"tenant": 901, "timestamp": "2026-06-09T12:02:00Z", "event": "ootb_login", "customer": "a3"}') > 0 AS tracked;
SELECT ordinal, status FROM event_catalog.track_batch(ARRAY[
  '{"tenant": 901, "timestamp": "2026-06-09T12:03:00Z", "event": "ootb_login", "customer": "a4"}']::jsonb[]);
-- the other tenant: refused, whether or not the event is stored
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 902, "timestamp": "2026-06-09T12:00:00Z", "event": "ootb_user_details_update", "customer": "b1", "context": {"ootb_email": "b1@example.com"}}');
SELECT event_catalog.track('{"tenant": 902, "timestamp": "2026-06-09T12:05:00Z", "event": "ootb_login", "customer": "b9"}');
SELECT * FROM event_catalog.track_batch(ARRAY[
  '{"tenant": 902, "timestamp": "2026-06-09T12:05:00Z", "event": "ootb_login", "customer": "b9"}']::jsonb[]);
SELECT count(*) AS a_events FROM event_catalog.events;
RESET ROLE;

SET ROLE regress_ct_b;
SELECT DISTINCT tenant FROM event_catalog.events WHERE tenant IS NOT NULL ORDER BY 1;
SELECT tenant, customer_id, email FROM event_catalog.customers ORDER BY 1, 2;
SELECT count(*) AS b_sees_901 FROM event_catalog.events WHERE tenant = 901;
SELECT count(*) AS b_sees_a_customers FROM event_catalog.customers WHERE customer_id LIKE 'a%';
RESET ROLE;

-- the superuser (and admins) see every tenant; distribute() keeps it on
SELECT count(DISTINCT tenant) >= 2 AS admin_sees_all FROM event_catalog.events WHERE tenant IN (901, 902);
SELECT event_catalog.distribute();
SELECT relrowsecurity AS still_isolated FROM pg_class WHERE oid = 'event_catalog.events'::regclass;
SET ROLE regress_ct_b;
SELECT DISTINCT tenant FROM event_catalog.events WHERE tenant IS NOT NULL ORDER BY 1;
RESET ROLE;

SELECT event_catalog.disable_tenant_isolation();
SET ROLE regress_ct_b;
SELECT DISTINCT tenant FROM event_catalog.events WHERE tenant IN (901, 902) ORDER BY 1;
RESET ROLE;
DELETE FROM event_catalog.tenant_roles WHERE role IN ('regress_ct_a'::regrole, 'regress_ct_b'::regrole);
