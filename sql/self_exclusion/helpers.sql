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

-- the periods in which a customer is self-excluded: each episode from its
-- request to its lift (open-ended while not lifted), with those kept
-- through an erasure (erased_exclusions), or null.  The text of that
-- scalar subquery, for the customer given by two SQL expressions: the one
-- definition behind exclusion_periods_of and the profile merge (which
-- evaluates it per new customer, in its own statement).
CREATE OR REPLACE FUNCTION event_catalog_internal.exclusion_periods_sql(tenant text, customer_id text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$
	SELECT pg_catalog.format($q$(SELECT pg_catalog.range_agg(ep.period)
			FROM (SELECT pg_catalog.tstzrange(se.requested_at, se.lifted_at, '[)') AS period
				  FROM event_catalog.self_exclusions se
				  WHERE se.tenant OPERATOR(pg_catalog.=) %1$s
					AND se.customer_id OPERATOR(pg_catalog.=) %2$s
				  UNION ALL
				  SELECT pg_catalog.unnest(ee.in_force)
				  FROM event_catalog.erased_exclusions ee
				  WHERE ee.tenant OPERATOR(pg_catalog.=) %1$s
					AND ee.customer_digest OPERATOR(pg_catalog.=)
						pg_catalog.sha256(pg_catalog.convert_to(%2$s, 'UTF8'))) ep)$q$,
				  tenant, customer_id)
$$;

-- exclusion_periods_sql of each of the customers, one row per distinct
-- customer.  Set-based, so that a statement over many customers
-- (recompute_self_exclusions) starts one executor, not one per customer.
-- (no SET clause: its callers run with enable_seqscan off and one generic
-- plan, which a SET here would only save and restore again; every name in
-- it is qualified instead.  PL/pgSQL rather than SQL: a SQL function is
-- parsed and planned again by every statement that calls it, which costs
-- more than the lookup when a statement merges one event.)  Its static
-- body is made here from exclusion_periods_sql.
DO $do$
BEGIN
	EXECUTE pg_catalog.format($f$
CREATE OR REPLACE FUNCTION event_catalog_internal.exclusion_periods_of(customers event_catalog_internal.customer_ref[])
RETURNS TABLE (tenant integer, customer_id text, periods tstzmultirange)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
ROWS 100
AS %L$f$, pg_catalog.format($b$
BEGIN
	RETURN QUERY
	SELECT r.tenant, r.customer_id, %s
	FROM (SELECT DISTINCT u.tenant, u.customer_id FROM pg_catalog.unnest(customers) u
		  WHERE u.tenant IS NOT NULL AND u.customer_id IS NOT NULL) r;
END
$b$, event_catalog_internal.exclusion_periods_sql('r.tenant', 'r.customer_id')));
END
$do$;

REVOKE ALL ON FUNCTION event_catalog_internal.to_timestamp_or_null(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.utc_text(timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.lifecycle_rank(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.exclusion_periods_of(event_catalog_internal.customer_ref[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.exclusion_periods_sql(text, text) FROM PUBLIC;
