-- rules: the rules written once in C and called from SQL: the problem-code
-- registry, the catalog vocabulary and limits, the key syntax, write
-- versions, the problem text format, and the Customer Data API's check of
-- one element (event_catalog_internal.*, reached here as superuser)
\set SHOW_CONTEXT never

-- the registry, in the order of the SPEC's table, plus invalid_json
SELECT code, severity FROM event_catalog.problem_codes();
SELECT count(*) AS without_description FROM event_catalog.problem_codes() WHERE length(description) < 20;
-- every code validation reports is in the registry
SELECT DISTINCT p->>'code' AS unregistered
FROM (VALUES ('[1]'::jsonb), ('{"tenant": "x", "context": []}'),
             ('{"tenant": 1, "timestamp": "2026-02-30T00:00:00Z", "event": "nope", "visitor": "", "x": 1}'),
             (('{"tenant": 1, "timestamp": "2026-06-01T00:00:00Z", "event": "ootb_user_details_update",
               "context": {"ootb_allow_email": "maybe", "ootb_is_test": "true", "zz": 1,
                           "ootb_date_of_birth": "2026-13-01", "ootb_city": "' || repeat('x', 300) || '"}}')::jsonb)) e(ev),
     jsonb_array_elements(event_catalog.validate_event(e.ev)) p
WHERE p->>'code' NOT IN (SELECT code FROM event_catalog.problem_codes());

-- the vocabulary: the table constraints, define_event and check_channel use these lists
SELECT k, event_catalog_internal.vocabulary(k) FROM unnest(ARRAY['data_type', 'requirement', 'channel']) k;
SELECT event_catalog_internal.vocabulary('colour');
SELECT n, event_catalog_internal.limit_value(n)
FROM unnest(ARRAY['max_params', 'default_max_length', 'key_max_length', 'identity_max_length']) n;
SELECT event_catalog_internal.limit_value('max_colours');

-- key syntax: snake_case, keys at most 100 bytes
SELECT s, event_catalog_internal.is_snake_case(s) AS snake, event_catalog_internal.is_catalog_key(s) AS key
FROM unnest(ARRAY['ootb_login', 'a', 'a1_b2', '_a', 'a_', 'a__b', 'A', 'a-b', '1a', '', 'ä',
                  repeat('a', 100), repeat('a', 101)]) s;
-- the same rule in the table constraint and in define_event (terse: the
-- failing row holds the time of the insert)
\set VERBOSITY terse
INSERT INTO event_catalog.event_types (event_key, display_name) VALUES (repeat('a', 101), 'x');
\set VERBOSITY default
SELECT event_catalog.define_event(jsonb_build_object('event', repeat('a', 101)));
INSERT INTO event_catalog.event_params (event_key, param_key, position, data_type)
VALUES ('ootb_login', 'p', 1, 'colour');
SELECT event_catalog.define_event('{"event": "rules_x", "params": [{"key": "p", "type": "colour"}]}');
SELECT event_catalog.define_event('{"event": "rules_x", "params": [{"key": "p", "type": "string", "requirement": "channel", "channel": "fax"}]}');

-- versions: the event time in UTC, fixed width, then the digest; the
-- greater wins, byte by byte
SET TIME ZONE 'America/St_Johns';
SELECT count(*) AS differ_from_to_char
FROM generate_series(timestamptz '0001-01-01 00:00:00+00', '9999-12-31', interval '97 days 3 hours 7.123457 seconds') t
WHERE event_catalog_internal.write_version(t, 'd') <>
      to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '|d';
RESET TIME ZONE;
SELECT event_catalog_internal.write_version('2026-06-01 10:00:00.5+02', 'abc');
SELECT n, o, event_catalog_internal.version_newer(n, o)
FROM (VALUES ('2026-b', '2026-a'), ('2026-a', '2026-b'), ('2026-a', '2026-a'), ('2026-a', NULL),
             (NULL, '2026-a'), ('2026-a', ''), ('2026-ab', '2026-a')) v(n, o);
SELECT event_catalog_internal.newer_versions(
	'{"email": "2026-06-01 00:00:00.000000|b", "city": "2026-06-01 00:00:00.000000|b"}',
	'{"email": "2026-06-02 00:00:00.000000|a", "city": "2026-05-01 00:00:00.000000|z", "gender": "2026-01-01 00:00:00.000000|a"}');
SELECT event_catalog_internal.newest_applied(
	'{"email": "2026-06-01 00:00:00.000000|b"}',
	'{"email": "2026-06-02 00:00:00.000000|a", "city": "2026-05-01 12:30:00.000000|z"}') AT TIME ZONE 'UTC';
SELECT event_catalog_internal.newest_applied('{"email": "2026-06-03 00:00:00.000000|b"}',
	'{"email": "2026-06-02 00:00:00.000000|a"}');

-- one text format of a problem list: the detail of assert_valid_event
SELECT event_catalog_internal.problems_text(event_catalog.validate_event(
	'{"tenant": 0, "timestamp": "x", "event": "ootb_login", "customer": "c", "y": 1}'));
SELECT event_catalog.assert_valid_event(
	'{"tenant": 0, "timestamp": "x", "event": "ootb_login", "customer": "c", "y": 1}');
SELECT event_catalog_internal.problems_text('[]');

-- one element of upsert_customers, checked in C
SELECT * FROM event_catalog_internal.check_customer_write(
	'{"customer_id": "c1", "timestamp": "2026-06-01T10:00:00Z",
	  "attributes": {"email": "a@example.com", "ootb_allow_sms": "Yes", "loyalty": 3, "is_blocked": false}}');
SELECT problems FROM event_catalog_internal.check_customer_write((
	'{"customer_id": "", "timestamp": "2026-13-01", "extra": 1,
	  "attributes": {"allow_email": "maybe", "prefs": {"a": 1}, "note": "' || repeat('x', 256) || '"}}')::jsonb);
SELECT problems FROM event_catalog_internal.check_customer_write('{"attributes": []}');
SELECT problems FROM event_catalog_internal.check_customer_write('[1]');
-- no timestamp: none is checked, so strict mode accepts the write
SET event_catalog.timestamp_format = strict;
SELECT customer_id, occurred_at, problems FROM event_catalog_internal.check_customer_write('{"customer_id": "c2"}');
RESET event_catalog.timestamp_format;
