/*
 * ingest/load_triggers.sql
 *	  The statement triggers that make each insert into events a load
 *	  (src/ingest_load.c).  After the functions, in the install and in the
 *	  upgrade.
 */

-- a new statement: a load with its id, unless it is one event of track()
CREATE TRIGGER events_load_start
	BEFORE INSERT ON event_catalog.events
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog_internal.events_load_start();

-- the statement ended: its row in event_catalog.loads (after the effects,
-- whose trigger's name sorts first)
CREATE TRIGGER events_load_end
	AFTER INSERT ON event_catalog.events
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog_internal.events_load_end();
