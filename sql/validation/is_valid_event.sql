/*
 * validation/is_valid_event.sql
 *	  Whether an event has no error (src/validate.c).
 */

CREATE OR REPLACE FUNCTION event_catalog.is_valid_event(event jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ec_is_valid_event'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION event_catalog.is_valid_event(jsonb) IS
	'True when the event has no problem of severity error.';

REVOKE ALL ON FUNCTION event_catalog.is_valid_event(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.is_valid_event(jsonb) TO PUBLIC;
