-- validate.sql: is_valid_event over 1M realistic events already in a table,
-- next to the same scan computing only payload->>'event'.  Rounds alternate
-- between the two so that noise on this shared machine hits both alike;
-- the medians are reported.

\set ON_ERROR_STOP on
SET max_parallel_workers_per_gather = 0;
SET jit = off;

SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_payloads;
CREATE TABLE bench_payloads AS SELECT payload FROM bench_events(:rows);
VACUUM ANALYZE bench_payloads;

CREATE TEMP TABLE timings (round integer, kind text, ms double precision);

DO $$
DECLARE
	t0 timestamptz;
	n bigint;
BEGIN
	-- warm the cache and the catalog copy
	PERFORM count(*) FROM bench_payloads WHERE event_catalog.is_valid_event(payload);
	FOR round IN 1..5 LOOP
		t0 := clock_timestamp();
		SELECT count(*) INTO n FROM bench_payloads WHERE (payload->>'event') IS NOT NULL;
		INSERT INTO timings VALUES (round, 'baseline', 1000 * extract(epoch FROM clock_timestamp() - t0));
		t0 := clock_timestamp();
		SELECT count(*) INTO n FROM bench_payloads WHERE event_catalog.is_valid_event(payload);
		INSERT INTO timings VALUES (round, 'is_valid_event', 1000 * extract(epoch FROM clock_timestamp() - t0));
		t0 := clock_timestamp();
		SELECT count(*) INTO n FROM bench_payloads WHERE event_catalog.validate_event(payload) = '[]';
		INSERT INTO timings VALUES (round, 'validate_event', 1000 * extract(epoch FROM clock_timestamp() - t0));
	END LOOP;
END $$;

SELECT count(*) AS events, round(avg(pg_column_size(payload))) AS avg_bytes,
       count(*) FILTER (WHERE event_catalog.is_valid_event(payload)) AS valid
FROM bench_payloads \gset

WITH med AS (
	SELECT kind, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms
	FROM timings GROUP BY kind
)
SELECT m.kind AS scan,
       round(m.ms::numeric, 1) AS median_ms,
       round((m.ms / b.ms)::numeric, 2) AS ratio_to_baseline,
       round(((m.ms - b.ms) * 1000 / :events)::numeric, 3) AS added_us_per_event
FROM med m, med b WHERE b.kind = 'baseline'
ORDER BY m.ms;
\echo events: :events, average stored size: :avg_bytes bytes, valid: :valid
