-- Events through the coordinator, routed by person_key: validated on the
-- shards, duplicates skipped and counted there, quarantine with the
-- setting propagated (SET LOCAL with citus.propagate_set_commands), and
-- the profile kept on the customer's colocated shard.
\set VERBOSITY terse
INSERT INTO event_catalog.events (person_key, payload) VALUES
  ('c1', '{"tenant": 567, "timestamp": "2026-06-09T10:15:00Z", "event": "ootb_login", "customer": "c1"}');
INSERT INTO event_catalog.events (person_key, payload) VALUES
  ('c1', '{"tenant": 567, "timestamp": "2026-06-09T10:15:00Z", "event": "ootb_login", "customer": "c1"}');
INSERT INTO event_catalog.events (person_key, payload) VALUES
  ('c2', '{"tenant": 567, "timestamp": "2026-06-09T10:16:00Z", "event": "ootb_user_details_update", "customer": "c2", "context": {"ootb_email": "c2@example.com", "ootb_allow_email": "Yes"}}');
-- routed with a key that is not the event's: refused
INSERT INTO event_catalog.events (person_key, payload) VALUES
  ('c9', '{"tenant": 567, "timestamp": "2026-06-09T10:17:00Z", "event": "ootb_login", "customer": "c3"}');
SET citus.propagate_set_commands = 'local';
BEGIN;
SET LOCAL event_catalog.on_invalid = quarantine;
INSERT INTO event_catalog.events (person_key, payload) VALUES
  ('c3', '{"tenant": 567, "timestamp": "2026-06-09T10:15:00Z", "event": "ootb_nope", "customer": "c3"}');
COMMIT;
SELECT tenant, event_key, customer_id, person_key FROM event_catalog.events WHERE tenant = 567 ORDER BY event_id;
SELECT tenant, event_key, duplicates FROM event_catalog.duplicate_counts WHERE tenant = 567;
SELECT tenant, customer_id, problems -> 0 ->> 'code' AS code FROM event_catalog.rejected_events WHERE tenant = 567;
SELECT tenant, customer_id, email, allow_email FROM event_catalog.customers WHERE tenant = 567;
