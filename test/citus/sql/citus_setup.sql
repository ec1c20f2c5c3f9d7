-- The cluster: a coordinator and two workers; event_catalog installed on
-- the coordinator reaches every node; distribute() on a worker is refused,
-- on the coordinator it distributes, and again it does nothing.
SELECT count(*) AS workers FROM pg_catalog.citus_get_active_worker_nodes();
CREATE EXTENSION event_catalog;
SELECT result FROM run_command_on_workers($$SELECT extversion FROM pg_extension WHERE extname = 'event_catalog'$$);
SELECT result FROM run_command_on_workers($$SELECT event_catalog.distribute()$$);
SET client_min_messages = warning;
SELECT event_catalog.distribute();
SELECT event_catalog.distribute();
RESET client_min_messages;
SELECT logicalrelid, partmethod, partkey IS NULL AS reference,
	   colocationid = (SELECT colocationid FROM pg_dist_partition
					   WHERE logicalrelid = 'event_catalog.events'::regclass) AS colocated
FROM pg_catalog.pg_dist_partition
WHERE logicalrelid::text LIKE 'event_catalog.%'
ORDER BY logicalrelid::text;
-- every coordinator session loads the library at its start (README, Set
-- up): its COPY hook must see the first COPY of a session
ALTER DATABASE postgres SET session_preload_libraries = 'event_catalog';
