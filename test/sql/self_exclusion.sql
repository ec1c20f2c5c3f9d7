-- self_exclusion: the lifecycle of the five self-exclusion events, every
-- event in every state, point-in-time answers, overdue episodes, cool-offs,
-- and the contact rule
\set SHOW_CONTEXT never

CREATE FUNCTION se(tenant integer, customer text, ts text, kind text, context jsonb DEFAULT '{}')
RETURNS bigint LANGUAGE sql AS $$
	SELECT event_catalog.track(jsonb_build_object('tenant', tenant, 'timestamp', ts,
		'event', 'ootb_self_exclusion_' || kind, 'customer', customer, 'context', context))
$$;

-- a full journey: requested, activated, a violation attempt, lengthened, lifted
SELECT se(40, 'j1', '2026-01-10T09:00:00Z', 'initiated', '{"ootb_exclusion_type": 0, "ootb_reason": "user_requested",
    "ootb_self_exclusion_duration": "180_days", "ootb_self_exclusion_start_date": "2026-01-10T09:00:00Z",
    "ootb_self_exclusion_expiry_date": "2026-07-09T09:00:00Z", "ootb_brand": "b1", "ootb_license": "MGA"}') > 0;
SELECT status, exclusion_type, requested_at AT TIME ZONE 'UTC' AS requested, activated_at, expires_at AT TIME ZONE 'UTC' AS expires
FROM event_catalog.self_exclusions WHERE tenant = 40;
SELECT se(40, 'j1', '2026-01-10T09:05:00Z', 'activated', '{"ootb_self_exclusion_start_date": "2026-01-10T09:05:00Z",
    "ootb_self_exclusion_expiry_date": "2026-07-09T09:00:00Z"}') > 0;
SELECT se(40, 'j1', '2026-02-01T20:00:00Z', 'violation_attempt', '{"ootb_violation_attempt_timestamp": "2026-02-01T19:59:00Z",
    "ootb_attempted_action": "login_attempt"}') > 0;
SELECT se(40, 'j1', '2026-03-01T10:00:00Z', 'updated', '{"ootb_self_exclusion_expiry_date": "2027-01-10T09:00:00Z",
    "ootb_self_exclusion_duration": "365_days"}') > 0;
SELECT episode, status, exclusion_type, reason, duration, requested_at AT TIME ZONE 'UTC' AS requested,
       activated_at AT TIME ZONE 'UTC' AS activated, starts_at AT TIME ZONE 'UTC' AS starts,
       expires_at AT TIME ZONE 'UTC' AS expires, update_count, violation_count,
       last_violation_at AT TIME ZONE 'UTC' AS last_violation, brand, license
FROM event_catalog.self_exclusions WHERE tenant = 40 AND customer_id = 'j1';
SELECT se(40, 'j1', '2027-01-10T09:00:00Z', 'lifted', '{"ootb_self_exclusion_end_date": "2027-01-10T09:00:00Z"}') > 0;
SELECT episode, status, lifted_at AT TIME ZONE 'UTC' AS lifted FROM event_catalog.self_exclusions WHERE tenant = 40;
SELECT count(*) AS anomalies FROM event_catalog.self_exclusion_anomalies WHERE tenant = 40;

-- point in time: from the request until the lift
SELECT at, event_catalog.is_self_excluded(40, 'j1', at::timestamptz) AS excluded
FROM unnest(ARRAY['2026-01-10T08:59:59Z', '2026-01-10T09:00:00Z', '2026-01-10T09:02:00Z', '2026-06-01T00:00:00Z',
                  '2027-01-10T08:59:59Z', '2027-01-10T09:00:00Z', '2028-01-01T00:00:00Z']) at;
-- a second episode after the lift
SELECT se(40, 'j1', '2027-06-01T00:00:00Z', 'initiated', '{"ootb_exclusion_type": 1, "ootb_self_exclusion_duration": "7_days"}') > 0;
SELECT episode, status, exclusion_type FROM event_catalog.self_exclusions WHERE tenant = 40 ORDER BY episode;
SELECT event_catalog.is_self_excluded(40, 'j1', '2027-03-01'), event_catalog.is_self_excluded(40, 'j1', '2027-06-02');

-- every event in every state: none, pending, active, lifted
CREATE TEMP TABLE states (state text, prefix text[]);
INSERT INTO states VALUES ('none', '{}'), ('pending', '{initiated}'), ('active', '{initiated,activated}'),
	('lifted', '{initiated,activated,lifted}');
SELECT count(se(41, s.state || '/' || k.kind, '2026-05-0' || (p.n) || 'T00:00:00Z', p.kind,
                '{"ootb_self_exclusion_expiry_date": "2026-12-01T00:00:00Z"}'))
FROM states s, unnest(ARRAY['initiated', 'activated', 'updated', 'violation_attempt', 'lifted']) k(kind),
     LATERAL unnest(s.prefix || k.kind) WITH ORDINALITY p(kind, n);
SELECT split_part(c.customer_id, '/', 1) AS state, split_part(c.customer_id, '/', 2) AS event,
       (SELECT string_agg(x.episode || ':' || x.status, ' ' ORDER BY x.episode)
        FROM event_catalog.self_exclusions x WHERE x.tenant = 41 AND x.customer_id = c.customer_id) AS episodes,
       (SELECT string_agg(a.code, ' ' ORDER BY a.occurred_at)
        FROM event_catalog.self_exclusion_anomalies a WHERE a.tenant = 41 AND a.customer_id = c.customer_id) AS anomalies,
       event_catalog.is_self_excluded(41, c.customer_id, '2026-06-01') AS excluded_after
FROM (SELECT DISTINCT customer_id FROM event_catalog.events WHERE tenant = 41) c
ORDER BY array_position(ARRAY['none', 'pending', 'active', 'lifted'], split_part(c.customer_id, '/', 1)),
         array_position(ARRAY['initiated', 'activated', 'updated', 'violation_attempt', 'lifted'], split_part(c.customer_id, '/', 2));

-- never shorten, never postpone, never weaken
SELECT se(42, 'k1', '2026-01-01T00:00:00Z', 'initiated', '{"ootb_exclusion_type": 0,
    "ootb_self_exclusion_start_date": "2026-01-01", "ootb_self_exclusion_expiry_date": "2026-12-31"}') > 0;
SELECT se(42, 'k1', '2026-02-01T00:00:00Z', 'updated', '{"ootb_exclusion_type": 1,
    "ootb_self_exclusion_start_date": "2026-03-01", "ootb_self_exclusion_expiry_date": "2026-06-30"}') > 0;
SELECT exclusion_type, starts_at AT TIME ZONE 'UTC' AS starts, expires_at AT TIME ZONE 'UTC' AS expires, update_count
FROM event_catalog.self_exclusions WHERE tenant = 42;
SELECT code, detail FROM event_catalog.self_exclusion_anomalies WHERE tenant = 42 ORDER BY code;
-- a cool-off may become a self-exclusion
SELECT se(42, 'k2', '2026-01-01T00:00:00Z', 'initiated', '{"ootb_exclusion_type": 1}') > 0,
       se(42, 'k2', '2026-01-02T00:00:00Z', 'updated', '{"ootb_exclusion_type": 0}') > 0;
SELECT exclusion_type FROM event_catalog.self_exclusions WHERE tenant = 42 AND customer_id = 'k2';

-- a lift before the expiry is honoured and recorded
SELECT se(42, 'k3', '2026-01-01T00:00:00Z', 'activated', '{"ootb_self_exclusion_expiry_date": "2026-12-31"}') > 0,
       se(42, 'k3', '2026-02-01T00:00:00Z', 'lifted') > 0;
SELECT status, code FROM event_catalog.self_exclusions s
JOIN event_catalog.self_exclusion_anomalies a USING (tenant, customer_id)
WHERE s.tenant = 42 AND s.customer_id = 'k3' ORDER BY a.occurred_at;

-- fail-safe: bad params are ignored, the event still protects
SELECT se(42, 'k4', '2026-01-01T00:00:00Z', 'initiated', '{"ootb_exclusion_type": "self",
    "ootb_self_exclusion_expiry_date": "2026-02-30", "ootb_reason": "asked"}') > 0;
SELECT status, exclusion_type, expires_at, reason FROM event_catalog.self_exclusions WHERE tenant = 42 AND customer_id = 'k4';
SELECT code, detail FROM event_catalog.self_exclusion_anomalies WHERE tenant = 42 AND customer_id = 'k4';
SELECT event_catalog.is_self_excluded(42, 'k4', '2026-01-01T00:00:01Z');

-- overdue: the expiry passed, no lift, still in force
SELECT se(42, 'k5', '2025-01-01T00:00:00Z', 'activated', '{"ootb_self_exclusion_expiry_date": "2025-02-01"}') > 0;
SELECT status, expires_at < now() AS expired, event_catalog.is_self_excluded(42, 'k5') AS still_excluded
FROM event_catalog.self_exclusions WHERE tenant = 42 AND customer_id = 'k5';

-- deleting events recomputes the episodes
DELETE FROM event_catalog.events WHERE tenant = 42 AND customer_id = 'k3' AND event_key = 'ootb_self_exclusion_lifted';
SELECT status FROM event_catalog.self_exclusions WHERE tenant = 42 AND customer_id = 'k3';
SELECT count(*) AS anomalies FROM event_catalog.self_exclusion_anomalies WHERE tenant = 42 AND customer_id = 'k3';
DELETE FROM event_catalog.events WHERE tenant = 42 AND customer_id = 'k3';
SELECT count(*) AS episodes FROM event_catalog.self_exclusions WHERE tenant = 42 AND customer_id = 'k3';

-- can_contact and contactable_customers: consent, address, blocked, test,
-- self-exclusion at the given time
SELECT event_catalog.upsert_customer(43, 'ok', '{"email": "ok@example.com", "allow_email": "Yes", "mobile_number": "+1", "allow_sms": "Yes", "allow_push": "Yes", "allow_whatsapp": "No"}');
SELECT event_catalog.upsert_customer(43, 'no_consent', '{"email": "n@example.com", "allow_email": "No"}');
SELECT event_catalog.upsert_customer(43, 'unknown_consent', '{"email": "u@example.com"}');
SELECT event_catalog.upsert_customer(43, 'no_address', '{"allow_email": "Yes", "allow_sms": "Yes"}');
SELECT event_catalog.upsert_customer(43, 'blocked', '{"email": "b@example.com", "allow_email": "Yes", "is_blocked": true}');
SELECT event_catalog.upsert_customer(43, 'tester', '{"email": "t@example.com", "allow_email": "Yes", "is_test": true}');
SELECT event_catalog.upsert_customer(43, 'excluded', '{"email": "x@example.com", "allow_email": "Yes"}');
SELECT se(43, 'excluded', '2026-01-01T00:00:00Z', 'initiated') > 0,
       se(43, 'excluded', '2026-03-01T00:00:00Z', 'lifted') > 0;
SELECT c, ch, event_catalog.can_contact(43, c, ch) AS now,
       event_catalog.can_contact(43, c, ch, '2026-02-01') AS in_february
FROM unnest(ARRAY['ok', 'no_consent', 'unknown_consent', 'no_address', 'blocked', 'tester', 'excluded', 'nobody']) c,
     unnest(ARRAY['email', 'sms', 'push', 'whatsapp']) ch
ORDER BY ch, c;
SELECT ch, ARRAY(SELECT x.customer_id FROM event_catalog.contactable_customers(43, ch) x ORDER BY 1) AS now,
       ARRAY(SELECT x.customer_id FROM event_catalog.contactable_customers(43, ch, '2026-02-01') x ORDER BY 1) AS in_february
FROM unnest(ARRAY['email', 'sms', 'push', 'whatsapp']) ch ORDER BY ch;
SELECT event_catalog.can_contact(43, 'ok', 'fax');
SELECT * FROM event_catalog.contactable_customers(43, 'pigeon');
-- the set agrees with the single answer for every customer and channel
SELECT count(*) AS disagreements
FROM event_catalog.customers c, unnest(ARRAY['email', 'sms', 'push', 'whatsapp']) ch
WHERE c.tenant = 43
  AND event_catalog.can_contact(43, c.customer_id, ch) <>
      EXISTS (SELECT 1 FROM event_catalog.contactable_customers(43, ch) x WHERE x.customer_id = c.customer_id);
-- one query plan, no call per customer
EXPLAIN (COSTS OFF) SELECT * FROM event_catalog.contactable_customers(43, 'email', '2026-02-01');

-- exclusion_periods (C, what the profile merge gives a customer) equals
-- the SQL definition: for every customer of these tests, and for edge rows
-- (an empty episode, an open one, overlapping ones, a non-ASCII id kept
-- through an erasure, an empty kept set).  (Not in the Citus suite: the
-- coordinator runs no correlated subquery over a distributed table.)
BEGIN;
INSERT INTO event_catalog.self_exclusions
	(tenant, customer_id, episode, status, requested_at, lifted_at, first_event_id, last_event_id)
VALUES (71, 'zoë', 1, 'lifted', '2026-01-01', '2026-01-01', 1, 1),
	   (71, 'zoë', 2, 'active', '2026-02-01', NULL, 2, 2),
	   (71, 'zoë', 3, 'lifted', '2026-01-15', '2026-02-10', 3, 3),
	   (71, 'only_empty', 1, 'lifted', '2026-01-01', '2026-01-01', 4, 4);
INSERT INTO event_catalog.erased_exclusions (tenant, customer_digest, in_force)
VALUES (71, sha256(convert_to('zoë', 'UTF8')), '{[2025-06-01,2025-07-01), [2025-12-01,)}'),
	   (71, sha256(convert_to('ünë', 'UTF8')), '{}');
-- the SQL definition
CREATE FUNCTION pg_temp.periods_sql(tenant integer, customer_id text) RETURNS tstzmultirange
LANGUAGE sql STABLE AS $$
	SELECT range_agg(ep.period)
	FROM (SELECT tstzrange(se.requested_at, se.lifted_at, '[)') AS period
		  FROM event_catalog.self_exclusions se
		  WHERE se.tenant = $1 AND se.customer_id = $2
		  UNION ALL
		  SELECT unnest(ee.in_force)
		  FROM event_catalog.erased_exclusions ee
		  WHERE ee.tenant = $1 AND ee.customer_digest = sha256(convert_to($2, 'UTF8'))) ep $$;
CREATE TEMP VIEW periods_both AS
SELECT x.tenant, x.customer_id,
	   event_catalog_internal.exclusion_periods(x.tenant, x.customer_id) AS periods,
	   pg_temp.periods_sql(x.tenant, x.customer_id) AS periods_sql
FROM (SELECT DISTINCT tenant, customer_id FROM event_catalog.self_exclusions WHERE tenant IN (40, 41, 42, 43, 71)
	  UNION SELECT 71, 'ünë' UNION SELECT 71, 'nobody') x;
SELECT count(*) AS customers, count(*) FILTER (WHERE periods IS NOT NULL) AS with_periods,
	   count(*) FILTER (WHERE periods IS DISTINCT FROM periods_sql) AS disagreements
FROM periods_both;
SELECT customer_id, periods, periods IS NOT DISTINCT FROM periods_sql AS same
FROM periods_both WHERE tenant = 71 ORDER BY 1;
-- past 64 customers in one statement, self_exclusions is read once and a
-- customer whose key is not among its rows' is told without a probe: the
-- same answers when 300 customers without episodes come first and the
-- customers above after them
SELECT count(*) AS customers, count(*) FILTER (WHERE y.periods IS NOT NULL) AS with_periods,
	   count(*) FILTER (WHERE y.periods IS DISTINCT FROM y.periods_sql) AS disagreements
FROM (SELECT x.n, event_catalog_internal.exclusion_periods(x.tenant, x.customer_id) AS periods,
			 pg_temp.periods_sql(x.tenant, x.customer_id) AS periods_sql
	  FROM (SELECT * FROM (SELECT i AS n, 71 AS tenant, 'without-' || i AS customer_id FROM generate_series(1, 300) i
						   UNION ALL
						   SELECT 300 + row_number() OVER (ORDER BY b.tenant, b.customer_id), b.tenant, b.customer_id
						   FROM periods_both b) z
			ORDER BY z.n OFFSET 0) x) y;
ROLLBACK;

-- exclusion_periods looks no digest up while erased_exclusions has no page,
-- asking once per snapshot: a row kept by a later command of the same
-- transaction is found (the command id moved), as is one of a transaction
-- committed since (test/isolation/erased_exclusions.spec)
BEGIN;
TRUNCATE event_catalog.erased_exclusions;
SELECT event_catalog_internal.exclusion_periods(72, 'back') AS before_erasure;
INSERT INTO event_catalog.erased_exclusions (tenant, customer_digest, in_force)
VALUES (72, sha256(convert_to('back', 'UTF8')), '{[2026-01-01,)}');
SELECT event_catalog_internal.exclusion_periods(72, 'back') AS after_erasure;
ROLLBACK;
