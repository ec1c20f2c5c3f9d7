-- hostile: inputs that must give a result or a clean error, never a crash

-- deeply nested JSON, at the top level and inside context
SELECT count(*) FROM problems(ev('ootb_login') ||
    jsonb_build_object('deep', (repeat('[', 5000) || repeat(']', 5000))::jsonb));
SELECT * FROM problems(ev('ootb_login', jsonb_build_object('ootb_country',
    (repeat('{"a":', 3000) || '1' || repeat('}', 3000))::jsonb)));
SELECT * FROM problems((repeat('[', 10000) || repeat(']', 10000))::jsonb);

-- huge strings
SELECT p->>'path' AS path, p->>'code' AS code, length(p->>'message') < 200 AS short_message
FROM jsonb_array_elements(event_catalog.validate_event(
       ev('ootb_login', jsonb_build_object('ootb_country', repeat('x', 10000000))) ||
       jsonb_build_object('customer', repeat('y', 1000000), 'event', repeat('z', 1000000)))) p;
SELECT count(*) FROM problems(ev(repeat('k', 100000)));

-- 10,000 context keys
SELECT code, severity, count(*)
FROM problems(ev('ootb_login', (SELECT jsonb_object_agg('k' || i, i) FROM generate_series(1, 10000) i)))
GROUP BY 1, 2 ORDER BY 1;
SELECT event_catalog.is_valid_event(ev('ootb_login',
    (SELECT jsonb_object_agg('k' || i, i) FROM generate_series(1, 10000) i)));

-- non-ASCII keys and values
SELECT * FROM problems(ev('ootb_login', '{"ootb_country": "Ελλάδα", "ключ": "значение", "🎰": "🎲"}') ||
                       '{"customer": "顧客-1", "ünknown": 1}');
SELECT * FROM problems(ev('ootb_lögin'));

-- NUL escapes: jsonb itself refuses \u0000, with a clean error
SELECT * FROM problems(ev('ootb_login', '{"ootb_country": "U\u0000S", "a\u0000b": 1}') ||
                       '{"customer": "\u0000"}');
SELECT * FROM problems(ev(E'ootb_login') || '{"event": "ootb_login\u0000"}');

-- numbers: huge, tiny, negative zero
SELECT * FROM problems(ev('ootb_login', '{"ootb_balance": 1e400}'));
SELECT * FROM problems(ev('ootb_login') || '{"tenant": 1e400}');
SELECT * FROM problems(ev('ootb_login') || '{"tenant": 1e-400}');
SELECT * FROM problems(ev('ootb_login') || '{"tenant": -0}');
SELECT * FROM problems(ev('ootb_self_exclusion_initiated', '{"ootb_exclusion_type": 1e400}'));
SELECT * FROM problems(ev('ootb_self_exclusion_initiated', '{"ootb_exclusion_type": -0.0}'));

-- every JSON type in every property
SELECT prop, t, (SELECT string_agg(code, ',') FROM problems(ev('ootb_login') || jsonb_build_object(prop, t))) AS codes
FROM unnest(ARRAY['tenant', 'timestamp', 'event', 'customer', 'visitor', 'context']) prop,
     unnest(ARRAY['null', 'true', '1', '"s"', '[]', '{}']::jsonb[]) t
ORDER BY 1, t::text;

-- the server is still here and the cache still works
SELECT event_catalog.is_valid_event(ev('ootb_login'));

-- parallel query: the catalog is loaded in parallel workers and in the
-- leader during a parallel plan, where no new snapshot may be taken (a
-- fresh session, so that the leader's copy is not loaded yet either)
CREATE TABLE parallel_events AS
SELECT jsonb_build_object('tenant', 1, 'timestamp', '2026-06-09T10:00:00Z',
                          'event', CASE WHEN i % 2 = 0 THEN 'ootb_user_details_update' ELSE 'ootb_nope' END,
                          'customer', 'p' || i, 'context', jsonb_build_object('ootb_city', 'Rome')) AS payload
FROM generate_series(1, 2000) i;
ANALYZE parallel_events;
\c
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
-- debug_parallel_query, called force_parallel_mode before PostgreSQL 16
SELECT set_config(CASE WHEN current_setting('server_version_num')::int < 160000
                  THEN 'force_parallel_mode' ELSE 'debug_parallel_query' END, 'on', false) AS forced;
SELECT count(*) FILTER (WHERE event_catalog.is_valid_event(payload)) AS valid,
       count(*) FILTER (WHERE event_catalog_internal.profile_values(payload->>'event', payload) <> '{}') AS with_profile
FROM parallel_events;
RESET ALL;
DROP TABLE parallel_events;
