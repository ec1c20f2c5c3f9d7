-- edge_input: inputs at the edges of what ingest and the Customer Data API
-- take: strict re-sends of stored events, instants outside years 1..9999,
-- profile attributes under their column names, null timestamps, huge lines,
-- payloads and numbers, events with thousands of params, and lines COPY
-- itself cannot read.
SET event_catalog.on_invalid = quarantine;

-- D05: under strict, an event re-sent in the strict form of a stored RFC
-- 3339 instant is the same event: a duplicate, in either on_invalid mode
SELECT event_catalog.track('{"tenant": 701, "timestamp": "2026-06-01T10:00:00Z", "event": "ootb_login", "customer": "s1"}') AS stored_id \gset
SET event_catalog.timestamp_format = strict;
SELECT event_catalog.track('{"tenant": 701, "timestamp": "2026-06-01 10:00:00.000000 UTC", "event": "ootb_login", "customer": "s1"}')
	= :stored_id AS same_id_under_quarantine;
SET event_catalog.on_invalid = error;
SELECT event_catalog.track('{"tenant": 701, "timestamp": "2026-06-01 10:00:00.000000 UTC", "event": "ootb_login", "customer": "s1"}')
	= :stored_id AS same_id_under_error;
INSERT INTO event_catalog.events (payload)
VALUES ('{"tenant": 701, "timestamp": "2026-06-01 10:00:00.000000 UTC", "event": "ootb_login", "customer": "s1"}');
SET event_catalog.on_invalid = quarantine;
-- the stored form itself, re-sent under strict, is refused for its form
SELECT event_catalog.track('{"tenant": 701, "timestamp": "2026-06-01T10:00:00Z", "event": "ootb_login", "customer": "s1"}');
SELECT (SELECT count(*) FROM event_catalog.events WHERE tenant = 701) AS stored,
	   (SELECT sum(duplicates) FROM event_catalog.duplicate_counts WHERE tenant = 701) AS duplicates,
	   (SELECT count(*) FROM event_catalog.rejected_events WHERE tenant = 701) AS quarantined;
-- and a different event at the same instant is stored
SELECT event_catalog.track('{"tenant": 701, "timestamp": "2026-06-01 10:00:00.000000 UTC", "event": "ootb_login", "customer": "s2"}')
	<> :stored_id AS new_event_stored;

-- D06: under strict, an API write without a timestamp takes the time of
-- the call (not refused for a timestamp it did not send)
SELECT event_catalog.upsert_customer(701, 'api1', '{"email": "api1@example.com"}');
SELECT ordinal, status, problems FROM event_catalog.upsert_customers(701,
	'[{"customer_id": "api2", "attributes": {"city": "Rome"}}]');
RESET event_catalog.timestamp_format;

-- null timestamp in the API: not given (the time of the call), as a null
-- event property is "not provided"
SELECT ordinal, status, problems FROM event_catalog.upsert_customers(701,
	'[{"customer_id": "api3", "attributes": {"city": "Oslo"}, "timestamp": null}]');

-- D07: a profile attribute under its own column name is checked with the
-- rules of the param that feeds it (registration_status is ootb_status's)
SELECT ordinal, customer_id, status, problems FROM event_catalog.upsert_customers(701, '[
	{"customer_id": "v3", "attributes": {"registration_status": "Hacked"}},
	{"customer_id": "v4", "attributes": {"registration_status": "Completed"}},
	{"customer_id": "v5", "attributes": {"status": "Started"}}]');
SELECT customer_id, registration_status, attributes FROM event_catalog.customers
WHERE tenant = 701 AND customer_id IN ('v3', 'v4', 'v5') ORDER BY 1;

-- D14: instants outside years 0001..9999 UTC are invalid_format, whatever
-- their written year: event timestamps, timestamp params, API writes
SELECT path, code FROM problems('{"tenant": 1, "timestamp": "9999-12-31T23:59:59-23:59", "event": "ootb_login", "customer": "y"}');
SELECT path, code FROM problems('{"tenant": 1, "timestamp": "0001-01-01T00:00:00+00:01", "event": "ootb_login", "customer": "y"}');
-- the last and first instants that are in range
SELECT path, code FROM problems('{"tenant": 1, "timestamp": "9999-12-31T23:59:59.999999Z", "event": "ootb_login", "customer": "y"}');
SELECT path, code FROM problems('{"tenant": 1, "timestamp": "9999-12-31T23:59:59+23:59", "event": "ootb_login", "customer": "y"}');
SELECT path, code FROM problems('{"tenant": 1, "timestamp": "0001-01-01T00:00:00-00:01", "event": "ootb_login", "customer": "y"}');
SELECT path, code FROM problems('{"tenant": 1, "timestamp": "0001-01-01 00:00:00 UTC", "event": "ootb_login", "customer": "y"}');
SELECT path, code FROM problems(ev('ootb_withdrawal', '{"ootb_transaction_id": "t1",
	"ootb_withdrawal_timestamp": "9999-12-31T23:59:59-23:59"}'));
SELECT ordinal, status, problems->0->>'code' AS code, problems->0->>'path' AS path
FROM event_catalog.upsert_customers(701,
	'[{"customer_id": "y10k", "attributes": {"city": "Future"}, "timestamp": "9999-12-31T23:59:59-23:59"}]');
-- the attack: year 10000 no longer beats 2026 by sorting first
SELECT event_catalog.track('{"tenant": 701, "timestamp": "9999-12-31T23:59:59-23:59", "event": "ootb_user_details_update", "customer": "y10k", "context": {"ootb_city": "Future"}}');
SELECT count(*) AS quarantined_year_10000 FROM event_catalog.rejected_events
WHERE tenant = 701 AND payload->>'timestamp' = '9999-12-31T23:59:59-23:59';

-- an event with thousands of unknown params: too_many_params once and the
-- unknown keys of the first 50 only, stored (fail-safe) or rejected alike
SELECT count(*) AS problems, count(*) FILTER (WHERE code = 'too_many_params') AS too_many,
	   count(*) FILTER (WHERE code = 'unknown_param') AS unknown
FROM problems(jsonb_build_object('tenant', 702, 'timestamp', '2026-06-01T10:00:00Z',
	'event', 'ootb_self_exclusion_lifted', 'customer', 'many',
	'context', (SELECT jsonb_object_agg('k' || i, i) FROM generate_series(1, 5000) i)));
SELECT event_catalog.track(jsonb_build_object('tenant', 702, 'timestamp', '2026-06-01T10:00:00Z',
	'event', 'ootb_self_exclusion_lifted', 'customer', 'many',
	'context', (SELECT jsonb_object_agg('k' || i, i) FROM generate_series(1, 5000) i))) IS NOT NULL AS stored;
SELECT jsonb_array_length(problems) AS stored_problems FROM event_catalog.events WHERE tenant = 702;
SELECT count(*) AS report_rows, sum(count) FILTER (WHERE code = 'too_many_params') AS too_many
FROM event_catalog.validation_report(702);
-- under reject, the first unknown keys are errors, the rest still unlisted
SET event_catalog.unknown_params = reject;
SELECT count(*) AS problems FROM problems(jsonb_build_object('tenant', 702, 'timestamp', '2026-06-01T10:00:00Z',
	'event', 'ootb_login', 'customer', 'many',
	'context', (SELECT jsonb_object_agg('k' || i, i) FROM generate_series(1, 5000) i)));
RESET event_catalog.unknown_params;

-- numbers: 10,000 digits are a number; 10,001 digits, or an exponent
-- beyond 1000, make a raw line too_large (not "out of range")
CREATE TEMP TABLE big_lines AS
SELECT n, format('{"tenant": 703, "timestamp": "2026-06-01T10:00:00Z", "event": "ootb_login", "customer": "n%s", "context": {"x": %s}}',
				 n, num) AS line
FROM (VALUES (1, repeat('9', 10000)), (2, repeat('9', 10001)), (3, '1e1001'), (4, '1e1000')) v(n, num);
INSERT INTO event_catalog.events (raw_line) SELECT line FROM big_lines ORDER BY n;
SELECT customer_id, length(payload #>> '{context,x}') AS digits FROM event_catalog.events WHERE tenant = 703 ORDER BY 1;
SELECT problems->0->>'code' AS code, problems->0->>'message' AS message, length(raw_line) AS bytes
FROM event_catalog.rejected_events WHERE raw_line LIKE '%"tenant": 703%' ORDER BY rejected_id;

-- D15: a line over the documented 1 MB limit is too_large before it is
-- parsed: quarantined with its raw text, the rest of the COPY loads
CREATE TEMP TABLE huge (line text);
INSERT INTO huge VALUES
	('{"tenant": 704, "timestamp": "2026-06-01T10:00:00Z", "event": "ootb_login", "customer": "before"}'),
	('{"x": [' || repeat('1,', 600000) || '1]}'),
	('{"tenant": 704, "timestamp": "2026-06-01T10:00:00Z", "event": "ootb_login", "customer": "after"}');
\copy huge TO 'results/edge_input_huge.ndjson' WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02')
\copy event_catalog.events (raw_line) FROM 'results/edge_input_huge.ndjson' WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02', FORCE_NOT_NULL (raw_line))
SELECT customer_id FROM event_catalog.events WHERE tenant = 704 ORDER BY 1;
SELECT problems->0->>'code' AS code, problems->0->>'message' AS message, length(raw_line) AS bytes
FROM event_catalog.rejected_events WHERE length(raw_line) > 1000000;
-- under error, the statement stops with the limit in the message
SET event_catalog.on_invalid = error;
INSERT INTO event_catalog.events (raw_line) SELECT '{"x": [' || repeat('1,', 600000) || '1]}';
-- a payload over 1 MB as jsonb, however it comes (here 60,000 unknown
-- params of a valid event): too_large, whatever the rest of it
INSERT INTO event_catalog.events (payload)
SELECT jsonb_build_object('tenant', 704, 'timestamp', '2026-06-01T10:00:00Z', 'event', 'ootb_login',
						  'customer', 'wide', 'context', jsonb_object_agg('param_' || i, repeat('v', 10)))
FROM generate_series(1, 60000) i;
SET event_catalog.on_invalid = quarantine;
INSERT INTO event_catalog.events (payload)
SELECT jsonb_build_object('tenant', 704, 'timestamp', '2026-06-01T10:00:00Z', 'event', 'ootb_login',
						  'customer', 'wide', 'context', jsonb_object_agg('param_' || i, repeat('v', 10)))
FROM generate_series(1, 60000) i;
SELECT problems->0->>'code' AS code, problems->0->>'message' AS message, payload IS NOT NULL AS kept_payload
FROM event_catalog.rejected_events WHERE payload->>'customer' = 'wide';

-- D16: COPY checks the encoding of every line before the trigger sees it,
-- so one line that is not UTF-8 stops the whole load, even under
-- quarantine; the README's filter sets such lines (and NUL bytes) aside
\! printf '{"tenant": 705, "timestamp": "2026-06-01T10:00:00Z", "event": "ootb_login", "customer": "a"}\n{"tenant": 705, "customer": "\377"}\n{"tenant": 705, "customer": "x\000y"}\n{"tenant": 705, "timestamp": "2026-06-01T10:00:00Z", "event": "ootb_login", "customer": "\303\251"}\n' > results/edge_input_feed.ndjson
\copy event_catalog.events (raw_line) FROM 'results/edge_input_feed.ndjson' WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02', FORCE_NOT_NULL (raw_line))
SELECT count(*) AS loaded FROM event_catalog.events WHERE tenant = 705;
\! LC_ALL=C.UTF-8 grep -aPx '[^\x00]*' results/edge_input_feed.ndjson > results/edge_input_feed.clean.ndjson; LC_ALL=C.UTF-8 grep -aPxv '[^\x00]*' results/edge_input_feed.ndjson > results/edge_input_feed.unreadable; wc -l < results/edge_input_feed.unreadable
\copy event_catalog.events (raw_line) FROM 'results/edge_input_feed.clean.ndjson' WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02', FORCE_NOT_NULL (raw_line))
SELECT customer_id FROM event_catalog.events WHERE tenant = 705 ORDER BY 1;

RESET event_catalog.on_invalid;
