/*
 * validation/assert_valid_event.sql
 *	  The event, or an error naming its first problem (src/validate.c).
 */

CREATE OR REPLACE FUNCTION event_catalog.assert_valid_event(event jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ec_assert_valid_event'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION event_catalog.assert_valid_event(jsonb) IS
	'The event unchanged, or an error (SQLSTATE 22023) naming its first problem.';

REVOKE ALL ON FUNCTION event_catalog.assert_valid_event(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.assert_valid_event(jsonb) TO PUBLIC;
