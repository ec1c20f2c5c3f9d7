/*
 * reports/validation_report.sql
 *	  What happened to the events received in a window.
 */

/*
 * validation_report: what happened to the events received in a time window:
 * accepted (per event, and their warnings by code and path), quarantined
 * (per event, code and path of each error) and duplicates skipped (per
 * event).  With tenant null, all tenants, including quarantined lines
 * whose tenant could not be read.
 */
CREATE OR REPLACE FUNCTION event_catalog.validation_report(tenant integer DEFAULT NULL,
												since timestamptz DEFAULT '-infinity',
												until timestamptz DEFAULT 'infinity')
RETURNS TABLE (outcome text, event_key text, code text, path text, count bigint)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT x.outcome, x.event_key, x.code, x.path, x.n FROM (
		SELECT 1 AS ord, 'accepted' AS outcome, e.event_key, NULL::text AS code, NULL::text AS path,
			   count(*) AS n
		FROM event_catalog.events e
		WHERE (validation_report.tenant IS NULL OR e.tenant = validation_report.tenant)
		  AND e.received_at >= validation_report.since AND e.received_at < validation_report.until
		GROUP BY e.event_key
		UNION ALL
		SELECT 2, 'accepted with problems', e.event_key, p->>'code', p->>'path', count(*)
		FROM event_catalog.events e, jsonb_array_elements(e.problems) p
		WHERE (validation_report.tenant IS NULL OR e.tenant = validation_report.tenant)
		  AND e.received_at >= validation_report.since AND e.received_at < validation_report.until
		GROUP BY e.event_key, p->>'code', p->>'path'
		UNION ALL
		SELECT 3, 'quarantined', COALESCE(r.event_key, '(unreadable)'), p->>'code', p->>'path', count(*)
		FROM event_catalog.rejected_events r, jsonb_array_elements(r.problems) p
		WHERE (validation_report.tenant IS NULL OR r.tenant = validation_report.tenant)
		  AND r.rejected_at >= validation_report.since AND r.rejected_at < validation_report.until
		  AND p->>'severity' = 'error'
		GROUP BY 3, p->>'code', p->>'path'
		UNION ALL
		SELECT 4, 'duplicate', d.event_key, NULL, NULL, sum(d.duplicates)::bigint
		FROM event_catalog.duplicate_counts d
		WHERE (validation_report.tenant IS NULL OR d.tenant = validation_report.tenant)
		  AND d.day >= (validation_report.since AT TIME ZONE 'UTC')::date
		  AND d.day <= (validation_report.until AT TIME ZONE 'UTC')::date
		GROUP BY d.event_key
	) x
	ORDER BY x.ord, x.n DESC, x.event_key, x.code, x.path
$$;

COMMENT ON FUNCTION event_catalog.validation_report(integer, timestamptz, timestamptz) IS
	'Events received in a window: accepted, accepted with warnings, quarantined and duplicates, by event, code and path.';

REVOKE ALL ON FUNCTION event_catalog.validation_report(integer, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.validation_report(integer, timestamptz, timestamptz) TO event_catalog_reader, event_catalog_writer, event_catalog_admin;
