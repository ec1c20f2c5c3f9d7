-- trust: a loading role cannot forge the bookkeeping; reports and contact
-- checks answer the same for every customer; inputs at the edges
-- (attacks D07, D09, D14 of the red-team pass, and its minor list)
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_ec_trust_writer;
RESET client_min_messages;
CREATE ROLE regress_ec_trust_writer IN ROLE event_catalog_writer;

-- D09: the writer loads, and its quarantined lines and duplicates are kept
-- in its name ...
SET ROLE regress_ec_trust_writer;
SET event_catalog.on_invalid = quarantine;
INSERT INTO event_catalog.events (raw_line) VALUES
 ('{"tenant": 95, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_login", "customer": "t1"}'),
 ('{"tenant": 95, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_login", "customer": "t1"}'),
 ('{"tenant": 95, "event": "ootb_login", "customer": "t1"}'),
 ('not json');
RESET event_catalog.on_invalid;
RESET ROLE;
SELECT tenant, rejected_by, problems->0->>'code' AS code FROM event_catalog.rejected_events
WHERE rejected_by = 'regress_ec_trust_writer' ORDER BY rejected_id;
SELECT tenant, event_key, duplicates FROM event_catalog.duplicate_counts WHERE tenant = 95;
-- ... but it cannot write either table itself
SET ROLE regress_ec_trust_writer;
INSERT INTO event_catalog.rejected_events (tenant, rejected_by, problems) VALUES (96, 'someone_else', '[]');
INSERT INTO event_catalog.duplicate_counts VALUES (95, 'ootb_login', current_date, 1000);
UPDATE event_catalog.duplicate_counts SET duplicates = 1000 WHERE tenant = 95;
-- the writer may run every report it is granted
SELECT count(*) > 0 AS reported FROM event_catalog.self_exclusion_report(95);
SELECT count(*) > 0 AS reported FROM event_catalog.validation_report(95);
RESET ROLE;
SELECT duplicates FROM event_catalog.duplicate_counts WHERE tenant = 95;

-- an unknown channel is an error for every customer, also for one that
-- does not exist and for a tenant without customers, in a generic plan too
SELECT event_catalog.can_contact(95, 't1', 'fax');
SELECT event_catalog.can_contact(95, 'nobody', 'fax');
SELECT event_catalog.can_contact(99999, 'nobody', 'fax');
SELECT * FROM event_catalog.contactable_customers(99999, 'fax');
SET plan_cache_mode = force_generic_plan;
PREPARE contact(integer, text, text) AS SELECT event_catalog.can_contact($1, $2, $3);
EXECUTE contact(99999, 'nobody', 'email');
EXECUTE contact(99999, 'nobody', 'fax');
DEALLOCATE contact;
RESET plan_cache_mode;

-- D14: an instant outside years 1 to 9999 UTC is not a real instant: an
-- offset cannot carry 9999-12-31 into year 10000 (whose write version
-- would sort before 2026 and lose every last-writer-wins comparison)
SELECT t, event_catalog.is_valid_event(jsonb_build_object('tenant', 95, 'timestamp', t,
		'event', 'ootb_login', 'customer', 'y')) AS valid
FROM unnest(ARRAY['9999-12-31T23:59:59-23:59', '9999-12-31T23:59:59+01:00', '9999-12-31 23:59:59.999999 UTC',
				  '0001-01-01T00:00:00+00:01', '0001-01-01T00:00:00-00:01']) t;
SELECT status, problems->0->>'code' AS code
FROM event_catalog.upsert_customers(95, '[{"customer_id": "y10k", "timestamp": "9999-12-31T23:59:59-23:59",
										  "attributes": {"city": "Future"}}]');

-- D07: registration_status, the profile attribute of ootb_status, is
-- checked as that param, under either name
SELECT customer_id, status, problems->0->>'message' AS message
FROM event_catalog.upsert_customers(95, '[
	{"customer_id": "r1", "attributes": {"registration_status": "Hacked"}},
	{"customer_id": "r2", "attributes": {"ootb_status": "Hacked"}},
	{"customer_id": "r3", "attributes": {"registration_status": "Completed"}}]');
SELECT customer_id, registration_status FROM event_catalog.customers WHERE tenant = 95 ORDER BY 1;

-- a null timestamp is the same as none
SELECT customer_id, status FROM event_catalog.upsert_customers(95,
	'[{"customer_id": "n1", "timestamp": null, "attributes": {"city": "Oslo"}}]');
SELECT city FROM event_catalog.customers WHERE tenant = 95 AND customer_id = 'n1';


-- D05: an event stored in RFC 3339 form and sent again in Optimove's strict
-- form is the same event: a duplicate, also under strict timestamps
SELECT event_catalog.track('{"tenant": 95, "timestamp": "2026-06-01T10:00:00Z", "event": "ootb_login", "customer": "s1"}') AS first_id \gset
SET event_catalog.timestamp_format = strict;
SELECT event_catalog.track('{"tenant": 95, "timestamp": "2026-06-01 10:00:00.000000 UTC", "event": "ootb_login", "customer": "s1"}') = :first_id AS same_event;
RESET event_catalog.timestamp_format;

-- D15: a raw line over 1 MB is quarantined without being parsed; the rest
-- of the load goes on
SET event_catalog.on_invalid = quarantine;
INSERT INTO event_catalog.events (raw_line) VALUES
 ('[' || repeat('1,', 600000) || '1]'),
 ('{"tenant": 95, "timestamp": "2026-06-02T10:00:00Z", "event": "ootb_login", "customer": "s2"}');
RESET event_catalog.on_invalid;
SELECT problems->0->>'code' AS code, problems->0->>'message' AS message FROM event_catalog.rejected_events
WHERE length(raw_line) > 1000000;
SELECT count(*) AS stored FROM event_catalog.events WHERE tenant = 95 AND customer_id = 's2';
DELETE FROM event_catalog.rejected_events WHERE length(raw_line) > 1000000;  -- edge_input counts its own

-- a fail-safe event with a huge context is stored with a bounded problem list
INSERT INTO event_catalog.events (payload)
SELECT jsonb_build_object('tenant', 95, 'timestamp', '2026-06-03T10:00:00Z', 'event', 'ootb_self_exclusion_initiated',
						  'customer', 's3', 'context', jsonb_object_agg('p' || i, i))
FROM generate_series(1, 20000) i;
SELECT jsonb_array_length(problems) AS problems FROM event_catalog.events WHERE tenant = 95 AND customer_id = 's3';

-- D08: the writer supplies the event, nothing else: not an event_id ahead
-- of the sequence (which would fail every other session's loads), not
-- received_at
SET ROLE regress_ec_trust_writer;
INSERT INTO event_catalog.events (event_id, payload) OVERRIDING SYSTEM VALUE VALUES
 (900000000, '{"tenant": 95, "timestamp": "2026-06-04T10:00:00Z", "event": "ootb_login", "customer": "s4"}');
INSERT INTO event_catalog.events (payload, received_at) VALUES
 ('{"tenant": 95, "timestamp": "2026-06-04T10:00:00Z", "event": "ootb_login", "customer": "s4"}', '2000-01-01');
INSERT INTO event_catalog.events (payload) VALUES
 ('{"tenant": 95, "timestamp": "2026-06-04T10:00:00Z", "event": "ootb_login", "customer": "s4"}');
RESET ROLE;
SELECT count(*) AS stored, max(event_id) < 900000000 AS id_from_sequence, min(received_at) > now() - interval '1 hour' AS received_now
FROM event_catalog.events WHERE tenant = 95 AND customer_id = 's4';
-- D12: a string param cannot feed a boolean column (a login's "gold" would
-- clear is_blocked and make a blocked customer contactable); the builtin
-- Yes/No params and a boolean custom param can
SELECT event_catalog.define_event('{"event": "ootb_login", "params": [{"key": "vip_flag", "type": "string", "profile_attribute": "is_blocked"}]}');
SELECT event_catalog.define_event('{"event": "ootb_login", "params": [{"key": "vip_since", "type": "string", "profile_attribute": "date_of_birth"}]}');
SELECT event_catalog.define_event('{"event": "ootb_login", "params": [{"key": "vip_flag", "type": "string", "profile_attribute": "tenant"}]}');
SELECT event_catalog.define_event('{"event": "ootb_login", "params": [{"key": "blocked_now", "type": "boolean", "profile_attribute": "is_blocked"},
	{"key": "mail_ok", "type": "string", "allowed_values": ["Yes", "No"], "profile_attribute": "allow_email"},
	{"key": "nickname", "type": "number", "profile_attribute": "alias"}]}');
SELECT event_catalog.define_event(event_catalog.event_definition('ootb_user_details_update'));
SELECT event_catalog.define_event('{"event": "ootb_login", "params": []}');

-- D13: a row written straight into the catalog is held to define_event's
-- rules: a number param whose allowed values are not numbers would make
-- every load in every session fail
INSERT INTO event_catalog.event_types (event_key, display_name) VALUES ('bad_num', 'x');
INSERT INTO event_catalog.event_params (event_key, param_key, position, data_type, allowed_values)
VALUES ('bad_num', 'n', 1, 'number', '{abc}');
INSERT INTO event_catalog.event_params (event_key, param_key, position, data_type, allowed_values)
VALUES ('bad_num', 'n', 1, 'number', '{1, -2.5, 3e2}');
SELECT event_catalog.is_valid_event('{"tenant": 95, "timestamp": "2026-06-01T10:00:00Z", "event": "bad_num", "customer": "x", "context": {"n": 300}}');
DELETE FROM event_catalog.event_types WHERE event_key = 'bad_num';

DROP OWNED BY regress_ec_trust_writer;
DROP ROLE regress_ec_trust_writer;

-- a row that fails after its duplicate probe inside a savepoint: the
-- digest lock goes with the savepoint, and the next event in the
-- transaction loads without a warning about a lock this session does not
-- hold (the trigger had not seen the subtransaction end). A new session:
-- nothing in it has registered the callbacks before.
\c -
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.fail_after_probe() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.customer_id = 'fails' THEN
		RAISE EXCEPTION 'refused after the probe';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER zz_fail_after_probe BEFORE INSERT ON event_catalog.events
	FOR EACH ROW EXECUTE FUNCTION pg_temp.fail_after_probe();
BEGIN;
SAVEPOINT before_failure;
SELECT event_catalog.track('{"tenant": 95, "timestamp": "2026-06-02T10:00:00Z", "event": "ootb_login", "customer": "fails"}');
ROLLBACK TO SAVEPOINT before_failure;
SELECT event_catalog.track('{"tenant": 95, "timestamp": "2026-06-02T10:00:01Z", "event": "ootb_login", "customer": "after_failure"}') IS NOT NULL AS stored;
COMMIT;
DROP TRIGGER zz_fail_after_probe ON event_catalog.events;
SELECT count(*) AS stored_after_failure FROM event_catalog.events WHERE tenant = 95 AND customer_id IN ('fails', 'after_failure');
