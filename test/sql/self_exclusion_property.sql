-- self_exclusion_property: every permutation of small scenarios (up to six
-- events per customer), each event loaded by its own statement, gives the
-- same episodes and anomalies

CREATE TEMP TABLE scenarios (scenario text, n integer, kind text, ts text, context jsonb);
INSERT INTO scenarios VALUES
-- a journey with a shortening, a lengthening, a violation and ties on time
('journey', 1, 'initiated', '2026-01-01T00:00:00Z', '{"ootb_exclusion_type": 0, "ootb_self_exclusion_expiry_date": "2026-06-01"}'),
('journey', 2, 'activated', '2026-01-01T00:00:00Z', '{"ootb_self_exclusion_expiry_date": "2026-05-01"}'),
('journey', 3, 'violation_attempt', '2026-02-01T00:00:00Z', '{}'),
('journey', 4, 'updated', '2026-03-01T00:00:00Z', '{"ootb_self_exclusion_expiry_date": "2026-09-01", "ootb_exclusion_type": 1}'),
('journey', 5, 'updated', '2026-03-01T00:00:00Z', '{"ootb_self_exclusion_expiry_date": "2026-04-01"}'),
('journey', 6, 'lifted', '2026-09-01T00:00:00Z', '{}'),
-- nonsense: lifts and violations around two episodes, a repeated request
('nonsense', 1, 'lifted', '2026-01-01T00:00:00Z', '{}'),
('nonsense', 2, 'violation_attempt', '2026-01-02T00:00:00Z', '{}'),
('nonsense', 3, 'initiated', '2026-01-03T00:00:00Z', '{"ootb_reason": "first"}'),
('nonsense', 4, 'initiated', '2026-01-03T00:00:00Z', '{"ootb_reason": "second"}'),
('nonsense', 5, 'lifted', '2026-01-04T00:00:00Z', '{}'),
('nonsense', 6, 'activated', '2026-01-05T00:00:00Z', '{"ootb_exclusion_type": "bad"}');

-- all orders of 1..6, numbered
CREATE TEMP TABLE perms AS
WITH RECURSIVE p(seq) AS (
	SELECT ARRAY[i] FROM generate_series(1, 6) i
	UNION ALL
	SELECT p.seq || i FROM p, generate_series(1, 6) i WHERE NOT i = ANY (p.seq)
)
SELECT row_number() OVER (ORDER BY seq) AS perm, seq FROM p WHERE cardinality(seq) = 6;
SELECT count(*) AS permutations FROM perms;

CREATE TEMP TABLE se_results (scenario text, perm bigint, episodes text, anomalies text);

-- each permutation of each scenario for its own customer of tenant 50,
-- one statement per event
DO $$
DECLARE
	r record;
	k integer;
	e record;
BEGIN
	FOR r IN SELECT s.scenario, p.perm, p.seq FROM (SELECT DISTINCT scenario FROM scenarios) s, perms p
			 ORDER BY 1, 2 LOOP
		FOREACH k IN ARRAY r.seq LOOP
			SELECT * INTO e FROM scenarios WHERE scenario = r.scenario AND n = k;
			INSERT INTO event_catalog.events (payload) VALUES (jsonb_build_object(
				'tenant', 50, 'timestamp', e.ts, 'event', 'ootb_self_exclusion_' || e.kind,
				'customer', r.scenario, 'context', e.context));
		END LOOP;
		-- keep this permutation's result, then start afresh
		INSERT INTO se_results
		SELECT r.scenario, r.perm,
			   (SELECT string_agg(concat_ws('|', x.episode, x.status, x.exclusion_type, x.reason, x.requested_at,
											 x.activated_at, x.expires_at, x.lifted_at, x.update_count,
											 x.violation_count), E'\n' ORDER BY x.episode)
				FROM event_catalog.self_exclusions x WHERE x.tenant = 50 AND x.customer_id = r.scenario),
			   (SELECT string_agg(concat_ws('|', a.episode, a.code, a.detail, a.occurred_at), E'\n'
								  ORDER BY a.occurred_at, a.code, a.detail)
				FROM event_catalog.self_exclusion_anomalies a WHERE a.tenant = 50 AND a.customer_id = r.scenario);
		DELETE FROM event_catalog.events WHERE tenant = 50;
	END LOOP;
END $$;

-- one result per scenario, whatever the order
SELECT scenario, count(*) AS permutations, count(DISTINCT episodes) AS episode_results,
       count(DISTINCT anomalies) AS anomaly_results
FROM se_results GROUP BY scenario ORDER BY scenario;

-- and that result
SELECT scenario, episodes, anomalies FROM se_results WHERE perm = 1 ORDER BY scenario;
