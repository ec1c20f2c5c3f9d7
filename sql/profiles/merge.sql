/*
 * profiles/merge.sql
 *	  The last-writer-wins merge of profile writes into customers.
 */

-- {profile_attribute: value} of the context params of an event that feed
-- the profile (per the catalog), null values left out
CREATE OR REPLACE FUNCTION event_catalog_internal.profile_values(event_key text, payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ec_profile_values'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

-- Per customer, the newest write of each attribute (last writer wins by
-- version, compared as bytes): newest_values gives {attribute: value},
-- newest_versions {attribute: version}.  Used together with the same
-- arguments, the two share one transition state.
CREATE OR REPLACE FUNCTION event_catalog_internal.merge_writes_step(state internal, vals jsonb, version text)
RETURNS internal
AS 'MODULE_PATHNAME', 'ec_merge_writes_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION event_catalog_internal.merge_writes_values(state internal)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ec_merge_writes_values'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION event_catalog_internal.merge_writes_versions(state internal)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ec_merge_writes_versions'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- the customers row of a customer's merged writes, as the merge inserts it:
-- each profile column named in columns holds its attribute's value of vals
-- (text: the string, "" as null; boolean: a JSON boolean or Yes/No; date,
-- timestamp with time zone: the value when it is one, else null; integers
-- through numeric, so that 2.0 is 2; character varying, numeric, real,
-- double precision: an explicit cast of the text), attributes the others
-- (without those cleared by ""), attribute_versions versions,
-- exclusion_periods the customer's periods, created_at first_at and
-- updated_at last_at.  In C (src/profiles.c): one call per customer.
CREATE OR REPLACE FUNCTION event_catalog_internal.customer_row(tenant integer, customer_id text, vals jsonb,
																versions jsonb, first_at timestamptz,
																last_at timestamptz, columns text[])
RETURNS event_catalog.customers
AS 'MODULE_PATHNAME', 'ec_customer_row'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

-- the attributes of a write named in names, without nulls (the values a
-- write adds to the consent history)
CREATE OR REPLACE FUNCTION event_catalog_internal.picked_attributes(vals jsonb, names text[])
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ec_picked_attributes'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE AGGREGATE event_catalog_internal.newest_values(vals jsonb, version text) (
	SFUNC = event_catalog_internal.merge_writes_step,
	STYPE = internal,
	FINALFUNC = event_catalog_internal.merge_writes_values,
	PARALLEL = SAFE
);

CREATE OR REPLACE AGGREGATE event_catalog_internal.newest_versions(vals jsonb, version text) (
	SFUNC = event_catalog_internal.merge_writes_step,
	STYPE = internal,
	FINALFUNC = event_catalog_internal.merge_writes_versions,
	PARALLEL = SAFE
);

/*
 * The body of a function that applies a set of profile writes with
 * last-writer-wins per attribute.
 *
 * source_sql is a query (one of the fixed ones below, never user text)
 * returning (tenant, customer_id, vals jsonb, version text, occurred_at,
 * event_id, update_id), one row per write ({attribute: value}), from the
 * function's $1.  Per customer and attribute, the newest version in the set
 * is merged into customers when it is newer than the stored one; with
 * keep_history, each write's consent and contact values also go to
 * consent_log, one row per write.
 * For the writes the insert trigger stashed (source_sql null), C functions
 * give both instead: stashed_customer_writes the writes grouped per
 * customer, in key order; stashed_consent_writes the consent history's
 * rows.
 * The typed columns are those of the customers table when the body is
 * built, so a column added to it (then build_profile_functions()) receives
 * the profile attribute of the same name.  Customers are written in key
 * order (customer_id COLLATE "C", as the primary key), so concurrent loads
 * lock rows in one order.
 */
CREATE OR REPLACE FUNCTION event_catalog_internal.profile_merge_body(source_sql text, keep_history boolean)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	cols		text[] := '{}';
	sel			text := '';
	upd			text := '';
	col			record;
	consent		text[] := event_catalog_internal.consent_attributes();
	ctes		text[] := '{}';
	grouped		text;
	history		text;
	body		text := 'BEGIN' || chr(10);
BEGIN
	-- each profile column takes its attribute's value of the merged
	-- writes, read as the column's type reads it (customer_row, in C)
	FOR col IN
		SELECT c.name FROM event_catalog_internal.profile_columns() c
	LOOP
		cols := cols || col.name;
		sel := sel || format(', r.%I', col.name);
		upd := upd || format(', %1$I = CASE WHEN event_catalog_internal.version_newer_at('
							 'EXCLUDED.attribute_versions, c.attribute_versions, %2$L) '
							 'THEN EXCLUDED.%1$I ELSE c.%1$I END', col.name, col.name);
	END LOOP;

	-- per branch: the customers' grouped writes, and the consent history's
	-- rows (in consent_log's column order)
	IF source_sql IS NULL THEN
		-- from the target list (a ProjectSet), so that the rows stream
		-- into the insert instead of being kept in a tuplestore first
		grouped := 'SELECT (g.w).tenant, (g.w).customer_id, (g.w).vals, (g.w).versions, '
				   '(g.w).first_at, (g.w).last_at '
				   'FROM (SELECT event_catalog_internal.stashed_customer_writes($1) AS w) g';
		history := format($h$
			SELECT (h.w).tenant, (h.w).customer_id, (h.w).vals, (h.w).changed_at, (h.w).version,
				   (h.w).event_id, (h.w).update_id
			FROM (SELECT event_catalog_internal.stashed_consent_writes($1, %L::text[]) AS w) h$h$, consent);
	ELSE
		ctes := ctes || format($s$s AS MATERIALIZED (SELECT * FROM (%s) w WHERE w.vals <> '{}')$s$,
							   source_sql);
		-- per customer, each attribute's newest value and version, in key
		-- order (sorted here, before the rows get wide)
		grouped := $g$SELECT s.tenant, s.customer_id,
						   event_catalog_internal.newest_values(s.vals, s.version) AS vals,
						   event_catalog_internal.newest_versions(s.vals, s.version) AS versions,
						   min(s.occurred_at) AS first_at, max(s.occurred_at) AS last_at
					FROM s GROUP BY s.tenant, s.customer_id
					ORDER BY s.tenant, s.customer_id COLLATE "C"$g$;
		history := format($h$
			SELECT h.tenant, h.customer_id, h.vals, h.occurred_at, h.version, h.event_id, h.update_id
			FROM (SELECT s.tenant, s.customer_id,
						 event_catalog_internal.picked_attributes(s.vals, %L::text[]) AS vals,
						 s.occurred_at, s.version, s.event_id, s.update_id
				  -- OFFSET 0: not flattened, so that each write's values
				  -- are picked once, not again for the filter
				  FROM s OFFSET 0) h
			WHERE h.vals <> '{}'$h$, consent);
	END IF;
	IF keep_history THEN
		ctes := ctes || format($h$history AS (
			INSERT INTO event_catalog.consent_log
				(tenant, customer_id, vals, changed_at, version, event_id, update_id)%s)$h$, history);
	END IF;

	body := body || format($q$
		%1$s
		INSERT INTO event_catalog.customers AS c
			(tenant, customer_id %2$s, attributes, attribute_versions, exclusion_periods, created_at, updated_at)
		SELECT r.tenant, r.customer_id %3$s, r.attributes, r.attribute_versions,
			   r.exclusion_periods, r.created_at, r.updated_at
		-- the row in FROM: made once per customer, and read once
		FROM (%6$s) m
			 CROSS JOIN LATERAL event_catalog_internal.customer_row(m.tenant, m.customer_id, m.vals, m.versions,
																	 m.first_at, m.last_at, %4$L::text[]) r
		%7$s
		ON CONFLICT (tenant, customer_id) DO UPDATE SET
			attributes = event_catalog_internal.merge_attributes(c.attributes, c.attribute_versions,
				EXCLUDED.attributes, EXCLUDED.attribute_versions - %4$L::text[])
			%5$s,
			attribute_versions = c.attribute_versions
				|| event_catalog_internal.newer_versions(c.attribute_versions, EXCLUDED.attribute_versions),
			created_at = LEAST(c.created_at, EXCLUDED.created_at),
			updated_at = GREATEST(c.updated_at,
				event_catalog_internal.newest_applied(c.attribute_versions, EXCLUDED.attribute_versions))
		WHERE event_catalog_internal.newest_applied(c.attribute_versions, EXCLUDED.attribute_versions) IS NOT NULL
		   OR EXCLUDED.created_at < c.created_at;
	$q$,
		CASE WHEN cardinality(ctes) > 0 THEN 'WITH ' || array_to_string(ctes, ', ') ELSE '' END,
		(SELECT string_agg(format(', %I', x), '') FROM unnest(cols) x),
		sel,
		-- in jsonb key order (by length, then bytes), as customer_row walks them
		(SELECT array_agg(x ORDER BY octet_length(x), x COLLATE "C") FROM unnest(cols) x),
		upd,
		grouped,
		-- stashed_customer_writes gives its rows in key order already
		CASE WHEN source_sql IS NULL THEN '' ELSE 'ORDER BY m.tenant, m.customer_id COLLATE "C"' END);
	RETURN body || 'END';
END
$$;

-- the stashed writes of the statement whose upkeep runs (src/effects.c):
-- per customer, in key order, as the merge's grouping of read-back writes
-- gives them; and their consent history's rows.  Their rows are named
-- types rather than OUT parameters: the executor finds a named type's
-- columns in the type cache, where it would build them from the
-- function's pg_proc entry at every statement (a track() runs two)
CREATE TYPE event_catalog_internal.customer_write AS (
	tenant integer, customer_id text, vals jsonb, versions jsonb,
	first_at timestamptz, last_at timestamptz);

CREATE TYPE event_catalog_internal.consent_write AS (
	tenant integer, customer_id text, vals jsonb, changed_at timestamptz,
	version text, event_id bigint, update_id bigint);

CREATE OR REPLACE FUNCTION event_catalog_internal.stashed_customer_writes(event_ids bigint[])
RETURNS SETOF event_catalog_internal.customer_write
AS 'MODULE_PATHNAME', 'ec_stashed_customer_writes'
LANGUAGE C STABLE STRICT
ROWS 100;

CREATE OR REPLACE FUNCTION event_catalog_internal.stashed_consent_writes(event_ids bigint[], names text[])
RETURNS SETOF event_catalog_internal.consent_write
AS 'MODULE_PATHNAME', 'ec_stashed_consent_writes'
LANGUAGE C STABLE STRICT
ROWS 100;

-- the profile writes of the given stored events, each looked up by primary
-- key in C (src/effects.c): the same rows as event_writes_sql(true) gives
-- for their customers, with no plan that statistics could make a scan
CREATE OR REPLACE FUNCTION event_catalog_internal.event_writes(event_ids bigint[])
RETURNS TABLE (tenant integer, customer_id text, vals jsonb, version text,
			   occurred_at timestamptz, event_id bigint, update_id bigint)
AS 'MODULE_PATHNAME', 'ec_event_writes'
LANGUAGE C STABLE STRICT
ROWS 100;

-- the profile writes of stored events ($1: event ids, or customers): one
-- row per event with its {attribute: value} object, of the events stored
-- with has_effects only, by ids or by customer alike
CREATE OR REPLACE FUNCTION event_catalog_internal.event_writes_sql(by_customer boolean)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
	SELECT CASE WHEN by_customer THEN $q$
		SELECT e.tenant, e.customer_id,
			   event_catalog_internal.profile_values(e.event_key, e.payload) AS vals,
			   event_catalog_internal.write_version(e.occurred_at, e.content_hash::text) AS version,
			   e.occurred_at, e.event_id, NULL::bigint AS update_id
		FROM event_catalog.events e
		WHERE (e.tenant, e.customer_id) IN (SELECT r.tenant, r.customer_id FROM unnest($1) r)
		  AND e.has_effects AND e.customer_id IS NOT NULL
	$q$ ELSE $q$
		SELECT w.tenant, w.customer_id, w.vals, w.version, w.occurred_at, w.event_id, w.update_id
		FROM event_catalog_internal.event_writes($1) w
	$q$ END
$$;

-- the profile writes of API calls ($1: update ids, or customers)
CREATE OR REPLACE FUNCTION event_catalog_internal.api_writes_sql(by_customer boolean)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
	SELECT format($q$
		SELECT u.tenant, u.customer_id, jsonb_strip_nulls(u.attributes) AS vals,
			   event_catalog_internal.api_write_version(u.occurred_at, u.attributes) AS version,
			   u.occurred_at, NULL::bigint AS event_id, u.update_id
		FROM event_catalog.customer_updates u
		WHERE %s
	$q$, CASE WHEN by_customer
			  THEN '(u.tenant, u.customer_id) IN (SELECT r.tenant, r.customer_id FROM unnest($1) r)'
			  ELSE 'u.update_id = ANY ($1)' END)
$$;

REVOKE ALL ON FUNCTION event_catalog_internal.profile_values(text, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.merge_writes_step(internal, jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.merge_writes_values(internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.merge_writes_versions(internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.picked_attributes(jsonb, text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.customer_row(integer, text, jsonb, jsonb, timestamptz, timestamptz, text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.newest_values(jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.newest_versions(jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.profile_merge_body(text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.event_writes(bigint[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.stashed_customer_writes(bigint[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.stashed_consent_writes(bigint[], text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.event_writes_sql(boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.api_writes_sql(boolean) FROM PUBLIC;
