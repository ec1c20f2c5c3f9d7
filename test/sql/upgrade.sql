-- upgrade.sql: event_catalog 1.0 with data in it, updated with ALTER
-- EXTENSION UPDATE, equals a fresh install of the current version, object
-- by object (test/sql/describe_extension.psql); and the data loaded under
-- 1.0 keeps working after the update.
\getenv abs_srcdir PG_ABS_SRCDIR
\set describe :abs_srcdir '/sql/describe_extension.psql'
SET client_min_messages = warning;
DROP DATABASE IF EXISTS ec_upgrade_old;
DROP DATABASE IF EXISTS ec_upgrade_new;
CREATE DATABASE ec_upgrade_old;
CREATE DATABASE ec_upgrade_new;

\c ec_upgrade_old
CREATE EXTENSION event_catalog VERSION '1.0';
SELECT event_catalog.define_event('{"event": "vip_update", "requires_customer": true,
	"params": [{"key": "tier", "type": "string", "profile_attribute": "vip_tier"}]}');
INSERT INTO event_catalog.events (payload) VALUES
('{"tenant": 1, "timestamp": "2026-06-01T10:00:00Z", "event": "ootb_user_details_update", "customer": "c1",
  "context": {"ootb_email": "old@example.com", "ootb_allow_email": "Yes"}}'),
('{"tenant": 1, "timestamp": "2026-06-01T11:00:00Z", "event": "ootb_self_exclusion_initiated", "customer": "c2"}'),
('{"tenant": 1, "timestamp": "2026-06-01T12:00:00Z", "event": "vip_update", "customer": "c1", "context": {"tier": "gold"}}');
SELECT event_catalog.upsert_customer(1, 'c3', '{"email": "c3@example.com", "allow_email": "Yes"}');

ALTER EXTENSION event_catalog UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'event_catalog';

-- what 1.0 stored is there, and the upkeep runs with the 1.1 functions
SELECT customer_id, email, allow_email, attributes FROM event_catalog.customers ORDER BY 1;
INSERT INTO event_catalog.events (payload) VALUES
('{"tenant": 1, "timestamp": "2026-06-02T10:00:00Z", "event": "ootb_user_details_update", "customer": "c1",
  "context": {"ootb_email": "new@example.com"}}'),
('{"tenant": 1, "timestamp": "2026-05-01T10:00:00Z", "event": "ootb_user_details_update", "customer": "c1",
  "context": {"ootb_email": "older@example.com"}}');
SELECT customer_id, email FROM event_catalog.customers WHERE customer_id = 'c1';
SELECT event_catalog.is_self_excluded(1, 'c2'), event_catalog.can_contact(1, 'c3', 'email');
DELETE FROM event_catalog.events WHERE payload->>'timestamp' = '2026-06-02T10:00:00Z';
SELECT customer_id, email FROM event_catalog.customers WHERE customer_id = 'c1';
SELECT * FROM event_catalog.upsert_customers(1, '[{"customer_id": "c3", "attributes": {"ootb_allow_email": "No"}}]');
\set ECHO none
\i :describe
\set ECHO all
SELECT count(*) > 150 AS described FROM extension_objects;
SELECT string_agg(kind || ' ' || name || ': ' || detail, E'\n') AS upgraded FROM extension_objects \gset

\c ec_upgrade_new
CREATE EXTENSION event_catalog;
\set ECHO none
\i :describe
\set ECHO all
-- every difference between the upgraded and the fresh installation
(SELECT 'only after the upgrade' AS side, l AS object
 FROM unnest(string_to_array(:'upgraded', E'\n')) l
 EXCEPT
 SELECT 'only after the upgrade', kind || ' ' || name || ': ' || detail FROM extension_objects)
UNION ALL
(SELECT 'only in a fresh install', kind || ' ' || name || ': ' || detail FROM extension_objects
 EXCEPT
 SELECT 'only in a fresh install', l FROM unnest(string_to_array(:'upgraded', E'\n')) l)
ORDER BY 1, 2;

-- what an operator added under 1.0 (tenant isolation, a customers column,
-- an index) is recorded by the update, so that a dump made after it keeps it
\c postgres
SET client_min_messages = warning;
DROP DATABASE IF EXISTS ec_upgrade_ops;
CREATE DATABASE ec_upgrade_ops;
RESET client_min_messages;
\c ec_upgrade_ops
CREATE EXTENSION event_catalog VERSION '1.0';
ALTER TABLE event_catalog.customers ADD COLUMN loyalty integer;
SELECT event_catalog.build_profile_functions();
CREATE INDEX events_by_customer_idx ON event_catalog.events (tenant, customer_id);
SELECT event_catalog.enable_tenant_isolation();
ALTER EXTENSION event_catalog UPDATE;
SELECT kind, name, definition FROM event_catalog.operator_ddl ORDER BY kind, name;

\c postgres
SET client_min_messages = warning;
DROP DATABASE ec_upgrade_old;
DROP DATABASE ec_upgrade_new;
DROP DATABASE ec_upgrade_ops;
