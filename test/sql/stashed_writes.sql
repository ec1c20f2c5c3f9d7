-- stashed_writes: the insert trigger hands the statement's merge the
-- profile write of each event it stores (effects.c: merged from the stash
-- by stashed_customer_writes and stashed_consent_writes), up to
-- maintenance_work_mem; past that, or when another BEFORE INSERT row
-- trigger may change or drop the row, the merge reads the events back.
-- Both ways give the same customers and consent history.
SET client_min_messages = warning;

-- 8,000 profile writes of 40 customers (more than 1 MB stashed), out of
-- time order, with consent changes, empty values and a self-exclusion journey
CREATE TEMP TABLE feed AS
SELECT i, jsonb_build_object(
		'tenant', 0, 'event', 'ootb_user_details_update', 'customer', 'sw-' || (i % 40),
		'timestamp', to_char(timestamptz '2026-03-01 00:00:00+00' + ((i * 7919) % 8000) * interval '1 minute',
							 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		'context', jsonb_strip_nulls(jsonb_build_object(
			'ootb_email', CASE WHEN i % 3 = 0 THEN 'u' || i || '@example.com' WHEN i % 17 = 0 THEN '' END,
			'ootb_allow_email', CASE i % 4 WHEN 0 THEN 'Yes' WHEN 1 THEN 'No' END,
			'ootb_allow_sms', CASE WHEN i % 5 = 0 THEN 'Yes' END,
			'ootb_country', (ARRAY['MT', 'DE', 'FR'])[1 + i % 3],
			'ootb_first_name', 'first name ' || (i % 11), 'ootb_last_name', 'a last name of some length ' || i,
			'ootb_city', 'a city of some length ' || i))) AS e
FROM generate_series(1, 8000) i
UNION ALL
SELECT 1000 + k, jsonb_build_object('tenant', 0, 'event', ev, 'customer', 'sw-1',
		'timestamp', ts, 'context', ctx)
FROM (VALUES (1, 'ootb_self_exclusion_initiated', '2026-03-01T02:00:00Z',
			  '{"ootb_exclusion_type": 0, "ootb_self_exclusion_expiry_date": "2026-12-01T00:00:00Z"}'::jsonb),
			 (2, 'ootb_self_exclusion_lifted', '2026-03-01T05:00:00Z', '{}')) v(k, ev, ts, ctx);

-- the state of a tenant's customers, consent history and episodes (without
-- event ids, which differ when the events are stored again)
CREATE FUNCTION pg_temp.state(t integer) RETURNS TABLE (what text, row_text text) LANGUAGE sql AS $$
	SELECT 'customer', to_jsonb(c)::text FROM event_catalog.customers c WHERE c.tenant = t
	UNION ALL
	SELECT 'consent', (to_jsonb(l) - 'event_id')::text FROM event_catalog.consent_log l WHERE l.tenant = t
	UNION ALL
	SELECT 'episode', (to_jsonb(s) - 'first_event_id' - 'last_event_id')::text
	FROM event_catalog.self_exclusions s WHERE s.tenant = t
$$;

-- one statement, every write stashed
INSERT INTO event_catalog.events (payload) SELECT jsonb_set(e, '{tenant}', '92') FROM feed ORDER BY i;
CREATE TEMP TABLE stashed AS SELECT * FROM pg_temp.state(92);
SELECT what, count(*) FROM stashed GROUP BY 1 ORDER BY 1;

-- the same events again after deleting them, with 1 MB for the stash: it
-- fills up, and the merge reads every event back
DELETE FROM event_catalog.events WHERE tenant = 92;
SELECT count(*) AS left_after_delete FROM pg_temp.state(92);
SET maintenance_work_mem = '1MB';
INSERT INTO event_catalog.events (payload) SELECT jsonb_set(e, '{tenant}', '92') FROM feed ORDER BY i;
RESET maintenance_work_mem;
SELECT count(*) AS differences
FROM ((SELECT * FROM stashed EXCEPT ALL SELECT * FROM pg_temp.state(92))
	  UNION ALL (SELECT * FROM pg_temp.state(92) EXCEPT ALL SELECT * FROM stashed)) d;

-- and tracked one at a time (a statement each, stashed)
DELETE FROM event_catalog.events WHERE tenant = 92;
SELECT count(event_catalog.track(jsonb_set(e, '{tenant}', '92'))) FROM feed;
SELECT count(*) AS differences
FROM ((SELECT * FROM stashed EXCEPT ALL SELECT * FROM pg_temp.state(92))
	  UNION ALL (SELECT * FROM pg_temp.state(92) EXCEPT ALL SELECT * FROM stashed)) d;

-- tenant 94: a BEFORE INSERT row trigger of the operator's after ours
-- drops every event of customer sw-2 and renames sw-3's country: the
-- profiles follow the rows stored, not the rows the insert trigger saw
CREATE FUNCTION pg_temp.operator_filter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.tenant = 94 AND NEW.customer_id = 'sw-2' THEN
		RETURN NULL;
	END IF;
	IF NEW.tenant = 94 AND NEW.customer_id = 'sw-3' THEN
		NEW.payload := jsonb_set(NEW.payload, '{context,ootb_country}', '"XX"', false);
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER zz_operator_filter BEFORE INSERT ON event_catalog.events
	FOR EACH ROW EXECUTE FUNCTION pg_temp.operator_filter();
INSERT INTO event_catalog.events (payload) SELECT jsonb_set(e, '{tenant}', '94') FROM feed ORDER BY i;
DROP TRIGGER zz_operator_filter ON event_catalog.events;
SELECT customer_id, country, (SELECT count(*) FROM event_catalog.events e
							  WHERE e.tenant = 94 AND e.customer_id = c.customer_id) AS events
FROM event_catalog.customers c WHERE tenant = 94 AND customer_id IN ('sw-2', 'sw-3', 'sw-4') ORDER BY 1;
SELECT count(*) AS consent_rows_of_dropped_customer FROM event_catalog.consent_log
WHERE tenant = 94 AND customer_id = 'sw-2';


-- a merge inside the merge: a trigger on customers of the operator's
-- stores an event when tenant 7195's customer sw-5 is created; that
-- statement's upkeep runs in the middle of the outer merge, which then
-- goes on with its own stashed writes (its consent history comes last)
CREATE FUNCTION pg_temp.operator_customer_hook() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.tenant = 7195 AND NEW.customer_id = 'sw-5' THEN
		INSERT INTO event_catalog.events (payload) VALUES (jsonb_build_object(
			'tenant', 7193, 'event', 'ootb_user_details_update', 'customer', 'nested',
			'timestamp', '2026-03-02T00:00:00Z',
			'context', jsonb_build_object('ootb_email', 'nested@example.com', 'ootb_allow_email', 'Yes')));
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER operator_customer_hook BEFORE INSERT ON event_catalog.customers
	FOR EACH ROW EXECUTE FUNCTION pg_temp.operator_customer_hook();
INSERT INTO event_catalog.events (payload) SELECT jsonb_set(e, '{tenant}', '7195') FROM feed ORDER BY i;
DROP TRIGGER operator_customer_hook ON event_catalog.customers;
-- (the same state as tenant 92's but for the tenant, and the digests in
-- the versions, which cover the tenant)
CREATE FUNCTION pg_temp.as_tenant_92(t integer) RETURNS TABLE (what text, row_text text) LANGUAGE sql AS $$
	SELECT s.what, regexp_replace(replace(s.row_text, '"tenant": ' || t, '"tenant": 92'),
								  '\|[0-9a-f-]{36}"', '|"', 'g')
	FROM pg_temp.state(t) s
$$;
SELECT (SELECT count(*)
		FROM ((SELECT * FROM pg_temp.as_tenant_92(92) EXCEPT ALL SELECT * FROM pg_temp.as_tenant_92(7195))
			  UNION ALL (SELECT * FROM pg_temp.as_tenant_92(7195) EXCEPT ALL SELECT * FROM pg_temp.as_tenant_92(92))) d
	   ) AS differences,
	   (SELECT count(*) FROM pg_temp.state(7195)) AS rows_compared;
SELECT what, row_text::jsonb ->> 'email' AS email, row_text::jsonb -> 'vals' AS vals
FROM pg_temp.state(7193) ORDER BY 1;

-- the stashed writes are the running upkeep's only: no call of its own
-- reaches them
\set VERBOSITY terse
SELECT * FROM event_catalog_internal.stashed_customer_writes('{1}');
SELECT * FROM event_catalog_internal.stashed_consent_writes('{1}', '{email}');
SELECT event_catalog_internal.merge_stashed_writes('{}');
\set VERBOSITY default

-- customer_row (C, one call per customer) makes the row that the merge's
-- SQL made with an expression per column (kept here as the reference),
-- for each kind of value each column type takes: absent, null, "", a
-- string, a number, a boolean, an array, an object, a custom attribute;
-- with a column of each type that validation checks added (typed_columns
-- loads events into such columns).  Not in the Citus suite: it reads the
-- exclusion periods of a shard's customers
BEGIN;
ALTER TABLE event_catalog.customers ADD COLUMN loyalty integer,
	ADD COLUMN score numeric(4,1), ADD COLUMN nick varchar(5),
	ADD COLUMN ratio real, ADD COLUMN seen_at timestamptz;
CREATE TEMP TABLE row_cases AS
SELECT n, v::jsonb AS vals FROM (VALUES
 (1, '{}'),
 (2, '{"email": "", "allow_sms": "", "date_of_birth": "", "loyalty": "", "score": "", "nick": "", "ratio": "", "seen_at": "", "custom": ""}'),
 (3, '{"email": null, "allow_sms": null, "date_of_birth": null, "loyalty": null, "score": null, "nick": null, "ratio": null, "seen_at": null, "custom": null}'),
 (4, '{"email": "a@b.example", "allow_sms": "Yes", "allow_email": true, "is_test": "yes", "date_of_birth": "1990-02-28", "loyalty": 2.0, "score": 12.34, "nick": "abcdefg", "ratio": 0.1, "seen_at": "2026-06-01T10:00:00Z", "zz": 1, "a": [1]}'),
 (5, '{"email": 1.50, "allow_sms": "No", "allow_email": false, "is_blocked": 1, "date_of_birth": "1990-02-30", "loyalty": "7", "score": "-3.05", "nick": "ab", "ratio": "1e10", "seen_at": "2026-06-01", "city": true}'),
 (6, '{"first_name": {"a": "é"}, "last_name": ["x", null], "country": "é\"x", "date_of_birth": 19900228, "seen_at": "not a time", "loyalty": -32768, "score": 0, "nick": "ünïcø", "ratio": -0.5, "allow_push": "No ", "b": {"c": null}}'),
 (7, '{"language": "  ", "loyalty": 2147483647, "score": 999.94, "nick": "    x", "ratio": 3.4e38, "seen_at": "2026-06-01 10:00:00.123456+02", "date_of_birth": "0001-01-01"}')
) AS c(n, v);
-- the boolean columns' expression, as the merge had it
CREATE FUNCTION pg_temp.sql_boolean(v jsonb, k text) RETURNS boolean LANGUAGE sql AS $$
	SELECT CASE jsonb_typeof(v -> k) WHEN 'boolean' THEN (v -> k)::text::boolean
		   ELSE CASE (v -> k) #>> '{}' WHEN 'Yes' THEN true WHEN 'No' THEN false END END $$;
SELECT c.n, (x.r).email, (x.r).allow_sms, (x.r).allow_email, (x.r).date_of_birth, (x.r).loyalty, (x.r).score,
	   (x.r).nick, (x.r).ratio, (x.r).seen_at, (x.r).attributes,
	   (x.r).email IS NOT DISTINCT FROM NULLIF((c.vals -> 'email') #>> '{}', '')
	   AND (x.r).first_name IS NOT DISTINCT FROM NULLIF((c.vals -> 'first_name') #>> '{}', '')
	   AND (x.r).last_name IS NOT DISTINCT FROM NULLIF((c.vals -> 'last_name') #>> '{}', '')
	   AND (x.r).country IS NOT DISTINCT FROM NULLIF((c.vals -> 'country') #>> '{}', '')
	   AND (x.r).city IS NOT DISTINCT FROM NULLIF((c.vals -> 'city') #>> '{}', '')
	   AND (x.r).language IS NOT DISTINCT FROM NULLIF((c.vals -> 'language') #>> '{}', '')
	   AND (x.r).allow_sms IS NOT DISTINCT FROM pg_temp.sql_boolean(c.vals, 'allow_sms')
	   AND (x.r).allow_email IS NOT DISTINCT FROM pg_temp.sql_boolean(c.vals, 'allow_email')
	   AND (x.r).allow_push IS NOT DISTINCT FROM pg_temp.sql_boolean(c.vals, 'allow_push')
	   AND (x.r).is_test IS NOT DISTINCT FROM pg_temp.sql_boolean(c.vals, 'is_test')
	   AND (x.r).is_blocked IS NOT DISTINCT FROM pg_temp.sql_boolean(c.vals, 'is_blocked')
	   AND (x.r).date_of_birth IS NOT DISTINCT FROM event_catalog_internal.to_date_or_null((c.vals -> 'date_of_birth') #>> '{}')
	   AND (x.r).loyalty IS NOT DISTINCT FROM CAST(CAST(NULLIF((c.vals -> 'loyalty') #>> '{}', '') AS numeric) AS integer)
	   AND (x.r).score IS NOT DISTINCT FROM CAST(NULLIF((c.vals -> 'score') #>> '{}', '') AS numeric(4,1))
	   AND (x.r).nick IS NOT DISTINCT FROM CAST(NULLIF((c.vals -> 'nick') #>> '{}', '') AS varchar(5))
	   AND (x.r).ratio IS NOT DISTINCT FROM CAST(NULLIF((c.vals -> 'ratio') #>> '{}', '') AS real)
	   AND (x.r).seen_at IS NOT DISTINCT FROM event_catalog_internal.to_timestamp_or_null((c.vals -> 'seen_at') #>> '{}')
	   AND (x.r).attributes = (SELECT coalesce(jsonb_object_agg(a.key, a.value), '{}') FROM jsonb_each(c.vals) a
							   WHERE a.key <> ALL (ARRAY(SELECT p.name FROM event_catalog_internal.profile_columns() p))
								 AND a.value <> '""')
	   AND ((x.r).tenant, (x.r).customer_id, (x.r).attribute_versions, (x.r).created_at, (x.r).updated_at)
		   IS NOT DISTINCT FROM (605, 'row' || c.n, '{"v": 1}'::jsonb, timestamptz '2026-01-01', timestamptz '2026-01-02')
	   AND (x.r).exclusion_periods IS NULL AS same_as_sql
FROM row_cases c,
	 LATERAL (SELECT event_catalog_internal.customer_row(605, 'row' || c.n, c.vals, '{"v": 1}', '2026-01-01', '2026-01-02',
			  ARRAY(SELECT p.name FROM event_catalog_internal.profile_columns() p)) AS r OFFSET 0) x
ORDER BY c.n;
ROLLBACK;
