/*
 * ingest/tables.sql
 *	  The events log, the quarantine and the duplicate counts (filled by
 *	  the triggers of ingest/triggers.sql, src/ingest_*.c).
 */

-- event_id is drawn 100 at a time per session (CACHE 100): a value taken
-- from the sequence costs a buffer lock and, every 32, a WAL record, 3% of
-- a COPY's time.  Ids therefore follow the order of storing within a
-- session, not across sessions, and a session leaves a gap of up to 99;
-- nothing orders by event_id (ties between events are broken by content).
CREATE TABLE event_catalog.events (
	event_id		bigint GENERATED ALWAYS AS IDENTITY (CACHE 100) PRIMARY KEY,
	tenant			integer NOT NULL,
	event_key		text NOT NULL,
	customer_id		text COLLATE "C",
	visitor_id		text COLLATE "C",
	occurred_at		timestamptz NOT NULL,
	received_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	payload			jsonb NOT NULL,
	problems		jsonb,
	content_hash	uuid NOT NULL,
	has_effects		boolean NOT NULL DEFAULT false,
	raw_line		text,
	CONSTRAINT events_raw_line_consumed CHECK (raw_line IS NULL),
	CONSTRAINT events_identity CHECK (customer_id IS NOT NULL OR visitor_id IS NOT NULL),
	-- duplicate suppression: equal content means equal tenant and instant,
	-- so this key is unique exactly when the digest is.  Time comes before
	-- the digest so that a load, mostly in time order, inserts near the
	-- right edge of the index instead of all over it; the key also serves
	-- reports over a time range.
	CONSTRAINT events_content_key UNIQUE (tenant, occurred_at, content_hash)
);

-- a customer's events with effects, for recomputing profiles and
-- self-exclusion episodes; only those rows pay for this index (an index
-- over every row costs about a fifth of the COPY rate; see README)
CREATE INDEX events_customer_idx
	ON event_catalog.events (tenant, customer_id, occurred_at)
	WHERE has_effects;

COMMENT ON TABLE event_catalog.events IS
	'Append-only log of validated events. Load with COPY (payload) or COPY (raw_line), or track().';
COMMENT ON COLUMN event_catalog.events.raw_line IS
	'Intake column for raw NDJSON lines: parsed into payload by the insert trigger, never stored.';
COMMENT ON COLUMN event_catalog.events.content_hash IS
	'Digest of tenant, event, identity, instant and context: identical events are stored once.';
COMMENT ON COLUMN event_catalog.events.has_effects IS
	'Whether the event fed a customer profile or self-exclusion state when it was stored.';

CREATE TABLE event_catalog.rejected_events (
	rejected_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	rejected_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	rejected_by		text NOT NULL DEFAULT CURRENT_USER,
	tenant			integer,
	event_key		text,
	customer_id		text,
	payload			jsonb,
	raw_line		text,
	problems		jsonb NOT NULL,
	load_id			bigint,
	line_number		bigint
);

CREATE INDEX rejected_events_rejected_at_idx ON event_catalog.rejected_events (rejected_at);
CREATE INDEX rejected_events_load_idx ON event_catalog.rejected_events (load_id, line_number);

COMMENT ON TABLE event_catalog.rejected_events IS
	'Quarantined events (event_catalog.on_invalid = quarantine) and unparsable raw lines.';
\ir rejected_events_load.sql

CREATE TABLE event_catalog.duplicate_counts (
	tenant			integer NOT NULL,
	event_key		text NOT NULL,
	day				date NOT NULL,
	duplicates		bigint NOT NULL,
	PRIMARY KEY (tenant, event_key, day)
);

COMMENT ON TABLE event_catalog.duplicate_counts IS
	'Events skipped because an identical event was already stored, per tenant, event and day received.';

-- loaded data survives pg_dump
SELECT pg_catalog.pg_extension_config_dump('event_catalog.events', '');
SELECT pg_catalog.pg_extension_config_dump('event_catalog.events_event_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('event_catalog.rejected_events', '');
SELECT pg_catalog.pg_extension_config_dump('event_catalog.rejected_events_rejected_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('event_catalog.duplicate_counts', '');

GRANT SELECT ON event_catalog.events, event_catalog.rejected_events, event_catalog.duplicate_counts
	TO event_catalog_reader, event_catalog_writer, event_catalog_admin;
-- the writer loads: it supplies the event (payload or raw_line) and nothing
-- else, so it cannot choose event_id (ahead of the sequence, failing every
-- other load) nor received_at; the insert trigger writes the quarantine and
-- the duplicate counts as the owner, so no role can forge them
GRANT INSERT (payload, raw_line) ON event_catalog.events TO event_catalog_writer;
-- the admin erases
GRANT DELETE ON event_catalog.events, event_catalog.rejected_events TO event_catalog_admin;
