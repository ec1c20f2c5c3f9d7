/*
 * ingest/triggers.sql
 *	  The triggers of event_catalog.events.
 */

-- validation and derived columns, row by row, before the row is stored
CREATE TRIGGER events_validate
	BEFORE INSERT ON event_catalog.events
	FOR EACH ROW EXECUTE FUNCTION event_catalog_internal.events_before_insert();

CREATE TRIGGER events_no_update
	BEFORE UPDATE ON event_catalog.events
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog_internal.events_refuse_change();

CREATE TRIGGER events_no_truncate
	BEFORE TRUNCATE ON event_catalog.events
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog_internal.events_refuse_change();

-- Effects, once per statement: the row trigger collects the ids of stored
-- events that feed profiles or self-exclusion state (with their customers'
-- buckets), and this trigger locks the buckets and hands the ids to the
-- merge in one call (src/effects.c; measured faster than a transition
-- table, which copies every stored row; see README).
CREATE TRIGGER events_effects_insert
	AFTER INSERT ON event_catalog.events
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog_internal.events_after_statement();

CREATE TRIGGER events_effects_delete
	AFTER DELETE ON event_catalog.events
	REFERENCING OLD TABLE AS old_events
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog_internal.events_after_delete();
