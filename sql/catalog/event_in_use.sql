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
BEGIN
	LOCK TABLE event_catalog.events IN SHARE MODE;
	IF EXISTS (SELECT 1 FROM event_catalog.events e
			   WHERE e.event_key OPERATOR(pg_catalog.=) OLD.event_key) THEN
		RAISE EXCEPTION 'cannot drop event "%": stored events use it', OLD.event_key
			USING ERRCODE = 'dependent_objects_still_exist',
				  DETAIL = 'Stored events keep their definition: what they derived is recomputed from it, and a dump restores them with it.',
				  HINT = format('Delete the events first (DELETE FROM event_catalog.events WHERE event_key = %L), which also recomputes what they derived, or keep the event.', OLD.event_key);
	END IF;
	RETURN OLD;
END
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.refuse_drop_of_used_event() FROM PUBLIC;
