/*
 * catalog/rules.sql
 *	  The catalog's vocabulary and limits, from the C tables the validator
 *	  uses (src/rules.c), so that each rule is written once: the table
 *	  constraints, define_event and check_channel call these.
 *
 *	  EXECUTE stays with PUBLIC: the CHECK constraints of event_types and
 *	  event_params call them as whoever writes the catalog.  The schema is
 *	  not usable by others, so nobody calls them by name.
 */

-- the names of a vocabulary: 'data_type', 'requirement' or 'channel'
CREATE OR REPLACE FUNCTION event_catalog_internal.vocabulary(kind text)
RETURNS text[]
AS 'MODULE_PATHNAME', 'ec_vocabulary'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- a limit: 'max_params', 'default_max_length', 'key_max_length', 'identity_max_length'
CREATE OR REPLACE FUNCTION event_catalog_internal.limit_value(name text)
RETURNS integer
AS 'MODULE_PATHNAME', 'ec_limit_value'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- lower-case words separated by single underscores
CREATE OR REPLACE FUNCTION event_catalog_internal.is_snake_case(name text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ec_is_snake_case'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- an event or param key: snake_case, at most key_max_length bytes
CREATE OR REPLACE FUNCTION event_catalog_internal.is_catalog_key(name text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ec_is_catalog_key'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- every element a plain decimal number, as numeric input reads it (the
-- allowed values of a number param; the catalog cache parses them)
CREATE OR REPLACE FUNCTION event_catalog_internal.are_numbers(vals text[])
RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT pg_catalog.bool_and(v OPERATOR(pg_catalog.~) '^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]{1,3})?$')
	FROM pg_catalog.unnest(vals) v
$$;
