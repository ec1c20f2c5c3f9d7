-- effects_property: whether an event feeds the profile or self-exclusion
-- state is decided once, when it is stored, and every path applies that
-- decision the same way.  Every seeded event type gets custom params that
-- feed the profile (a custom attribute, a typed column and a consent
-- column); the same events in one statement, shuffled, in small batches,
-- one by one and split by event type give identical customers, consent
-- history, episodes and anomalies, and recomputing after a delete gives the
-- state of loading only the rest.
-- (In one transaction, rolled back: the custom params must not outlive it.)
BEGIN;

SELECT count(event_catalog.define_event(jsonb_build_object('event', t.event_key, 'params', jsonb_build_array(
		jsonb_build_object('key', 'x_tier', 'type', 'string', 'profile_attribute', 'x_tier'),
		jsonb_build_object('key', 'x_city', 'type', 'string', 'profile_attribute', 'city'),
		jsonb_build_object('key', 'x_sms', 'type', 'string', 'allowed_values', jsonb_build_array('Yes', 'No'),
						   'profile_attribute', 'allow_sms')))))
FROM event_catalog.event_types t WHERE t.builtin;

-- every seeded event type now feeds the profile
SELECT count(*) AS event_types, count(*) FILTER (WHERE EXISTS (
		SELECT 1 FROM event_catalog.event_params p
		WHERE p.event_key = t.event_key AND p.profile_attribute = 'x_tier')) AS with_profile_param
FROM event_catalog.event_types t WHERE t.builtin;

-- a valid value for each mandatory param of each event type
CREATE TEMP TABLE base_context AS
SELECT t.event_key, t.requires_customer,
	   COALESCE((SELECT jsonb_object_agg(p.param_key,
					CASE p.data_type
						WHEN 'number' THEN COALESCE(to_jsonb(p.allowed_values[1]::numeric), '10')
						WHEN 'boolean' THEN 'true'
						WHEN 'date' THEN '"2000-01-01"'
						WHEN 'timestamp' THEN '"2026-01-01T00:00:00Z"'
						ELSE COALESCE(to_jsonb(p.allowed_values[1]), '"x"') END)
				 FROM event_catalog.event_params p
				 WHERE p.event_key = t.event_key AND p.requirement = 'mandatory'), '{}') AS ctx,
	   row_number() OVER (ORDER BY t.event_key) AS k
FROM event_catalog.event_types t WHERE t.builtin;

-- 14 event types x 60 events over 12 customers, few distinct times (ties
-- between event types are common); self-exclusion events carry dates
CREATE TEMP TABLE fx_events AS
SELECT b.k * 1000 + i AS i, b.event_key, jsonb_build_object(
	'tenant', 31,
	'timestamp', to_char(timestamp '2026-01-01' + ((i * 7919 + b.k * 13) % 30) * interval '1 hour',
						 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	'event', b.event_key,
	'customer', 'fx' || ((i * 31 + b.k) % 12),
	'context', b.ctx || jsonb_build_object(
		'x_tier', (ARRAY['"gold"', '"silver"', '""', 'null'])[1 + (i * 13 + b.k) % 4]::jsonb,
		'x_city', (ARRAY['"Valletta"', '"Rome"', '""'])[1 + (i * 17 + b.k) % 3]::jsonb,
		'x_sms', (ARRAY['"Yes"', '"No"', 'null'])[1 + (i * 19 + b.k) % 3]::jsonb)
	|| CASE WHEN b.event_key LIKE 'ootb_self_exclusion_%' AND b.event_key NOT LIKE '%violation%'
			 AND b.event_key NOT LIKE '%lifted' THEN jsonb_build_object(
		'ootb_self_exclusion_expiry_date', to_char(timestamp '2026-01-03' + ((i * 11) % 5) * interval '1 day',
												   'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		'ootb_exclusion_type', (i * 7) % 2) ELSE '{}' END) AS payload
FROM base_context b, generate_series(1, 60) i;

-- every event is valid (the test is about effects, not validation)
SELECT count(*) AS events, count(*) FILTER (WHERE event_catalog.is_valid_event(payload)) AS valid,
	   count(DISTINCT event_key) AS event_types
FROM fx_events;

CREATE TEMP TABLE fx_snapshots (variant text, customers text, history text, episodes text, anomalies text,
								n integer, n_episodes integer, n_consent integer);

CREATE FUNCTION fx_snapshot(variant text) RETURNS void LANGUAGE sql AS $$
	INSERT INTO fx_snapshots
	SELECT variant,
		   (SELECT md5(string_agg(c::text, E'\n' ORDER BY c.customer_id))
			FROM event_catalog.customers c WHERE c.tenant = 31),
		   (SELECT md5(string_agg(concat_ws('|', h.customer_id, h.attribute, h.old_value, h.new_value, h.changed_at),
								  E'\n' ORDER BY h.customer_id, h.attribute, h.changed_at, h.new_value))
			FROM event_catalog.customer_changes h WHERE h.tenant = 31),
		   -- episodes and anomalies without event ids, which differ per load
		   (SELECT md5(string_agg(concat_ws('|', s.customer_id, s.episode, s.status, s.exclusion_type,
											s.reason, s.duration, s.requested_at, s.activated_at, s.starts_at,
											s.expires_at, s.lifted_at, s.update_count, s.violation_count,
											s.last_violation_at, s.brand, s.license),
								  E'\n' ORDER BY s.customer_id, s.episode))
			FROM event_catalog.self_exclusions s WHERE s.tenant = 31),
		   (SELECT md5(string_agg(concat_ws('|', a.customer_id, a.episode, a.code, a.detail, a.occurred_at),
								  E'\n' ORDER BY a.customer_id, a.occurred_at, a.code, a.detail))
			FROM event_catalog.self_exclusion_anomalies a WHERE a.tenant = 31),
		   (SELECT count(*) FROM event_catalog.customers c WHERE c.tenant = 31),
		   (SELECT count(*) FROM event_catalog.self_exclusions s WHERE s.tenant = 31),
		   (SELECT count(*) FROM event_catalog.consent_log l WHERE l.tenant = 31)
$$;

CREATE FUNCTION fx_reset() RETURNS bigint LANGUAGE sql AS $$
	DELETE FROM event_catalog.events WHERE tenant = 31;
	SELECT count(*) FROM event_catalog.customers WHERE tenant = 31;
$$;

-- (a) one statement, in order
INSERT INTO event_catalog.events (payload) SELECT payload FROM fx_events ORDER BY i;
SELECT fx_snapshot('one statement');
SELECT fx_reset() AS left_after_delete;

-- (b) one statement, shuffled
INSERT INTO event_catalog.events (payload) SELECT payload FROM fx_events ORDER BY md5(i::text);
SELECT fx_snapshot('shuffled');
SELECT fx_reset() AS left_after_delete;

-- (c) one statement per event type, in reverse key order: self-exclusion
-- events load without any profile event beside them
DO $$
DECLARE
	k text;
BEGIN
	FOR k IN SELECT DISTINCT event_key FROM fx_events ORDER BY 1 DESC LOOP
		INSERT INTO event_catalog.events (payload)
		SELECT payload FROM fx_events WHERE event_key = k ORDER BY md5(i::text || 'c');
	END LOOP;
END $$;
SELECT fx_snapshot('per event type');
SELECT fx_reset() AS left_after_delete;

-- (d) 40 small batches, each shuffled
DO $$
BEGIN
	FOR b IN 0..39 LOOP
		INSERT INTO event_catalog.events (payload)
		SELECT payload FROM fx_events WHERE i % 40 = b ORDER BY md5(i::text || 'd');
	END LOOP;
END $$;
SELECT fx_snapshot('40 batches');
SELECT fx_reset() AS left_after_delete;

-- (e) one event at a time through track(), shuffled
SELECT count(event_catalog.track(payload)) FROM (SELECT payload FROM fx_events ORDER BY md5(i::text || 'e')) x;
SELECT fx_snapshot('track one by one');

-- all the same, and not trivially so
SELECT count(DISTINCT customers) AS customer_states, count(DISTINCT history) AS histories,
	   count(DISTINCT episodes) AS episode_sets, count(DISTINCT anomalies) AS anomaly_sets,
	   count(DISTINCT n_consent) AS consent_counts,
	   min(n) AS customers, min(n_episodes) AS episodes, min(n_consent) AS consent_rows
FROM fx_snapshots;

-- the custom attributes of self-exclusion events did reach the profile:
-- a customer whose newest x_tier came from a self-exclusion event
SELECT count(*) > 0 AS profile_fed_by_self_exclusion_events
FROM event_catalog.customers c
JOIN event_catalog.events e ON e.tenant = c.tenant AND e.customer_id = c.customer_id
WHERE c.tenant = 31 AND e.event_key LIKE 'ootb_self_exclusion_%'
  AND split_part(c.attribute_versions ->> 'x_tier', '|', 2) = e.content_hash::text;

-- every stored event with a customer has effects (the decision made at insert)
SELECT count(*) AS stored, count(*) FILTER (WHERE has_effects) AS with_effects
FROM event_catalog.events WHERE tenant = 31;

-- deleting events: the state of having loaded only the rest
DELETE FROM event_catalog.events e
USING fx_events f
WHERE e.tenant = 31 AND e.content_hash = event_catalog.event_content_hash(f.payload) AND f.i % 5 = 1;
SELECT fx_snapshot('after deleting a fifth');
SELECT fx_reset() AS left_after_delete;
INSERT INTO event_catalog.events (payload) SELECT payload FROM fx_events WHERE i % 5 <> 1 ORDER BY md5(i::text);
SELECT fx_snapshot('only the rest');
SELECT count(DISTINCT customers) AS customer_states, count(DISTINCT history) AS histories,
	   count(DISTINCT episodes) AS episode_sets, count(DISTINCT anomalies) AS anomaly_sets,
	   count(DISTINCT n_consent) AS consent_counts
FROM fx_snapshots WHERE variant IN ('after deleting a fifth', 'only the rest');
-- and it differs from the full load (the test can fail)
SELECT count(DISTINCT customers) AS states FROM fx_snapshots WHERE variant IN ('one statement', 'only the rest');

ROLLBACK;
