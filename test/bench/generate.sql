-- generate.sql: deterministic, realistic OOTB events for benchmarks.
-- bench_events(n, customers) returns n events (about 500 bytes each) over
-- the given number of customers: a mix of logins, deposits, withdrawals,
-- balance updates, registrations, profile updates (20%) and self-exclusions
-- (2%).  With effects false, the profile and self-exclusion events are
-- replaced by logins.  The same arguments give the same events.

CREATE OR REPLACE FUNCTION bench_events(n integer, customers integer DEFAULT 100000,
										effects boolean DEFAULT true)
RETURNS TABLE (payload jsonb)
LANGUAGE sql IMMUTABLE
AS $$
SELECT jsonb_build_object(
	'tenant', 567,
	'timestamp', to_char(timestamp '2026-01-01' + (i * interval '7 seconds'),
						 'YYYY-MM-DD HH24:MI:SS.US') || ' UTC',
	'event', k.event_key,
	'customer', 'customer-' || lpad(((i * 7919) % customers)::text, 7, '0'),
	'context', k.context)
FROM generate_series(1::bigint, n) AS i,
LATERAL (SELECT (i * 2654435761::bigint) % 100 AS r) AS h,
LATERAL (
	SELECT e.event_key, e.context FROM (VALUES
	(0, 30, 'ootb_login', jsonb_build_object(
		'ootb_login_timestamp', '2026-01-01T10:00:00Z', 'ootb_balance', (i % 5000) / 10.0,
		'ootb_is_first_login', i % 17 = 0, 'ootb_session_ref', md5(i::text),
		'ootb_ccy_code', 'EUR', 'ootb_language', 'en', 'ootb_country', 'MT',
		'ootb_platform', 'Android', 'ootb_channel', 'app', 'ootb_skin_id', 'skin-' || (i % 9),
		'ootb_license', 'MGA/B2C/123/2020')),
	(30, 45, 'ootb_deposit', jsonb_build_object(
		'ootb_transaction_id', 'tx-' || i, 'ootb_deposit_timestamp', '2026-01-01T10:05:00.123Z',
		'ootb_start_balance', (i % 700) * 1.5, 'ootb_deposit_amount', 10 + i % 490,
		'ootb_deposit_method', 'credit_card', 'ootb_deposit_status', 'completed',
		'ootb_language', 'en', 'ootb_country', 'MT', 'ootb_platform', 'Web', 'ootb_channel', 'web',
		'ootb_brand', 'brand-' || (i % 3), 'ootb_license', 'MGA/B2C/123/2020')),
	(45, 50, 'ootb_withdrawal', jsonb_build_object(
		'ootb_transaction_id', 'wd-' || i, 'ootb_withdrawal_timestamp', '2026-01-01T11:00:00Z',
		'ootb_start_balance', 1000, 'ootb_withdrawal_amount', 10 + i % 300,
		'ootb_withdrawal_method', 'bank_transfer', 'ootb_withdrawal_status', 'completed',
		'ootb_language', 'en', 'ootb_country', 'MT', 'ootb_platform', 'Web', 'ootb_channel', 'web',
		'ootb_brand', 'brand-' || (i % 3), 'ootb_license', 'MGA/B2C/123/2020')),
	(50, 65, 'ootb_balance_update', jsonb_build_object(
		'ootb_transaction_id', 'bu-' || i, 'ootb_action', 'bet', 'ootb_update_amount', -(i % 50),
		'ootb_bonus_amount', 0, 'ootb_balance_before', 500, 'ootb_balance_after', 500 - i % 50,
		'ootb_change_rate', -0.05, 'ootb_note', md5(i::text) || md5((i + 1)::text))),
	(65, 85, 'ootb_user_details_update', jsonb_build_object(
		'ootb_email', 'customer' || i % customers || '@example.com', 'ootb_mobile_number', '+35699' || lpad((i % 1000000)::text, 6, '0'),
		'ootb_date_of_birth', '1990-01-15', 'ootb_allow_email', CASE WHEN i % 3 = 0 THEN 'No' ELSE 'Yes' END,
		'ootb_allow_sms', 'Yes', 'ootb_is_email_verified', true, 'ootb_is_blocked', false,
		'ootb_gender', 'female', 'ootb_country', 'MT', 'ootb_city', 'Valletta',
		'ootb_first_name', 'Maria', 'ootb_last_name', 'Borg', 'ootb_language', 'en', 'ootb_currency', 'EUR')),
	(85, 95, 'ootb_registration', jsonb_build_object(
		'ootb_email', 'new' || i || '@example.com', 'ootb_status', (ARRAY['Started', 'Completed', 'Failed'])[1 + i % 3],
		'ootb_registration_source', 'checkout', 'ootb_date_of_birth', '1985-07-30',
		'ootb_allow_email', 'Yes', 'ootb_allow_sms', 'No', 'ootb_country', 'MT', 'ootb_language', 'en',
		'ootb_brand', 'brand-1', 'ootb_platform', 'iOS', 'ootb_promo_code', 'WELCOME2026')),
	(95, 98, 'ootb_registration_failed', jsonb_build_object(
		'ootb_session_id', md5(i::text), 'ootb_eventdatetime', '2026-01-01T09:00:00Z',
		'ootb_email', 'fail' || i || '@example.com', 'ootb_failure_reason', 'email_already_exists',
		'ootb_failure_code', 'REG_001', 'ootb_form_location', 'homepage', 'ootb_referral_source', 'organic',
		'ootb_language', 'en', 'ootb_country', 'MT')),
	(98, 100, (ARRAY['ootb_self_exclusion_initiated', 'ootb_self_exclusion_activated',
					 'ootb_self_exclusion_violation_attempt', 'ootb_self_exclusion_lifted'])[1 + (i / 7) % 4],
		jsonb_build_object(
		'ootb_self_exclusion_start_date', '2026-01-02T00:00:00Z', 'ootb_self_exclusion_expiry_date', '2026-07-02T00:00:00Z',
		'ootb_platform', 'web', 'ootb_channel', 'desktop', 'ootb_brand', 'brand-2', 'ootb_license', 'MGA/B2C/123/2020'))
	) AS e(lo, hi, event_key, context)
	WHERE h.r >= e.lo AND h.r < e.hi
	  -- without effects: the profile and self-exclusion events become logins
	  AND (effects OR e.event_key NOT IN ('ootb_user_details_update', 'ootb_registration')
						 AND e.event_key NOT LIKE 'ootb_self_exclusion%')
	UNION ALL
	SELECT 'ootb_login', jsonb_build_object('ootb_login_timestamp', '2026-01-01T10:00:00Z',
		'ootb_balance', (i % 5000) / 10.0, 'ootb_is_first_login', false, 'ootb_session_ref', md5(i::text),
		'ootb_ccy_code', 'EUR', 'ootb_language', 'en', 'ootb_country', 'MT', 'ootb_platform', 'Android',
		'ootb_channel', 'app', 'ootb_skin_id', 'skin-1', 'ootb_license', 'MGA/B2C/123/2020')
	WHERE NOT effects AND (h.r >= 65 AND h.r < 95 OR h.r >= 98)
) AS k
$$;
