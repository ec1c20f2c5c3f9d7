/*
 * ingest/track_batch.sql
 *	  Record many events in one statement, or one raw NDJSON line, and
 *	  learn what became of each (src/track_batch.c).  They run with the
 *	  caller's rights: the insert's privileges, the tenant barrier and the
 *	  locks of loads apply as to COPY.
 */

CREATE OR REPLACE FUNCTION event_catalog.track_batch(events jsonb[])
RETURNS TABLE (ordinal integer, event_id bigint, status text, problems jsonb)
AS 'MODULE_PATHNAME', 'ec_track_batch'
LANGUAGE C VOLATILE STRICT;

COMMENT ON FUNCTION event_catalog.track_batch(jsonb[]) IS
	'Validate and record events in one statement (one load, effects once): per event in input order its event_id and status (stored, stored_with_warnings, duplicate, quarantined) with its problems.';

REVOKE ALL ON FUNCTION event_catalog.track_batch(jsonb[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.track_batch(jsonb[]) TO event_catalog_writer;

CREATE OR REPLACE FUNCTION event_catalog.track_batch_raw(lines text[])
RETURNS TABLE (ordinal integer, event_id bigint, status text, problems jsonb)
AS 'MODULE_PATHNAME', 'ec_track_batch_raw'
LANGUAGE C VOLATILE STRICT;

COMMENT ON FUNCTION event_catalog.track_batch_raw(text[]) IS
	'track_batch for raw NDJSON lines: a line that is not JSON is quarantined as invalid_json, a blank line skipped.';

REVOKE ALL ON FUNCTION event_catalog.track_batch_raw(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.track_batch_raw(text[]) TO event_catalog_writer;

-- not STRICT: a null line is a null event, quarantined (or an error), never a null result
CREATE OR REPLACE FUNCTION event_catalog.track_raw(line text,
	OUT ordinal integer, OUT event_id bigint, OUT status text, OUT problems jsonb)
AS 'MODULE_PATHNAME', 'ec_track_raw'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION event_catalog.track_raw(text) IS
	'Validate and record one raw NDJSON line: its event_id and status (stored, stored_with_warnings, duplicate, quarantined, skipped) with its problems.';

REVOKE ALL ON FUNCTION event_catalog.track_raw(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.track_raw(text) TO event_catalog_writer;
