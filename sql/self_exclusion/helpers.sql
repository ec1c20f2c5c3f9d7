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
-- through an erasure (erased_exclusions), or null.  In C (src/self_exclusion.c):
-- the one definition behind exclusion_periods_of and the profile merge,
-- which evaluates it per new customer.
CREATE OR REPLACE FUNCTION event_catalog_internal.exclusion_periods(tenant integer, customer_id text)
RETURNS tstzmultirange
AS 'MODULE_PATHNAME', 'ec_exclusion_periods'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

-- exclusion_periods of each of the customers, one row per distinct
-- customer (recompute_self_exclusions).  SQL and not STRICT, so that it
-- is inlined into its caller's statement.
CREATE OR REPLACE FUNCTION event_catalog_internal.exclusion_periods_of(customers event_catalog_internal.customer_ref[])
RETURNS TABLE (tenant integer, customer_id text, periods tstzmultirange)
LANGUAGE sql STABLE PARALLEL SAFE
ROWS 100
AS $$
	SELECT r.tenant, r.customer_id, event_catalog_internal.exclusion_periods(r.tenant, r.customer_id)
	FROM (SELECT DISTINCT u.tenant, u.customer_id FROM pg_catalog.unnest(customers) u
		  WHERE u.tenant IS NOT NULL AND u.customer_id IS NOT NULL) r
$$;

REVOKE ALL ON FUNCTION event_catalog_internal.to_timestamp_or_null(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.utc_text(timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.lifecycle_rank(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.exclusion_periods_of(event_catalog_internal.customer_ref[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.exclusion_periods(integer, text) FROM PUBLIC;
