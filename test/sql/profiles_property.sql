-- profiles_property: the same profile events in one statement, shuffled,
-- in 50 small batches, or with duplicates give byte-identical customers
-- rows and the same consent history; deleting events gives the state of
-- loading only the rest

-- 600 events over 25 customers; few distinct times, so ties are common;
-- values include "" (clear) and JSON null (not provided)
CREATE TEMP TABLE prop_events AS
SELECT i, jsonb_build_object(
	'tenant', 30,
	'timestamp', to_char(timestamp '2026-01-01' + ((i * 7919) % 40) * interval '1 hour',
						 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	'event', CASE WHEN i % 6 = 0 THEN 'ootb_registration' ELSE 'ootb_user_details_update' END,
	'customer', 'pc' || ((i * 31) % 25),
	'context', jsonb_build_object(
		'ootb_email', (ARRAY['"a@example.com"', '"b@example.com"', '""', 'null'])[1 + (i * 13) % 4]::jsonb,
		'ootb_allow_email', (ARRAY['"Yes"', '"No"', '""', 'null', '"Yes"'])[1 + (i * 17) % 5]::jsonb,
		'ootb_allow_sms', (ARRAY['"Yes"', '"No"'])[1 + (i * 19) % 2]::jsonb,
		'ootb_country', (ARRAY['"MT"', '"IT"', '"DE"', '""'])[1 + (i * 23) % 4]::jsonb,
		'ootb_is_blocked', (ARRAY['true', 'false', 'null'])[1 + (i * 29) % 3]::jsonb)
	- CASE WHEN i % 3 = 0 THEN 'ootb_country' ELSE '' END
	- CASE WHEN i % 4 = 0 THEN 'ootb_email' ELSE '' END) AS payload
FROM generate_series(1, 600) i;

CREATE TEMP TABLE snapshots (variant text, customers text, history text, n integer);

CREATE FUNCTION take_snapshot(variant text) RETURNS void LANGUAGE sql AS $$
	INSERT INTO snapshots
	SELECT variant,
		   (SELECT md5(string_agg(c::text, E'\n' ORDER BY c.customer_id))
			FROM event_catalog.customers c WHERE c.tenant = 30),
		   (SELECT md5(string_agg(concat_ws('|', h.customer_id, h.attribute, h.old_value, h.new_value, h.changed_at),
								  E'\n' ORDER BY h.customer_id, h.attribute, h.changed_at, h.new_value))
			FROM event_catalog.customer_changes h WHERE h.tenant = 30),
		   (SELECT count(*) FROM event_catalog.customers c WHERE c.tenant = 30)
$$;

CREATE FUNCTION reset_tenant() RETURNS bigint LANGUAGE sql AS $$
	DELETE FROM event_catalog.events WHERE tenant = 30;
	SELECT count(*) FROM event_catalog.customers WHERE tenant = 30;
$$;

-- (a) one statement, in order
INSERT INTO event_catalog.events (payload) SELECT payload FROM prop_events ORDER BY i;
SELECT take_snapshot('one statement');
SELECT reset_tenant() AS left_after_delete;

-- (b) one statement, shuffled
INSERT INTO event_catalog.events (payload) SELECT payload FROM prop_events ORDER BY md5(i::text);
SELECT take_snapshot('shuffled');
SELECT reset_tenant() AS left_after_delete;

-- (c) 50 small batches, each shuffled, in reverse batch order
DO $$
BEGIN
	FOR b IN REVERSE 49..0 LOOP
		INSERT INTO event_catalog.events (payload)
		SELECT payload FROM prop_events WHERE i % 50 = b ORDER BY md5(i::text || 'c');
	END LOOP;
END $$;
SELECT take_snapshot('50 batches');
SELECT reset_tenant() AS left_after_delete;

-- (d) with duplicates: a third of the events twice in the same statement,
-- then half of them again in a second statement
INSERT INTO event_catalog.events (payload)
SELECT payload FROM (SELECT i, payload FROM prop_events
					 UNION ALL SELECT i, payload FROM prop_events WHERE i % 3 = 1) x
ORDER BY md5(i::text || 'd');
INSERT INTO event_catalog.events (payload) SELECT payload FROM prop_events WHERE i % 2 = 0;
SELECT take_snapshot('with duplicates');
SELECT reset_tenant() AS left_after_delete;

-- (e) one event at a time through track(), shuffled
SELECT count(event_catalog.track(payload)) FROM (SELECT payload FROM prop_events ORDER BY md5(i::text || 'e')) x;
SELECT take_snapshot('track one by one');

-- all the same
SELECT count(DISTINCT customers) AS distinct_customers_states,
       count(DISTINCT history) AS distinct_histories, min(n) AS customers
FROM snapshots;

-- deleting events: the state of having loaded only the rest
DELETE FROM event_catalog.events e
USING prop_events p
WHERE e.tenant = 30 AND e.content_hash = event_catalog.event_content_hash(p.payload) AND p.i % 4 = 1;
SELECT take_snapshot('after deleting a quarter');
SELECT reset_tenant() AS left_after_delete;
INSERT INTO event_catalog.events (payload) SELECT payload FROM prop_events WHERE i % 4 <> 1 ORDER BY md5(i::text);
SELECT take_snapshot('only the rest');
SELECT count(DISTINCT customers) AS distinct_customers_states, count(DISTINCT history) AS distinct_histories
FROM snapshots WHERE variant IN ('after deleting a quarter', 'only the rest');
-- and it differs from the full load (the test can fail)
SELECT count(DISTINCT customers) AS states FROM snapshots WHERE variant IN ('one statement', 'only the rest');
