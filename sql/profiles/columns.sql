/*
 * profiles/columns.sql
 *	  The typed columns of customers that profile values land in, and which
 *	  of their types values can be checked against (src/profile_column.c).
 */

-- the columns of customers that are not profile attributes
CREATE OR REPLACE FUNCTION event_catalog_internal.bookkeeping_columns()
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT '{tenant,customer_id,attributes,attribute_versions,exclusion_periods,created_at,updated_at}'::text[] $$;

-- the typed profile columns of customers, in column order: the merge
-- writes them (profile_merge_body), validation checks values against
-- them (the catalog cache reads this list)
CREATE OR REPLACE FUNCTION event_catalog_internal.profile_columns()
RETURNS TABLE (name text, type regtype, typmod integer)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT a.attname::text, a.atttypid::regtype, a.atttypmod
	FROM pg_attribute a
	WHERE a.attrelid = 'event_catalog.customers'::regclass
	  AND a.attnum > 0 AND NOT a.attisdropped
	  AND a.attname::text <> ALL (event_catalog_internal.bookkeeping_columns())
	ORDER BY a.attnum
$$;

-- can validation check values against a column of this type?  A profile
-- column of another type is refused (build_profile_functions, define_event)
CREATE OR REPLACE FUNCTION event_catalog_internal.is_checked_column_type(type regtype)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ec_is_checked_column_type'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

REVOKE ALL ON FUNCTION event_catalog_internal.bookkeeping_columns() FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.profile_columns() FROM PUBLIC;
REVOKE ALL ON FUNCTION event_catalog_internal.is_checked_column_type(regtype) FROM PUBLIC;
