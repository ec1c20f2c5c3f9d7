-- batch: track_batch(events jsonb[]), track_batch_raw(lines text[]) and
-- track_raw(line text) return one row per input, in input order
-- (ordinal, event_id, status, problems); duplicates within the batch and
-- against stored events; effects applied once per batch; under
-- on_invalid = error the first invalid event raises (as COPY) with a
-- SQLSTATE per class of failure and the problem list as JSON in DETAIL;
-- privileges and the tenant barrier apply as to COPY.

-- an error as (sqlstate, message, detail parsed as JSON, or as a JSON
-- string when it is not JSON): what a client gets from the error fields
CREATE FUNCTION caught(sql text)
RETURNS TABLE (sqlstate text, message text, detail jsonb)
LANGUAGE plpgsql AS $$
DECLARE
	s text; m text; d text; dj jsonb;
BEGIN
	EXECUTE sql;
	RETURN QUERY SELECT 'no error'::text, NULL::text, NULL::jsonb;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS s = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL;
	BEGIN
		dj := d::jsonb;
	EXCEPTION WHEN invalid_text_representation THEN
		dj := to_jsonb(d);
	END;
	RETURN QUERY SELECT s, m, dj;
END
$$;

CREATE FUNCTION b(customer text, ts text DEFAULT '2026-06-09T10:00:00Z', context jsonb DEFAULT '{}',
				  event text DEFAULT 'ootb_login')
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('tenant', 31, 'timestamp', ts, 'event', event,
							  'customer', customer, 'context', context)
$$;

-- one stored before: a duplicate of it in the batch gets its id
SELECT event_catalog.track(b('s0')) AS s0_id \gset

SET event_catalog.on_invalid = quarantine;
SELECT ordinal, event_id IS NOT NULL AS has_id, status, problems
FROM event_catalog.track_batch(ARRAY[
	b('s1'),
	b('s1'),                                             -- duplicate within the batch
	b('s0'),                                             -- duplicate of a stored event
	b('s2', context => '{"ootb_balance": "x"}'),         -- invalid
	b('s3') || '{"extra": 1}',                           -- stored with a warning
	NULL,                                                -- a null element
	b('s4', event => 'ootb_user_details_update', context => '{"ootb_email": "s4@example.com"}'),
	b('s4', ts => '2026-06-09T11:00:00Z', event => 'ootb_user_details_update',
	  context => '{"ootb_email": "s4-new@example.com"}')
]) ORDER BY ordinal;

-- duplicates carry the stored event's id, the one within the batch too
SELECT r.ordinal, r.event_id = e.event_id AS same_as_stored
FROM event_catalog.track_batch(ARRAY[b('s0'), b('s1')]) r
JOIN event_catalog.events e ON e.tenant = 31 AND e.customer_id = CASE r.ordinal WHEN 1 THEN 's0' ELSE 's1' END
ORDER BY 1;
SELECT :s0_id = (SELECT event_id FROM event_catalog.events WHERE tenant = 31 AND customer_id = 's0') AS s0_kept;
SELECT count(*) AS s1_stored_once FROM event_catalog.events WHERE tenant = 31 AND customer_id = 's1';

-- the profile took the newer of the two updates in the batch
SELECT customer_id, email FROM event_catalog.customers WHERE tenant = 31;

-- the ids returned are the ids stored, in input order
CREATE TEMP TABLE ordered AS SELECT * FROM event_catalog.track_batch(ARRAY[b('o1'), b('o2'), b('o3')]);
SELECT r.ordinal, e.customer_id FROM ordered r JOIN event_catalog.events e USING (event_id) ORDER BY r.ordinal;

-- effects once per batch: one call of the upkeep for a batch of updates
SET track_functions = 'all';
BEGIN;
-- (merge_stashed_writes: the writes the insert trigger stashed, the usual
-- case; merge_event_writes: those it reads back)
SELECT coalesce(pg_stat_get_xact_function_calls('event_catalog_internal.merge_event_writes'::regproc), 0)
	+ coalesce(pg_stat_get_xact_function_calls('event_catalog_internal.merge_stashed_writes'::regproc), 0) AS calls_before \gset
SELECT count(*) FROM event_catalog.track_batch(ARRAY(
	SELECT b('e' || i, event => 'ootb_user_details_update', context => jsonb_build_object('ootb_first_name', 'N' || i))
	FROM generate_series(1, 20) i));
SELECT coalesce(pg_stat_get_xact_function_calls('event_catalog_internal.merge_event_writes'::regproc), 0)
	+ coalesce(pg_stat_get_xact_function_calls('event_catalog_internal.merge_stashed_writes'::regproc), 0)
	- :calls_before AS upkeep_calls;
COMMIT;
RESET track_functions;
SELECT count(*) AS profiles FROM event_catalog.customers WHERE tenant = 31 AND customer_id LIKE 'e%';

-- empty and null arrays: no rows, no load
SELECT event_catalog.last_load_id() AS before_empty \gset
SELECT count(*) FROM event_catalog.track_batch('{}');
SELECT count(*) FROM event_catalog.track_batch(NULL);
SELECT event_catalog.last_load_id() = :before_empty AS no_new_load;

-- raw lines: malformed JSON and blank lines are results, not errors
SELECT ordinal, event_id IS NOT NULL AS has_id, status, problems->0->>'code' AS code
FROM event_catalog.track_batch_raw(ARRAY[
	b('r1')::text,
	'{"tenant": 31, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_login", "customer": "r1"',
	'',
	'   ',
	b('r1')::text,
	'{"tenant": 31, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_login", "customer": "r2", "context": {"ootb_balance": "x"}}',
	NULL
]) ORDER BY ordinal;

-- track_raw: one line, one row; null is a null event, not a null result
SELECT ordinal, event_id IS NOT NULL AS has_id, status, problems FROM event_catalog.track_raw(b('r3')::text);
SELECT ordinal, event_id IS NOT NULL AS has_id, status FROM event_catalog.track_raw(b('r3')::text);
SELECT status, problems->0->>'code' AS code FROM event_catalog.track_raw('{"tenant": 31, "timestamp"');
SELECT status, problems->0->>'code' AS code FROM event_catalog.track_raw(NULL);
SELECT status, problems FROM event_catalog.track_raw('');
SELECT (event_catalog.track_raw(b('r4')::text)).status;
-- single lines are not loads: their quarantined rows carry no load
SELECT count(*) AS raw_rejects_without_load FROM event_catalog.rejected_events
WHERE load_id IS NULL AND raw_line LIKE '{"tenant": 31, "timestamp"';

-- under on_invalid = error an invalid event raises (as COPY does), the
-- whole batch is rolled back, and the error says which element
RESET event_catalog.on_invalid;
\set VERBOSITY default
\set SHOW_CONTEXT errors
SELECT * FROM event_catalog.track_batch(ARRAY[b('x1'), b('x2', context => '{"ootb_balance": "x", "y": 1}')]);
\set SHOW_CONTEXT never
SELECT count(*) AS nothing_stored FROM event_catalog.events WHERE tenant = 31 AND customer_id IN ('x1', 'x2');

-- each class of failure: its SQLSTATE, and the problem list as JSON
SELECT * FROM caught($$SELECT * FROM event_catalog.track_batch(ARRAY[b('x3', context => '{"ootb_balance": "x", "y": 1}')])$$);
SELECT * FROM caught($$SELECT event_catalog.track(b('x3', context => '{"ootb_balance": "x"}'))$$);
SELECT * FROM caught($$SELECT event_catalog.assert_valid_event(b('x3') - 'timestamp')$$);
SELECT * FROM caught($$SELECT * FROM event_catalog.track_raw('not json')$$);
SELECT * FROM caught($$SELECT * FROM event_catalog.track_batch_raw(ARRAY['{"a": ']) $$);
SELECT sqlstate, detail->0->>'code' AS code
FROM caught($$SELECT * FROM event_catalog.track_raw(repeat(' ', 1048577))$$);
SELECT sqlstate, detail->0->>'code' AS code
FROM caught($$SELECT * FROM event_catalog.track_batch(ARRAY[b('x4', context => jsonb_build_object('big', repeat('x', 1048577)))])$$);
SELECT * FROM caught($$SELECT * FROM event_catalog.track_raw(NULL)$$);
SELECT * FROM caught($$SELECT * FROM event_catalog.track_batch(ARRAY[NULL::jsonb])$$);
SELECT * FROM caught($$INSERT INTO event_catalog.events (payload, raw_line) VALUES ('{}', '{}')$$);
-- COPY fails with the same error as track_batch
SELECT sqlstate, detail->1->>'code' AS code FROM caught(format(
	$$COPY event_catalog.events (raw_line) FROM PROGRAM %L WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02')$$,
	'echo ''' || b('x5', context => '{"ootb_balance": "x", "y": 1}')::text || ''''));

-- privileges: the writer may call them, the reader may not
CREATE ROLE regress_batch_w LOGIN IN ROLE event_catalog_writer;
CREATE ROLE regress_batch_r LOGIN IN ROLE event_catalog_reader;
SET ROLE regress_batch_r;
SELECT * FROM event_catalog.track_batch(ARRAY[b('p1')]);
SELECT * FROM event_catalog.track_batch_raw(ARRAY[b('p1')::text]);
SELECT * FROM event_catalog.track_raw(b('p1')::text);
RESET ROLE;
SET ROLE regress_batch_w;
SELECT ordinal, status FROM event_catalog.track_batch(ARRAY[b('p1')]);
SELECT ordinal, status FROM event_catalog.track_raw(b('p2')::text);
SELECT loaded_by, lines, stored FROM event_catalog.load_report();
-- a writer cannot write the loads table, nor forge a quarantined row
INSERT INTO event_catalog.loads VALUES (999, now(), now(), 'x', 0, 0, 0, 0, 0, 0, '{}');
UPDATE event_catalog.loads SET stored = 0;
RESET ROLE;

-- tenant isolation: a writer bound to tenant 31 cannot write tenant 32
-- through a batch (whether or not the event is stored), sees its own
-- loads only; the admin sees all
CREATE ROLE regress_batch_t31 NOLOGIN;
CREATE ROLE regress_batch_w31 LOGIN IN ROLE event_catalog_writer, regress_batch_t31;
CREATE ROLE regress_batch_a LOGIN IN ROLE event_catalog_admin;
INSERT INTO event_catalog.tenant_roles VALUES ('regress_batch_t31', 31);
SELECT event_catalog.track(b('t2') || '{"tenant": 32}') IS NOT NULL AS stored_for_32;
SELECT event_catalog.enable_tenant_isolation();
SET ROLE regress_batch_w31;
SELECT ordinal, status FROM event_catalog.track_batch(ARRAY[b('t1')]);
SELECT * FROM caught($$SELECT * FROM event_catalog.track_batch(ARRAY[b('t3'), b('t2') || '{"tenant": 32}'])$$);
SELECT * FROM caught($$SELECT * FROM event_catalog.track_batch(ARRAY[b('t3'), b('t3') || '{"tenant": 32}'])$$);
SELECT * FROM caught($$SELECT * FROM event_catalog.track_raw((b('t3') || '{"tenant": 32}')::text)$$);
SELECT count(*) AS t3_stored FROM event_catalog.events WHERE customer_id = 't3';
SELECT DISTINCT loaded_by FROM event_catalog.loads;
SELECT loaded_by, stored FROM event_catalog.load_report();
RESET ROLE;
SET ROLE regress_batch_a;
SELECT count(DISTINCT loaded_by) > 1 AS admin_sees_every_load FROM event_catalog.loads;
RESET ROLE;
SELECT event_catalog.disable_tenant_isolation();
DELETE FROM event_catalog.tenant_roles WHERE role = 'regress_batch_t31'::regrole;

DROP ROLE regress_batch_w, regress_batch_r, regress_batch_w31, regress_batch_t31, regress_batch_a;
