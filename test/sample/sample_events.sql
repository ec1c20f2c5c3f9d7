-- sample_events.sql: a realistic, deterministic sample event feed.
--
-- sample_events(customers, days, seed) returns NDJSON lines (text) for the
-- given number of customers of tenant 567 over the given number of days
-- from 2026-06-01: registrations that start, fail and complete, profile
-- updates with consent changes, logins, deposits, withdrawals and balance
-- updates, self-exclusion journeys (self-exclusions and cool-offs, with
-- violation attempts, updates and lifts), and, as real feeds have, about 2%
-- invalid events, 0.5% malformed lines and 1% duplicated lines.  Registrations
-- begin with Registration Initiated (odd customers) or Registration with
-- status Started (even ones), as operators send one or the other.  About 20
-- lines per customer.  The same arguments always give the same lines.

CREATE OR REPLACE FUNCTION sample_rand(seed integer, VARIADIC parts text[])
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT ((hashtext(seed || ':' || array_to_string(parts, ':'))::bigint & 2147483647) % 1000000) / 1000000.0 $$;

CREATE OR REPLACE FUNCTION sample_ts(t timestamp)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT to_char(t, 'YYYY-MM-DD HH24:MI:SS.US') || ' UTC' $$;

CREATE OR REPLACE FUNCTION sample_events(customers integer, days integer DEFAULT 30, seed integer DEFAULT 1)
RETURNS SETOF text
LANGUAGE sql IMMUTABLE STRICT
AS $$
WITH c AS (
	SELECT n, 'cust-' || lpad(n::text, 6, '0') AS cid, 'visitor-' || md5(seed || 'v' || n) AS vid,
		   timestamp '2026-06-01' + sample_rand(seed, 'start', n::text) * (days * 0.6) * interval '1 day' AS t0,
		   sample_rand(seed, 'profile', n::text) AS r
	FROM generate_series(1, customers) n
),
ev AS (
	-- registration: initiated, sometimes a failure, then started/completed
	SELECT c.n, c.t0 AS t, jsonb_build_object('event', 'ootb_registration_initiated', 'visitor', c.vid,
		'context', jsonb_build_object('ootb_session_id', md5(c.vid), 'ootb_form_location', 'homepage',
			'ootb_referral_source', (ARRAY['organic', 'facebook', 'affiliate', 'email'])[1 + (c.n % 4)],
			'ootb_language', 'en')) AS e
	FROM c WHERE c.n % 2 = 1
	UNION ALL
	SELECT c.n, c.t0 + interval '2 minutes', jsonb_build_object('event', 'ootb_registration_failed', 'visitor', c.vid,
		'context', jsonb_build_object('ootb_session_id', md5(c.vid), 'ootb_eventdatetime', to_char(c.t0 + interval '2 minutes', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
			'ootb_email', 'user' || c.n || '@example.com',
			'ootb_failure_reason', (ARRAY['email_already_exists', 'invalid_email', 'weak_password', 'system_error'])[1 + (c.n % 4)],
			'ootb_failure_code', 'REG_00' || (1 + c.n % 4), 'ootb_form_location', 'homepage', 'ootb_language', 'en', 'ootb_country', 'MT'))
	FROM c WHERE c.r < 0.25
	UNION ALL
	SELECT c.n, c.t0 + interval '5 minutes', jsonb_build_object('event', 'ootb_registration', 'customer', c.cid,
		'context', jsonb_build_object('ootb_status', 'Started', 'ootb_email', 'user' || c.n || '@example.com',
			'ootb_registration_source', 'header', 'ootb_country', 'MT', 'ootb_language', 'en'))
	FROM c WHERE c.r < 0.9 AND c.n % 2 = 0
	UNION ALL
	SELECT c.n, c.t0 + interval '9 minutes', jsonb_build_object('event', 'ootb_registration', 'customer', c.cid,
		'context', jsonb_build_object('ootb_status', 'Completed', 'ootb_email', 'user' || c.n || '@example.com',
			'ootb_mobile_number', '+3569' || lpad((c.n * 7)::text, 7, '0'),
			'ootb_date_of_birth', to_char(date '1960-01-01' + (c.n * 37 % 15000), 'YYYY-MM-DD'),
			'ootb_allow_email', CASE WHEN c.r < 0.6 THEN 'Yes' ELSE 'No' END,
			'ootb_allow_sms', CASE WHEN c.r < 0.4 THEN 'Yes' ELSE 'No' END,
			'ootb_allow_push', 'Yes', 'ootb_is_test', c.n % 97 = 0,
			'ootb_allow_whatsapp', CASE WHEN c.r < 0.2 THEN 'Yes' ELSE 'No' END,
			'ootb_first_name', (ARRAY['Maria', 'Luca', 'Anna', 'Karl', 'Sofia', 'Jonas'])[1 + c.n % 6],
			'ootb_country', (ARRAY['MT', 'DE', 'SE', 'IT'])[1 + c.n % 4], 'ootb_currency', 'EUR',
			'ootb_brand', 'brand-' || (c.n % 3), 'ootb_platform', (ARRAY['iOS', 'Android', 'Web'])[1 + c.n % 3]))
	FROM c WHERE c.r < 0.85
	UNION ALL
	-- later profile updates, some changing consent
	SELECT c.n, c.t0 + (1 + k * 3 + sample_rand(seed, 'udu', c.n::text, k::text) * 5) * interval '1 day',
		jsonb_build_object('event', 'ootb_user_details_update', 'customer', c.cid,
		'context', jsonb_build_object(
			'ootb_allow_email', CASE WHEN sample_rand(seed, 'ae', c.n::text, k::text) < 0.5 THEN 'Yes' ELSE 'No' END,
			'ootb_is_email_verified', true, 'ootb_city', (ARRAY['Valletta', 'Berlin', 'Malmo', 'Rome'])[1 + (c.n + k) % 4])
			|| CASE WHEN k = 1 THEN jsonb_build_object('ootb_email', 'user' || c.n || '.new@example.com') ELSE '{}' END
			|| CASE WHEN c.n % 50 = 0 THEN jsonb_build_object('ootb_is_blocked', true) ELSE '{}' END)
	FROM c, generate_series(0, 2) k WHERE c.r < 0.85 AND sample_rand(seed, 'udu?', c.n::text, k::text) < 0.6
	UNION ALL
	-- logins and money
	SELECT c.n, c.t0 + (0.5 + k * days * 0.35 / 8 + sample_rand(seed, 'l', c.n::text, k::text)) * interval '1 day',
		jsonb_build_object('event', 'ootb_login', 'customer', c.cid,
		'context', jsonb_build_object('ootb_login_timestamp', 'x', 'ootb_balance', round((sample_rand(seed, 'b', c.n::text, k::text) * 500)::numeric, 2),
			'ootb_is_first_login', k = 0, 'ootb_session_ref', md5(c.cid || k), 'ootb_ccy_code', 'EUR',
			'ootb_platform', (ARRAY['iOS', 'Android', 'Web'])[1 + c.n % 3], 'ootb_channel', 'app') - 'ootb_login_timestamp')
	FROM c, generate_series(0, 7) k WHERE c.r < 0.85 AND sample_rand(seed, 'l?', c.n::text, k::text) < 0.8
	UNION ALL
	SELECT c.n, c.t0 + (0.6 + k * days * 0.35 / 4 + sample_rand(seed, 'd', c.n::text, k::text)) * interval '1 day',
		jsonb_build_object('event', 'ootb_deposit', 'customer', c.cid,
		'context', jsonb_build_object('ootb_transaction_id', 'dep-' || c.n || '-' || k,
			'ootb_deposit_timestamp', to_char(c.t0 + (0.6 + k * 2) * interval '1 day', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
			'ootb_deposit_amount', (10 + (c.n * 7 + k * 13) % 190), 'ootb_deposit_method', 'credit_card',
			'ootb_deposit_status', CASE WHEN (c.n + k) % 10 = 0 THEN 'failed' ELSE 'completed' END,
			'ootb_brand', 'brand-' || (c.n % 3), 'ootb_license', 'MGA/B2C/123'))
	FROM c, generate_series(0, 3) k WHERE c.r < 0.85 AND sample_rand(seed, 'd?', c.n::text, k::text) < 0.7
	UNION ALL
	SELECT c.n, c.t0 + (0.7 + k * 2.5 + sample_rand(seed, 'bu', c.n::text, k::text)) * interval '1 day',
		jsonb_build_object('event', 'ootb_balance_update', 'customer', c.cid,
		'context', jsonb_build_object('ootb_transaction_id', 'bu-' || c.n || '-' || k, 'ootb_action', 'bet',
			'ootb_update_amount', -((c.n + k) % 20), 'ootb_bonus_amount', 0, 'ootb_balance_before', 100,
			'ootb_balance_after', 100 - (c.n + k) % 20))
	FROM c, generate_series(0, 3) k WHERE c.r < 0.85 AND sample_rand(seed, 'bu?', c.n::text, k::text) < 0.6
	UNION ALL
	SELECT c.n, c.t0 + (3 + sample_rand(seed, 'w', c.n::text) * days * 0.3) * interval '1 day',
		jsonb_build_object('event', 'ootb_withdrawal', 'customer', c.cid,
		'context', jsonb_build_object('ootb_transaction_id', 'wd-' || c.n,
			'ootb_withdrawal_timestamp', to_char(c.t0 + interval '3 days', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
			'ootb_withdrawal_amount', 50, 'ootb_withdrawal_status', 'completed'))
	FROM c WHERE c.r < 0.85 AND c.n % 5 = 0
	UNION ALL
	-- self-exclusion journeys for about 3% of customers; a third are cool-offs
	SELECT c.n, c.t0 + (j.d + 2) * interval '1 day', jsonb_build_object('event', 'ootb_self_exclusion_' || j.kind,
		'customer', c.cid, 'context', j.ctx)
	FROM c
	CROSS JOIN LATERAL (SELECT c.n % 3 = 0 AS cool, c.n % 3 = 1 AS short,
							   to_char(c.t0 + interval '2 days', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS s) x
	CROSS JOIN LATERAL (VALUES
		(0.0, 'initiated', jsonb_build_object('ootb_exclusion_type', CASE WHEN x.cool THEN 1 ELSE 0 END,
			'ootb_self_exclusion_duration', CASE WHEN x.cool THEN '7_days' WHEN x.short THEN '30_days' ELSE '180_days' END,
			'ootb_self_exclusion_start_date', x.s,
			'ootb_self_exclusion_expiry_date', to_char(c.t0 + CASE WHEN x.cool THEN interval '9 days' WHEN x.short THEN interval '32 days' ELSE interval '182 days' END, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
			'ootb_reason', 'user_requested', 'ootb_platform', 'web', 'ootb_channel', 'desktop')),
		(0.01, 'activated', jsonb_build_object('ootb_self_exclusion_start_date', x.s,
			'ootb_self_exclusion_expiry_date', to_char(c.t0 + CASE WHEN x.cool THEN interval '9 days' WHEN x.short THEN interval '32 days' ELSE interval '182 days' END, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))),
		(2.0, 'violation_attempt', jsonb_build_object('ootb_attempted_action', 'login_attempt')),
		(CASE WHEN x.cool THEN 8.0 ELSE 3.0 END, CASE WHEN x.cool THEN 'lifted' ELSE 'updated' END,
			CASE WHEN x.cool THEN jsonb_build_object('ootb_self_exclusion_end_date', to_char(c.t0 + interval '9 days', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
			ELSE jsonb_build_object('ootb_self_exclusion_duration', '365_days',
				'ootb_self_exclusion_expiry_date', to_char(c.t0 + interval '367 days', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) END)
	) AS j(d, kind, ctx)
	WHERE c.r >= 0.85 AND c.r < 0.88 AND (j.kind <> 'violation_attempt' OR c.n % 2 = 0)
	  AND NOT (x.short AND j.kind = 'updated')
),
lines AS (
	SELECT ev.t, row_number() OVER (ORDER BY ev.t, ev.n) AS k,
		   jsonb_build_object('tenant', 567, 'timestamp', sample_ts(ev.t)) || ev.e AS e
	FROM ev WHERE ev.t < timestamp '2026-06-01' + days * interval '1 day'
),
noisy AS (
	SELECT l.t, l.k, sample_rand(seed, 'noise', l.k::text) AS q, l.e FROM lines l
)
SELECT CASE
		 -- invalid events: a wrong type, a bad value, a missing tenant, a bad date
		 WHEN q < 0.010 THEN (jsonb_set(e, '{tenant}', '"567"'))::text
		 WHEN q < 0.050 AND e->'context' ? 'ootb_allow_email' THEN (jsonb_set(e, '{context,ootb_allow_email}', '"yes"'))::text
		 WHEN q < 0.015 THEN (e - 'tenant')::text
		 WHEN q < 0.020 THEN (jsonb_set(e, '{timestamp}', to_jsonb(replace(e->>'timestamp', '-06-', '-06-3'))))::text
		 -- malformed lines: cut off, or not JSON at all
		 WHEN q < 0.023 THEN left(e::text, length(e::text) / 2)
		 WHEN q < 0.025 THEN 'ERROR 502 Bad Gateway'
		 ELSE e::text
	   END
FROM (SELECT * FROM noisy
	  UNION ALL
	  -- duplicated lines, as replays of a feed produce them, a little later
	  SELECT t + interval '1 hour', k, 1, e FROM noisy WHERE q > 0.99) x
ORDER BY t, k
$$;
