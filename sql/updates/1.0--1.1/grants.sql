/*
 * updates/1.0--1.1/grants.sql
 *	  Table privileges of 1.1: the writer supplies only the event (payload
 *	  or raw_line), never event_id or received_at; the quarantine and the
 *	  duplicate counts are written by the insert trigger as the owner, never
 *	  by the loader; the writer reads the anomalies its
 *	  self_exclusion_report counts.
 */
REVOKE INSERT ON event_catalog.events FROM event_catalog_writer;
GRANT INSERT (payload, raw_line) ON event_catalog.events TO event_catalog_writer;
REVOKE INSERT ON event_catalog.rejected_events FROM event_catalog_writer;
REVOKE INSERT, UPDATE ON event_catalog.duplicate_counts FROM event_catalog_writer;
GRANT SELECT ON event_catalog.self_exclusion_anomalies TO event_catalog_writer;
