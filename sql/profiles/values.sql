/*
 * profiles/values.sql
 *	  Helpers that read profile values.
 */

-- a date from text, or null when it is not a real YYYY-MM-DD date
CREATE OR REPLACE FUNCTION event_catalog_internal.to_date_or_null(value text)
RETURNS date
AS 'MODULE_PATHNAME', 'ec_to_date_or_null'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- the attributes whose history customer_changes keeps
CREATE OR REPLACE FUNCTION event_catalog_internal.consent_attributes()
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT '{email,mobile_number,allow_email,allow_sms,allow_push,allow_whatsapp,is_blocked}'::text[] $$;

-- the value of a text or a boolean column in a write's values, in one call
-- each (NULLIF(vals -> key #>> '{}', ''); a JSON boolean or Yes/No)
CREATE OR REPLACE FUNCTION event_catalog_internal.profile_text(vals jsonb, key text)
RETURNS text
AS 'MODULE_PATHNAME', 'ec_profile_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION event_catalog_internal.profile_boolean(vals jsonb, key text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ec_profile_boolean'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

REVOKE ALL ON FUNCTION event_catalog_internal.to_date_or_null(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.profile_text(jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.profile_boolean(jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.consent_attributes() FROM PUBLIC;
