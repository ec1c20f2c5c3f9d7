-- security: the three roles, what each may and may not do, the optional
-- per-tenant row-level security, and pinned search paths
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_ec_writer;
DROP ROLE IF EXISTS regress_ec_reader;
DROP ROLE IF EXISTS regress_ec_admin;
DROP ROLE IF EXISTS regress_ec_nobody;
RESET client_min_messages;
CREATE ROLE regress_ec_writer IN ROLE event_catalog_writer;
CREATE ROLE regress_ec_reader IN ROLE event_catalog_reader;
CREATE ROLE regress_ec_admin IN ROLE event_catalog_admin;
CREATE ROLE regress_ec_nobody;

SELECT rolname FROM pg_roles WHERE rolname LIKE 'event_catalog_%' ORDER BY 1;

-- the writer loads events and writes profiles through the API ...
SET ROLE regress_ec_writer;
SELECT event_catalog.track('{"tenant": 90, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_user_details_update",
    "customer": "w1", "context": {"ootb_email": "w1@example.com", "ootb_allow_email": "Yes"}}') > 0 AS tracked;
INSERT INTO event_catalog.events (payload) VALUES
 ('{"tenant": 90, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_self_exclusion_initiated", "customer": "w1"}');
SET event_catalog.on_invalid = quarantine;
INSERT INTO event_catalog.events (raw_line) VALUES ('not json');
RESET event_catalog.on_invalid;
SELECT status FROM event_catalog.upsert_customers(90, '[{"customer_id": "w2", "attributes": {"first_name": "Wanda"}}]');
SELECT customer_id, email FROM event_catalog.customers WHERE tenant = 90 ORDER BY 1;
SELECT event_catalog.can_contact(90, 'w1', 'email');
-- ... but cannot change the catalog, profiles or episodes directly
SELECT event_catalog.define_event('{"event": "writer_event"}');
INSERT INTO event_catalog.event_types (event_key, display_name) VALUES ('writer_event', 'x');
UPDATE event_catalog.customers SET email = 'forged@example.com' WHERE tenant = 90;
DELETE FROM event_catalog.customers WHERE tenant = 90;
INSERT INTO event_catalog.self_exclusions (tenant, customer_id, episode, status, requested_at, first_event_id, last_event_id)
VALUES (90, 'w9', 1, 'lifted', now(), 1, 1);
DELETE FROM event_catalog.self_exclusions WHERE tenant = 90;
DELETE FROM event_catalog.events WHERE tenant = 90;
-- ... nor reach the internals: the upkeep cannot be called on chosen ids
SELECT event_catalog_internal.event_writes(ARRAY(SELECT event_id FROM event_catalog.events WHERE tenant = 90));
SELECT event_catalog_internal.merge_event_writes('{1}');
SELECT event_catalog_internal.recompute_customers('{}');
RESET ROLE;

-- no role may use the internal schema, so none can attach the SECURITY
-- DEFINER trigger functions to a table of its own (attack D01)
SELECT r.rolname, has_schema_privilege(r.rolname, 'event_catalog_internal', 'USAGE') AS usage
FROM pg_roles r WHERE r.rolname LIKE 'event_catalog_%' OR r.rolname = 'regress_ec_nobody' ORDER BY 1;
SET ROLE regress_ec_nobody;
CREATE TEMP TABLE regress_t (tenant integer, customer_id text COLLATE "C", event_id bigint);
CREATE TRIGGER regress_t_del AFTER DELETE ON regress_t REFERENCING OLD TABLE AS old_events
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog_internal.events_after_delete();
CREATE TRIGGER regress_t_ins AFTER INSERT ON regress_t REFERENCING NEW TABLE AS new_updates
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog_internal.customer_updates_after_insert();
DROP TABLE regress_t;
RESET ROLE;

-- the public surface: the documented functions, each with a comment, and
-- which roles may run them (PUBLIC: everyone)
SELECT p.oid::regprocedure AS function,
       (SELECT string_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END, ', '
                          ORDER BY 1)
        FROM aclexplode(COALESCE(p.proacl, acldefault('f', p.proowner))) a
        WHERE a.privilege_type = 'EXECUTE' AND a.grantee <> p.proowner) AS execute,
       obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented
FROM pg_proc p WHERE p.pronamespace = 'event_catalog'::regnamespace
ORDER BY p.oid::regprocedure::text;
-- every table and view of the public schema has a comment
SELECT c.relname FROM pg_class c
WHERE c.relnamespace = 'event_catalog'::regnamespace AND c.relkind IN ('r', 'v')
  AND obj_description(c.oid, 'pg_class') IS NULL;
-- nothing in the internal schema is executable by a role without a reason:
-- only the pure rule functions that the catalog's CHECK constraints call,
-- and the three a load through a Citus coordinator calls as the loader:
-- person_key (pure), copy_lines and copy_line (read only their own
-- session's COPY)
SELECT p.oid::regprocedure AS executable_internal
FROM pg_proc p WHERE p.pronamespace = 'event_catalog_internal'::regnamespace
  AND has_function_privilege('regress_ec_writer', p.oid, 'EXECUTE')
ORDER BY p.oid::regprocedure::text;

-- the reader reads and reports, and writes nothing
SET ROLE regress_ec_reader;
SELECT count(*) > 0 AS sees_events FROM event_catalog.events WHERE tenant = 90;
SELECT stage FROM event_catalog.registration_funnel(90) LIMIT 1;
SELECT count(*) FROM event_catalog.contactable_customers(90, 'email');
SELECT event_catalog.track('{"tenant": 90, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_login", "customer": "r1"}');
INSERT INTO event_catalog.events (payload) VALUES ('{"tenant": 90, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_login", "customer": "r1"}');
SELECT event_catalog.upsert_customer(90, 'r1', '{"first_name": "Rita"}');
DELETE FROM event_catalog.events WHERE tenant = 90;
SELECT event_catalog.define_event('{"event": "reader_event"}');
RESET ROLE;

-- the admin changes the catalog and erases events, not profiles
SET ROLE regress_ec_admin;
SELECT event_catalog.define_event('{"event": "admin_event"}');
SELECT event_catalog.drop_event('admin_event');
DELETE FROM event_catalog.events WHERE tenant = 90 AND event_key = 'ootb_self_exclusion_initiated';
UPDATE event_catalog.customers SET email = 'x' WHERE tenant = 90;
RESET ROLE;
SELECT count(*) AS episodes_after_erasure FROM event_catalog.self_exclusions WHERE tenant = 90;

-- anyone may validate, nobody else may write
SET ROLE regress_ec_nobody;
SELECT event_catalog.is_valid_event('{"tenant": 1, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_login", "customer": "n"}');
SELECT event_catalog.track('{"tenant": 1, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_login", "customer": "n"}');
SELECT count(*) FROM event_catalog.customers;
RESET ROLE;

-- every SECURITY DEFINER function pins search_path
SELECT p.proname, p.proconfig
FROM pg_proc p WHERE p.pronamespace IN ('event_catalog'::regnamespace, 'event_catalog_internal'::regnamespace)
  AND p.prosecdef
ORDER BY 1;

-- hostile objects earlier on the caller's search path change nothing
CREATE SCHEMA regress_hostile;
CREATE FUNCTION regress_hostile.jsonb_typeof(jsonb) RETURNS text LANGUAGE sql AS $$ SELECT 'object'::text $$;
CREATE FUNCTION regress_hostile.hostile_texteq(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR regress_hostile.= (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_hostile.hostile_texteq);
CREATE FUNCTION regress_hostile.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT '1999-01-01'::timestamptz $$;
CREATE TABLE regress_hostile.customers (tenant integer, customer_id text, email text);
GRANT USAGE ON SCHEMA regress_hostile TO PUBLIC;
GRANT ALL ON ALL TABLES IN SCHEMA regress_hostile TO PUBLIC;
SET search_path = regress_hostile, public, pg_catalog;
SET ROLE regress_ec_writer;
SELECT * FROM event_catalog.upsert_customers(90, '[{"customer_id": "h1", "attributes": {"email": "h@example.com", "allow_email": "maybe"}},
                                                  {"customer_id": "h2", "attributes": {"email": "h2@example.com"}}]');
SELECT event_catalog.track('{"tenant": 90, "timestamp": "2026-06-09T11:00:00Z", "event": "ootb_user_details_update",
    "customer": "h3", "context": {"ootb_email": "h3@example.com"}}') > 0 AS tracked;
RESET ROLE;
SELECT count(*) AS hostile_table_rows FROM regress_hostile.customers;
RESET search_path;
SELECT customer_id, email FROM event_catalog.customers WHERE tenant = 90 AND customer_id LIKE 'h%' ORDER BY 1;
SELECT count(*) AS contactable_h2 FROM event_catalog.contactable_customers(90, 'email') WHERE customer_id = 'h2';
DROP SCHEMA regress_hostile CASCADE;

-- optional per-tenant row-level security: a role sees and writes the
-- tenants bound to it in tenant_roles, whatever it sets (test/sql/tenants.sql
-- goes through every table and report)
SELECT event_catalog.upsert_customer(91, 'other', '{"email": "o@example.com"}');
SELECT event_catalog.enable_tenant_isolation();
SET ROLE regress_ec_reader;
SELECT count(*) AS without_binding FROM event_catalog.customers;
SET event_catalog.tenant = 90;
SELECT count(*) AS a_setting_opens_nothing FROM event_catalog.customers;
RESET event_catalog.tenant;
RESET ROLE;
INSERT INTO event_catalog.tenant_roles VALUES ('regress_ec_reader', 90), ('regress_ec_writer', 90);
SET ROLE regress_ec_reader;
SELECT DISTINCT tenant FROM event_catalog.customers;
RESET ROLE;
SET ROLE regress_ec_writer;
SELECT event_catalog.track('{"tenant": 90, "timestamp": "2026-06-09T12:00:00Z", "event": "ootb_login", "customer": "t90"}') > 0 AS own_tenant;
SELECT event_catalog.track('{"tenant": 91, "timestamp": "2026-06-09T12:00:00Z", "event": "ootb_login", "customer": "t91"}');
RESET ROLE;
DELETE FROM event_catalog.tenant_roles WHERE role IN ('regress_ec_reader', 'regress_ec_writer');
SELECT event_catalog.disable_tenant_isolation();
SELECT count(DISTINCT tenant) AS tenants_visible_again FROM event_catalog.customers WHERE tenant IN (90, 91);

-- clean up the roles of this test (the event_catalog_* roles stay)
DELETE FROM event_catalog.events WHERE tenant IN (90, 91);
DROP OWNED BY regress_ec_writer, regress_ec_reader, regress_ec_admin, regress_ec_nobody;
DROP ROLE regress_ec_writer, regress_ec_reader, regress_ec_admin, regress_ec_nobody;
