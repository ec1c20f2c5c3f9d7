-- ingest.sql: COPY of the same NDJSON file into a plain (payload jsonb)
-- table and into event_catalog.events, alternating, :rounds rounds each;
-- the events table is recreated (DROP/CREATE EXTENSION) before each load.
-- Variables: file, label, rounds.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE TEMP TABLE IF NOT EXISTS ingest_timings (label text, target text, round integer, ms double precision, loaded bigint);
DROP TABLE IF EXISTS plain_payloads;
CREATE TABLE plain_payloads (payload jsonb);

SELECT set_config('bench.file', :'file', false), set_config('bench.label', :'label', false),
       set_config('bench.rounds', :'rounds', false) \gset

DO $$
DECLARE
	t0 timestamptz;
	n bigint;
	opts constant text := $o$ WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02') $o$;
	f constant text := current_setting('bench.file');
	label constant text := current_setting('bench.label');
BEGIN
	FOR round IN 1..current_setting('bench.rounds')::integer LOOP
		TRUNCATE plain_payloads;
		CHECKPOINT;
		t0 := clock_timestamp();
		EXECUTE format('COPY plain_payloads (payload) FROM %L', f) || opts;
		GET DIAGNOSTICS n = ROW_COUNT;
		INSERT INTO ingest_timings VALUES (label, 'plain jsonb table', round,
			1000 * extract(epoch FROM clock_timestamp() - t0), n);

		DROP EXTENSION event_catalog CASCADE;
		CREATE EXTENSION event_catalog;
		CHECKPOINT;
		t0 := clock_timestamp();
		EXECUTE format('COPY event_catalog.events (payload) FROM %L', f) || opts;
		GET DIAGNOSTICS n = ROW_COUNT;
		INSERT INTO ingest_timings VALUES (label, 'event_catalog.events', round,
			1000 * extract(epoch FROM clock_timestamp() - t0), n);
	END LOOP;
END $$;
