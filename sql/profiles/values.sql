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

REVOKE ALL ON FUNCTION event_catalog_internal.to_date_or_null(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.consent_attributes() FROM PUBLIC;
