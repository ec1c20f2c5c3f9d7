/*
 * catalog/triggers.sql
 *	  Every change to the catalog invalidates each backend's cached copy;
 *	  an event type with stored events is not deleted.
 */

CREATE TRIGGER event_types_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON event_catalog.event_types
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog_internal.catalog_changed();
CREATE TRIGGER event_params_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON event_catalog.event_params
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog_internal.catalog_changed();
CREATE TRIGGER event_types_in_use
	BEFORE DELETE ON event_catalog.event_types
	FOR EACH ROW EXECUTE FUNCTION event_catalog_internal.refuse_drop_of_used_event();
