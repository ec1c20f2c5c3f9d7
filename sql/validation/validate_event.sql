/*
 * validation/validate_event.sql
 *	  Every problem of an event (src/validate.c).
 */

CREATE OR REPLACE FUNCTION event_catalog.validate_event(event jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ec_validate_event'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION event_catalog.validate_event(jsonb) IS
	'Every problem of an event as a JSON array of {path, code, severity, message}; [] when clean.';

REVOKE ALL ON FUNCTION event_catalog.validate_event(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.validate_event(jsonb) TO PUBLIC;
