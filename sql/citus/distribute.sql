/*
 * citus/distribute.sql
 *	  Scale-out on Citus: distribute() turns the catalog and the small
 *	  shared tables into reference tables (a copy on every node) and the
 *	  log with all the state derived from it into distributed tables,
 *	  colocated by person, so that a customer's events, profile, consent
 *	  history and self-exclusion episodes share a shard and the upkeep runs
 *	  where the events land (src/citus.c).
 *
 *	  The key: events.person_key, the customer id, or the visitor id of a
 *	  visitor-only event (filled by the insert trigger); the derived tables
 *	  are distributed by customer_id, whose values are the same.  One
 *	  tenant's customers spread over every shard.  Every unique key gets
 *	  the key; identities stay cluster-wide (the coordinator draws them).
 *	  The single-node schema gets these columns and keys here, not at
 *	  CREATE EXTENSION: a node that is never distributed pays nothing.
 */

CREATE OR REPLACE FUNCTION event_catalog.distribute()
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	workers		integer;
	t			text;
	done		integer := 0;
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
		RAISE EXCEPTION 'event_catalog.distribute() needs the citus extension'
			USING ERRCODE = 'feature_not_supported',
				  HINT = 'Add citus to shared_preload_libraries and run CREATE EXTENSION citus on every node first.';
	END IF;
	IF NOT pg_catalog.citus_is_coordinator() THEN
		RAISE EXCEPTION 'event_catalog.distribute() runs on the coordinator'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Connect to the coordinator; this node is a Citus worker.';
	END IF;
	EXECUTE $q$SELECT count(*) FROM pg_catalog.pg_dist_node
			   WHERE noderole = 'primary' AND isactive AND shouldhaveshards AND groupid <> 0$q$
		INTO workers;
	IF workers = 0 THEN
		RAISE EXCEPTION 'event_catalog.distribute() needs at least one Citus worker'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Add the workers with citus_add_node() first.';
	END IF;

	-- the triggers of the extension's tables run on the shards
	PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);

	-- the distribution key and the unique keys that include it, on every
	-- node (each installed the extension, and its tables are the shells)
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute
				   WHERE attrelid = 'event_catalog.events'::pg_catalog.regclass
					 AND attname = 'person_key' AND NOT attisdropped) THEN
		EXECUTE event_catalog_internal.distribution_keys_ddl();
		PERFORM pg_catalog.run_command_on_workers(event_catalog_internal.distribution_keys_ddl());
	END IF;

	-- the catalog and the small shared tables: a copy on every node (the
	-- foreign key between the two catalog tables after both are copied)
	IF NOT event_catalog_internal.is_citus_table('event_catalog.event_types') THEN
		-- every node installed the extension, foreign key included
		ALTER TABLE event_catalog.event_params DROP CONSTRAINT event_params_event_key_fkey;
		PERFORM pg_catalog.run_command_on_workers(
			'ALTER TABLE event_catalog.event_params DROP CONSTRAINT IF EXISTS event_params_event_key_fkey');
		FOREACH t IN ARRAY ARRAY['event_catalog.event_types', 'event_catalog.event_params'] LOOP
			PERFORM pg_catalog.create_reference_table(t::pg_catalog.regclass);
		END LOOP;
		ALTER TABLE event_catalog.event_params ADD CONSTRAINT event_params_event_key_fkey
			FOREIGN KEY (event_key) REFERENCES event_catalog.event_types (event_key) ON DELETE CASCADE;
		done := done + 2;
	END IF;
	FOREACH t IN ARRAY ARRAY['event_catalog.tenant_roles', 'event_catalog.erased_exclusions'] LOOP
		IF NOT event_catalog_internal.is_citus_table(t) THEN
			PERFORM pg_catalog.create_reference_table(t::pg_catalog.regclass);
			done := done + 1;
		END IF;
	END LOOP;

	-- the log and its derived state, colocated by person
	IF NOT event_catalog_internal.is_citus_table('event_catalog.events') THEN
		PERFORM pg_catalog.create_distributed_table('event_catalog.events', 'person_key',
													colocate_with => 'none');
		done := done + 1;
	END IF;
	FOREACH t IN ARRAY ARRAY['event_catalog.rejected_events:person_key',
							 'event_catalog.duplicate_counts:person_key',
							 'event_catalog.customers:customer_id',
							 'event_catalog.customer_updates:customer_id',
							 'event_catalog.consent_log:customer_id',
							 'event_catalog.self_exclusions:customer_id',
							 'event_catalog.self_exclusion_anomalies:customer_id'] LOOP
		IF NOT event_catalog_internal.is_citus_table(pg_catalog.split_part(t, ':', 1)) THEN
			PERFORM pg_catalog.create_distributed_table(pg_catalog.split_part(t, ':', 1)::pg_catalog.regclass,
														pg_catalog.split_part(t, ':', 2),
														colocate_with => 'event_catalog.events');
			done := done + 1;
		END IF;
	END LOOP;

	RETURN CASE WHEN done = 0 THEN 'already distributed'
				ELSE pg_catalog.format('distributed over %s workers (%s tables)', workers, done) END;
END
$$;
COMMENT ON FUNCTION event_catalog.distribute() IS
	'On a Citus coordinator: the catalog becomes reference tables, events and all derived state distributed tables colocated by person. Idempotent.';
REVOKE ALL ON FUNCTION event_catalog.distribute() FROM PUBLIC;

-- whether a table of the extension is a Citus table already
CREATE OR REPLACE FUNCTION event_catalog_internal.is_citus_table(rel text)
RETURNS boolean
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found	boolean;
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
		RETURN false;
	END IF;
	EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition WHERE logicalrelid = $1::pg_catalog.regclass)'
		INTO found USING rel;
	RETURN found;
END
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.is_citus_table(text) FROM PUBLIC;

-- the columns and keys distribute() adds: the person key of events (and
-- of the quarantine and duplicate counts, which live next to them), and
-- every unique key with its table's distribution column.  Events stored
-- before get their key from their identity.
CREATE OR REPLACE FUNCTION event_catalog_internal.distribution_keys_ddl()
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
SELECT 'ALTER TABLE event_catalog.events ADD COLUMN IF NOT EXISTS person_key text COLLATE "C";
ALTER TABLE event_catalog.events DISABLE TRIGGER events_no_update;
UPDATE event_catalog.events SET person_key = COALESCE(customer_id, visitor_id) WHERE person_key IS NULL;
ALTER TABLE event_catalog.events ENABLE TRIGGER events_no_update;
ALTER TABLE event_catalog.events ALTER COLUMN person_key SET NOT NULL,
	DROP CONSTRAINT events_pkey,
	ADD CONSTRAINT events_pkey PRIMARY KEY (event_id, person_key),
	DROP CONSTRAINT events_content_key,
	ADD CONSTRAINT events_content_key UNIQUE (tenant, occurred_at, content_hash, person_key);
ALTER TABLE event_catalog.rejected_events
	ADD COLUMN person_key text COLLATE "C" NOT NULL DEFAULT '''',
	DROP CONSTRAINT rejected_events_pkey,
	ADD CONSTRAINT rejected_events_pkey PRIMARY KEY (rejected_id, person_key);
ALTER TABLE event_catalog.duplicate_counts
	ADD COLUMN person_key text COLLATE "C" NOT NULL DEFAULT '''',
	DROP CONSTRAINT duplicate_counts_pkey,
	ADD CONSTRAINT duplicate_counts_pkey PRIMARY KEY (tenant, event_key, day, person_key);
ALTER TABLE event_catalog.customer_updates
	DROP CONSTRAINT customer_updates_pkey,
	ADD CONSTRAINT customer_updates_pkey PRIMARY KEY (update_id, customer_id);'
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.distribution_keys_ddl() FROM PUBLIC;

-- After distribute(): the person key of an event row before it is routed
-- (src/citus.c adds it to INSERTs into events that do not give it; it
-- takes the event's tenant load lock on the coordinator), and
-- the rows of a COPY into events run as such an INSERT.  Both run with
-- the loader's rights (EXECUTE stays granted: neither reads or writes a
-- table; copy_lines reads only its own session's COPY).
CREATE OR REPLACE FUNCTION event_catalog_internal.person_key(payload jsonb, raw_line text)
RETURNS text
LANGUAGE c
VOLATILE PARALLEL UNSAFE	-- takes the tenant's load lock
AS 'MODULE_PATHNAME', 'ec_person_key';

CREATE OR REPLACE FUNCTION event_catalog_internal.copy_lines()
RETURNS SETOF text[]
LANGUAGE c
VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'ec_copy_lines';
