/*
 * updates/1.0--1.1/grants.sql
 *	  Table privileges of 1.1: the writer supplies only the event (payload
 *	  or raw_line), never event_id or received_at.  (The bookkeeping
 *	  privileges are in tenants.sql.)
 */
REVOKE INSERT ON event_catalog.events FROM event_catalog_writer;
GRANT INSERT (payload, raw_line) ON event_catalog.events TO event_catalog_writer;
