-- fuzz: a deterministic, seeded fuzz run.  Valid events are mutated (keys
-- dropped, types swapped, values truncated, huge, deeply nested, non-ASCII,
-- escape-laden, odd numbers and times, many keys) and raw lines are cut
-- and sprinkled with stray bytes; every input goes through validate_event,
-- is_valid_event, track (both on_invalid settings), the raw-line COPY path
-- and upsert_customers.  Every input must end in a result or a clean error
-- of an expected class, is_valid_event must agree with validate_event, and
-- the server must not restart.

SELECT pg_postmaster_start_time() AS started \gset

CREATE TEMP TABLE fuzz_seeds (n serial, e jsonb);
INSERT INTO fuzz_seeds (e) VALUES
('{"tenant": 80, "timestamp": "2026-06-09 10:15:00.000000 UTC", "event": "ootb_user_details_update", "customer": "f1",
  "context": {"ootb_email": "a@example.com", "ootb_allow_email": "Yes", "ootb_is_test": false, "ootb_date_of_birth": "1990-01-15", "ootb_country": "MT"}}'),
('{"tenant": 80, "timestamp": "2026-06-09T10:16:00Z", "event": "ootb_login", "visitor": "v1",
  "context": {"ootb_balance": 10.5, "ootb_is_first_login": true, "ootb_login_timestamp": "2026-06-09T10:16:00Z"}}'),
('{"tenant": 80, "timestamp": "2026-06-09T10:17:00+02:00", "event": "ootb_self_exclusion_initiated", "customer": "f2",
  "context": {"ootb_exclusion_type": 0, "ootb_self_exclusion_expiry_date": "2026-12-01T00:00:00Z", "ootb_reason": "user_requested"}}'),
('{"tenant": 80, "timestamp": "2026-06-09T10:18:00Z", "event": "ootb_deposit", "customer": "f3",
  "context": {"ootb_deposit_timestamp": "2026-06-09", "ootb_deposit_amount": 50, "ootb_deposit_status": "completed"}}'),
('{"tenant": 80, "timestamp": "2026-06-09T10:19:00Z", "event": "ootb_self_exclusion_lifted", "customer": "f2", "context": {}}'),
('{"tenant": 80, "timestamp": "2026-06-09T10:20:00Z", "event": "ootb_registration", "customer": "f4",
  "context": {"ootb_status": "Completed", "ootb_allow_sms": "No", "ootb_mobile_number": "+356"}}');

-- a deterministic pseudo-random integer in [0, m)
CREATE FUNCTION fr(i integer, salt text, m integer) RETURNS integer LANGUAGE sql IMMUTABLE AS
$$ SELECT ((hashtext(i || ':' || salt)::bigint & 2147483647) % m)::integer $$;

-- a strange value
CREATE FUNCTION odd_value(i integer) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT (ARRAY[
		'null', 'true', 'false', '0', '-0', '1e400', '-1e-400', '1.5', '2147483648', '123456789012345678901234567890',
		'""', '"true"', '"5"', '"Yes"', '"yes"', '"2026-02-30"', '"2026-06-09T24:00:00Z"', '"9999-12-31T23:59:59.999999Z"',
		'"0001-01-01"', '[]', '{}', '[1, [2, [3]]]', '{"a": {"b": {"c": null}}}',
		'"\u00e9\u0301\u200f\ud83c\udfb0"', '"line\nbreak\ttab\"quote\\\\back"', '"\u0001\u001f"',
		to_jsonb(repeat('x', 70000)), to_jsonb(repeat('€', 300)),
		(repeat('[', 300) || repeat(']', 300))::jsonb, to_jsonb(repeat('{', 50))
	])[1 + fr(i, 'v', 30)]
$$;

-- one mutation of an event
CREATE FUNCTION mutate(e jsonb, i integer) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	keys text[] := ARRAY(SELECT jsonb_object_keys(e));
	ckeys text[] := CASE WHEN jsonb_typeof(e->'context') = 'object'
						 THEN ARRAY(SELECT jsonb_object_keys(e->'context')) ELSE '{}' END;
	k text;
BEGIN
	FOR step IN 1..1 + fr(i, 'steps', 3) LOOP
	  BEGIN
		keys := ARRAY(SELECT jsonb_object_keys(e));
		ckeys := CASE WHEN jsonb_typeof(e->'context') = 'object'
					  THEN ARRAY(SELECT jsonb_object_keys(e->'context')) ELSE '{}' END;
		CASE fr(i + step * 7919, 'op', 10)
		WHEN 0 THEN e := e - keys[1 + fr(i + step, 'drop', cardinality(keys))];
		WHEN 1 THEN e := jsonb_set(e, ARRAY[keys[1 + fr(i + step, 'key', cardinality(keys))]], odd_value(i + step));
		WHEN 2 THEN
			IF cardinality(ckeys) > 0 THEN
				e := jsonb_set(e, ARRAY['context', ckeys[1 + fr(i + step, 'ckey', cardinality(ckeys))]], odd_value(i * 3 + step));
			END IF;
		WHEN 3 THEN e := jsonb_set(e, ARRAY['context'], COALESCE(e->'context', '{}') ||
							 jsonb_build_object('fz' || fr(i, 'k', 100) || '_é', odd_value(i + 1)));
		WHEN 4 THEN e := jsonb_set(e, '{event}', to_jsonb((ARRAY['ootb_user_details_update', 'ootb_login',
							 'ootb_self_exclusion_updated', 'ootb_withdrawal', 'nope', '', 'ootb_login ',
							 'OOTB_LOGIN'])[1 + fr(i, 'ev', 8)]));
		WHEN 5 THEN e := jsonb_set(e, '{timestamp}', to_jsonb(overlay(COALESCE(e->>'timestamp', '2026-06-09T10:00:00Z')
							 placing chr(48 + fr(i, 'd', 12)) from 1 + fr(i, 'pos', 20) for 1)));
		WHEN 6 THEN e := e || jsonb_build_object('extra_' || fr(i, 'x', 5), odd_value(i + 2));
		WHEN 7 THEN e := jsonb_set(e, '{context}', (SELECT jsonb_object_agg('k' || g, g) FROM generate_series(1, 40 + fr(i, 'n', 30)) g));
		WHEN 8 THEN e := jsonb_set(e, '{customer}', odd_value(i + 5));
		ELSE e := jsonb_set(e, '{tenant}', odd_value(i + 6));
		END CASE;
	  EXCEPTION WHEN OTHERS THEN
		NULL;	-- a mutation that does not apply to this shape: skip it
	  END;
	END LOOP;
	RETURN e;
END $$;

-- one mutation of a raw line
CREATE FUNCTION mutate_line(line text, i integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE fr(i, 'raw', 6)
		WHEN 0 THEN left(line, fr(i, 'cut', length(line)))
		WHEN 1 THEN overlay(line placing chr(1 + fr(i, 'byte', 126)) from 1 + fr(i, 'at', length(line)) for 1)
		WHEN 2 THEN line || repeat('}', fr(i, 'extra', 3))
		WHEN 3 THEN replace(line, '"', '''')
		WHEN 4 THEN repeat('[', 2000) || line
		ELSE line
	END
$$;

CREATE TEMP TABLE fuzz_log (i integer, stage text, state text);

DO $$
DECLARE
	e jsonb;
	v jsonb;
	iv boolean;
	seed jsonb;
	nseeds integer := (SELECT count(*) FROM fuzz_seeds);
BEGIN
	FOR i IN 1..4000 LOOP
		seed := (SELECT s.e FROM fuzz_seeds s WHERE s.n = 1 + i % nseeds);
		e := mutate(seed, i);

		v := event_catalog.validate_event(e);
		iv := event_catalog.is_valid_event(e);
		IF iv <> NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v) p WHERE p->>'severity' = 'error') THEN
			INSERT INTO fuzz_log VALUES (i, 'disagreement', e::text);
		END IF;
		INSERT INTO fuzz_log VALUES (i, 'validated', NULL);

		BEGIN
			PERFORM set_config('event_catalog.on_invalid', CASE WHEN i % 2 = 0 THEN 'error' ELSE 'quarantine' END, true);
			PERFORM event_catalog.track(e);
			INSERT INTO fuzz_log VALUES (i, 'track', 'ok');
		EXCEPTION WHEN OTHERS THEN
			INSERT INTO fuzz_log VALUES (i, 'track', SQLSTATE);
		END;

		BEGIN
			PERFORM set_config('event_catalog.on_invalid', 'quarantine', true);
			INSERT INTO event_catalog.events (raw_line) VALUES (mutate_line(e::text, i));
			INSERT INTO fuzz_log VALUES (i, 'raw line', 'ok');
		EXCEPTION WHEN OTHERS THEN
			INSERT INTO fuzz_log VALUES (i, 'raw line', SQLSTATE);
		END;

		IF i % 5 = 0 THEN
			BEGIN
				PERFORM event_catalog.upsert_customers(80, jsonb_build_array(
					jsonb_build_object('customer_id', COALESCE(e->'customer', '"u"'),
									   'attributes', COALESCE(e->'context', e), 'timestamp', e->'timestamp'),
					e));
				INSERT INTO fuzz_log VALUES (i, 'upsert', 'ok');
			EXCEPTION WHEN OTHERS THEN
				INSERT INTO fuzz_log VALUES (i, 'upsert', SQLSTATE);
			END;
		END IF;
	END LOOP;
	PERFORM set_config('event_catalog.on_invalid', 'error', false);
END $$;

-- how many inputs, and that they ended well
SELECT count(DISTINCT i) AS events_tried,
       count(*) FILTER (WHERE stage = 'validated') + count(*) FILTER (WHERE stage IN ('track', 'raw line', 'upsert'))
           AS calls_made,
       count(*) FILTER (WHERE stage = 'disagreement') AS is_valid_disagreements
FROM fuzz_log;
-- errors are clean and of the expected kinds: 22023 an invalid event,
-- 22P02 a line that is not JSON, 22007 a bad timestamp given to the API;
-- nothing else (no internal error, no unique violation)
SELECT stage, state, count(*) > 0 AS seen
FROM fuzz_log WHERE stage <> 'validated' AND state NOT IN ('ok', '22023', '22P02', '22007')
GROUP BY stage, state;
-- the server did not restart
SELECT pg_postmaster_start_time() = :'started' AS same_server;
-- and what was stored is consistent: every stored event is valid or fail-safe
SELECT count(*) AS stored_but_invalid
FROM event_catalog.events e JOIN event_catalog.event_types t USING (event_key)
WHERE e.tenant = 80 AND NOT event_catalog.is_valid_event(e.payload) AND NOT t.fail_safe;
