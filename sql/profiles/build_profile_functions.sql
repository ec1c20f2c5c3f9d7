/*
 * profiles/build_profile_functions.sql
 *	  Generate the profile merge functions from the customers columns.
 */

/*
 * (Re)build the five merge functions from the current customers columns:
 * plain PL/pgSQL with static statements, so their plans are cached.  The
 * plans must not depend on statistics, which a new database, or a table
 * grown in the running transaction, does not have: every query is by key
 * (event ids, update ids, customers), so index paths only
 * (enable_seqscan off; a plan cached while a table was small would
 * otherwise scan all of it ever after), and one generic plan per backend
 * (planning the merge costs more than running it for a few events).
 * A column of a type whose values validation cannot check is refused.  The
 * customers that kept a value in attributes for a column added since are
 * recomputed, so the value moves into the column.
 */
CREATE OR REPLACE FUNCTION event_catalog_internal.recompute_stale_customers()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	stale event_catalog_internal.customer_ref[];
BEGIN
	-- values written before their column existed were kept in attributes:
	-- the customers holding one are derived again, into the column
	SELECT pg_catalog.array_agg(ROW(c.tenant, c.customer_id)::event_catalog_internal.customer_ref)
	INTO stale
	FROM event_catalog.customers c
	WHERE c.attributes OPERATOR(pg_catalog.?|) ARRAY(
		SELECT a.attname::text FROM pg_catalog.pg_attribute a
		WHERE a.attrelid = 'event_catalog.customers'::pg_catalog.regclass
		  AND a.attnum > 0 AND NOT a.attisdropped);
	IF stale IS NOT NULL THEN
		PERFORM event_catalog_internal.recompute_customers(stale);
	END IF;
END
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.recompute_stale_customers() FROM PUBLIC;

CREATE OR REPLACE FUNCTION event_catalog.build_profile_functions()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	f record;
	-- on a Citus cluster (after distribute()): whether this is its coordinator
	coordinator boolean;
BEGIN
	IF event_catalog_internal.is_citus_table('event_catalog.customers') THEN
		coordinator := pg_catalog.citus_is_coordinator();
		-- a worker replaces its own functions, which Citus would refuse
		IF NOT coordinator THEN
			PERFORM pg_catalog.set_config('citus.enable_ddl_propagation', 'off', true);
		END IF;
	END IF;
	-- validation must be able to tell which values each column can hold
	-- (src/profile_column.c), or one value would abort whole loads
	SELECT c.name, c.type INTO f
	FROM event_catalog_internal.profile_columns() c
	WHERE NOT event_catalog_internal.is_checked_column_type(c.type)
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'profile column "%" of event_catalog.customers has type %, which validation cannot check values against',
				f.name, f.type
			USING ERRCODE = 'feature_not_supported',
				  DETAIL = 'Profile columns may be text, character varying(n), smallint, integer, bigint, numeric(p,s), real, double precision, boolean, date or timestamp with time zone.',
				  HINT = 'Drop the column or change its type, or keep the value as a custom attribute in customers.attributes.';
	END IF;

	FOR f IN
		SELECT * FROM (VALUES
			('merge_event_writes', 'event_ids bigint[]', false, true, true),
			-- the same, of the writes the insert trigger stashed (src/effects.c)
			('merge_stashed_writes', 'event_ids bigint[]', false, NULL, true),
			('merge_api_writes', 'update_ids bigint[]', false, false, true),
			('merge_customer_event_writes', 'customers event_catalog_internal.customer_ref[]', true, true, false),
			('merge_customer_api_writes', 'customers event_catalog_internal.customer_ref[]', true, false, false)
		) AS v(name, args, by_customer, from_events, keep_history)
	LOOP
		EXECUTE format('CREATE OR REPLACE FUNCTION event_catalog_internal.%I(%s) RETURNS void '
					   'LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp '
					   'SET work_mem = ''64MB'' SET enable_seqscan = off '
					   'SET plan_cache_mode = force_generic_plan AS %L',
					   f.name, f.args,
					   event_catalog_internal.profile_merge_body(
						   CASE WHEN f.from_events THEN event_catalog_internal.event_writes_sql(f.by_customer)
								WHEN NOT f.from_events THEN event_catalog_internal.api_writes_sql(f.by_customer) END,
						   f.keep_history));
		-- internal: only the owner's upkeep calls them
		EXECUTE format('REVOKE ALL ON FUNCTION event_catalog_internal.%I(%s) FROM PUBLIC', f.name, f.args);
	END LOOP;

	-- on a Citus cluster the merge runs on the workers, in the triggers of
	-- the shards, and Citus sends no function of an extension to them: the
	-- coordinator has each worker build its own, and the customers are
	-- derived again on the shards (sql/citus/distribute.sql); a worker
	-- stops here
	IF coordinator THEN
		PERFORM event_catalog_internal.citus_build_profile_functions();
	END IF;
	IF coordinator IS NOT NULL THEN
		RETURN;
	END IF;
	PERFORM event_catalog_internal.recompute_stale_customers();
END
$$;

COMMENT ON FUNCTION event_catalog.build_profile_functions() IS
	'Regenerate the profile merge functions; run after adding a column to event_catalog.customers.';


REVOKE ALL ON FUNCTION event_catalog.build_profile_functions() FROM PUBLIC;
