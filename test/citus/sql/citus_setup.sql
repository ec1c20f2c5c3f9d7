-- The cluster: a coordinator and two workers; event_catalog installed on
-- the coordinator reaches every node; distribute() on a worker is refused,
-- on the coordinator it distributes, and again it does nothing.  A writer
-- loads right after the first call (the shards of events got the writers'
-- column privileges on their workers as they were created).
SELECT count(*) AS workers FROM pg_catalog.citus_get_active_worker_nodes();
CREATE EXTENSION event_catalog;
SELECT result FROM run_command_on_workers($$SELECT extversion FROM pg_extension WHERE extname = 'event_catalog'$$);
SELECT result FROM run_command_on_workers($$SELECT event_catalog.distribute()$$);
SET client_min_messages = warning;
SELECT event_catalog.distribute();
CREATE ROLE regress_setup_w LOGIN IN ROLE event_catalog_writer;
RESET client_min_messages;
-- every coordinator session loads the library at its start (README, Set
-- up): its COPY hook must see the first COPY of a session
ALTER DATABASE postgres SET session_preload_libraries = 'event_catalog';
\c - regress_setup_w
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 810, "timestamp": "2026-06-09T09:00:00Z", "event": "ootb_login", "customer": "w1"}'),
  ('{"tenant": 810, "timestamp": "2026-06-09T09:00:00Z", "event": "ootb_login", "customer": "w2"}');
COPY event_catalog.events (raw_line) FROM STDIN;
{"tenant": 810, "timestamp": "2026-06-09T09:01:00Z", "event": "ootb_login", "customer": "w3"}
{"tenant": 810, "timestamp": "2026-06-09T09:01:00Z", "event": "ootb_login", "visitor": "wv"}
\.
SELECT event_catalog.track('{"tenant": 810, "timestamp": "2026-06-09T09:02:00Z", "event": "ootb_login", "customer": "w4"}') > 0 AS tracked;
\c - postgres
SELECT count(*) AS writer_events FROM event_catalog.events WHERE tenant = 810;
SET client_min_messages = warning;
SELECT event_catalog.distribute();
RESET client_min_messages;
SELECT logicalrelid, partmethod, partkey IS NULL AS reference,
	   colocationid = (SELECT colocationid FROM pg_dist_partition
					   WHERE logicalrelid = 'event_catalog.events'::regclass) AS colocated
FROM pg_catalog.pg_dist_partition
WHERE logicalrelid::text LIKE 'event_catalog.%'
ORDER BY logicalrelid::text;
