/*
 * ingest/json_fast.sql
 *	  A check of the one-pass JSON reader of raw lines (src/json_fast.c)
 *	  against jsonb input, for the tests.
 */

CREATE OR REPLACE FUNCTION event_catalog_internal.json_fast_check(line text)
RETURNS text
AS 'MODULE_PATHNAME', 'ec_json_fast_check'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION event_catalog_internal.json_fast_check(text) IS
	'For tests: "same" when the one-pass reader of raw lines gives the jsonb that jsonb input gives, '
	'"general" when it leaves the line to the general path, "DIFFERENT" otherwise.';

REVOKE ALL ON FUNCTION event_catalog_internal.json_fast_check(text) FROM PUBLIC;
