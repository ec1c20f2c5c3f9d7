/*
 * profiles/triggers.sql
 *	  API writes to customer_updates are merged into profiles per statement.
 */

CREATE TRIGGER customer_updates_merge
	AFTER INSERT ON event_catalog.customer_updates
	REFERENCING NEW TABLE AS new_updates
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog_internal.customer_updates_after_insert();

-- deleted API writes: the customers are recomputed from what remains
CREATE TRIGGER customer_updates_recompute
	AFTER DELETE ON event_catalog.customer_updates
	REFERENCING OLD TABLE AS old_updates
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog_internal.customer_updates_after_delete();
