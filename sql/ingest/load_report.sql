/*
 * ingest/load_report.sql
 *	  What a load did, and the id of the session's last load.
 */

-- the id of the session's last load that ended (src/ingest_load.c)
CREATE OR REPLACE FUNCTION event_catalog.last_load_id()
RETURNS bigint
AS 'MODULE_PATHNAME', 'ec_last_load_id'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;

COMMENT ON FUNCTION event_catalog.last_load_id() IS
	'The id of the last load (COPY, INSERT or track_batch into events) this session ran, or null.';

REVOKE ALL ON FUNCTION event_catalog.last_load_id() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.last_load_id() TO PUBLIC;

/*
 * load_report(load_id): the row of event_catalog.loads of a load, by
 * default the session's last.  With the caller's rights: under tenant
 * isolation a role sees the loads it ran, an admin every load.
 */
CREATE OR REPLACE FUNCTION event_catalog.load_report(load_id bigint DEFAULT NULL)
RETURNS SETOF event_catalog.loads
LANGUAGE sql VOLATILE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT l.* FROM event_catalog.loads l
	WHERE l.load_id OPERATOR(pg_catalog.=) COALESCE(load_report.load_id, event_catalog.last_load_id())
$$;

COMMENT ON FUNCTION event_catalog.load_report(bigint) IS
	'What a load did (default: the session''s last): lines, stored, stored with warnings, duplicates, quarantined and by code, skipped blank lines, role and time.';

REVOKE ALL ON FUNCTION event_catalog.load_report(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.load_report(bigint) TO event_catalog_reader, event_catalog_writer, event_catalog_admin;
