-- Shard moves and the rebalancer in Citus's default mode (logical
-- replication: every colocated table needs a replica identity, which
-- distribute() gives the tables without a primary key), per-row
-- functions that read the catalog in queries pushed down to the shards,
-- and a COPY through the coordinator recording its quarantined lines with
-- the coordinator's load and the line's number in the file.  Tenant 870.
SELECT c.relname, c.relreplident
  FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid
 WHERE c.relnamespace = 'event_catalog'::regnamespace AND p.partkey IS NOT NULL
   AND c.relreplident = 'd'
   AND NOT EXISTS (SELECT FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
 ORDER BY 1;
SELECT c.relname, c.relreplident FROM pg_class c
 WHERE c.relnamespace = 'event_catalog'::regnamespace AND c.relname IN ('consent_log', 'self_exclusion_anomalies')
 ORDER BY 1;

CREATE ROLE regress_moves_w LOGIN IN ROLE event_catalog_writer;
SELECT event_catalog.define_event('{"event": "moves_bet", "category": "gaming", "requires_customer": true,
  "params": [{"key": "amount", "type": "number", "requirement": "mandatory"}]}');

-- the load: valid events with profile and consent attributes, a line that
-- is not JSON, a blank line, an invalid event, a duplicate; line numbers
-- as in the file
SET ROLE regress_moves_w;
SET event_catalog.on_invalid = quarantine;
COPY event_catalog.events (raw_line) FROM STDIN;
{"tenant": 870, "timestamp": "2026-06-10T09:00:00Z", "event": "moves_bet", "customer": "m1", "context": {"amount": 5}}
{"tenant": 870, "timestamp": "2026-06-10T09:00:00Z", "event": "ootb_user_details_update", "customer": "m2", "context": {"ootb_city": "Oslo", "ootb_email": "m2@example.com", "ootb_allow_email": "Yes"}}
moves: not json

{"tenant": 870, "timestamp": "2026-06-10T09:01:00Z", "event": "moves_bet", "customer": "m3"}
{"tenant": 870, "timestamp": "2026-06-10T09:00:00Z", "event": "moves_bet", "customer": "m1", "context": {"amount": 5}}
{"tenant": 870, "timestamp": "2026-06-10T09:02:00Z", "event": "moves_bet", "customer": "m4", "context": {"amount": 7}}
{"tenant": 870, "timestamp": "2026-06-10T09:03:00Z", "event": "ootb_user_details_update", "customer": "m5", "context": {"ootb_allow_sms": "No"}}
["moves", 2]
\.
SELECT event_catalog.last_load_id() AS load \gset
RESET ROLE;
-- rejected rows carry the coordinator's load and the file's line numbers
SELECT load_id = :load AS coordinator_load, line_number, problems -> 0 ->> 'code' AS code
  FROM event_catalog.rejected_events
 WHERE tenant = 870 OR raw_line IN ('moves: not json', '["moves", 2]')
 ORDER BY line_number;
SELECT lines, stored, duplicates, quarantined, skipped FROM event_catalog.load_report(:load);

-- per-row catalog functions over a distributed table run on the shards
-- (a new session: its worker backends have not read the catalog)
\c
SELECT customer_id, event_catalog.is_valid_event(payload) AS valid,
	   jsonb_array_length(event_catalog.validate_event(payload)) AS problems
  FROM event_catalog.events WHERE tenant = 870 AND event_key = 'moves_bet' ORDER BY customer_id;
-- a catalog change on the coordinator reaches those worker backends at
-- their next statement
SELECT event_catalog.define_event('{"event": "moves_bet", "category": "gaming", "requires_customer": true,
  "params": [{"key": "amount", "type": "number", "requirement": "mandatory"},
			 {"key": "market", "type": "string", "requirement": "mandatory"}]}');
SELECT customer_id, event_catalog.is_valid_event(payload) AS valid
  FROM event_catalog.events WHERE tenant = 870 AND event_key = 'moves_bet' ORDER BY customer_id;
SELECT event_catalog.define_event('{"event": "moves_bet", "category": "gaming", "requires_customer": true,
  "params": [{"key": "amount", "type": "number", "requirement": "mandatory"}]}');

-- a shard move in the default mode: the shard group of m1 to the other
-- worker
SELECT format('%s %s %s', p.shardid, p.nodeport,
			  (SELECT n.nodeport FROM pg_dist_node n WHERE n.groupid > 0 AND n.nodeport <> p.nodeport LIMIT 1)) AS move
  FROM pg_dist_shard_placement p
 WHERE p.shardid = get_shard_id_for_distribution_column('event_catalog.events', 'm1') \gset
SELECT split_part(:'move', ' ', 1)::bigint AS shard, split_part(:'move', ' ', 2)::int AS from_port,
	   split_part(:'move', ' ', 3)::int AS to_port \gset
SELECT citus_move_shard_placement(:shard, '127.0.0.1', :from_port, '127.0.0.1', :to_port) IS NOT NULL AS moved;
SELECT nodeport = :to_port AS on_the_other_worker FROM pg_dist_shard_placement WHERE shardid = :shard;

-- the writer loads into the new placements (its column privileges came
-- with them), the upkeep works there
SET ROLE regress_moves_w;
COPY event_catalog.events (raw_line) FROM STDIN;
{"tenant": 870, "timestamp": "2026-06-10T10:00:00Z", "event": "ootb_user_details_update", "customer": "m1", "context": {"ootb_city": "Bergen", "ootb_email": "m1@example.com", "ootb_allow_email": "No"}}
{"tenant": 870, "timestamp": "2026-06-10T10:00:00Z", "event": "ootb_user_details_update", "customer": "m1", "context": {"ootb_city": "Bergen", "ootb_email": "m1@example.com", "ootb_allow_email": "No"}}
\.
SELECT event_catalog.track('{"tenant": 870, "timestamp": "2026-06-10T10:01:00Z", "event": "moves_bet", "customer": "m1", "context": {"amount": 1}}') > 0 AS tracked;
RESET ROLE;
SELECT customer_id, city, allow_email FROM event_catalog.customers WHERE tenant = 870 ORDER BY 1;

-- unbalance: two more shard groups to that worker, each in the default
-- mode, then the rebalancer moves them back (again in the default mode)
SET client_min_messages = error;	-- Citus: temporary views stay local
CREATE TEMP VIEW two_moves AS
SELECT format('SELECT citus_move_shard_placement(%s, ''127.0.0.1'', %s, ''127.0.0.1'', %s) IS NOT NULL AS moved',
			  p.shardid, p.nodeport, :to_port)
  FROM pg_dist_shard_placement p JOIN pg_dist_shard s USING (shardid)
 WHERE s.logicalrelid = 'event_catalog.events'::regclass AND p.nodeport = :from_port
 ORDER BY p.shardid LIMIT 2;
CREATE TEMP VIEW spread AS
SELECT max(n) - min(n) AS shard_groups FROM (
	SELECT count(*) AS n FROM pg_dist_shard_placement p JOIN pg_dist_shard s USING (shardid)
	 WHERE s.logicalrelid = 'event_catalog.events'::regclass GROUP BY p.nodeport) c;
RESET client_min_messages;
\set ECHO none
SELECT * FROM two_moves \gexec
\set ECHO all
SELECT shard_groups > 2 AS unbalanced FROM spread;
SET client_min_messages = warning;
SELECT rebalance_table_shards();
RESET client_min_messages;
SELECT shard_groups <= 2 AS balanced FROM spread;
-- the background rebalancer, after two more moves
\set ECHO none
SELECT * FROM two_moves \gexec
\set ECHO all
SELECT shard_groups > 2 AS unbalanced FROM spread;
SET client_min_messages = warning;
SELECT citus_rebalance_start() IS NOT NULL AS started;
SELECT citus_rebalance_wait();
RESET client_min_messages;
SELECT shard_groups <= 2 AS balanced FROM spread;

-- the shard group of unreadable lines (key '') to the other worker: its
-- quarantine rows keep their ids, which that worker draws from a range of
-- its own (no collision with the moved rows)
SELECT format('SELECT citus_move_shard_placement(%s, ''127.0.0.1'', %s, ''127.0.0.1'', %s) IS NOT NULL AS moved',
			  p.shardid, p.nodeport,
			  (SELECT n.nodeport FROM pg_dist_node n WHERE n.groupid > 0 AND n.nodeport <> p.nodeport LIMIT 1))
  FROM pg_dist_shard_placement p
 WHERE p.shardid = get_shard_id_for_distribution_column('event_catalog.events', '') \gset
\set ECHO none
SELECT :'format' \gexec
\set ECHO all
SELECT count(*) > 0 AS unreadable_lines_moved FROM event_catalog.rejected_events WHERE person_key = '';

-- after all that: loads, duplicates, quarantine, upkeep and reads as before
SET ROLE regress_moves_w;
SET event_catalog.on_invalid = quarantine;
COPY event_catalog.events (raw_line) FROM STDIN;
{"tenant": 870, "timestamp": "2026-06-10T11:00:00Z", "event": "ootb_user_details_update", "customer": "m4", "context": {"ootb_city": "Tromso"}}
{"tenant": 870, "timestamp": "2026-06-10T09:02:00Z", "event": "moves_bet", "customer": "m4", "context": {"amount": 7}}
{"tenant": 870, "timestamp": "2026-06-10T11:01:00Z", "event": "moves_bet", "customer": "m5"}
moves: not json again
\.
SELECT event_catalog.last_load_id() AS load \gset
RESET ROLE;
SELECT load_id = :load AS coordinator_load, line_number
  FROM event_catalog.rejected_events
 WHERE load_id = :load AND (tenant = 870 OR raw_line LIKE 'moves:%') ORDER BY line_number;
SELECT lines, stored, duplicates, quarantined FROM event_catalog.load_report(:load);
SELECT customer_id, event_key, count(*) FROM event_catalog.events WHERE tenant = 870 GROUP BY 1, 2 ORDER BY 1, 2;
SELECT customer_id, city, allow_email, allow_sms FROM event_catalog.customers WHERE tenant = 870 ORDER BY 1;
SELECT customer_id, vals FROM event_catalog.consent_log WHERE tenant = 870 ORDER BY customer_id, changed_at;
SELECT event_catalog.can_contact(870, 'm1', 'email') AS m1_email, event_catalog.can_contact(870, 'm2', 'email') AS m2_email;
