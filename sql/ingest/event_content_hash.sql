/*
 * ingest/event_content_hash.sql
 *	  The duplicate-detection digest of an event.
 */

CREATE OR REPLACE FUNCTION event_catalog.event_content_hash(event jsonb)
RETURNS uuid
AS 'MODULE_PATHNAME', 'ec_event_content_hash'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION event_catalog.event_content_hash(jsonb) IS
	'The duplicate-detection digest of an event (null when its mandatory properties are invalid).';

REVOKE ALL ON FUNCTION event_catalog.event_content_hash(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.event_content_hash(jsonb) TO PUBLIC;
