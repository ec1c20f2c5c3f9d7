-- track.sql: events for the track() benchmarks.  bench_track_event(kind, i)
-- is the i-th login or User Details Update ('login', 'udu'): distinct
-- events over 100k customers, about 500 bytes each.
CREATE OR REPLACE FUNCTION bench_track_event(kind text, i bigint)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$
SELECT jsonb_build_object('tenant', 567,
	'timestamp', to_char(timestamp '2026-01-01' + (i * interval '7 seconds'), 'YYYY-MM-DD HH24:MI:SS.US') || ' UTC',
	'event', CASE kind WHEN 'login' THEN 'ootb_login' ELSE 'ootb_user_details_update' END,
	'customer', 'customer-' || lpad(((i * 7919) % 100000)::text, 7, '0'),
	'context', CASE kind WHEN 'login' THEN jsonb_build_object(
		'ootb_login_timestamp', '2026-01-01T10:00:00Z', 'ootb_balance', (i % 5000) / 10.0,
		'ootb_is_first_login', i % 17 = 0, 'ootb_session_ref', md5(i::text),
		'ootb_ccy_code', 'EUR', 'ootb_language', 'en', 'ootb_country', 'MT',
		'ootb_platform', 'Android', 'ootb_channel', 'app', 'ootb_skin_id', 'skin-' || (i % 9),
		'ootb_license', 'MGA/B2C/123/2020')
	ELSE jsonb_build_object(
		'ootb_email', 'customer' || i % 100000 || '@example.com',
		'ootb_mobile_number', '+35699' || lpad((i % 1000000)::text, 6, '0'),
		'ootb_date_of_birth', '1990-01-15', 'ootb_allow_email', CASE WHEN i % 3 = 0 THEN 'No' ELSE 'Yes' END,
		'ootb_allow_sms', 'Yes', 'ootb_is_email_verified', true, 'ootb_is_blocked', false,
		'ootb_gender', 'female', 'ootb_country', 'MT', 'ootb_city', 'Valletta',
		'ootb_first_name', 'Maria', 'ootb_last_name', 'Borg', 'ootb_language', 'en', 'ootb_currency', 'EUR')
	END)
$$;
