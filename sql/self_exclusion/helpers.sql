/*
 * self_exclusion/helpers.sql
 *	  Helpers of the self-exclusion lifecycle.
 */

-- a timestamp param's value (any accepted form), or null
CREATE OR REPLACE FUNCTION event_catalog_internal.to_timestamp_or_null(value text)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'ec_to_timestamp_or_null'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- a time as RFC 3339 UTC text, whatever the session's time zone
CREATE OR REPLACE FUNCTION event_catalog_internal.utc_text(at timestamptz)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- the lifecycle order of the five events (initiated, activated, updated,
-- violation_attempt, lifted: 1 to 5), for events at the same instant; null
-- for other events.  The one list, in C (src/effects.c), which the insert
-- trigger uses too.
CREATE OR REPLACE FUNCTION event_catalog_internal.lifecycle_rank(event_key text)
RETURNS integer
AS 'MODULE_PATHNAME', 'ec_lifecycle_rank'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- the periods in which each of the customers is self-excluded: each
-- episode from its request to its lift (open-ended while not lifted), with
-- those kept through an erasure (erased_exclusions), or null; one row per
-- distinct customer.  Set-based, so that a statement over many customers
-- (the profile merge, recompute_self_exclusions) starts one executor, not
-- one per customer.
-- (no SET clause: its callers run with enable_seqscan off and one generic
-- plan, which a SET here would only save and restore again; every name in
-- it is qualified instead.  PL/pgSQL rather than SQL: a SQL function is
-- parsed and planned again by every statement that calls it, which costs
-- more than the lookup when a statement merges one event.)
CREATE OR REPLACE FUNCTION event_catalog_internal.exclusion_periods_of(customers event_catalog_internal.customer_ref[])
RETURNS TABLE (tenant integer, customer_id text, periods tstzmultirange)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
ROWS 100
AS $$
BEGIN
	RETURN QUERY
	SELECT r.tenant, r.customer_id,
		   (SELECT pg_catalog.range_agg(p.period)
			FROM (SELECT pg_catalog.tstzrange(s.requested_at, s.lifted_at, '[)') AS period
				  FROM event_catalog.self_exclusions s
				  WHERE s.tenant OPERATOR(pg_catalog.=) r.tenant
					AND s.customer_id OPERATOR(pg_catalog.=) r.customer_id
				  UNION ALL
				  -- an exclusion kept through the customer's erasure
				  SELECT pg_catalog.unnest(x.in_force)
				  FROM event_catalog.erased_exclusions x
				  WHERE x.tenant OPERATOR(pg_catalog.=) r.tenant
					AND x.customer_digest OPERATOR(pg_catalog.=)
						pg_catalog.sha256(pg_catalog.convert_to(r.customer_id, 'UTF8'))) p)
	FROM (SELECT DISTINCT u.tenant, u.customer_id FROM pg_catalog.unnest(customers) u
		  WHERE u.tenant IS NOT NULL AND u.customer_id IS NOT NULL) r;
END
$$;

REVOKE ALL ON FUNCTION event_catalog_internal.to_timestamp_or_null(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.utc_text(timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.lifecycle_rank(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.exclusion_periods_of(event_catalog_internal.customer_ref[]) FROM PUBLIC;
