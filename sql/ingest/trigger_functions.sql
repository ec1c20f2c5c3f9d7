/*
 * ingest/trigger_functions.sql
 *	  The trigger functions of event_catalog.events (src/ingest_*.c and the
 *	  delete upkeep below).  Internal: attached by ingest/triggers.sql only.
 */

-- validation, derived columns, quarantine and duplicates, row by row
CREATE OR REPLACE FUNCTION event_catalog_internal.events_before_insert()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ec_events_before_insert'
LANGUAGE C;
REVOKE ALL ON FUNCTION event_catalog_internal.events_before_insert() FROM PUBLIC;

-- refuses UPDATE and TRUNCATE: the log is append-only
CREATE OR REPLACE FUNCTION event_catalog_internal.events_refuse_change()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ec_events_refuse_change'
LANGUAGE C;
REVOKE ALL ON FUNCTION event_catalog_internal.events_refuse_change() FROM PUBLIC;

-- duplicate counts and effects, once per statement
CREATE OR REPLACE FUNCTION event_catalog_internal.events_after_statement()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ec_events_after_statement'
LANGUAGE C;
REVOKE ALL ON FUNCTION event_catalog_internal.events_after_statement() FROM PUBLIC;

-- Deleted events: the affected customers' derived state is recomputed from
-- the events that remain, once per statement.
CREATE OR REPLACE FUNCTION event_catalog_internal.events_after_delete()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off
AS $$
BEGIN
	-- on a Citus shard: its SQL reads the colocated shards (src/citus.c)
	PERFORM event_catalog_internal.citus_enter_shard(TG_RELID);
	DELETE FROM event_catalog.consent_log l
	USING old_events o
	WHERE l.tenant = o.tenant AND l.customer_id = o.customer_id AND l.event_id = o.event_id;
	PERFORM event_catalog_internal.recompute_customers(
		ARRAY(SELECT DISTINCT ROW(o.tenant, o.customer_id)::event_catalog_internal.customer_ref
			  FROM old_events o
			  WHERE o.customer_id IS NOT NULL
			  ORDER BY 1));
	RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.events_after_delete() FROM PUBLIC;

-- loads: a statement begins, and ends (its row in loads)
CREATE OR REPLACE FUNCTION event_catalog_internal.events_load_start()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ec_events_load_start'
LANGUAGE C;
REVOKE ALL ON FUNCTION event_catalog_internal.events_load_start() FROM PUBLIC;

CREATE OR REPLACE FUNCTION event_catalog_internal.events_load_end()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ec_events_load_end'
LANGUAGE C;
REVOKE ALL ON FUNCTION event_catalog_internal.events_load_end() FROM PUBLIC;
