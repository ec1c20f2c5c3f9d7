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
	isolated	boolean;
	role_names	text[];
	role_tenants integer[];
	events_before boolean;
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

	-- tenant isolation: its single-node policies (sub-selects) cannot be
	-- distributed; off while the tables are, then on again in the form
	-- Citus takes
	SELECT c.relrowsecurity INTO isolated FROM pg_catalog.pg_class c
	 WHERE c.oid = 'event_catalog.events'::pg_catalog.regclass;
	IF isolated AND NOT event_catalog_internal.is_citus_table('event_catalog.events') THEN
		PERFORM event_catalog_internal.set_tenant_isolation(false);
	END IF;

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
	-- tenant_roles names roles by oid, and a role's oid differs from node
	-- to node: its rows are copied by role name (as an INSERT through the
	-- coordinator sends them), not as they are stored
	IF NOT event_catalog_internal.is_citus_table('event_catalog.tenant_roles') THEN
		SELECT pg_catalog.array_agg(r.role::text), pg_catalog.array_agg(r.tenant)
		  INTO role_names, role_tenants FROM event_catalog.tenant_roles r;
		DELETE FROM event_catalog.tenant_roles;
		PERFORM pg_catalog.create_reference_table('event_catalog.tenant_roles');
		FOR i IN 1 .. coalesce(pg_catalog.array_length(role_names, 1), 0) LOOP
			EXECUTE pg_catalog.format('INSERT INTO event_catalog.tenant_roles (role, tenant) VALUES (%L::pg_catalog.regrole, %s)',
									  role_names[i], role_tenants[i]);
		END LOOP;
		done := done + 1;
	END IF;
	IF NOT event_catalog_internal.is_citus_table('event_catalog.erased_exclusions') THEN
		PERFORM pg_catalog.create_reference_table('event_catalog.erased_exclusions');
		done := done + 1;
	END IF;

	-- the log and its derived state, colocated by person
	events_before := event_catalog_internal.is_citus_table('event_catalog.events');
	IF NOT events_before THEN
		-- the column grantees of events here are those of the workers'
		-- events, whose shards copy them (citus_shard_created)
		FOR t IN SELECT pg_catalog.pg_get_userbyid(x) FROM event_catalog_internal.events_column_grantees() x LOOP
			PERFORM pg_catalog.run_command_on_workers(pg_catalog.format(
				'GRANT INSERT (payload, raw_line) ON event_catalog.events TO %I', t));
		END LOOP;
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

	-- shard moves and the rebalancer copy a shard group with logical
	-- replication by default (shard_transfer_mode 'auto'), which Citus
	-- allows only when every table of the group has a replica identity: a
	-- distributed table without a primary key (consent_log,
	-- self_exclusion_anomalies) replicates its whole row.  Set here, on a
	-- cluster only (Citus passes it to the shards and to the nodes): on a
	-- single node the tables keep the default, and no index is added to
	-- them (a row is matched by all its columns only while a move
	-- replicates an UPDATE or DELETE of that table)
	FOR t IN EXECUTE $q$SELECT p.logicalrelid::pg_catalog.regclass::text
						  FROM pg_catalog.pg_dist_partition p
						  JOIN pg_catalog.pg_class c ON c.oid = p.logicalrelid
						 WHERE c.relnamespace = 'event_catalog'::pg_catalog.regnamespace
						   AND p.partkey IS NOT NULL AND c.relreplident = 'd'
						   AND NOT EXISTS (SELECT FROM pg_catalog.pg_index i
										   WHERE i.indrelid = c.oid AND i.indisprimary)
						 ORDER BY 1$q$ LOOP
		EXECUTE pg_catalog.format('ALTER TABLE %s REPLICA IDENTITY FULL', t);
	END LOOP;

	-- the quarantine's ids are drawn on the worker whose shard stores the
	-- row (the insert trigger's INSERT runs there): each worker draws from
	-- a range of its own, so that they stay unique when a shard group
	-- moves to another worker
	PERFORM pg_catalog.run_command_on_workers(
		'SELECT event_catalog_internal.citus_node_sequences()');

	-- the loaders' column privileges on the shards of events: each shard
	-- gets them on its node as it is created (citus_shard_created, below);
	-- shards created before that trigger existed get them here
	IF events_before THEN
		FOR t IN SELECT pg_catalog.pg_get_userbyid(x) FROM event_catalog_internal.events_column_grantees() x LOOP
			PERFORM pg_catalog.run_command_on_shards('event_catalog.events',
				pg_catalog.format('GRANT INSERT (%s) ON %%s TO %I',
								  event_catalog_internal.events_shard_insert_columns(), t));
		END LOOP;
	END IF;

	-- the functions that read distributed tables, as Citus can run them
	PERFORM event_catalog_internal.citus_functions();

	IF isolated THEN
		PERFORM event_catalog_internal.set_tenant_isolation(true);
	END IF;

	RETURN CASE WHEN done = 0 THEN 'already distributed'
				ELSE pg_catalog.format('distributed over %s workers (%s tables)', workers, done) END;
END
$$;
COMMENT ON FUNCTION event_catalog.distribute() IS
	'On a Citus coordinator: the catalog becomes reference tables, events and all derived state distributed tables colocated by person. Idempotent.';
REVOKE ALL ON FUNCTION event_catalog.distribute() FROM PUBLIC;

-- The roles given INSERT on the event columns of events (the writers):
-- event_catalog_writer, and the roles the operator gave them to.
CREATE OR REPLACE FUNCTION event_catalog_internal.events_column_grantees()
RETURNS SETOF pg_catalog.oid
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT DISTINCT x.grantee
	  FROM pg_catalog.pg_attribute a, pg_catalog.aclexplode(a.attacl) x
	 WHERE a.attrelid = 'event_catalog.events'::pg_catalog.regclass AND a.attname = 'raw_line'
	   AND x.privilege_type = 'INSERT' AND x.grantee <> 0
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.events_column_grantees() FROM PUBLIC;

-- What the writers insert into a shard of events: the event columns, the
-- key the coordinator adds, a COPY's load and line (routed_load_id,
-- routed_line) and the columns whose defaults it evaluates (the
-- sequence's event_id, received_at, has_effects).  Column privileges
-- do not reach the shards otherwise: Citus copies table grants to the
-- shards it creates, and refuses column grants on distributed tables.
CREATE OR REPLACE FUNCTION event_catalog_internal.events_shard_insert_columns()
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$ SELECT 'payload, raw_line, person_key, event_id, received_at, has_effects, routed_load_id, routed_line' $$;
REVOKE ALL ON FUNCTION event_catalog_internal.events_shard_insert_columns() FROM PUBLIC;

-- On every node: a shard of events that Citus creates there (distribute(),
-- a shard move or split, the rebalancer) gets the writers' column
-- privileges of the node's own events as it is created, in the same
-- transaction, whoever creates it (the creator owns it then).  Other
-- tables, and every table before distribute(), are left alone.
CREATE OR REPLACE FUNCTION event_catalog_internal.citus_shard_created()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	shard		pg_catalog.oid;
	grantee		text;
BEGIN
	FOR shard IN SELECT c.objid FROM pg_catalog.pg_event_trigger_ddl_commands() c
				  WHERE c.schema_name = 'event_catalog' AND c.object_type = 'table'
					AND c.object_identity ~ '^event_catalog\.events_[0-9]+$' LOOP
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute
					   WHERE attrelid = 'event_catalog.events'::pg_catalog.regclass
						 AND attname = 'person_key' AND NOT attisdropped) THEN
			RETURN;				-- not distributed
		END IF;
		FOR grantee IN SELECT pg_catalog.pg_get_userbyid(x) FROM event_catalog_internal.events_column_grantees() x LOOP
			EXECUTE pg_catalog.format('GRANT INSERT (%s) ON %s TO %I',
									  event_catalog_internal.events_shard_insert_columns(),
									  shard::pg_catalog.regclass, grantee);
		END LOOP;
	END LOOP;
END
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.citus_shard_created() FROM PUBLIC;

CREATE EVENT TRIGGER event_catalog_citus_shards ON ddl_command_end
	WHEN TAG IN ('CREATE TABLE')
	EXECUTE FUNCTION event_catalog_internal.citus_shard_created();
COMMENT ON EVENT TRIGGER event_catalog_citus_shards IS
	'On a Citus node: the writers'' column privileges on each shard of events created there.';

-- On a worker: its quarantine ids from its own range, 2^48 ids a group
-- (a node's Citus group id; Citus does the same for the sequences it
-- creates itself), moved forward only.
CREATE OR REPLACE FUNCTION event_catalog_internal.citus_node_sequences()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	start	bigint;
BEGIN
	EXECUTE 'SELECT (groupid::bigint << 48) + 1 FROM pg_catalog.pg_dist_local_group' INTO start;
	IF start IS NOT NULL AND start > 1 AND
	   (SELECT s.last_value FROM event_catalog.rejected_events_rejected_id_seq s) < start THEN
		PERFORM pg_catalog.setval('event_catalog.rejected_events_rejected_id_seq', start, false);
	END IF;
END
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.citus_node_sequences() FROM PUBLIC;

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
-- of the quarantine and duplicate counts, which live next to them), every
-- unique key with its table's distribution column, and the distributed
-- transaction of each load (loads stay local to each node: a worker's
-- rows are the shard statements of a load through the coordinator).  Events stored
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
ALTER TABLE event_catalog.events
	ADD COLUMN IF NOT EXISTS routed_load_id bigint,
	ADD COLUMN IF NOT EXISTS routed_line bigint,
	ADD CONSTRAINT events_routed_consumed CHECK (routed_load_id IS NULL AND routed_line IS NULL);
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
	ADD CONSTRAINT customer_updates_pkey PRIMARY KEY (update_id, customer_id);
ALTER TABLE event_catalog.loads
	ADD COLUMN IF NOT EXISTS citus_txn text DEFAULT event_catalog_internal.citus_txn();'
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

-- the number of the row copy_lines() returned last: sent with the row to
-- its shard (events.routed_line, with routed_load_id, the coordinator's
-- load), where a quarantined row records them as on one node
CREATE OR REPLACE FUNCTION event_catalog_internal.copy_line()
RETURNS bigint
LANGUAGE c
VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'ec_copy_line';

-- The API functions that read distributed tables are SQL functions on a
-- single node (inlined, planned with their parameters).  Citus cannot plan
-- a parameterised SQL function over distributed tables ("could not create
-- distributed plan"), so distribute() gives them PL/pgSQL bodies that run
-- the same query on the coordinator (RETURN QUERY, or RETURN for a value):
-- Citus fans it out to the shards and merges the result there.  No
-- function that reads a distributed table is called inside a query that
-- Citus pushes down to the shards (it would read the worker's empty
-- shell): consent_summary (PL/pgSQL everywhere) counts the contactable
-- customers of each channel first, in statements of their own.  Each is
-- planned afresh at every call (plan_cache_mode = force_custom_plan):
-- Citus cannot plan their queries generically, with the arguments as
-- parameters (a prepared call under force_generic_plan failed with "could
-- not create distributed plan").  Run again
-- by distribute(); ALTER
-- EXTENSION ... UPDATE restores the SQL bodies, so run distribute() after
-- an update.
CREATE OR REPLACE FUNCTION event_catalog_internal.citus_functions()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $f$
DECLARE
	f			record;
	body		text;
BEGIN
	FOR f IN
		SELECT p.oid, p.proname, p.proretset, p.prosrc, p.proisstrict,
			   pg_catalog.pg_get_function_arguments(p.oid) AS args,
			   pg_catalog.pg_get_function_result(p.oid) AS result
		  FROM pg_catalog.pg_proc p
		 WHERE p.pronamespace = 'event_catalog'::pg_catalog.regnamespace
		   AND p.prolang = (SELECT oid FROM pg_catalog.pg_language WHERE lanname = 'sql')
		   AND p.proname IN ('is_self_excluded', 'contactable_customers', 'can_contact',
							 'registration_funnel', 'self_exclusion_report', 'validation_report')
	LOOP
		body := pg_catalog.rtrim(f.prosrc, E' \t\n;');
		body := CASE WHEN f.proretset
					 THEN E'#variable_conflict use_column\nBEGIN\nRETURN QUERY\n' || body || E';\nEND\n'
					 ELSE E'#variable_conflict use_column\nBEGIN\nRETURN (\n' || body || E');\nEND\n' END;
		EXECUTE pg_catalog.format(
			'CREATE OR REPLACE FUNCTION event_catalog.%I(%s) RETURNS %s LANGUAGE plpgsql STABLE %s '
			'SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_custom_plan AS %L',
			f.proname, f.args, f.result, CASE WHEN f.proisstrict THEN 'STRICT' ELSE '' END, body);
	END LOOP;

	-- a parallel worker cannot read a Citus table (Citus refuses to commit
	-- the worker's part of the distributed transaction): what reads the
	-- catalog or the customers stays in the leader
	FOR f IN
		SELECT p.oid FROM pg_catalog.pg_proc p
		 WHERE p.pronamespace IN ('event_catalog'::pg_catalog.regnamespace,
								  'event_catalog_internal'::pg_catalog.regnamespace)
		   AND p.proparallel = 's' AND p.provolatile <> 'i'
	LOOP
		EXECUTE pg_catalog.format('ALTER FUNCTION %s PARALLEL RESTRICTED', f.oid::pg_catalog.regprocedure);
	END LOOP;

	-- load_report: a load through the coordinator with its workers' counts
	-- (as the owner, who may read the workers' loads; tenant isolation,
	-- which would restrict loads, is not available on a cluster)
	CREATE OR REPLACE FUNCTION event_catalog.load_report(load_id bigint DEFAULT NULL)
	RETURNS SETOF event_catalog.loads
	LANGUAGE plpgsql VOLATILE
	SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
	BEGIN
		RETURN QUERY SELECT * FROM event_catalog_internal.citus_load_report(
			COALESCE(load_report.load_id, event_catalog.last_load_id()));
	END
	$$;

END
$f$;
REVOKE ALL ON FUNCTION event_catalog_internal.citus_functions() FROM PUBLIC;

-- The shard map of a trigger's shard, for the PL/pgSQL triggers (a no-op
-- off shards): their SQL then reads and writes the colocated shards.
CREATE OR REPLACE FUNCTION event_catalog_internal.citus_enter_shard(rel pg_catalog.oid)
RETURNS void
LANGUAGE c
VOLATILE STRICT
AS 'MODULE_PATHNAME', 'ec_citus_enter_shard';
REVOKE ALL ON FUNCTION event_catalog_internal.citus_enter_shard(pg_catalog.oid) FROM PUBLIC;

-- The distributed transaction a load runs in (initiator node and number,
-- the same on the coordinator and on the workers): the default of
-- loads.citus_txn after distribute(), how load_report() on the
-- coordinator finds the workers' shard loads of its load.
CREATE OR REPLACE FUNCTION event_catalog_internal.citus_txn()
RETURNS text
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t	record;
BEGIN
	SELECT * INTO t FROM pg_catalog.get_current_transaction_id();
	RETURN t.initiator_node_identifier::text || ':' || t.transaction_number::text;
END
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.citus_txn() FROM PUBLIC;

-- load_report() on a coordinator: a load through it (COPY) recorded there
-- gets the counts of its shard loads on the workers, summed
CREATE OR REPLACE FUNCTION event_catalog_internal.citus_load_report(load_id bigint)
RETURNS SETOF event_catalog.loads
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	l		event_catalog.loads;
	w		record;
	j		jsonb;
	codes	jsonb := '{}';
	c		record;
BEGIN
	SELECT * INTO l FROM event_catalog.loads x WHERE x.load_id = citus_load_report.load_id;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	IF to_jsonb(l) ->> 'citus_txn' IS NOT NULL AND pg_catalog.citus_is_coordinator() THEN
		l.stored := 0; l.stored_with_warnings := 0; l.duplicates := 0; l.quarantined := 0; l.skipped := 0;
		FOR w IN SELECT result FROM pg_catalog.run_command_on_workers(pg_catalog.format(
			$q$SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(x)), '[]') FROM event_catalog.loads x
			   WHERE x.citus_txn = %L$q$, to_jsonb(l) ->> 'citus_txn')) LOOP
			FOR j IN SELECT * FROM pg_catalog.jsonb_array_elements(w.result::jsonb) LOOP
				l.stored := l.stored + (j ->> 'stored')::bigint;
				l.stored_with_warnings := l.stored_with_warnings + (j ->> 'stored_with_warnings')::bigint;
				l.duplicates := l.duplicates + (j ->> 'duplicates')::bigint;
				l.quarantined := l.quarantined + (j ->> 'quarantined')::bigint;
				l.skipped := l.skipped + (j ->> 'skipped')::bigint;
				FOR c IN SELECT * FROM pg_catalog.jsonb_each_text(j -> 'quarantined_by_code') LOOP
					codes := codes || pg_catalog.jsonb_build_object(c.key,
						COALESCE((codes ->> c.key)::bigint, 0) + c.value::bigint);
				END LOOP;
			END LOOP;
		END LOOP;
		l.quarantined_by_code := codes;
	END IF;
	RETURN NEXT l;
END
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.citus_load_report(bigint) FROM PUBLIC;

-- command on every worker, over Citus's connections of their own (which
-- see what has committed); an error names the worker
CREATE OR REPLACE FUNCTION event_catalog_internal.citus_run_on_workers(command text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r	record;
BEGIN
	FOR r IN SELECT w.nodename, w.nodeport, w.result
			   FROM pg_catalog.run_command_on_workers(command) w WHERE NOT w.success LOOP
		RAISE EXCEPTION 'event_catalog failed on worker %:%: %', r.nodename, r.nodeport, r.result
			USING ERRCODE = 'external_routine_exception', DETAIL = command;
	END LOOP;
END
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.citus_run_on_workers(text) FROM PUBLIC;

-- build_profile_functions() on a coordinator: every worker builds its own
-- merge functions from its copy of customers (Citus sends the ALTER TABLE
-- of a column to every node, not the functions generated from it), and
-- each shard of customers derives again, where its customers' events
-- are, those that kept a value in attributes for a column added since.
-- Both over connections of their own (Citus's run_command_on_*), which
-- see what has committed: add the column in a statement of its own first.
CREATE OR REPLACE FUNCTION event_catalog_internal.citus_build_profile_functions()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r	record;
BEGIN
	PERFORM event_catalog_internal.citus_run_on_workers('SELECT event_catalog.build_profile_functions()');
	FOR r IN SELECT s.shardid, s.result
			   FROM pg_catalog.run_command_on_shards('event_catalog.customers',
						$q$SELECT event_catalog_internal.citus_recompute_stale_customers('%s')$q$) s
			  WHERE NOT s.success LOOP
		RAISE EXCEPTION 'recomputing the customers of shard % failed: %', r.shardid, r.result
			USING ERRCODE = 'external_routine_exception';
	END LOOP;
END
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.citus_build_profile_functions() FROM PUBLIC;

-- on the node of a shard of customers: its shard group current, so that
-- the recompute reads and writes the colocated shards (src/citus.c)
CREATE OR REPLACE FUNCTION event_catalog_internal.citus_recompute_stale_customers(shard pg_catalog.regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM event_catalog_internal.citus_enter_shard(shard);
	PERFORM event_catalog_internal.recompute_stale_customers();
END
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.citus_recompute_stale_customers(pg_catalog.regclass) FROM PUBLIC;

