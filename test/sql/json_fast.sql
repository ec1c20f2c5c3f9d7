-- json_fast: the one-pass reader of raw lines (src/json_fast.c) gives
-- exactly the jsonb that jsonb input gives, byte for byte, or leaves the
-- line to the general path; it never accepts a line jsonb input refuses
-- (json_fast_check would then raise jsonb input's error here).
SET client_min_messages = warning;

-- hand-picked lines: the verdict of each
SELECT line, event_catalog_internal.json_fast_check(line) AS verdict
FROM unnest(ARRAY[
	'{}', '[]', ' { } ', E'\t[\n1 ,\r2 ]\n', '{"a":1}', '[1,[2,[3,{}]]]',
	-- numbers: the scale as written, signs, zeros, the int64 path and past it
	'[0, -0, 0.0, -0.0, 1.50, -0.05, 10, 100000000, 0.000000000000000001]',
	'[999999999999999999, -999999999999999999, 1234567890123456789, 0.20000000000000000000]',
	'[1e5, 1E-5, 2.5e+3, -0e0, 1e1000, 1e-1000, 123456789012345678901234567890]',
	-- strings: escapes, code points of 1 to 3 bytes, raw UTF-8
	'["a\"b\\c\/d\be\ff\ng\rh\ti", "\u0041\u00e9\u20ac\u0001\u001f", "é€漢", ""]',
	-- keys: sorted by length then bytes; the last of equal keys kept
	'{"bb": 1, "a": 2, "ab": 3, "b": 4, "a": 5, "": 6, "ab": {"z": 1, "z": [2]}}',
	'{"é": 1, "e": 2, "\u00e9": 3}',
	'[true, false, null, {"t": true, "f": false, "n": null}]',
	-- left to the general path: surrogates, \u0000, scalars, beyond the limits
	'["\ud83c\udfb0"]', '["\u0000"]', '5', '"text"', 'null', '1e1001',
	-- refused by jsonb input, so never read here
	'{"a":1,}', '[01]', '[1.]', '[.5]', '[+1]', '[-]', '[NaN]', '[nul]', '[truex]', '{"a" 1}',
	'{"a":1', '["abc', E'["a\tb"]', '["\x"]', '["\u12"]', '[1]x', '{"a":1}}', '[1 2]', '{a:1}', '', '   '
]) AS line;

-- deeply nested: at the depth limit of raw lines and past it
SELECT event_catalog_internal.json_fast_check(repeat('[', 1000) || repeat(']', 1000)) AS at_limit,
	   event_catalog_internal.json_fast_check(repeat('[', 1001) || repeat(']', 1001)) AS past_limit;

-- generated lines: random objects of every kind of value, with random
-- white space, escapes, duplicate keys and numbers; each one read both
-- ways (an error or a "DIFFERENT" fails the test)
SELECT setseed(0.15);
CREATE TEMP TABLE gen (line text);
CREATE FUNCTION pg_temp.gen_value(depth integer) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	k integer := floor(random() * CASE WHEN depth > 3 THEN 7 ELSE 9 END);
	ws text := (ARRAY['', ' ', E'\n', E'\t ', E'\r\n'])[1 + floor(random() * 5)];
	out text;
BEGIN
	CASE k
	WHEN 0 THEN RETURN (ARRAY['true', 'false', 'null'])[1 + floor(random() * 3)];
	WHEN 1 THEN		-- an integer of 1 to 25 digits
		RETURN (CASE WHEN random() < 0.3 THEN '-' ELSE '' END)
			|| (CASE WHEN random() < 0.1 THEN '0' ELSE (1 + floor(random() * 9))::text
				|| substr(translate(md5(random()::text), 'abcdef', '014789'), 1, floor(random() * 24)::integer) END);
	WHEN 2 THEN		-- a decimal, its scale as written, maybe with an exponent
		RETURN (CASE WHEN random() < 0.3 THEN '-' ELSE '' END)
			|| floor(random() * 100000)::text || '.'
			|| lpad(floor(random() * 1000)::text, 1 + floor(random() * 22)::integer, '0')
			|| CASE WHEN random() < 0.2 THEN (ARRAY['e', 'E'])[1 + floor(random() * 2)]
				|| (ARRAY['', '+', '-'])[1 + floor(random() * 3)] || floor(random() * 40)::text ELSE '' END;
	WHEN 3, 4 THEN	-- a string with escapes and multibyte characters
		SELECT '"' || string_agg((ARRAY['a', 'Z', '\"', '\\', '\/', '\n', '\t', '\b', '\f', '\r',
				'\u00e9', '\u20AC', '\u0041', '\u007f', 'é', '€', '漢', ' ', '_', '0'])[1 + floor(random() * 20)], '') || '"'
		INTO out FROM generate_series(0, floor(random() * 12)::integer);
		RETURN coalesce(out, '""');
	WHEN 5, 6 THEN RETURN '"' || substr(md5(random()::text), 1, floor(random() * 20)::integer) || '"';
	WHEN 7 THEN		-- an array
		SELECT '[' || ws || coalesce(string_agg(pg_temp.gen_value(depth + 1), ws || ',' || ws), '') || ws || ']'
		INTO out FROM generate_series(1, floor(random() * 5)::integer);
		RETURN out;
	ELSE			-- an object, keys from a small set so that some repeat
		SELECT '{' || ws || coalesce(string_agg('"' || (ARRAY['a', 'b', 'ab', 'ba', 'key', 'é', 'tenant', 'context', ''])[1 + floor(random() * 9)]
				|| '"' || ws || ':' || ws || pg_temp.gen_value(depth + 1), ws || ',' || ws), '') || ws || '}'
		INTO out FROM generate_series(1, floor(random() * 8)::integer);
		RETURN out;
	END CASE;
END $$;
INSERT INTO gen SELECT '{"n": ' || i || ', "v": ' || pg_temp.gen_value(0) || '}' FROM generate_series(1, 3000) i;
SELECT event_catalog_internal.json_fast_check(line) AS verdict, count(*) FROM gen GROUP BY 1 ORDER BY 1;

-- the same lines with one character changed, dropped or doubled: whatever
-- the reader accepts, jsonb input accepts and reads the same
CREATE TEMP TABLE mutated AS
SELECT CASE m % 3
		   WHEN 0 THEN overlay(line PLACING substr('{}[]",:.-e0\ u', 1 + (m / 3) % 14, 1) FROM p FOR 1)
		   WHEN 1 THEN overlay(line PLACING '' FROM p FOR 1)
		   ELSE overlay(line PLACING substr(line, p, 1) FROM p FOR 0) END AS line
FROM (SELECT line, i AS m, 1 + floor(random() * length(line))::integer AS p
	  FROM gen, generate_series(1, 4) i) g;
SELECT count(*) FILTER (WHERE v = 'DIFFERENT') AS different,
	   count(*) FILTER (WHERE v = 'same') > 1000 AS many_read,
	   count(*) FILTER (WHERE v = 'general') > 1000 AS many_left
FROM (SELECT event_catalog_internal.json_fast_check(line) AS v FROM mutated) m;

-- through the raw-line COPY path: stored payloads equal jsonb input's
CREATE TEMP TABLE raw_events (line text);
INSERT INTO raw_events VALUES
	('{"tenant": 91, "event": "ootb_login", "customer": "j1", "timestamp": "2026-06-09T10:00:00Z", "context": {"ootb_balance": 0.20000000000000000000, "ootb_channel": "a\u00e9\"", "ootb_country": "MT", "ootb_country": "DE"}}'),
	('{"tenant":91,"event":"ootb_login","customer":"j2","timestamp":"2026-06-09T10:00:01Z","context":{"ootb_balance":-0.050,"ootb_channel":"\ud83c\udfb0"}}');
COPY raw_events TO '/tmp/event_catalog_json_fast.ndjson' WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
COPY event_catalog.events (raw_line) FROM '/tmp/event_catalog_json_fast.ndjson' WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
SELECT e.customer_id, e.payload::text = r.line::jsonb::text AS same_text,
	   pg_column_size(e.payload) = pg_column_size(r.line::jsonb) AS same_size,
	   e.payload -> 'context' AS context
FROM event_catalog.events e JOIN raw_events r ON r.line::jsonb ->> 'customer' = e.customer_id
WHERE e.tenant = 91 ORDER BY 1;
DELETE FROM event_catalog.events WHERE tenant = 91;
