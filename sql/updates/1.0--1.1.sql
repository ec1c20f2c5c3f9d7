/*
 * updates/1.0--1.1.sql
 *	  Upgrade from 1.0 to 1.1 (built into sql/event_catalog--1.0--1.1.sql).
 *
 *	  1.1 moves every helper, trigger function and upkeep function into the
 *	  schema event_catalog_internal, which no role may use; writes each rule
 *	  once (the catalog vocabulary, limits, key syntax, write versions and
 *	  the problem registry are C functions that the SQL calls); validates
 *	  upsert_customers through one C entry point; gives every function
 *	  its privileges next to its definition; and records loads (loads, the
 *	  load columns of rejected_events, track_batch, load_report).  test/sql/upgrade.sql checks
 *	  that 1.0 plus this script equals a fresh 1.1 install.
 */

\echo Use "ALTER EXTENSION event_catalog UPDATE TO '1.1'" to load this file. \quit

CREATE SCHEMA event_catalog_internal;
COMMENT ON SCHEMA event_catalog_internal IS
	'Internals of event_catalog (triggers, upkeep, helpers): not an API, nothing granted.';

-- internals move out of the public schema
ALTER TYPE event_catalog.customer_ref SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.catalog_changed() SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.events_before_insert() SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.events_refuse_change() SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.events_after_statement() SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.events_after_delete() SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.customer_updates_after_insert() SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.to_date_or_null(text) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.consent_attributes() SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.write_version(timestamptz, text) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.newer_versions(jsonb, jsonb) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.newest_applied(jsonb, jsonb) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.merge_attributes(jsonb, jsonb, jsonb, jsonb) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.profile_values(text, jsonb) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.merge_writes_step(internal, jsonb, text) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.merge_writes_values(internal) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.merge_writes_versions(internal) SET SCHEMA event_catalog_internal;
-- the merge makes a customer's row in C (customer_row)
DROP FUNCTION event_catalog.custom_attributes(jsonb, text[]);
ALTER AGGREGATE event_catalog.newest_values(jsonb, text) SET SCHEMA event_catalog_internal;
ALTER AGGREGATE event_catalog.newest_versions(jsonb, text) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.profile_merge_body(text, boolean) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.event_writes_sql(boolean) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.api_writes_sql(boolean) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.merge_event_writes(bigint[]) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.merge_api_writes(bigint[]) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.merge_customer_event_writes(event_catalog_internal.customer_ref[])
	SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.merge_customer_api_writes(event_catalog_internal.customer_ref[])
	SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.to_timestamp_or_null(text) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.utc_text(timestamptz) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.lifecycle_rank(text) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.exclusion_periods(integer, text) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.recompute_self_exclusions(event_catalog_internal.customer_ref[])
	SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.customer_bucket(integer, text) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.lock_buckets(integer[]) SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.lock_customers(event_catalog_internal.customer_ref[])
	SET SCHEMA event_catalog_internal;
-- the insert trigger applies effects itself (src/effects.c)
DROP FUNCTION event_catalog.apply_event_effects(bigint[]);
ALTER FUNCTION event_catalog.recompute_customers(event_catalog_internal.customer_ref[])
	SET SCHEMA event_catalog_internal;
ALTER FUNCTION event_catalog.set_tenant_isolation(boolean) SET SCHEMA event_catalog_internal;

-- upsert_customers validates in C now and reads timestamps there
DROP FUNCTION event_catalog.parse_event_timestamp(text);

-- every function's privileges are restated next to it (functions.sql);
-- 1.0 granted by file order, so start from nothing
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA event_catalog, event_catalog_internal
	FROM PUBLIC, event_catalog_reader, event_catalog_writer, event_catalog_admin;

-- the catalog's vocabulary, limits and key syntax: once, in C
\ir ../catalog/rules.sql
ALTER TABLE event_catalog.event_types
	DROP CONSTRAINT event_types_key_snake_case,
	DROP CONSTRAINT event_types_category_snake_case,
	ADD CONSTRAINT event_types_key_snake_case
		CHECK (event_catalog_internal.is_catalog_key(event_key)),
	ADD CONSTRAINT event_types_category_snake_case
		CHECK (event_catalog_internal.is_snake_case(category));
ALTER TABLE event_catalog.event_params
	DROP CONSTRAINT event_params_key_snake_case,
	DROP CONSTRAINT event_params_data_type,
	DROP CONSTRAINT event_params_requirement,
	DROP CONSTRAINT event_params_channel,
	DROP CONSTRAINT event_params_profile_attribute,
	ADD CONSTRAINT event_params_key_snake_case
		CHECK (event_catalog_internal.is_catalog_key(param_key)),
	ADD CONSTRAINT event_params_data_type
		CHECK (data_type OPERATOR(pg_catalog.=) ANY (event_catalog_internal.vocabulary('data_type'))),
	ADD CONSTRAINT event_params_requirement
		CHECK (requirement OPERATOR(pg_catalog.=) ANY (event_catalog_internal.vocabulary('requirement'))),
	ADD CONSTRAINT event_params_channel
		CHECK ((requirement = 'channel') = (channel IS NOT NULL)
			   AND (channel IS NULL
					OR channel OPERATOR(pg_catalog.=) ANY (event_catalog_internal.vocabulary('channel')))),
	ADD CONSTRAINT event_params_profile_attribute
		CHECK (event_catalog_internal.is_snake_case(profile_attribute)),
	ADD CONSTRAINT event_params_number_values
		CHECK (data_type <> 'number' OR allowed_values IS NULL
			   OR event_catalog_internal.are_numbers(allowed_values));

-- every table has a comment
COMMENT ON TABLE event_catalog.consent_log IS
	'Every write (event or API call) that carried consent or contact attributes, one row per write; read it through customer_changes.';

-- event ids drawn 100 at a time per session (see ingest/tables.sql)
ALTER TABLE event_catalog.events ALTER COLUMN event_id SET CACHE 100;

-- table privileges
\ir 1.0--1.1/grants.sql
-- the tenant barrier (tenant_roles) and the bookkeeping privileges
\ir 1.0--1.1/tenants.sql
\ir 1.0--1.1/erasure.sql
\ir 1.0--1.1/loads.sql

-- what the operator adds to the extension's tables survives a restore
\ir ../restore/tables.sql

-- every function as in 1.1
\ir ../functions.sql
\ir 1.0--1.1/tenants_after.sql
\ir 1.0--1.1/erasure_after.sql
\ir ../ingest/load_triggers.sql
\ir 1.0--1.1/restore.sql

-- the profile merge functions, regenerated with the 1.1 rules
SELECT event_catalog.build_profile_functions();
