/*
 * profiles/versions.sql
 *	  Versions of profile writes (src/profiles.c): a write's version is its
 *	  event time in UTC, fixed width, then '|' and a content digest;
 *	  versions compare as bytes and the greater wins, per attribute.  The
 *	  comparison is one C function, used here and by the merge aggregate.
 */

-- the version of a write
CREATE OR REPLACE FUNCTION event_catalog_internal.write_version(at timestamptz, digest text)
RETURNS text
AS 'MODULE_PATHNAME', 'ec_write_version'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- whether version new wins over old (a missing old loses to any new)
CREATE OR REPLACE FUNCTION event_catalog_internal.version_newer(new text, old text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ec_version_newer'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- the versions of new that are newer than those in old
CREATE OR REPLACE FUNCTION event_catalog_internal.newer_versions(old jsonb, new jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ec_newer_versions'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- the event time of the newest version among newer_versions, or null
CREATE OR REPLACE FUNCTION event_catalog_internal.newest_applied(old jsonb, new jsonb)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'ec_newest_applied'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- the version of an API write (customer_updates): its time and a digest of
-- its attributes
CREATE OR REPLACE FUNCTION event_catalog_internal.api_write_version(at timestamptz, attributes jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT event_catalog_internal.write_version(at,
		pg_catalog.md5(attributes::pg_catalog.text)::pg_catalog.uuid::pg_catalog.text)
$$;

-- custom attributes: where new_versions is newer, new_attrs replaces the
-- value, and a key written with "" is removed (PL/pgSQL: its plan is kept
-- per session, where a SQL function is planned by every statement)
CREATE OR REPLACE FUNCTION event_catalog_internal.merge_attributes(old_attrs jsonb, old_versions jsonb,
																	new_attrs jsonb, new_versions jsonb)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
BEGIN
	RETURN (SELECT (old_attrs OPERATOR(pg_catalog.-) ARRAY(SELECT pg_catalog.jsonb_object_keys(w.v)))
		   OPERATOR(pg_catalog.||) COALESCE((SELECT pg_catalog.jsonb_object_agg(a.key, a.value)
						FROM pg_catalog.jsonb_each(new_attrs) a
						WHERE w.v OPERATOR(pg_catalog.?) a.key
						  AND a.value OPERATOR(pg_catalog.<>) '""'::jsonb), '{}'::jsonb)
	FROM (SELECT event_catalog_internal.newer_versions(old_versions, new_versions) AS v) w);
END
$$;

REVOKE ALL ON FUNCTION event_catalog_internal.write_version(timestamptz, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.version_newer(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.newer_versions(jsonb, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.newest_applied(jsonb, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.api_write_version(timestamptz, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.merge_attributes(jsonb, jsonb, jsonb, jsonb) FROM PUBLIC;

-- version_newer(new ->> key, old ->> key), in one call (the merge's ON CONFLICT)
CREATE OR REPLACE FUNCTION event_catalog_internal.version_newer_at(new jsonb, old jsonb, key text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ec_version_newer_at'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
REVOKE ALL ON FUNCTION event_catalog_internal.version_newer_at(jsonb, jsonb, text) FROM PUBLIC;
