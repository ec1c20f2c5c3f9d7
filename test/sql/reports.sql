-- reports: each report on a small fixed data set with known answers

CREATE FUNCTION ev60(customer text, visitor text, ts text, key text, context jsonb DEFAULT '{}')
RETURNS bigint LANGUAGE sql AS $$
	SELECT event_catalog.track(jsonb_strip_nulls(jsonb_build_object('tenant', 60, 'timestamp', ts,
		'event', key, 'customer', customer, 'visitor', visitor, 'context', context)))
$$;

-- registrations: 4 initiated (2 by Registration Initiated, 2 by status
-- Started), 2 completed, 3 failed (2 reasons), one of them in May
SELECT count(*) FROM (VALUES
	(ev60(NULL, 'v1', '2026-06-01T10:00:00Z', 'ootb_registration_initiated')),
	(ev60(NULL, 'v2', '2026-06-01T11:00:00Z', 'ootb_registration_initiated')),
	(ev60('r3', NULL, '2026-06-02T10:00:00Z', 'ootb_registration', '{"ootb_status": "Started"}')),
	(ev60('r4', NULL, '2026-06-02T11:00:00Z', 'ootb_registration', '{"ootb_status": "Started"}')),
	(ev60(NULL, 'v1', '2026-06-01T10:05:00Z', 'ootb_registration_failed', '{"ootb_failure_reason": "invalid_email"}')),
	(ev60(NULL, 'v2', '2026-06-01T11:05:00Z', 'ootb_registration_failed', '{"ootb_failure_reason": "invalid_email"}')),
	(ev60('r4', NULL, '2026-06-02T11:05:00Z', 'ootb_registration', '{"ootb_status": "Failed"}')),
	(ev60('r3', NULL, '2026-06-02T10:10:00Z', 'ootb_registration', '{"ootb_status": "Completed", "ootb_email": "r3@example.com", "ootb_allow_email": "Yes"}')),
	(ev60('r4', NULL, '2026-06-02T11:10:00Z', 'ootb_registration', '{"ootb_status": "Completed", "ootb_allow_email": "No", "ootb_mobile_number": "+1", "ootb_allow_sms": "Yes"}')),
	(ev60(NULL, 'v9', '2026-05-01T10:00:00Z', 'ootb_registration_failed', '{"ootb_failure_reason": "weak_password"}'))
) v(id);
SELECT * FROM event_catalog.registration_funnel(60);
SELECT * FROM event_catalog.registration_funnel(60, '2026-06-01', '2026-07-01');
SELECT * FROM event_catalog.registration_funnel(61);

-- consent: r3 email in, r4 email out and sms in, u5 knows nothing
SELECT event_catalog.upsert_customer(60, 'u5', '{"first_name": "Una", "email": "u5@example.com"}');
SELECT * FROM event_catalog.consent_summary(60);

-- self-exclusion: one active (overdue), one cool-off lifted, one in a
-- violation and an anomaly
SELECT count(*) FROM (VALUES
	(ev60('s1', NULL, '2025-01-01T00:00:00Z', 'ootb_self_exclusion_initiated', '{"ootb_exclusion_type": 0, "ootb_self_exclusion_expiry_date": "2025-07-01"}')),
	(ev60('s1', NULL, '2025-01-01T00:01:00Z', 'ootb_self_exclusion_activated')),
	(ev60('s1', NULL, '2025-02-01T00:00:00Z', 'ootb_self_exclusion_violation_attempt')),
	(ev60('s2', NULL, '2026-06-01T00:00:00Z', 'ootb_self_exclusion_initiated', '{"ootb_exclusion_type": 1}')),
	(ev60('s2', NULL, '2026-06-08T00:00:00Z', 'ootb_self_exclusion_lifted')),
	(ev60('s3', NULL, '2026-06-03T00:00:00Z', 'ootb_self_exclusion_updated', '{"ootb_exclusion_type": 1, "ootb_self_exclusion_expiry_date": "2999-01-01"}'))
) v(id);
SELECT * FROM event_catalog.self_exclusion_report(60);
SELECT * FROM event_catalog.self_exclusion_report(60, '2026-01-01', '2027-01-01');

-- validation: accepted per event, warnings, quarantined by code and path,
-- duplicates
DELETE FROM event_catalog.rejected_events;
SET event_catalog.on_invalid = quarantine;
SELECT ev60('d1', NULL, '2026-06-05T00:00:00Z', 'ootb_login', '{"ootb_balance": 5, "x": 1}') IS NOT NULL,
       ev60('d1', NULL, '2026-06-05T00:00:00Z', 'ootb_login', '{"ootb_balance": 5, "x": 1}') IS NOT NULL,
       ev60('d1', NULL, '2026-06-05T00:00:00Z', 'ootb_login', '{"ootb_balance": "5"}') IS NULL,
       ev60('d1', NULL, '2026-06-05T00:00:00Z', 'ootb_deposit', '{}') IS NULL;
INSERT INTO event_catalog.events (raw_line) VALUES ('{"broken');
RESET event_catalog.on_invalid;
SELECT * FROM event_catalog.validation_report(60);
SELECT outcome, event_key, code, count FROM event_catalog.validation_report() WHERE event_key = '(unreadable)';
SELECT count(*) AS rows_in_empty_window FROM event_catalog.validation_report(60, '2000-01-01', '2000-01-02');
