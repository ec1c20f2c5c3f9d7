/*
 * reports/registration_funnel.sql
 *	  Registrations initiated, completed and failed.
 */

/*
 * registration_funnel: registrations initiated (Registration Initiated, or
 * Registration with status Started), completed (status Completed) and
 * failed (Registration Failed, or status Failed), with the failure reasons;
 * events and distinct people (customer, else visitor) per stage, and the
 * share of the initiated count.
 */
CREATE OR REPLACE FUNCTION event_catalog.registration_funnel(tenant integer,
												  since timestamptz DEFAULT '-infinity',
												  until timestamptz DEFAULT 'infinity')
RETURNS TABLE (stage text, events bigint, people bigint, share_of_initiated numeric)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH r AS (
		SELECT CASE
				 WHEN e.event_key = 'ootb_registration_initiated' THEN 'initiated'
				 WHEN e.event_key = 'ootb_registration_failed' THEN 'failed'
				 WHEN e.payload #>> '{context,ootb_status}' = 'Started' THEN 'initiated'
				 WHEN e.payload #>> '{context,ootb_status}' = 'Completed' THEN 'completed'
				 WHEN e.payload #>> '{context,ootb_status}' = 'Failed' THEN 'failed'
			   END AS stage,
			   COALESCE(NULLIF(e.payload #>> '{context,ootb_failure_reason}', ''), 'unknown') AS reason,
			   COALESCE('c:' || e.customer_id, 'v:' || e.visitor_id) AS person
		FROM event_catalog.events e
		WHERE e.tenant = registration_funnel.tenant
		  AND e.occurred_at >= registration_funnel.since
		  AND e.occurred_at < registration_funnel.until
		  AND e.event_key IN ('ootb_registration_initiated', 'ootb_registration_failed', 'ootb_registration')
	), stages AS (
		SELECT s.stage, s.ord, count(r.stage) AS events, count(DISTINCT r.person) AS people
		FROM (VALUES ('initiated', 1), ('completed', 2), ('failed', 3)) s(stage, ord)
		LEFT JOIN r ON r.stage = s.stage
		GROUP BY s.stage, s.ord
		UNION ALL
		SELECT 'failed: ' || r.reason, 4, count(*), count(DISTINCT r.person)
		FROM r WHERE r.stage = 'failed' GROUP BY r.reason
	)
	SELECT s.stage, s.events, s.people,
		   round(s.events::numeric / NULLIF((SELECT i.events FROM stages i WHERE i.stage = 'initiated'), 0), 3)
	FROM stages s
	ORDER BY s.ord, s.events DESC, s.stage
$$;

COMMENT ON FUNCTION event_catalog.registration_funnel(integer, timestamptz, timestamptz) IS
	'Registrations initiated, completed and failed (with failure reasons) in a time window.';

REVOKE ALL ON FUNCTION event_catalog.registration_funnel(integer, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.registration_funnel(integer, timestamptz, timestamptz) TO event_catalog_reader, event_catalog_writer, event_catalog_admin;
