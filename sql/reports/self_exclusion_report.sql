/*
 * reports/self_exclusion_report.sql
 *	  Self-exclusion events, exclusions in force and anomalies.
 */

/*
 * self_exclusion_report: the self-exclusion events in a time window, the
 * exclusions in force now (and the overdue ones: expiry passed, not
 * lifted), by type, and the anomalies of the window by code.
 */
CREATE OR REPLACE FUNCTION event_catalog.self_exclusion_report(tenant integer,
													since timestamptz DEFAULT '-infinity',
													until timestamptz DEFAULT 'infinity')
RETURNS TABLE (metric text, value bigint)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT m.metric, m.value FROM (
		-- the events by kind in one grouped scan, joined to the kinds (no
		-- correlated subquery: Citus runs this on every shard and merges)
		SELECT k.ord, k.metric, COALESCE(n.value, 0) AS value
		FROM (VALUES (1, 'requested', 'initiated'), (2, 'activated', 'activated'),
					 (3, 'updated', 'updated'), (4, 'violation attempts', 'violation_attempt'),
					 (5, 'lifted', 'lifted')) k(ord, metric, kind)
		LEFT JOIN (
			SELECT e.event_key, count(*) AS value FROM event_catalog.events e
			WHERE e.tenant = self_exclusion_report.tenant
			  AND e.event_key IN ('ootb_self_exclusion_initiated', 'ootb_self_exclusion_activated',
								  'ootb_self_exclusion_updated', 'ootb_self_exclusion_violation_attempt',
								  'ootb_self_exclusion_lifted')
			  AND e.occurred_at >= self_exclusion_report.since
			  AND e.occurred_at < self_exclusion_report.until
			GROUP BY e.event_key) n ON n.event_key = 'ootb_self_exclusion_' || k.kind
		UNION ALL
		SELECT 6, 'currently excluded', count(*) FROM event_catalog.self_exclusions s
		WHERE s.tenant = self_exclusion_report.tenant AND s.lifted_at IS NULL
		UNION ALL
		SELECT 7, '  of which cool-offs', count(*) FROM event_catalog.self_exclusions s
		WHERE s.tenant = self_exclusion_report.tenant AND s.lifted_at IS NULL
		  AND s.exclusion_type = 'cool_off'
		UNION ALL
		SELECT 8, '  of which overdue', count(*) FROM event_catalog.self_exclusions s
		WHERE s.tenant = self_exclusion_report.tenant AND s.lifted_at IS NULL
		  AND s.expires_at < pg_catalog.now()
		UNION ALL
		SELECT 9, 'anomalies', count(*) FROM event_catalog.self_exclusion_anomalies a
		WHERE a.tenant = self_exclusion_report.tenant
		  AND a.occurred_at >= self_exclusion_report.since
		  AND a.occurred_at < self_exclusion_report.until
		UNION ALL
		SELECT 10, '  ' || a.code, count(*) FROM event_catalog.self_exclusion_anomalies a
		WHERE a.tenant = self_exclusion_report.tenant
		  AND a.occurred_at >= self_exclusion_report.since
		  AND a.occurred_at < self_exclusion_report.until
		GROUP BY a.code
	) m
	ORDER BY m.ord, m.metric
$$;

COMMENT ON FUNCTION event_catalog.self_exclusion_report(integer, timestamptz, timestamptz) IS
	'Self-exclusion events of a window, exclusions in force (cool-offs, overdue) and anomalies.';

REVOKE ALL ON FUNCTION event_catalog.self_exclusion_report(integer, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.self_exclusion_report(integer, timestamptz, timestamptz) TO event_catalog_reader, event_catalog_writer, event_catalog_admin;
