/*
 * catalog/export_catalog.sql
 *	  The whole catalog in define_event's format.
 */

CREATE OR REPLACE FUNCTION event_catalog.export_catalog()
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT COALESCE(pg_catalog.jsonb_agg(event_catalog.event_definition(t.event_key)
										 ORDER BY t.event_key), '[]'::jsonb)
	FROM event_catalog.event_types t
$$;

COMMENT ON FUNCTION event_catalog.export_catalog() IS
	'The whole catalog as a JSON array of event definitions, each loadable with define_event.';

REVOKE ALL ON FUNCTION event_catalog.export_catalog() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.export_catalog() TO PUBLIC;
