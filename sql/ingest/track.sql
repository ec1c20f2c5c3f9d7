/*
 * ingest/track.sql
 *	  Record one event, for applications.
 */

CREATE OR REPLACE FUNCTION event_catalog.track(event jsonb)
RETURNS bigint
AS 'MODULE_PATHNAME', 'ec_track'
LANGUAGE C VOLATILE STRICT;

COMMENT ON FUNCTION event_catalog.track(jsonb) IS
	'Validate and record one event; its event_id (the stored one for a duplicate), or null if quarantined.';

REVOKE ALL ON FUNCTION event_catalog.track(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.track(jsonb) TO event_catalog_writer;
