/*
 * updates/1.0--1.1/loads.sql
 *	  Loads (before the functions: load_report returns their rows): the
 *	  table of loads, and the load and line of quarantined rows.
 */
\ir ../../ingest/loads.sql

ALTER TABLE event_catalog.rejected_events
	ADD COLUMN load_id bigint,
	ADD COLUMN line_number bigint;
CREATE INDEX rejected_events_load_idx ON event_catalog.rejected_events (load_id, line_number);
\ir ../../ingest/rejected_events_load.sql
