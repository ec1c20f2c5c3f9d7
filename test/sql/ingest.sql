-- ingest: the events table, COPY with validation and quarantine, raw lines,
-- fail-safe events, duplicates, track(), append-only rules
\set SHOW_CONTEXT never

-- COPY (payload): every row validated, derived columns filled
COPY event_catalog.events (payload) FROM stdin WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
{"tenant": 1, "timestamp": "2026-06-09 10:15:00.000000 UTC", "event": "ootb_login", "customer": "c1", "context": {"ootb_balance": 10}}
{"tenant": 1, "timestamp": "2026-06-09T10:16:00.5+02:00", "event": "ootb_login", "visitor": "v1", "context": {}}
{"tenant": 2, "timestamp": "2026-06-09T10:17:00Z", "event": "ootb_deposit", "customer": "c2", "visitor": "v2", "context": {"ootb_deposit_timestamp": "2026-06-09", "ootb_deposit_amount": 5, "ootb_deposit_status": "completed", "my_note": "x"}, "source": "api"}
\.
SELECT event_id, tenant, event_key, customer_id, visitor_id, occurred_at AT TIME ZONE 'UTC' AS occurred_utc,
       received_at > now() - interval '1 hour' AS received_recently, problems, raw_line
FROM event_catalog.events ORDER BY event_id;

-- whatever the client supplies for derived columns is replaced (a row
-- that comes with its content_hash is a restored one: see restore.sql)
INSERT INTO event_catalog.events (tenant, event_key, customer_id, visitor_id, occurred_at, problems, has_effects, payload)
VALUES (999, 'forged', 'someone', 'else', '2000-01-01', '[]', true,
        '{"tenant": 3, "timestamp": "2026-06-09T11:00:00Z", "event": "ootb_login", "customer": "c3"}')
RETURNING tenant, event_key, customer_id, visitor_id, occurred_at AT TIME ZONE 'UTC' AS occurred_utc, problems,
          content_hash = event_catalog.event_content_hash(payload) AS hash_ok, has_effects;
-- has_effects: the event fed a profile or self-exclusion state (a profile
-- update does, a login does not), whatever the client says
INSERT INTO event_catalog.events (has_effects, payload) VALUES
 (false, '{"tenant": 33, "timestamp": "2026-06-09T11:00:00Z", "event": "ootb_user_details_update", "customer": "c3", "context": {"ootb_city": "Rome"}}'),
 (true, '{"tenant": 33, "timestamp": "2026-06-09T11:00:00Z", "event": "ootb_login", "customer": "c3"}')
RETURNING event_key, customer_id, visitor_id, has_effects;
INSERT INTO event_catalog.events (event_id, payload)
VALUES (12345, '{"tenant": 3, "timestamp": "2026-06-09T11:00:00Z", "event": "ootb_login", "customer": "c4"}');

-- on_invalid = error: the first invalid row aborts the COPY, naming the
-- problem; PostgreSQL adds the line number
SHOW event_catalog.on_invalid;
\set SHOW_CONTEXT errors
COPY event_catalog.events (payload) FROM stdin WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
{"tenant": 1, "timestamp": "2026-06-09T12:00:00Z", "event": "ootb_login", "customer": "c5"}
{"tenant": 1, "timestamp": "2026-06-09T12:00:00Z", "event": "ootb_login", "customer": "c5", "context": {"ootb_balance": "lots"}}
{"tenant": 1, "timestamp": "2026-06-09T12:00:01Z", "event": "ootb_login", "customer": "c6"}
\.
\set SHOW_CONTEXT never
SELECT count(*) AS nothing_loaded FROM event_catalog.events WHERE customer_id IN ('c5', 'c6');
SELECT count(*) AS nothing_quarantined FROM event_catalog.rejected_events;

-- on_invalid = quarantine: invalid rows go to rejected_events, the rest load
SET event_catalog.on_invalid = quarantine;
COPY event_catalog.events (payload) FROM stdin WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
{"tenant": 1, "timestamp": "2026-06-09T12:00:00Z", "event": "ootb_login", "customer": "c5"}
{"tenant": 1, "timestamp": "2026-06-09T12:00:00Z", "event": "ootb_login", "customer": "c5", "context": {"ootb_balance": "lots"}}
{"tenant": 1, "timestamp": "2026-06-09T12:00:01Z", "event": "ootb_login", "customer": "c6"}
{"tenant": "one", "event": "ootb_nothing", "customer": ""}
[1, 2, 3]
{"tenant": 1, "timestamp": "2026-06-09T12:00:02Z", "event": "ootb_user_details_update", "visitor": "v9"}
\.
SELECT customer_id, event_key FROM event_catalog.events WHERE customer_id IN ('c5', 'c6') ORDER BY 1;
SELECT rejected_id, rejected_at > now() - interval '1 hour' AS recent, rejected_by = current_user AS by_me, tenant, event_key, customer_id,
       payload IS NOT NULL AS has_payload, raw_line,
       (SELECT string_agg(p->>'code' || ' ' || (p->>'path'), ', ') FROM jsonb_array_elements(problems) p) AS problems
FROM event_catalog.rejected_events ORDER BY rejected_id;

-- fail-safe: a self-exclusion event with valid properties is stored whatever
-- its params, with its problems recorded, under both settings
RESET event_catalog.on_invalid;
INSERT INTO event_catalog.events (payload) VALUES
('{"tenant": 1, "timestamp": "2026-06-09T13:00:00Z", "event": "ootb_self_exclusion_initiated", "customer": "c7",
   "context": {"ootb_exclusion_type": "self", "ootb_self_exclusion_expiry_date": "2026-02-30", "ootb_reason": 5}}')
RETURNING event_key, customer_id,
          (SELECT string_agg(p->>'code' || ' ' || (p->>'path'), ', ') FROM jsonb_array_elements(problems) p) AS problems;
INSERT INTO event_catalog.events (payload) VALUES
('{"tenant": 1, "timestamp": "2026-06-09T13:00:01Z", "event": "ootb_self_exclusion_lifted", "customer": "c7", "context": "none"}')
RETURNING event_key, (SELECT string_agg(p->>'code' || ' ' || (p->>'path'), ', ') FROM jsonb_array_elements(problems) p) AS problems;
-- ... but not when a mandatory property is bad
INSERT INTO event_catalog.events (payload) VALUES
('{"tenant": 1, "timestamp": "2026-06-09T13:00:00Z", "event": "ootb_self_exclusion_initiated", "visitor": "v7"}');
INSERT INTO event_catalog.events (payload) VALUES
('{"tenant": 1, "timestamp": "yesterday", "event": "ootb_self_exclusion_activated", "customer": "c7"}');

-- raw lines: COPY (raw_line) with the NDJSON options; lines that are not
-- JSON are quarantined, blank lines skipped, escapes kept intact
SET event_catalog.on_invalid = quarantine;
DELETE FROM event_catalog.rejected_events;
COPY event_catalog.events (raw_line) FROM stdin WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02', FORCE_NOT_NULL (raw_line));
{"tenant": 5, "timestamp": "2026-06-09T14:00:00Z", "event": "ootb_login", "customer": "esc-1", "context": {"ootb_session_ref": "line1\nline2\ttab \"quoted\" back\\slash \u00e9\u20ac \ud83c\udfb0 \/"}}

{"tenant": 5, "timestamp": "2026-06-09T14:00:01Z", "event": "ootb_login", "customer": "esc-2", "context": {"ootb_session_ref": "C:\\temp\\new"}}
   
this is not json
{"tenant": 5, "timestamp": "2026-06-09T14:00:02Z", "event": "ootb_login", "customer": "cut-off", "context": {"ootb_ba
{"tenant": 5, "timestamp": "2026-06-09T14:00:03Z", "event": "ootb_login", "customer": "nul", "context": {"x": "\u0000"}}
{"tenant": 5, "timestamp": "2026-06-09T14:00:04Z", "event": "ootb_login", "customer": "big", "context": {"ootb_balance": 1e9999}}
{"tenant": 5, "timestamp": "2026-06-09T14:00:05Z", "event": "ootb_login", "customer": "bad-surrogate", "context": {"x": "\ud83c"}}
{"tenant": 5, "timestamp": "2026-06-09T14:00:06Z", "event": "ootb_login", "customer": "esc-3", "context": {"ootb_session_ref": "\u00e9t\u00e9"}}
\.
SELECT customer_id, payload->'context'->>'ootb_session_ref' AS session_ref,
       length(payload->'context'->>'ootb_session_ref') AS chars, raw_line
FROM event_catalog.events WHERE tenant = 5 ORDER BY event_id;
SELECT payload->'context'->>'ootb_session_ref' =
       E'line1\nline2\ttab "quoted" back\\slash \u00e9\u20ac \U0001F3B0 /' AS escapes_intact
FROM event_catalog.events WHERE customer_id = 'esc-1';
SELECT raw_line, payload, problems->0->>'code' AS code, problems->0->>'message' AS message
FROM event_catalog.rejected_events ORDER BY rejected_id;

-- text-format COPY treats backslashes as its own escapes and corrupts JSON:
-- the same line as above loses its escapes (the README says so)
DELETE FROM event_catalog.rejected_events;
COPY event_catalog.events (raw_line) FROM stdin;
{"tenant": 5, "timestamp": "2026-06-09T14:00:09Z", "event": "ootb_login", "customer": "text-format", "context": {"ootb_session_ref": "line1\nline2"}}
\.
SELECT count(*) AS stored FROM event_catalog.events WHERE customer_id = 'text-format';
SELECT problems->0->>'code' AS code FROM event_catalog.rejected_events;

-- with on_invalid = error a line that is not JSON aborts the load
RESET event_catalog.on_invalid;
\set SHOW_CONTEXT errors
COPY event_catalog.events (raw_line) FROM stdin WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
{"tenant": 5, "timestamp": "2026-06-09T15:00:00Z", "event": "ootb_login", "customer": "x1"}
{oops
\.
\set SHOW_CONTEXT never
INSERT INTO event_catalog.events (payload, raw_line) VALUES ('{}', '{}');
INSERT INTO event_catalog.events (payload) VALUES (NULL);

-- duplicates: identical content (tenant, event, identity, instant, context)
-- is stored once, within one load and across loads, and counted
DELETE FROM event_catalog.duplicate_counts;
SELECT count(*) AS before FROM event_catalog.events \gset
COPY event_catalog.events (payload) FROM stdin WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
{"tenant": 7, "timestamp": "2026-06-09T16:00:00Z", "event": "ootb_login", "customer": "d1", "context": {"ootb_balance": 1}}
{"tenant": 7, "timestamp": "2026-06-09T16:00:00Z", "event": "ootb_login", "customer": "d1", "context": {"ootb_balance": 1}}
{"tenant": 7, "timestamp": "2026-06-09 16:00:00.000000 UTC", "event": "ootb_login", "customer": "d1", "context": {"ootb_balance": 1}, "extra": true}
{"tenant": 7, "timestamp": "2026-06-09T16:00:00Z", "event": "ootb_login", "customer": "d1", "context": {"ootb_balance": 2}}
{"tenant": 7, "timestamp": "2026-06-09T16:00:00Z", "event": "ootb_login", "customer": "d1", "visitor": "v", "context": {"ootb_balance": 1}}
{"tenant": 8, "timestamp": "2026-06-09T16:00:00Z", "event": "ootb_login", "customer": "d1", "context": {"ootb_balance": 1}}
{"tenant": 7, "timestamp": "2026-06-09T16:00:00.000001Z", "event": "ootb_login", "customer": "d1", "context": {"ootb_balance": 1}}
{"tenant": 7, "timestamp": "2026-06-09T16:00:00Z", "event": "ootb_login", "visitor": "w1", "context": {"ootb_balance": 1}}
{"tenant": 7, "timestamp": "2026-06-09T16:00:00Z", "event": "ootb_login", "visitor": "w1", "context": {"ootb_balance": 1}}
{"tenant": 7, "timestamp": "2026-06-09T16:00:00Z", "event": "ootb_login", "visitor": "w2", "context": {"ootb_balance": 1}}
\.
SELECT count(*) - :before AS stored FROM event_catalog.events;
-- visitor-only events (no customer) are deduplicated too
SELECT visitor_id, count(*) FROM event_catalog.events
WHERE tenant = 7 AND customer_id IS NULL GROUP BY 1 ORDER BY 1;
SELECT tenant, event_key, day = (now() AT TIME ZONE 'UTC')::date AS today, duplicates FROM event_catalog.duplicate_counts ORDER BY 1, 4;
-- the same file again: nothing new, all counted
COPY event_catalog.events (payload) FROM stdin WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
{"tenant": 7, "timestamp": "2026-06-09T16:00:00Z", "event": "ootb_login", "customer": "d1", "context": {"ootb_balance": 1}}
{"tenant": 7, "timestamp": "2026-06-09T16:00:00Z", "event": "ootb_login", "customer": "d1", "context": {"ootb_balance": 2}}
{"tenant": 8, "timestamp": "2026-06-09T16:00:00Z", "event": "ootb_login", "customer": "d1", "context": {"ootb_balance": 1}}
\.
SELECT count(*) - :before AS stored FROM event_catalog.events;
SELECT tenant, event_key, duplicates FROM event_catalog.duplicate_counts ORDER BY 1, 3;
-- a duplicate skipped by a statement that then fails is not counted
BEGIN;
SAVEPOINT s;
INSERT INTO event_catalog.events (payload) VALUES
 ('{"tenant": 8, "timestamp": "2026-06-09T16:00:00Z", "event": "ootb_login", "customer": "d1", "context": {"ootb_balance": 1}}'),
 ('{"tenant": 8, "timestamp": "2026-06-09T16:00:00Z", "event": "ootb_login", "customer": "d1", "context": {"ootb_balance": "x"}}');
ROLLBACK TO s;
COMMIT;
SELECT tenant, duplicates FROM event_catalog.duplicate_counts WHERE tenant = 8;

-- a rolled-back load leaves no trace
SET event_catalog.on_invalid = quarantine;
SELECT (SELECT count(*) FROM event_catalog.events) AS events,
       (SELECT count(*) FROM event_catalog.rejected_events) AS rejected,
       (SELECT sum(duplicates) FROM event_catalog.duplicate_counts) AS duplicates \gset before_
BEGIN;
COPY event_catalog.events (raw_line) FROM stdin WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
{"tenant": 9, "timestamp": "2026-06-09T17:00:00Z", "event": "ootb_login", "customer": "r1"}
{"tenant": 7, "timestamp": "2026-06-09T16:00:00Z", "event": "ootb_login", "customer": "d1", "context": {"ootb_balance": 1}}
not json
\.
ROLLBACK;
SELECT (SELECT count(*) FROM event_catalog.events) - :before_events AS events,
       (SELECT count(*) FROM event_catalog.rejected_events) - :before_rejected AS rejected,
       (SELECT sum(duplicates) FROM event_catalog.duplicate_counts) - :before_duplicates AS duplicates;
RESET event_catalog.on_invalid;

-- track(): the event_id; the stored id for a duplicate; an error, or null
-- when quarantined
SELECT event_catalog.track('{"tenant": 10, "timestamp": "2026-06-09T18:00:00Z", "event": "ootb_login", "customer": "t1"}') AS id \gset
SELECT :id = (SELECT event_id FROM event_catalog.events WHERE customer_id = 't1') AS returns_id;
SELECT event_catalog.track('{"tenant": 10, "timestamp": "2026-06-09 18:00:00 UTC", "event": "ootb_login", "customer": "t1"}') = :id AS duplicate_returns_stored_id;
SELECT event_catalog.track('{"tenant": 10, "timestamp": "2026-06-09T18:00:00Z", "event": "ootb_login", "customer": "t1", "context": {"ootb_balance": "x"}}');
SET event_catalog.on_invalid = quarantine;
SELECT event_catalog.track('{"tenant": 10, "timestamp": "2026-06-09T18:00:00Z", "event": "ootb_login", "customer": "t1", "context": {"ootb_balance": "x"}}') IS NULL AS quarantined;
RESET event_catalog.on_invalid;
SELECT event_catalog.track('[]');
SELECT event_catalog.track(NULL);

-- unknown events: rejected by default, stored with a warning when accepted
SELECT event_catalog.track('{"tenant": 10, "timestamp": "2026-06-09T18:00:00Z", "event": "my_thing", "customer": "t1"}');
SET event_catalog.unknown_events = accept;
SELECT event_catalog.track('{"tenant": 10, "timestamp": "2026-06-09T18:00:00Z", "event": "my_thing", "customer": "t1"}') AS unknown_id \gset
SELECT event_key, problems->0->>'code' AS code, problems->0->>'severity' AS severity
FROM event_catalog.events WHERE event_id = :unknown_id;
RESET event_catalog.unknown_events;

-- append-only: UPDATE and TRUNCATE are refused, DELETE works
UPDATE event_catalog.events SET tenant = 2 WHERE customer_id = 't1';
UPDATE event_catalog.events SET tenant = 2 WHERE false;
TRUNCATE event_catalog.events;
DELETE FROM event_catalog.events WHERE tenant = 10;
SELECT count(*) FROM event_catalog.events WHERE tenant = 10;
-- a deleted event can be loaded again
SELECT event_catalog.track('{"tenant": 10, "timestamp": "2026-06-09T18:00:00Z", "event": "ootb_login", "customer": "t1"}') > :id AS new_id;

-- event_content_hash: equal for the same content, null for invalid properties
SELECT event_catalog.event_content_hash('{"tenant": 1, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_login", "customer": "c", "junk": 1}')
     = event_catalog.event_content_hash('{"tenant": 1, "timestamp": "2026-06-09 10:00:00 UTC", "event": "ootb_login", "customer": "c"}') AS same,
       event_catalog.event_content_hash('{"tenant": 1, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_login", "customer": "c"}')
     = event_catalog.event_content_hash('{"tenant": 1, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_login", "visitor": "c"}') AS customer_is_not_visitor,
       event_catalog.event_content_hash('{"tenant": 0, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_login", "customer": "c"}') AS invalid;
