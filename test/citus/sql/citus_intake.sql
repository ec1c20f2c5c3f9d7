-- Intake through the coordinator without person_key: the README's NDJSON
-- COPY, INSERT (payload) and (raw_line) of one row, of many rows and from
-- a SELECT, and track().  The coordinator computes each row's key before
-- Citus routes it; unreadable lines are quarantined on the shard of key ''.
\set VERBOSITY terse
SET citus.propagate_set_commands = 'local';
BEGIN;
SET LOCAL event_catalog.on_invalid = quarantine;
COPY event_catalog.events (raw_line) FROM STDIN;
{"tenant": 700, "timestamp": "2026-06-09T10:15:00Z", "event": "ootb_login", "customer": "k1"}
{"tenant": 700, "timestamp": "2026-06-09T10:15:00Z", "event": "ootb_login", "customer": "k1"}
{"tenant": 700, "timestamp": "2026-06-09T10:16:00Z", "event": "ootb_user_details_update", "customer": "k2", "context": {"ootb_email": "k2@example.com", "ootb_allow_email": "Yes"}}
not json at all
{"tenant": 700, "timestamp": "2026-06-09T10:15:00Z", "event": "ootb_nope", "customer": "k3"}

{"tenant": 700, "timestamp": "2026-06-09T10:17:00Z", "event": "ootb_login", "visitor": "kv1"}
\.
COMMIT;
-- the load: recorded on the coordinator, counted on the workers
SELECT lines, stored, stored_with_warnings, duplicates, quarantined, skipped, quarantined_by_code
FROM event_catalog.load_report();
-- a plain SET reaches the workers too (test citus_settings): quarantined,
-- without a warning
SET event_catalog.on_invalid = quarantine;
COPY event_catalog.events (raw_line) FROM STDIN;
{"tenant": 700, "timestamp": "2026-06-09T10:15:30Z", "event": "ootb_nope", "customer": "k3"}
\.
RESET event_catalog.on_invalid;
-- the same in csv
COPY event_catalog.events (raw_line) FROM STDIN (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
{"tenant": 700, "timestamp": "2026-06-09T10:18:00Z", "event": "ootb_login", "customer": "k4"}
\.
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 700, "timestamp": "2026-06-09T11:00:00Z", "event": "ootb_login", "customer": "k5"}');
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 700, "timestamp": "2026-06-09T11:01:00Z", "event": "ootb_login", "customer": "k6"}'),
  ('{"tenant": 700, "timestamp": "2026-06-09T11:01:00Z", "event": "ootb_login", "customer": "k7"}');
INSERT INTO event_catalog.events (raw_line) VALUES
  ('{"tenant": 700, "timestamp": "2026-06-09T11:02:00Z", "event": "ootb_login", "customer": "k8"}');
INSERT INTO event_catalog.events (payload)
SELECT jsonb_build_object('tenant', 700, 'timestamp', '2026-06-09T11:03:00Z', 'event', 'ootb_login',
						  'customer', 'm' || i)
FROM generate_series(1, 20) i;
-- track(): the id, and for a duplicate the stored event's id
SELECT event_catalog.track('{"tenant": 700, "timestamp": "2026-06-09T11:04:00Z", "event": "ootb_login", "customer": "k9"}') AS first \gset
SELECT event_catalog.track('{"tenant": 700, "timestamp": "2026-06-09T11:04:00Z", "event": "ootb_login", "customer": "k9"}') = :first AS duplicate_gives_stored_id;
-- an invalid event fails as on a single node
SELECT event_catalog.track('{"tenant": 700, "timestamp": "2026-06-09T11:04:00Z", "event": "ootb_nope", "customer": "k9"}');
-- track_batch, track_batch_raw, track_raw: one result per input, in input
-- order, as on a single node (stored, stored_with_warnings, duplicate of a
-- stored event or of an earlier element, quarantined, skipped)
SET citus.propagate_set_commands = 'local';
BEGIN;
SET LOCAL event_catalog.on_invalid = quarantine;
CREATE TEMP TABLE tb AS
SELECT * FROM event_catalog.track_batch(ARRAY[
  '{"tenant": 700, "timestamp": "2026-06-09T11:05:00Z", "event": "ootb_login", "customer": "k10"}',
  '{"tenant": 700, "timestamp": "2026-06-09T11:05:00Z", "event": "ootb_login", "customer": "k10"}',
  '{"tenant": 700, "timestamp": "2026-06-09T11:04:00Z", "event": "ootb_login", "customer": "k9"}',
  '{"tenant": 700, "timestamp": "2026-06-09T11:05:00Z", "event": "ootb_nope", "customer": "k11"}',
  '{"tenant": 700, "timestamp": "2026-06-09T11:05:00Z", "event": "ootb_login", "customer": "k12", "x": 1}',
  '{"tenant": 700, "timestamp": "2026-06-09T11:05:00Z", "event": "ootb_login", "visitor": "kv2"}'
]::jsonb[]);
SELECT ordinal, event_id IS NOT NULL AS has_id, status, problems -> 0 ->> 'code' AS code FROM tb ORDER BY ordinal;
SELECT (SELECT event_id FROM tb WHERE ordinal = 1) = (SELECT event_id FROM tb WHERE ordinal = 2) AS same_as_element_1,
       (SELECT event_id FROM tb WHERE ordinal = 3) = :first AS same_as_tracked,
       (SELECT count(*) FROM event_catalog.events e JOIN tb USING (event_id) WHERE tb.status LIKE 'stored%') AS stored_found;
SELECT ordinal, event_id IS NOT NULL AS has_id, status, problems -> 0 ->> 'code' AS code
FROM event_catalog.track_batch_raw(ARRAY[
  '{"tenant": 700, "timestamp": "2026-06-09T11:06:00Z", "event": "ootb_login", "customer": "k13"}',
  'not json',
  '',
  '{"tenant": 700, "timestamp": "2026-06-09T11:06:00Z", "event": "ootb_login", "customer": "k13"}',
  NULL]);
SELECT event_id IS NOT NULL AS has_id, status, problems -> 0 ->> 'code' AS code
FROM event_catalog.track_raw('{"tenant": 700, "timestamp": "2026-06-09T11:07:00Z", "event": "ootb_login", "customer": "k14"}');
SELECT event_id IS NOT NULL AS has_id, status, problems -> 0 ->> 'code' AS code
FROM event_catalog.track_raw('{oops');
SELECT event_id IS NOT NULL AS has_id, status, problems -> 0 ->> 'code' AS code
FROM event_catalog.track_raw(NULL);
SELECT count(*) AS empty_batch FROM event_catalog.track_batch('{}');
COMMIT;
-- the quarantined elements are on their shards
SELECT raw_line, customer_id, problems -> 0 ->> 'code' AS code
FROM event_catalog.rejected_events
WHERE customer_id = 'k11' OR raw_line IN ('not json', '{oops') OR (raw_line IS NULL AND payload IS NULL)
ORDER BY code, raw_line;
-- under on_invalid = error the batch fails whole, naming the element
SELECT * FROM event_catalog.track_batch(ARRAY[
  '{"tenant": 700, "timestamp": "2026-06-09T11:08:00Z", "event": "ootb_login", "customer": "k15"}',
  '{"tenant": 700, "timestamp": "2026-06-09T11:08:00Z", "event": "ootb_nope", "customer": "k15"}'
]::jsonb[]);
\set VERBOSITY default
SELECT * FROM event_catalog.track_batch_raw(ARRAY['{"tenant": 700, "timestamp": "2026-06-09T11:08:00Z", "event": "ootb_login", "customer": "k15"}', 'nope']);
\set VERBOSITY terse
SELECT count(*) AS k15_rows FROM event_catalog.events WHERE person_key = 'k15';

-- every row on the shard of its key, the key its customer or visitor
SELECT event_key, customer_id, visitor_id, person_key
FROM event_catalog.events WHERE tenant = 700 AND person_key NOT LIKE 'm%' ORDER BY occurred_at, person_key;
SELECT count(*) AS m_rows FROM event_catalog.events WHERE tenant = 700 AND person_key LIKE 'm%';
-- a query by key (routed to the shard of the key) finds every row
DO $$
DECLARE
	k text;
	lost integer := 0;
BEGIN
	FOR k IN SELECT person_key FROM event_catalog.events WHERE tenant = 700 LOOP
		IF NOT EXISTS (SELECT FROM event_catalog.events WHERE person_key = k AND tenant = 700) THEN
			lost := lost + 1;
		END IF;
	END LOOP;
	RAISE NOTICE 'rows not found by their key: %', lost;
END
$$;
-- quarantine: the unreadable line under key '', the unknown event under its customer
SELECT tenant, customer_id, person_key, raw_line, problems -> 0 ->> 'code' AS code
FROM event_catalog.rejected_events WHERE tenant = 700 OR tenant IS NULL ORDER BY raw_line, code;
SELECT tenant, event_key, duplicates, person_key FROM event_catalog.duplicate_counts WHERE tenant = 700 ORDER BY person_key;
SELECT tenant, customer_id, email, allow_email FROM event_catalog.customers WHERE tenant = 700;
-- one tenant spread over both workers
SELECT count(DISTINCT nodeport) AS workers_holding_tenant
FROM event_catalog.events e
JOIN pg_dist_shard_placement p
  ON p.shardid = get_shard_id_for_distribution_column('event_catalog.events', e.person_key)
WHERE e.tenant = 700;
