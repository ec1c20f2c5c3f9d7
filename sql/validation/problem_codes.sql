/*
 * validation/problem_codes.sql
 *	  The registry of problem codes (src/problems.c) and the one text
 *	  format of a problem list.
 */

CREATE OR REPLACE FUNCTION event_catalog.problem_codes()
RETURNS TABLE (code text, severity text, description text)
AS 'MODULE_PATHNAME', 'ec_problem_codes'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION event_catalog.problem_codes() IS
	'Every problem code that validation reports, with its default severity and what it means.';
REVOKE ALL ON FUNCTION event_catalog.problem_codes() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.problem_codes() TO PUBLIC;

-- a problem list as text, one "severity: message (code at "path")" line
-- each: the errdetail of assert_valid_event
CREATE OR REPLACE FUNCTION event_catalog_internal.problems_text(problems jsonb)
RETURNS text
AS 'MODULE_PATHNAME', 'ec_problems_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
REVOKE ALL ON FUNCTION event_catalog_internal.problems_text(jsonb) FROM PUBLIC;
