/*
 * catalog/event_in_use.sql
 *	  An event type with stored events cannot be dropped.
 */

/*
 * BEFORE DELETE on event_types, whether through drop_event() or a DELETE:
 * stored events keep their definition, so that what they derived can be
 * recomputed and a dump restores them with the catalog they were accepted
 * under.  The SHARE lock waits for loads in progress and holds off new
 * ones until the drop commits, so that none stores an event of the type
 * after the check.  Not SECURITY DEFINER: it runs as the admin who deletes,
 * who sees every tenant's events.
 */
CREATE OR REPLACE FUNCTION event_catalog_internal.refuse_drop_of_used_event()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	used		boolean := false;
	shard		text;
BEGIN
	IF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'event_types' THEN
		LOCK TABLE event_catalog.events IN SHARE MODE;
		used := EXISTS (SELECT 1 FROM event_catalog.events e
						WHERE e.event_key OPERATOR(pg_catalog.=) OLD.event_key);
	ELSE
		-- a copy of the reference table on a Citus node (after distribute()):
		-- a query on the distributed events would be refused here, and every
		-- node that holds shards of events holds a copy, on which this runs:
		-- each checks the shards of events it holds
		FOR shard IN EXECUTE
			$q$SELECT pg_catalog.shard_name(s.logicalrelid, s.shardid)
				 FROM pg_catalog.pg_dist_shard s
				 JOIN pg_catalog.pg_dist_placement p ON p.shardid OPERATOR(pg_catalog.=) s.shardid
				WHERE s.logicalrelid OPERATOR(pg_catalog.=) 'event_catalog.events'::pg_catalog.regclass
				  AND p.groupid OPERATOR(pg_catalog.=) (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g)
				ORDER BY s.shardid$q$ LOOP
			EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE MODE', shard);
			EXECUTE pg_catalog.format('SELECT EXISTS (SELECT 1 FROM %s e WHERE e.event_key OPERATOR(pg_catalog.=) $1)', shard)
				INTO used USING OLD.event_key;
			EXIT WHEN used;
		END LOOP;
	END IF;
	IF used THEN
		RAISE EXCEPTION 'cannot drop event "%": stored events use it', OLD.event_key
			USING ERRCODE = 'dependent_objects_still_exist',
				  DETAIL = 'Stored events keep their definition: what they derived is recomputed from it, and a dump restores them with it.',
				  HINT = format('Delete the events first (DELETE FROM event_catalog.events WHERE event_key = %L), which also recomputes what they derived, or keep the event.', OLD.event_key);
	END IF;
	RETURN OLD;
END
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.refuse_drop_of_used_event() FROM PUBLIC;
