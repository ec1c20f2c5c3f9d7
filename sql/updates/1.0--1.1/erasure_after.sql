/*
 * updates/1.0--1.1/erasure_after.sql
 *	  After the functions: deleted API writes recompute their customers.
 */
CREATE TRIGGER customer_updates_recompute
	AFTER DELETE ON event_catalog.customer_updates
	REFERENCING OLD TABLE AS old_updates
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog_internal.customer_updates_after_delete();
