-- bulk_dedup: a statement of many events (COPY, INSERT ... SELECT,
-- track_batch) holds its tenants' load locks exclusively, so it probes the
-- digest index only for events not later than what is stored
-- (src/ingest_dedup.c): duplicates are still found at the newest instant,
-- at earlier instants, against earlier statements and against events
-- stored from inside the statement; an in-order load does not probe.

CREATE FUNCTION d(customer text, ts text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('tenant', 7041, 'timestamp', ts, 'event', 'ootb_login',
							  'customer', customer, 'context', '{}'::jsonb)
$$;

-- within one statement: at the newest instant, and at earlier instants
SELECT r.ordinal, r.status, r.event_id = first_value(r.event_id) OVER (
		   PARTITION BY e ORDER BY r.ordinal) AS id_of_first
FROM event_catalog.track_batch(ARRAY[
		d('a', '2026-07-01T10:00:01Z'),
		d('b', '2026-07-01T10:00:02Z'),
		d('c', '2026-07-01T10:00:02Z'),
		d('b', '2026-07-01T10:00:02Z'),
		d('d', '2026-07-01T10:00:03Z'),
		d('c', '2026-07-01T10:00:02Z'),
		d('a', '2026-07-01T10:00:01Z')]) WITH ORDINALITY AS r
	 JOIN unnest(ARRAY['a', 'b', 'c', 'b', 'd', 'c', 'a']) WITH ORDINALITY AS x(e, n) ON x.n = r.ordinal
ORDER BY r.ordinal;

-- against an earlier statement: at its newest instant and before it
SELECT r.ordinal, r.status
FROM event_catalog.track_batch(ARRAY[
		d('d', '2026-07-01T10:00:03Z'),
		d('x', '2026-07-01T10:00:03Z'),
		d('b', '2026-07-01T10:00:02Z'),
		d('y', '2026-07-01T10:00:04Z'),
		d('z', '2026-07-01T10:00:00Z'),
		d('y', '2026-07-01T10:00:04Z')]) AS r
ORDER BY r.ordinal;

-- more events at one instant than the statement remembers
SELECT r.status, count(*)
FROM event_catalog.track_batch(
		ARRAY(SELECT d('m' || i, '2026-07-01T10:00:05Z') FROM generate_series(1, 100) i) ||
		ARRAY[d('m1', '2026-07-01T10:00:05Z'), d('m64', '2026-07-01T10:00:05Z'),
			  d('m65', '2026-07-01T10:00:05Z'), d('m100', '2026-07-01T10:00:05Z')]) AS r
GROUP BY r.status ORDER BY r.status;

-- an event stored from inside the statement (a function of its SELECT
-- list inserting one) is found by a later row of the statement
CREATE FUNCTION store_inside(stored jsonb, returned jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO event_catalog.events (payload) VALUES (stored);
	RETURN returned;
END
$$;
INSERT INTO event_catalog.events (payload)
SELECT CASE WHEN n = 2 THEN store_inside(d('n2', '2026-07-01T10:00:08Z'), e) ELSE e END
FROM (VALUES (1, d('n1', '2026-07-01T10:00:06Z')), (2, d('n3', '2026-07-01T10:00:07Z')),
			 (3, d('n2', '2026-07-01T10:00:08Z')), (4, d('n4', '2026-07-01T10:00:09Z'))) v(n, e)
ORDER BY n;

SELECT customer_id, count(*) FROM event_catalog.events WHERE tenant = 7041
GROUP BY customer_id HAVING count(*) > 1 OR customer_id LIKE 'n%' ORDER BY 1;
SELECT count(*) AS stored FROM event_catalog.events WHERE tenant = 7041;
SELECT duplicates FROM event_catalog.duplicate_counts WHERE tenant = 7041 ORDER BY 1;

-- a load in time order reads the digest index once (its high-water
-- mark), not once per event
SELECT pg_stat_force_next_flush();
SELECT idx_scan AS probes FROM pg_stat_user_indexes WHERE indexrelname = 'events_content_key' \gset before_
SELECT count(*) FROM event_catalog.track_batch(
	ARRAY(SELECT d('o' || i, format('2026-07-02T00:%s:%sZ', lpad((i / 60)::text, 2, '0'),
									lpad((i % 60)::text, 2, '0')))
		  FROM generate_series(1, 200) i)) AS r WHERE r.status = 'stored';
SELECT pg_stat_force_next_flush();
SELECT idx_scan - :before_probes AS probes_of_200_events
FROM pg_stat_user_indexes WHERE indexrelname = 'events_content_key';

DROP FUNCTION store_inside(jsonb, jsonb);
DROP FUNCTION d(text, text);
