/*
 * ingest/loads.sql
 *	  What each load did (src/ingest_load.c): one row per statement that
 *	  inserted into events (COPY, INSERT, track_batch), written by the
 *	  statement trigger as the owner when the statement ends.
 */

CREATE SEQUENCE event_catalog.loads_load_id_seq;

CREATE TABLE event_catalog.loads (
	load_id			bigint PRIMARY KEY,
	started_at		timestamptz NOT NULL,
	finished_at		timestamptz NOT NULL,
	loaded_by		text NOT NULL,
	lines			bigint NOT NULL,
	stored			bigint NOT NULL,
	stored_with_warnings bigint NOT NULL,
	duplicates		bigint NOT NULL,
	quarantined		bigint NOT NULL,
	skipped			bigint NOT NULL,
	quarantined_by_code jsonb NOT NULL
);

ALTER SEQUENCE event_catalog.loads_load_id_seq OWNED BY event_catalog.loads.load_id;

COMMENT ON TABLE event_catalog.loads IS
	'One row per load (COPY, INSERT or track_batch statement into events): its lines and what became of them; read it with load_report().';
COMMENT ON COLUMN event_catalog.loads.lines IS
	'Rows the load gave, blank lines included: stored + stored_with_warnings + duplicates + quarantined + skipped.';
COMMENT ON COLUMN event_catalog.loads.quarantined_by_code IS
	'Quarantined events per error code (an event with several codes counts under each).';

-- the record of what was received survives pg_dump
SELECT pg_catalog.pg_extension_config_dump('event_catalog.loads', '');
SELECT pg_catalog.pg_extension_config_dump('event_catalog.loads_load_id_seq', '');

-- read like the quarantine; only the insert trigger writes it (as the owner)
GRANT SELECT ON event_catalog.loads TO event_catalog_reader, event_catalog_writer, event_catalog_admin;
