-- Profile upkeep, API writes, deletes, erasure, contact checks and tenant
-- isolation through the coordinator: the PL/pgSQL triggers on the shards
-- read the colocated shards, the API functions run as on one node.
\set VERBOSITY terse
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 800, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_user_details_update", "customer": "u1", "context": {"ootb_email": "u1@example.com", "ootb_allow_email": "Yes"}}'),
  ('{"tenant": 800, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_user_details_update", "customer": "u2", "context": {"ootb_email": "u2@example.com", "ootb_allow_email": "No"}}'),
  ('{"tenant": 800, "timestamp": "2026-06-09T10:01:00Z", "event": "ootb_self_exclusion_initiated", "customer": "x1", "context": {"ootb_exclusion_type": 0}}');
-- API writes: one customer, then a batch with an invalid element
SELECT event_catalog.upsert_customer(800, 'u1', '{"city": "Rome"}');
SELECT event_catalog.upsert_customer(800, 'u1', '{"city": "Rome"}');
SELECT * FROM event_catalog.upsert_customers(800,
  '[{"customer_id": "u3", "attributes": {"email": "u3@example.com", "allow_email": "Yes"}},
    {"customer_id": "u4", "attributes": {"allow_sms": "maybe"}}]');
SELECT event_catalog.upsert_customer(800, 'u4', '{"allow_sms": "maybe"}');
SELECT customer_id, email, allow_email, city FROM event_catalog.customers WHERE tenant = 800 ORDER BY 1;
SELECT customer_id, count(*) AS consent_rows FROM event_catalog.consent_log WHERE tenant = 800 GROUP BY 1 ORDER BY 1;
-- contact checks (u1 opted in: true; u2 opted out; x1 excluded)
SELECT event_catalog.can_contact(800, 'u1', 'email') AS u1, event_catalog.can_contact(800, 'u2', 'email') AS u2,
	   event_catalog.can_contact(800, 'u3', 'email') AS u3, event_catalog.is_self_excluded(800, 'x1') AS x1_excluded;
SELECT customer_id FROM event_catalog.contactable_customers(800, 'email') ORDER BY 1;
SELECT event_catalog.can_contact(800, 'u1', 'fax');
-- a deleted event: its customer recomputed from what remains (the API write)
DELETE FROM event_catalog.events WHERE tenant = 800 AND customer_id = 'u1';
SELECT customer_id, email, allow_email, city FROM event_catalog.customers WHERE tenant = 800 AND customer_id = 'u1';
SELECT count(*) AS u1_consent_rows FROM event_catalog.consent_log WHERE tenant = 800 AND customer_id = 'u1';
-- erasure: everything of u3; of x1 the exclusion in force is kept
SELECT * FROM event_catalog.erase_customer(800, 'u3');
SELECT * FROM event_catalog.erase_customer(800, 'x1');
SELECT count(*) AS u3_rows FROM event_catalog.customers WHERE tenant = 800 AND customer_id = 'u3';
SELECT event_catalog.is_self_excluded(800, 'x1') AS x1_still_excluded;

-- a writer role through the coordinator (roles reach the workers; tenant
-- isolation: citus_tenants)
SET client_min_messages = warning;
CREATE ROLE regress_c800_w LOGIN IN ROLE event_catalog_writer;
RESET client_min_messages;
SET ROLE regress_c800_w;
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 800, "timestamp": "2026-06-09T12:00:00Z", "event": "ootb_login", "customer": "u5"}');
SELECT event_catalog.track('{"tenant": 800, "timestamp": "2026-06-09T12:01:00Z", "event": "ootb_login", "customer": "u5"}') > 0 AS tracked;
COPY event_catalog.events (raw_line) FROM STDIN;
{"tenant": 800, "timestamp": "2026-06-09T12:02:00Z", "event": "ootb_login", "customer": "u5"}
\.
SELECT event_catalog.upsert_customer(800, 'u5', '{"city": "Oslo"}');
-- a writer reads no internals and cannot write the quarantine
INSERT INTO event_catalog.rejected_events (tenant, problems, rejected_by) VALUES (800, '[]', 'me');
RESET ROLE;
SELECT count(*) AS u5_events, min(customer_id) FROM event_catalog.events WHERE tenant = 800 AND customer_id = 'u5';
SELECT city FROM event_catalog.customers WHERE tenant = 800 AND customer_id = 'u5';

-- a shard move, and a split of the moved shard, keep the loaders' column
-- privileges (each new shard gets them on its worker as it is created):
-- the writer loads into the new placements without distribute()
SELECT format('%s %s %s', p.shardid, p.nodeport,
			  (SELECT n.nodeport FROM pg_dist_node n WHERE n.groupid > 0 AND n.nodeport <> p.nodeport LIMIT 1)) AS move
FROM pg_dist_shard_placement p
WHERE p.shardid = get_shard_id_for_distribution_column('event_catalog.events', 'u7') \gset
SELECT split_part(:'move', ' ', 1)::bigint AS shard, split_part(:'move', ' ', 2)::int AS from_port,
	   split_part(:'move', ' ', 3)::int AS to_port \gset
SELECT citus_move_shard_placement(:shard, '127.0.0.1', :from_port, '127.0.0.1', :to_port,
								  shard_transfer_mode => 'block_writes') IS NOT NULL AS moved;
SET ROLE regress_c800_w;
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 800, "timestamp": "2026-06-09T12:10:00Z", "event": "ootb_login", "customer": "u7"}');
SELECT event_catalog.track('{"tenant": 800, "timestamp": "2026-06-09T12:11:00Z", "event": "ootb_login", "customer": "u7"}') > 0 AS tracked;
COPY event_catalog.events (raw_line) FROM STDIN;
{"tenant": 800, "timestamp": "2026-06-09T12:12:00Z", "event": "ootb_login", "customer": "u7"}
\.
RESET ROLE;
-- the moved shard split in two, one half on each worker
SELECT citus_split_shard_by_split_points(:shard,
	ARRAY[((s.shardminvalue::bigint + s.shardmaxvalue::bigint) / 2)::text],
	ARRAY[(SELECT nodeid FROM pg_dist_node WHERE nodeport = :from_port),
		  (SELECT nodeid FROM pg_dist_node WHERE nodeport = :to_port)],
	shard_transfer_mode => 'block_writes') IS NOT NULL AS split
FROM pg_dist_shard s WHERE s.shardid = :shard;
SET ROLE regress_c800_w;
INSERT INTO event_catalog.events (payload) VALUES
  ('{"tenant": 800, "timestamp": "2026-06-09T12:13:00Z", "event": "ootb_login", "customer": "u7"}');
RESET ROLE;
SELECT count(*) AS u7_events FROM event_catalog.events WHERE tenant = 800 AND customer_id = 'u7';
