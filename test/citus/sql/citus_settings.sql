-- The coordinator session's event_catalog.* settings take effect on the
-- shards: a plain SET, SET LOCAL, set_config() and RESET, between
-- statements of one session (whose worker connections Citus keeps and
-- reuses), in and out of transaction blocks, for every way of loading
-- through the coordinator.  Rows of tenant 950; unreadable lines start
-- with 'settings-'.
\set VERBOSITY terse
\set counts 'SELECT (SELECT count(*) FROM event_catalog.rejected_events WHERE tenant = 950 OR raw_line LIKE $$settings-%$$) AS quarantined, (SELECT count(*) FROM event_catalog.events WHERE tenant = 950) AS stored'
-- the workers' connections of this session are kept between statements
SHOW citus.max_cached_conns_per_worker;

-- out of a transaction block: SET, then RESET, then set_config
SET event_catalog.on_invalid = quarantine;
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 950, "timestamp": "2026-06-10T10:00:00Z", "event": "ootb_nope", "customer": "s1"}');
:counts;
RESET event_catalog.on_invalid;
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 950, "timestamp": "2026-06-10T10:01:00Z", "event": "ootb_nope", "customer": "s1"}');
:counts;
SELECT set_config('event_catalog.on_invalid', 'quarantine', false);
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 950, "timestamp": "2026-06-10T10:02:00Z", "event": "ootb_nope", "customer": "s1"}');
:counts;

-- the README's COPY (raw_line, quarantine set with a plain SET): no
-- warning, invalid and unreadable lines quarantined on the workers
COPY event_catalog.events (raw_line) FROM STDIN;
{"tenant": 950, "timestamp": "2026-06-10T10:03:00Z", "event": "ootb_login", "customer": "s2"}
{"tenant": 950, "timestamp": "2026-06-10T10:03:00Z", "event": "ootb_nope", "customer": "s3"}
settings-not json
\.
:counts;
-- ... and of payload; then RESET: the same COPY fails on the worker
COPY event_catalog.events (payload) FROM STDIN;
{"tenant": 950, "timestamp": "2026-06-10T10:04:00Z", "event": "ootb_nope", "customer": "s4"}
\.
RESET event_catalog.on_invalid;
COPY event_catalog.events (payload) FROM STDIN;
{"tenant": 950, "timestamp": "2026-06-10T10:05:00Z", "event": "ootb_nope", "customer": "s4"}
\.
COPY event_catalog.events (raw_line) FROM STDIN;
settings-still not json
\.
:counts;

-- in a transaction block, the connection to the shard of s5 in use from
-- the first statement: SET LOCAL, SET, a rolled-back savepoint, RESET
BEGIN;
SET LOCAL event_catalog.on_invalid = quarantine;
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 950, "timestamp": "2026-06-10T10:06:00Z", "event": "ootb_nope", "customer": "s5"}');
SET LOCAL event_catalog.on_invalid = error;
SAVEPOINT a;
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 950, "timestamp": "2026-06-10T10:07:00Z", "event": "ootb_nope", "customer": "s5"}');
ROLLBACK TO SAVEPOINT a;
SET event_catalog.on_invalid = quarantine;
SAVEPOINT b;
SET LOCAL event_catalog.on_invalid = error;
ROLLBACK TO SAVEPOINT b;
-- quarantine again (the savepoint's SET LOCAL is gone on every node)
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 950, "timestamp": "2026-06-10T10:08:00Z", "event": "ootb_nope", "customer": "s5"}');
SAVEPOINT c;
RESET event_catalog.on_invalid;
RELEASE SAVEPOINT c;
-- error after the released savepoint's RESET
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 950, "timestamp": "2026-06-10T10:09:00Z", "event": "ootb_nope", "customer": "s5"}');
ROLLBACK;
SHOW event_catalog.on_invalid;

BEGIN;
SET event_catalog.on_invalid = quarantine;
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 950, "timestamp": "2026-06-10T10:10:00Z", "event": "ootb_nope", "customer": "s6"}');
-- INSERT ... SELECT over every shard, track(), the batch functions
INSERT INTO event_catalog.events (payload)
SELECT jsonb_build_object('tenant', 950, 'timestamp', '2026-06-10T10:11:00Z', 'event', 'ootb_nope',
						  'customer', 's7-' || i)
FROM generate_series(1, 8) i;
SELECT event_catalog.track('{"tenant": 950, "timestamp": "2026-06-10T10:12:00Z", "event": "ootb_nope", "customer": "s8"}') AS tracked;
SELECT ordinal, event_id IS NOT NULL AS has_id, status FROM event_catalog.track_batch(ARRAY[
  '{"tenant": 950, "timestamp": "2026-06-10T10:13:00Z", "event": "ootb_nope", "customer": "s9"}',
  '{"tenant": 950, "timestamp": "2026-06-10T10:13:00Z", "event": "ootb_login", "customer": "s9"}']::jsonb[]);
SELECT ordinal, status FROM event_catalog.track_batch_raw(ARRAY[
  '{"tenant": 950, "timestamp": "2026-06-10T10:14:00Z", "event": "ootb_nope", "customer": "s10"}',
  'settings-no json either']);
SELECT status FROM event_catalog.track_raw('{"tenant": 950, "timestamp": "2026-06-10T10:15:00Z", "event": "ootb_nope", "customer": "s11"}');
COMMIT;
-- a plain SET in a committed block stays, on the workers too
SHOW event_catalog.on_invalid;
:counts;
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 950, "timestamp": "2026-06-10T10:16:00Z", "event": "ootb_nope", "customer": "s6"}');
:counts;

-- the other settings: what the worker checks follows them
SET event_catalog.timestamp_format = strict;
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 950, "timestamp": "2026-06-10T10:17:00Z", "event": "ootb_login", "customer": "s12"}');
SELECT problems->0->>'code' AS strict_code FROM event_catalog.rejected_events
WHERE tenant = 950 AND customer_id = 's12';
RESET event_catalog.timestamp_format;
SET event_catalog.unknown_params = reject;
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 950, "timestamp": "2026-06-10T10:18:00Z", "event": "ootb_login", "customer": "s13", "context": {"x": 1}}');
RESET event_catalog.unknown_params;
SET event_catalog.channels = 'email';
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 950, "timestamp": "2026-06-10T10:19:00Z", "event": "ootb_user_details_update", "customer": "s14", "context": {"ootb_allow_email": "Yes"}}');
RESET event_catalog.channels;
RESET event_catalog.on_invalid;
SET event_catalog.unknown_events = accept;
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 950, "timestamp": "2026-06-10T10:20:00Z", "event": "ootb_nope", "customer": "s15"}');
RESET event_catalog.unknown_events;
SELECT customer_id, problems->0->>'code' AS code FROM event_catalog.rejected_events
WHERE tenant = 950 AND customer_id IN ('s13', 's14') ORDER BY 1;
SELECT customer_id, event_key FROM event_catalog.events WHERE tenant = 950 AND customer_id = 's15';
-- all back to the defaults: refused again
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 950, "timestamp": "2026-06-10T10:21:00Z", "event": "ootb_nope", "customer": "s15"}');
:counts;

-- reads: the functions of a query that Citus runs on the shards (here
-- current_setting, on each of the 32 shards) see the session's settings
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 950, "timestamp": "2026-06-10T10:22:00Z", "event": "ootb_login", "customer": "s17"}');
\set on_shards 'SELECT current_setting($$event_catalog.tenant$$) AS tenant, current_setting($$event_catalog.unknown_params$$) AS unknown_params FROM event_catalog.events WHERE tenant = 950 AND customer_id = $$s17$$'
SET event_catalog.unknown_params = reject;
SET event_catalog.tenant = '950';
:on_shards;
BEGIN;
:on_shards;
RESET event_catalog.unknown_params;
:on_shards;
COMMIT;
RESET event_catalog.tenant;
:on_shards;
