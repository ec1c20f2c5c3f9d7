/*
 * catalog/drop_event.sql
 *	  Drop a custom event.
 */

CREATE OR REPLACE FUNCTION event_catalog.drop_event(event_key text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM event_catalog.event_types t
			   WHERE t.event_key = drop_event.event_key AND t.builtin) THEN
		RAISE EXCEPTION 'cannot drop builtin event "%"', drop_event.event_key
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	DELETE FROM event_catalog.event_types t WHERE t.event_key = drop_event.event_key;
	RETURN FOUND;
END
$$;

COMMENT ON FUNCTION event_catalog.drop_event(text) IS
	'Drop a custom (non-builtin) event and its params; true if it existed.';
REVOKE ALL ON FUNCTION event_catalog.drop_event(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.drop_event(text) TO event_catalog_admin;
