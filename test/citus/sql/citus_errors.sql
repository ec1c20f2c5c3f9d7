-- A shard's refusal of an event under on_invalid = error (the default)
-- reaches the client as on one node, also from rows that Citus streams
-- to the shards (COPY through the coordinator, INSERT ... SELECT,
-- track_batch), where Citus itself reports only the message and the
-- detail (SQLSTATE XX000): the single node's SQLSTATE, message, detail
-- (the problems as JSON) and hint.  Other errors are left as Citus raises
-- them.  And an UPDATE of events is refused even where Citus routes it to
-- no shard.
\set SHOW_CONTEXT never
-- an invalid event, line 2 of a COPY: 22023 (psql keeps no SQLSTATE of a
-- COPY: it is shown by running the COPY again)
COPY event_catalog.events (raw_line) FROM STDIN WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
{"tenant": 880, "timestamp": "2026-06-09T09:00:00Z", "event": "ootb_login", "customer": "e1"}
{"tenant": 880, "timestamp": "2026-06-09T09:00:00Z", "event": "ootb_login", "customer": "e2", "context": {"ootb_balance": "x"}}
\.
\set VERBOSITY sqlstate
COPY event_catalog.events (raw_line) FROM STDIN WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
{"tenant": 880, "timestamp": "2026-06-09T09:00:00Z", "event": "ootb_login", "customer": "e1"}
{"tenant": 880, "timestamp": "2026-06-09T09:00:00Z", "event": "ootb_login", "customer": "e2", "context": {"ootb_balance": "x"}}
\.
\set VERBOSITY default
-- a line that is not JSON: 22P02, with the hint
COPY event_catalog.events (raw_line) FROM STDIN WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
{"tenant": 880, "timestamp": "2026-06-09T09:00:00Z", "event": "ootb_login", "customer": "e1"}
{oops
\.
\set VERBOSITY sqlstate
COPY event_catalog.events (raw_line) FROM STDIN WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
{"tenant": 880, "timestamp": "2026-06-09T09:00:00Z", "event": "ootb_login", "customer": "e1"}
{oops
\.
\set VERBOSITY default
-- a row with no event: 23502, with the hint
INSERT INTO event_catalog.events (payload)
SELECT p FROM (VALUES ('{"tenant": 880, "timestamp": "2026-06-09T09:00:00Z", "event": "ootb_login", "customer": "e1"}'::jsonb),
                      (NULL::jsonb)) AS v(p);
\echo :LAST_ERROR_SQLSTATE
-- INSERT ... SELECT of an invalid event
INSERT INTO event_catalog.events (payload)
SELECT format('{"tenant": 880, "timestamp": "2026-06-09T09:00:00Z", "event": "ootb_login", "customer": "e%s"%s}',
              i, CASE WHEN i = 3 THEN ', "context": {"ootb_balance": "x"}' ELSE '' END)::jsonb
FROM generate_series(1, 4) AS i;
\echo :LAST_ERROR_SQLSTATE
-- multi-row INSERT
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 880, "timestamp": "2026-06-09T09:00:00Z", "event": "ootb_login", "customer": "e1"}'),
  ('{"tenant": 880, "timestamp": "2026-06-09T09:00:00Z", "event": "ootb_nope", "customer": "e2"}');
\echo :LAST_ERROR_SQLSTATE
-- a raw line too large: 54000, with the hint (a worker's warning about a
-- lock names its port)
SET client_min_messages = error;
INSERT INTO event_catalog.events (raw_line)
SELECT l FROM (VALUES ('{"tenant": 880, "timestamp": "2026-06-09T09:00:00Z", "event": "ootb_login", "customer": "e1"}'),
                      ('{"tenant": 880, "x": "' || repeat('x', 1100000) || '"}')) AS v(l);
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
-- the batch API
SELECT count(*) FROM event_catalog.track_batch(ARRAY[
  '{"tenant": 880, "timestamp": "2026-06-09T09:00:00Z", "event": "ootb_login", "customer": "e1"}',
  '{"tenant": 880, "timestamp": "2026-06-09T09:00:00Z", "event": "ootb_login", "customer": "e2", "context": {"ootb_balance": "x"}}']::jsonb[]);
\echo :LAST_ERROR_SQLSTATE
-- nothing was stored
SELECT count(*) AS stored FROM event_catalog.events WHERE tenant = 880;
-- a shard's error that is not a refused event stays as Citus reports it
INSERT INTO event_catalog.events (person_key, payload)
SELECT k, p FROM (VALUES ('e1', '{"tenant": 880, "timestamp": "2026-06-09T09:00:00Z", "event": "ootb_login", "customer": "e1"}'::jsonb),
                         ('e9', '{"tenant": 880, "timestamp": "2026-06-09T09:00:00Z", "event": "ootb_login", "customer": "e2"}'::jsonb)) AS v(k, p);
\echo :LAST_ERROR_SQLSTATE
-- UPDATE is refused, also one that Citus routes to no shard
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 880, "timestamp": "2026-06-09T09:00:00Z", "event": "ootb_login", "customer": "e1"}');
UPDATE event_catalog.events SET tenant = tenant WHERE false;
\echo :LAST_ERROR_SQLSTATE
UPDATE event_catalog.events SET tenant = 881 WHERE tenant = 880;
\echo :LAST_ERROR_SQLSTATE
UPDATE event_catalog.events SET tenant = 881 WHERE tenant = 880 AND person_key = 'e1';
\echo :LAST_ERROR_SQLSTATE
SELECT tenant, customer_id FROM event_catalog.events WHERE tenant IN (880, 881);
-- DELETE is not
DELETE FROM event_catalog.events WHERE false;
DELETE FROM event_catalog.events WHERE tenant = 880;
