/*
 * ingest/rejected_events_load.sql
 *	  The comments of the quarantine's load columns (new in 1.1; the
 *	  upgrade adds the columns with ALTER TABLE and includes this file).
 */
COMMENT ON COLUMN event_catalog.rejected_events.load_id IS
	'The load (event_catalog.loads) that quarantined the event; null for track() and track_raw().';
COMMENT ON COLUMN event_catalog.rejected_events.line_number IS
	'The row''s position in its load, from 1, counting blank lines and duplicates (for COPY without HEADER, the line of the file).';
