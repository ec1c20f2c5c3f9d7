-- load_report: every COPY, INSERT or batch into events is a load with an
-- id; quarantined rows carry the load and their line (the row's position
-- in the statement, blank lines and duplicates counted); load_report()
-- returns what the session's last load did, or a given one's; a failed
-- load leaves no trace; track() is not a load; a statement inside another
-- is a load of its own; sessions with row_security off (restores) are not
-- loads.
SET event_catalog.on_invalid = quarantine;

-- a session that loaded nothing has no last load
SELECT event_catalog.last_load_id() IS NULL AS no_load_yet;
SELECT count(*) FROM event_catalog.load_report();

-- a feed with a good line, a duplicate, an invalid event, a blank line,
-- malformed JSON, a fail-safe event with a bad param and an unknown event
COPY event_catalog.events (raw_line) FROM stdin WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02', FORCE_NOT_NULL (raw_line));
{"tenant": 41, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_login", "customer": "l1"}
{"tenant": 41, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_login", "customer": "l1"}
{"tenant": 41, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_login", "customer": "l2", "context": {"ootb_balance": "x"}}

{"tenant": 41, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_login", "customer": "l3"
{"tenant": 41, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_self_exclusion_initiated", "customer": "l4", "context": {"ootb_exclusion_type": 7}}
{"tenant": 41, "timestamp": "2026-06-09T10:00:00Z", "event": "no_such_event", "customer": "l5", "context": {"ootb_balance": "x"}}
{"tenant": 41, "timestamp": "2026-06-09T10:00:01Z", "event": "ootb_login", "customer": "l1"}
\.
SELECT event_catalog.last_load_id() AS copy_load \gset
SELECT load_id = :copy_load AS is_last, loaded_by = current_user AS by_me,
	   started_at <= finished_at AS timed, lines, stored, stored_with_warnings, duplicates,
	   quarantined, skipped, quarantined_by_code
FROM event_catalog.load_report();
SELECT load_id = :copy_load AS same_load, line_number, problems->0->>'code' AS code
FROM event_catalog.rejected_events WHERE tenant = 41 OR raw_line LIKE '%"l3"' ORDER BY line_number;

-- a load by id, and a load that does not exist
SELECT lines FROM event_catalog.load_report(:copy_load);
SELECT count(*) FROM event_catalog.load_report(-1);

-- COPY (payload) and multi-row INSERT are loads too; so is a plain INSERT
INSERT INTO event_catalog.events (payload) VALUES
('{"tenant": 41, "timestamp": "2026-06-09T11:00:00Z", "event": "ootb_login", "customer": "i1"}'),
('{"tenant": 41, "timestamp": "2026-06-09T11:00:00Z", "event": "ootb_login", "customer": "i1"}'),
('{"tenant": 41, "timestamp": "2026-06-09T11:00:00Z", "event": "ootb_login"}');
SELECT event_catalog.last_load_id() > :copy_load AS new_load, lines, stored, duplicates, quarantined, quarantined_by_code
FROM event_catalog.load_report();
SELECT line_number, problems->0->>'code' AS code FROM event_catalog.rejected_events
WHERE load_id = event_catalog.last_load_id();

-- track() is not a load: last_load_id stays, its quarantined row has no load
SELECT event_catalog.last_load_id() AS before_track \gset
SELECT event_catalog.track('{"tenant": 41, "timestamp": "2026-06-09T12:00:00Z", "event": "ootb_login", "customer": "k1"}') IS NOT NULL AS tracked;
SELECT event_catalog.track('{"tenant": 41, "timestamp": "2026-06-09T12:00:00Z", "event": "ootb_login", "customer": "k1", "context": {"ootb_balance": "x"}}') IS NULL AS quarantined;
SELECT event_catalog.last_load_id() = :before_track AS unchanged;
SELECT load_id, line_number FROM event_catalog.rejected_events WHERE customer_id = 'k1';

-- a batch is a load; its numbers match its results
SELECT status, count(*) FROM event_catalog.track_batch(ARRAY[
	'{"tenant": 41, "timestamp": "2026-06-09T13:00:00Z", "event": "ootb_login", "customer": "b1"}',
	'{"tenant": 41, "timestamp": "2026-06-09T13:00:00Z", "event": "ootb_login", "customer": "b1"}',
	'{"tenant": 41, "timestamp": "2026-06-09T13:00:00Z", "event": "ootb_login", "customer": "b2", "x": 1}']::jsonb[])
GROUP BY 1 ORDER BY 1;
SELECT lines, stored, stored_with_warnings, duplicates, quarantined FROM event_catalog.load_report();

-- a failed load leaves no trace: no row in loads, last_load_id unchanged
SELECT event_catalog.last_load_id() AS before_fail \gset
RESET event_catalog.on_invalid;
INSERT INTO event_catalog.events (payload) VALUES
('{"tenant": 41, "timestamp": "2026-06-09T14:00:00Z", "event": "ootb_login", "customer": "f1"}'),
('{"tenant": 41, "timestamp": "2026-06-09T14:00:00Z", "event": "ootb_login", "customer": "f2", "context": {"ootb_balance": "x"}}');
SELECT event_catalog.last_load_id() = :before_fail AS unchanged;
SELECT count(*) AS loads_after_last FROM event_catalog.loads WHERE load_id > :before_fail;
-- in a savepoint too, and the next load is counted right
BEGIN;
SAVEPOINT s;
INSERT INTO event_catalog.events (payload) VALUES
('{"tenant": 41, "timestamp": "2026-06-09T14:00:00Z", "event": "ootb_login", "customer": "f1"}'),
('{"tenant": 41, "timestamp": "2026-06-09T14:00:00Z", "event": "ootb_login", "customer": "f2", "context": {"ootb_balance": "x"}}');
ROLLBACK TO s;
INSERT INTO event_catalog.events (payload) VALUES
('{"tenant": 41, "timestamp": "2026-06-09T14:00:00Z", "event": "ootb_login", "customer": "f1"}');
SELECT lines, stored FROM event_catalog.load_report();
COMMIT;
SET event_catalog.on_invalid = quarantine;

-- a statement run by a function of another statement's rows is a load of
-- its own; the outer load's lines and counts are its own
CREATE FUNCTION inner_load(e jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO event_catalog.events (payload)
	VALUES (e || '{"customer": "inner"}'), (e || '{"customer": "inner"}');
	RETURN e;
END
$$;
SELECT event_catalog.last_load_id() AS before_nested \gset
INSERT INTO event_catalog.events (payload)
SELECT inner_load(jsonb_build_object('tenant', 41, 'timestamp', '2026-06-09T15:0' || i || ':00Z',
									 'event', 'ootb_login', 'customer', 'outer' || i))
FROM generate_series(1, 3) i;
SELECT load_id - :before_nested AS nth, lines, stored, duplicates
FROM event_catalog.loads WHERE load_id > :before_nested ORDER BY load_id;
-- the session's last load is the one that ended last: the outer one
SELECT lines, stored FROM event_catalog.load_report();

-- with row_security off (as pg_restore runs) a statement is not a load
SELECT event_catalog.last_load_id() AS before_restore, (SELECT max(load_id) FROM event_catalog.loads) AS max_before \gset
SET row_security = off;
INSERT INTO event_catalog.events (payload) VALUES
('{"tenant": 41, "timestamp": "2026-06-09T16:00:00Z", "event": "ootb_login", "customer": "r1"}');
RESET row_security;
SELECT event_catalog.last_load_id() = :before_restore AS unchanged,
	   (SELECT count(*) FROM event_catalog.loads WHERE load_id > :max_before) AS new_loads;

-- a reader reads the loads and the report, writes neither
CREATE ROLE regress_load_r LOGIN IN ROLE event_catalog_reader;
SET ROLE regress_load_r;
SELECT count(*) > 0 AS reads_loads FROM event_catalog.loads;
SELECT lines FROM event_catalog.load_report(:copy_load);
DELETE FROM event_catalog.loads;
SELECT nextval('event_catalog.loads_load_id_seq');
RESET ROLE;
DROP ROLE regress_load_r;

RESET event_catalog.on_invalid;
