-- ingest.sql: COPY of the same NDJSON file into a plain (payload jsonb)
-- table and into event_catalog.events, as raw lines (raw_line, the
-- README's COPY) and as payload, alternating, :rounds rounds each; the
-- events table is recreated (DROP/CREATE EXTENSION) before each load.
-- Variables: file, label, rounds, floor.  With floor set to a file name, a
-- third target measures the floor of any design with these indexes: the
-- stored rows' columns, already derived, loaded into a copy of the events
-- table (same columns, constraints and indexes) that has no triggers; a
-- fourth loads them into a copy without indexes.  Both parse the derived
-- columns from text, which the insert trigger computes in C instead.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE TEMP TABLE IF NOT EXISTS ingest_timings (label text, target text, round integer, ms double precision, loaded bigint,
	faults bigint);
-- the minor page faults of this backend so far (Linux: field 10 of
-- /proc/self/stat; null elsewhere): each is a page of memory or of shared
-- buffers the backend touches for the first time
CREATE OR REPLACE FUNCTION pg_temp.minor_faults() RETURNS bigint LANGUAGE plpgsql AS $f$
BEGIN
	RETURN split_part(pg_read_file('/proc/self/stat'), ' ', 10)::bigint;
EXCEPTION WHEN OTHERS THEN
	RETURN NULL;
END
$f$;
DROP TABLE IF EXISTS plain_payloads;
CREATE TABLE plain_payloads (payload jsonb);

SELECT set_config('bench.file', :'file', false), set_config('bench.label', :'label', false),
       set_config('bench.rounds', :'rounds', false), set_config('bench.floor', :'floor', false) \gset

DO $$
DECLARE
	t0 timestamptz;
	f0 bigint;
	target text;
	n bigint;
	opts constant text := $o$ WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02') $o$;
	f constant text := current_setting('bench.file');
	label constant text := current_setting('bench.label');
	floor_file constant text := current_setting('bench.floor');
	cols constant text := 'tenant, event_key, customer_id, visitor_id, occurred_at, payload, problems, content_hash, has_effects';
BEGIN
	FOR round IN 1..current_setting('bench.rounds')::integer LOOP
		TRUNCATE plain_payloads;
		CHECKPOINT;
		f0 := pg_temp.minor_faults();
		t0 := clock_timestamp();
		EXECUTE format('COPY plain_payloads (payload) FROM %L', f) || opts;
		GET DIAGNOSTICS n = ROW_COUNT;
		INSERT INTO ingest_timings VALUES (label, 'plain jsonb table', round,
			1000 * extract(epoch FROM clock_timestamp() - t0), n,
			pg_temp.minor_faults() - f0);

		-- the README's COPY of raw lines, then the same lines as payload
		FOREACH target IN ARRAY ARRAY['raw_line', 'payload'] LOOP
			DROP EXTENSION event_catalog CASCADE;
			CREATE EXTENSION event_catalog;
			CHECKPOINT;
			f0 := pg_temp.minor_faults();
			t0 := clock_timestamp();
			EXECUTE format('COPY event_catalog.events (%I) FROM %L', target, f) || opts;
			GET DIAGNOSTICS n = ROW_COUNT;
			INSERT INTO ingest_timings VALUES (label, format('event_catalog.events (%s)', target), round,
				1000 * extract(epoch FROM clock_timestamp() - t0), n,
				pg_temp.minor_faults() - f0);
		END LOOP;

		CONTINUE WHEN floor_file = '';
		IF round = 1 THEN
			EXECUTE format('COPY (SELECT %s FROM event_catalog.events ORDER BY event_id) TO %L',
						   cols, floor_file) || opts;
		END IF;
		-- with the indexes (floor), and without them (what they cost)
		FOREACH target IN ARRAY ARRAY['floor', 'unindexed'] LOOP
			DROP TABLE IF EXISTS floor_events;
			EXECUTE format('CREATE TABLE floor_events (LIKE event_catalog.events %s)',
						   CASE target WHEN 'floor' THEN 'INCLUDING ALL'
									   ELSE 'INCLUDING DEFAULTS INCLUDING IDENTITY' END);
			CHECKPOINT;
			f0 := pg_temp.minor_faults();
			t0 := clock_timestamp();
			EXECUTE format('COPY floor_events (%s) FROM %L', cols, floor_file) || opts;
			GET DIAGNOSTICS n = ROW_COUNT;
			INSERT INTO ingest_timings VALUES (label, target, round,
				1000 * extract(epoch FROM clock_timestamp() - t0), n,
				pg_temp.minor_faults() - f0);
		END LOOP;
		DROP TABLE floor_events;
	END LOOP;
END $$;
