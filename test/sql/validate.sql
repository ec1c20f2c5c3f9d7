-- validate: every rule and error code of SPEC 3.2, the three functions

-- a clean event: no problems
SELECT event_catalog.validate_event(ev('ootb_login', '{"ootb_balance": 10.5}'));
SELECT event_catalog.is_valid_event(ev('ootb_login'));
SELECT event_catalog.assert_valid_event(ev('ootb_login')) = ev('ootb_login') AS unchanged;

-- not_object: the event, or its context
SELECT * FROM problems('[1, 2]');
SELECT * FROM problems('"an event"');
SELECT * FROM problems('42');
SELECT * FROM problems('null');
SELECT * FROM problems(ev('ootb_login') || '{"context": [1]}');
SELECT * FROM problems(ev('ootb_login') || '{"context": "x"}');

-- missing_property: each mandatory property
SELECT * FROM problems('{}');
SELECT * FROM problems(ev('ootb_login') - 'tenant');
SELECT * FROM problems(ev('ootb_login') - 'timestamp');
SELECT * FROM problems(ev('ootb_login') - 'event');
-- null means not provided
SELECT * FROM problems(ev('ootb_login') || '{"tenant": null}');
-- a customer-only event with just a visitor
SELECT * FROM problems(ev('ootb_user_details_update') - 'customer' || '{"visitor": "v1"}');
-- a mandatory param
SELECT * FROM problems(ev('ootb_withdrawal', '{"ootb_withdrawal_timestamp": "2026-06-09T10:00:00Z"}'));
SELECT * FROM problems(ev('ootb_withdrawal', '{"ootb_transaction_id": null, "ootb_withdrawal_timestamp": "2026-06-09T10:00:00Z"}'));
-- without any context
SELECT * FROM problems(ev('ootb_withdrawal') - 'context');

-- missing_identity
SELECT * FROM problems(ev('ootb_login') - 'customer');
SELECT * FROM problems(ev('ootb_login') - 'customer' || '{"visitor": null}');
-- visitor alone is enough for an event that does not require a customer
SELECT * FROM problems(ev('ootb_login') - 'customer' || '{"visitor": "visitorId1"}');
-- both are checked when both are present
SELECT * FROM problems(ev('ootb_login') || '{"visitor": ""}');

-- wrong_type
SELECT * FROM problems(ev('ootb_login') || '{"tenant": "567"}');
SELECT * FROM problems(ev('ootb_login') || '{"timestamp": 1717900000}');
SELECT * FROM problems(ev('ootb_login') || '{"event": 5}');
SELECT * FROM problems(ev('ootb_login') || '{"customer": 12345}');
SELECT * FROM problems(ev('ootb_login') - 'customer' || '{"visitor": true}');
SELECT * FROM problems(ev('ootb_user_details_update', '{"ootb_is_test": "true"}'));
SELECT * FROM problems(ev('ootb_login', '{"ootb_balance": "5"}'));
SELECT * FROM problems(ev('ootb_login', '{"ootb_country": 5}'));
SELECT * FROM problems(ev('ootb_login', '{"ootb_country": ["US"]}'));
SELECT * FROM problems(ev('ootb_login', '{"ootb_country": {"code": "US"}}'));
SELECT * FROM problems(ev('ootb_user_details_update', '{"ootb_date_of_birth": 19900115}'));
SELECT * FROM problems(ev('ootb_login', '{"ootb_login_timestamp": false}'));

-- invalid_value: allowed values (exact, case-sensitive), identity, tenant
SELECT * FROM problems(ev('ootb_user_details_update', '{"ootb_allow_email": "yes"}'));
SELECT * FROM problems(ev('ootb_user_details_update', '{"ootb_allow_email": "Yes", "ootb_status": "Done"}'));
SELECT * FROM problems(ev('ootb_self_exclusion_initiated', '{"ootb_exclusion_type": 2}'));
SELECT * FROM problems(ev('ootb_self_exclusion_initiated', '{"ootb_exclusion_type": 1.0}'));
SELECT * FROM problems(ev('ootb_login') || '{"customer": ""}');
SELECT * FROM problems(ev('ootb_login') || '{"tenant": 0}');
SELECT * FROM problems(ev('ootb_login') || '{"tenant": -5}');
SELECT * FROM problems(ev('ootb_login') || '{"tenant": 5.5}');
SELECT * FROM problems(ev('ootb_login') || '{"tenant": 5.0}');
SELECT * FROM problems(ev('ootb_login') || '{"tenant": 2147483648}');
SELECT * FROM problems(ev('ootb_login') || '{"tenant": 1e400}');

-- "" clears a profile attribute, so it passes whatever the param's rules
SELECT * FROM problems(ev('ootb_user_details_update', '{"ootb_allow_email": "", "ootb_is_test": "",
    "ootb_status": "", "ootb_date_of_birth": ""}'));
-- ... but only for params that feed the profile
SELECT * FROM problems(ev('ootb_registration_failed', '{"ootb_eventdatetime": ""}'));

-- invalid_format: dates ("" is a clear, see above)
SELECT d, (SELECT string_agg(code, ',') FROM problems(ev('ootb_user_details_update',
           jsonb_build_object('ootb_date_of_birth', d)))) AS codes
FROM unnest(ARRAY['1990-01-15', '2024-02-29', '2023-02-29', '1990-02-30', '1990-13-01',
                  '1990-00-10', '1990-04-31', '0000-01-01', '1990-1-15', '1990/01/15',
                  '1990-01-15T00:00:00Z', ' 1990-01-15', '', 'yesterday']) d;

-- invalid_format: the top-level timestamp (lenient)
SELECT t, (SELECT string_agg(code, ',') FROM problems(ev('ootb_login') ||
           jsonb_build_object('timestamp', t))) AS codes
FROM unnest(ARRAY['2026-06-09 10:15:00.000000 UTC', '2026-06-09 10:15:00 UTC',
                  '2026-06-09 10:15:00.5 UTC', '2026-06-09T10:15:00Z',
                  '2026-06-09T10:15:00.123+02:00', '2026-06-09t10:15:00z',
                  '2026-06-09T10:15:00.123456-11:30', '2026-06-09 10:15:00Z',
                  '2026-06-09T10:15:00.1234567Z', '2026-06-09T10:15:00.Z',
                  '2026-06-09T10:15:00', '2026-06-09', '2026-06-09T10:15Z',
                  '2026-02-30T10:15:00Z', '2026-13-09T10:15:00Z', '2026-06-09T24:00:00Z',
                  '2026-06-09T23:60:00Z', '2026-06-09T23:59:60Z', '2026-06-09T10:15:00+24:00',
                  '2026-06-09T10:15:00+02', '2026-06-09T10:15:00 UTC', '2026-06-09 10:15:00 utc',
                  '2026-06-09 10:15:00.000000 UTC ', '2026-06-09 10:15:00.000000 GMT']) t;

-- invalid_format: timestamp params also take a plain date
SELECT t, (SELECT string_agg(code, ',') FROM problems(ev('ootb_self_exclusion_activated',
           jsonb_build_object('ootb_self_exclusion_expiry_date', t)))) AS codes
FROM unnest(ARRAY['2024-06-26T12:00:00Z', '2024-06-26', '2024-06-31',
                  '2024-06-26 12:00:00.000000 UTC', 'next month']) t;

-- too_long: characters, not bytes
SELECT * FROM problems(ev('ootb_login', jsonb_build_object('ootb_country', repeat('a', 255))));
SELECT * FROM problems(ev('ootb_login', jsonb_build_object('ootb_country', repeat('a', 256))));
SELECT * FROM problems(ev('ootb_login', jsonb_build_object('ootb_country', repeat('é', 255))));
SELECT * FROM problems(ev('ootb_login', jsonb_build_object('ootb_country', repeat('é', 256))));
SELECT * FROM problems(ev('ootb_login') || jsonb_build_object('customer', repeat('€', 255)));
SELECT * FROM problems(ev('ootb_login') || jsonb_build_object('customer', repeat('€', 256)));

-- unknown_event
SELECT * FROM problems(ev('ootb_no_such_event', '{"anything": 1}'));

-- unknown_param and unknown_property are warnings: the event is still valid
SELECT * FROM problems(ev('ootb_login', '{"my_param": 1}') || '{"source": "app"}');
SELECT event_catalog.is_valid_event(ev('ootb_login', '{"my_param": 1}') || '{"source": "app"}');

-- too_many_params: at most 50 keys in context
SELECT * FROM problems(ev('ootb_login', (SELECT jsonb_object_agg('p' || i, i) FROM generate_series(1, 50) i)))
WHERE code <> 'unknown_param';
SELECT * FROM problems(ev('ootb_login', (SELECT jsonb_object_agg('p' || i, i) FROM generate_series(1, 51) i)))
WHERE code <> 'unknown_param';

-- all problems are reported, in a stable order: keys present in jsonb
-- order (context's keys where context stands), then missing properties,
-- then missing mandatory params in catalog order
SELECT * FROM problems('{"event": "ootb_withdrawal", "tenant": "x", "extra": 1,
    "context": {"zz": 1, "ootb_withdrawal_amount": "ten", "a": 2},
    "customer": "", "timestamp": "2026-02-30 00:00:00 UTC"}');
SELECT * FROM problems('{"event": "ootb_user_details_update", "context": {}}');

-- messages and severities, as validate_event returns them
SELECT jsonb_pretty(event_catalog.validate_event(
    '{"tenant": 1, "event": "ootb_user_details_update", "visitor": "v/1~x",
      "timestamp": "2026-06-09T10:15:00Z", "a/b~c": 1,
      "context": {"ootb_allow_sms": "may\u0001be", "ootb_is_test": 1}}'));

-- JSON Pointer escaping of keys (RFC 6901)
SELECT path FROM problems(ev('ootb_login', '{"a/b": 1, "~x": 2, "": 3}') || '{"a~/": 0}');

-- is_valid_event agrees with validate_event
SELECT e, event_catalog.is_valid_event(e) AS is_valid,
       NOT EXISTS (SELECT 1 FROM problems(e) WHERE severity = 'error') AS no_errors
FROM (VALUES (ev('ootb_login')), (ev('ootb_login') - 'tenant'), ('[]'::jsonb),
             (ev('ootb_login', '{"x": 1}')), (ev('nope')),
             (ev('ootb_self_exclusion_lifted', '{"ootb_self_exclusion_end_date": "soon"}'))) v(e);

-- fail-safe events: validate_event still reports their param problems
SELECT * FROM problems(ev('ootb_self_exclusion_initiated',
    '{"ootb_exclusion_type": "cool-off", "ootb_self_exclusion_expiry_date": "2026-02-30"}'));

-- assert_valid_event: 22023, the first error in errmsg, all problems in errdetail

SELECT event_catalog.assert_valid_event(ev('ootb_login', '{"x": 1, "ootb_balance": "1"}') - 'timestamp');
\set VERBOSITY default
-- warnings alone do not fail
SELECT event_catalog.assert_valid_event(ev('ootb_login', '{"x": 1}'))->'context';
DO $$
BEGIN
	PERFORM event_catalog.assert_valid_event('[]');
EXCEPTION WHEN invalid_parameter_value THEN
	RAISE NOTICE 'caught %: %', SQLSTATE, SQLERRM;
END $$;

-- STRICT: null in, null out
SELECT event_catalog.validate_event(NULL), event_catalog.is_valid_event(NULL),
       event_catalog.assert_valid_event(NULL);
