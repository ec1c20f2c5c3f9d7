-- restore: what was stored comes back whatever the catalog and settings
-- are at restore time; an event type with stored events is not dropped;
-- what the operator adds to the extension's tables is recorded for
-- pg_dump and applied again when the record comes back
-- (test/t/001_dump_restore.pl runs the real pg_dump / pg_restore)
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_ec_restore_writer;
DROP ROLE IF EXISTS regress_ec_restore_granted;
RESET client_min_messages;
CREATE ROLE regress_ec_restore_writer IN ROLE event_catalog_writer;
CREATE ROLE regress_ec_restore_granted;

SELECT event_catalog.define_event('{"event": "restore_tier", "requires_customer": true,
	"params": [{"key": "tier", "type": "string", "profile_attribute": "restore_tier"}]}');
SELECT event_catalog.track('{"tenant": 120, "timestamp": "2026-06-01T10:00:00Z", "event": "restore_tier", "customer": "r1", "context": {"tier": "gold"}}') > 0 AS stored;

-- drop_event refuses a type with stored events, and so does a DELETE
SELECT event_catalog.drop_event('restore_tier');
DELETE FROM event_catalog.event_types WHERE event_key = 'restore_tier';
-- its SQLSTATE (not VERBOSITY verbose: the source line it names differs
-- between PostgreSQL releases)
\set VERBOSITY sqlstate
SELECT event_catalog.drop_event('restore_tier');
\set VERBOSITY default

-- stored rows come back as they were, under other settings and another
-- catalog: an event accepted as unknown, and events of a type redefined
-- since with a required param they lack
SET event_catalog.unknown_events = accept;
SELECT event_catalog.track('{"tenant": 120, "timestamp": "2026-06-01T11:00:00Z", "event": "restore_unknown", "customer": "r1"}') > 0 AS stored;
RESET event_catalog.unknown_events;
SELECT event_catalog.track('{"tenant": 120, "timestamp": "2026-06-02T10:00:00Z", "event": "ootb_user_details_update", "customer": "r2", "context": {"ootb_city": "Oslo"}}') > 0 AS stored;
CREATE TEMP TABLE kept AS SELECT * FROM event_catalog.events WHERE tenant = 120;
DELETE FROM event_catalog.events WHERE tenant = 120;
SELECT count(*) AS customers_left FROM event_catalog.customers WHERE tenant = 120;
SELECT event_catalog.define_event('{"event": "restore_tier", "requires_customer": true,
	"params": [{"key": "tier", "type": "string", "profile_attribute": "restore_tier"},
			   {"key": "since", "type": "date", "requirement": "mandatory"}]}');
-- what a new load would refuse ...
SELECT event_catalog.is_valid_event(payload) AS valid_now, event_key FROM kept ORDER BY event_id;
-- ... comes back when the row carries what was stored (as pg_restore's COPY does)
INSERT INTO event_catalog.events OVERRIDING SYSTEM VALUE SELECT * FROM kept;
SELECT count(*) AS restored, bool_and(e IS NOT DISTINCT FROM k) AS identical
FROM kept k JOIN event_catalog.events e USING (event_id);
-- and what they derived is derived again
SELECT customer_id, city, attributes FROM event_catalog.customers WHERE tenant = 120 ORDER BY customer_id;

-- only the owner supplies stored rows: a writer may not name content_hash,
-- and a role granted the whole table is refused by the trigger
SET ROLE regress_ec_restore_writer;
INSERT INTO event_catalog.events (payload, content_hash)
SELECT payload, content_hash FROM kept LIMIT 1;
RESET ROLE;
GRANT INSERT ON event_catalog.events TO regress_ec_restore_granted;
SET ROLE regress_ec_restore_granted;
INSERT INTO event_catalog.events (tenant, event_key, customer_id, occurred_at, payload, content_hash)
VALUES (120, 'restore_tier', 'r9', now(), '{"tenant": 120}', gen_random_uuid());
RESET ROLE;
REVOKE ALL ON event_catalog.events FROM regress_ec_restore_granted;

-- deleting the events lets the type go
DELETE FROM event_catalog.events WHERE event_key = 'restore_tier';
SELECT event_catalog.drop_event('restore_tier');

-- the operator's indexes, customers columns and tenant isolation are recorded ...
SELECT count(*) AS records_after_install FROM event_catalog.operator_ddl;
CREATE INDEX events_tenant_customer_idx ON event_catalog.events (tenant, customer_id, occurred_at);
ALTER TABLE event_catalog.customers ADD COLUMN restore_loyalty integer DEFAULT 0;
SELECT event_catalog.build_profile_functions();
SELECT event_catalog.enable_tenant_isolation();
SELECT kind, name, definition FROM event_catalog.operator_ddl ORDER BY kind, name;
-- ... as they change ...
ALTER INDEX event_catalog.events_tenant_customer_idx RENAME TO events_by_customer_idx;
ALTER TABLE event_catalog.customers ALTER COLUMN restore_loyalty TYPE bigint;
SELECT event_catalog.disable_tenant_isolation();
SELECT kind, name, definition FROM event_catalog.operator_ddl ORDER BY kind, name;
-- ... and not for tables of other schemas
CREATE TABLE public.restore_other (tenant integer);
CREATE INDEX restore_other_idx ON public.restore_other (tenant);
DROP TABLE public.restore_other;
SELECT count(*) AS records FROM event_catalog.operator_ddl;
-- nobody but the owner writes the record
SET ROLE regress_ec_restore_writer;
INSERT INTO event_catalog.operator_ddl VALUES ('index', 'x', 'CREATE INDEX x ON event_catalog.events (tenant)');
RESET ROLE;

-- a record brought back while its object is missing is applied again (what
-- pg_restore does): the index, the column with the profiles recomputed,
-- the policies
SELECT event_catalog.enable_tenant_isolation();
SELECT event_catalog.upsert_customer(121, 'l1', '{"restore_loyalty": 7}');
CREATE TEMP TABLE records AS SELECT * FROM event_catalog.operator_ddl;
DROP INDEX event_catalog.events_by_customer_idx;
ALTER TABLE event_catalog.customers DROP COLUMN restore_loyalty;
SELECT event_catalog.build_profile_functions();
SELECT event_catalog.disable_tenant_isolation();
-- the API write restored before the column: its value lands in attributes
CREATE TEMP TABLE writes AS SELECT * FROM event_catalog.customer_updates WHERE tenant = 121;
DELETE FROM event_catalog.customer_updates WHERE tenant = 121;
INSERT INTO event_catalog.customer_updates OVERRIDING SYSTEM VALUE SELECT * FROM writes;
SELECT customer_id, attributes FROM event_catalog.customers WHERE tenant = 121;
SELECT count(*) AS records_left FROM event_catalog.operator_ddl;
INSERT INTO event_catalog.operator_ddl SELECT * FROM records;
SELECT pg_catalog.to_regclass('event_catalog.events_by_customer_idx') IS NOT NULL AS index_back;
SELECT customer_id, restore_loyalty, attributes FROM event_catalog.customers WHERE tenant = 121;
SELECT count(*) AS policies FROM pg_catalog.pg_policy p
JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
WHERE c.relnamespace = 'event_catalog'::regnamespace;
-- a record that is not an index definition is refused
DELETE FROM event_catalog.operator_ddl WHERE kind = 'index';
DROP INDEX event_catalog.events_by_customer_idx;
INSERT INTO event_catalog.operator_ddl VALUES ('index', 'events_by_customer_idx', 'DROP TABLE event_catalog.events');

-- clean up
SELECT event_catalog.disable_tenant_isolation();
ALTER TABLE event_catalog.customers DROP COLUMN restore_loyalty;
SELECT event_catalog.build_profile_functions();
DELETE FROM event_catalog.customer_updates WHERE tenant = 121;
DELETE FROM event_catalog.events WHERE tenant = 120;
SELECT count(*) AS records_left FROM event_catalog.operator_ddl;
DROP ROLE regress_ec_restore_writer;
DROP ROLE regress_ec_restore_granted;
