/*
 * catalog/catalog_changed.sql
 *	  The trigger that invalidates every backend's cached catalog
 *	  (src/catalog_cache.c).
 */

-- every change to the catalog invalidates each backend's cached copy
CREATE OR REPLACE FUNCTION event_catalog_internal.catalog_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ec_catalog_changed'
LANGUAGE C;
REVOKE ALL ON FUNCTION event_catalog_internal.catalog_changed() FROM PUBLIC;
