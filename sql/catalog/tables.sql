/*
 * catalog/tables.sql
 *	  The event catalog: event_types and event_params, the rows the
 *	  validator caches per backend (src/catalog_cache.c).
 */

CREATE TABLE event_catalog.event_types (
	event_key			text PRIMARY KEY,
	display_name		text NOT NULL,
	category			text NOT NULL DEFAULT 'custom',
	description			text,
	builtin				boolean NOT NULL DEFAULT false,
	requires_customer	boolean NOT NULL DEFAULT false,
	fail_safe			boolean NOT NULL DEFAULT false,
	updated_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT event_types_key_snake_case
		CHECK (event_catalog_internal.is_catalog_key(event_key)),
	CONSTRAINT event_types_category_snake_case
		CHECK (event_catalog_internal.is_snake_case(category))
);

COMMENT ON TABLE event_catalog.event_types IS
	'One row per event key that event_catalog validates; builtin rows are Optimove''s OOTB events.';

CREATE TABLE event_catalog.event_params (
	event_key			text NOT NULL
		REFERENCES event_catalog.event_types (event_key) ON DELETE CASCADE,
	param_key			text NOT NULL,
	position			integer NOT NULL,
	data_type			text NOT NULL,
	requirement			text NOT NULL DEFAULT 'optional',
	channel				text,
	allowed_values		text[],
	max_length			integer,
	profile_attribute	text,
	description			text,
	builtin				boolean NOT NULL DEFAULT false,
	PRIMARY KEY (event_key, param_key),
	CONSTRAINT event_params_key_snake_case
		CHECK (event_catalog_internal.is_catalog_key(param_key)),
	CONSTRAINT event_params_data_type
		CHECK (data_type OPERATOR(pg_catalog.=) ANY (event_catalog_internal.vocabulary('data_type'))),
	CONSTRAINT event_params_requirement
		CHECK (requirement OPERATOR(pg_catalog.=) ANY (event_catalog_internal.vocabulary('requirement'))),
	CONSTRAINT event_params_channel
		CHECK ((requirement = 'channel') = (channel IS NOT NULL)
			   AND (channel IS NULL
					OR channel OPERATOR(pg_catalog.=) ANY (event_catalog_internal.vocabulary('channel')))),
	CONSTRAINT event_params_max_length
		CHECK (max_length IS NULL OR (data_type = 'string' AND max_length > 0)),
	CONSTRAINT event_params_allowed_values
		CHECK (allowed_values IS NULL
			   OR (data_type IN ('string', 'number')
				   AND pg_catalog.cardinality(allowed_values) > 0
				   AND pg_catalog.array_position(allowed_values, NULL) IS NULL)),
	-- what define_event checks, also for rows written directly: the catalog
	-- cache reads a number param's allowed values as numbers
	CONSTRAINT event_params_number_values
		CHECK (data_type <> 'number' OR allowed_values IS NULL
			   OR event_catalog_internal.are_numbers(allowed_values)),
	CONSTRAINT event_params_profile_attribute
		CHECK (event_catalog_internal.is_snake_case(profile_attribute))
);

COMMENT ON TABLE event_catalog.event_params IS
	'One row per (event_key, param_key): the type and rules of each context param.';

-- user rows survive pg_dump; seeded rows come back with CREATE EXTENSION
SELECT pg_catalog.pg_extension_config_dump('event_catalog.event_types', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('event_catalog.event_params', 'WHERE NOT builtin');

-- everyone may read the catalog (validation is public); the admin changes it
GRANT SELECT ON event_catalog.event_types, event_catalog.event_params
	TO PUBLIC, event_catalog_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON event_catalog.event_types, event_catalog.event_params
	TO event_catalog_admin;
