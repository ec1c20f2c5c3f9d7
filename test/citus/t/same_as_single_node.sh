#!/usr/bin/env bash
# The same feed on a single node and through the Citus coordinator gives
# the same state (a property test over a generated feed), with concurrent
# loads and a shard move between loads on the cluster:
#  - the feed: events of every kind (profile updates, registrations,
#    self-exclusions), visitor-only events, duplicate lines, invalid events
#    (unknown event, bad customer) and lines that are not JSON;
#  - single node: database "single" on the coordinator's server (no Citus
#    in it), the feed loaded three times, one after the other;
#  - cluster: two loads of the feed at once through the coordinator (both
#    must commit), then an events shard group moved to the other worker,
#    then the third load;
#  - then track_batch_raw of the feed's first lines (as another tenant),
#    twice: the same result row per input on both;
#  - compared: events, quarantine (with each line's number in the file and
#    the load it names), duplicate counts, customers, consent
#    history, self-exclusion episodes and anomalies, without the columns
#    that depend on ids or arrival (event ids, load ids, received_at, ...).
# Run by test/citus/run.sh with EC_CITUS_DIR, EC_CITUS_PORT, EC_PG_BIN, EC_REPO.
set -euo pipefail
. "$EC_REPO/test/lib.sh"
. "$EC_REPO/test/citus/lib.sh"

work=$EC_CITUS_DIR/same_as_single_node
mkdir -p "$work"
chmod 777 "$work"
feed=$work/feed.ndjson
lines=${EC_CITUS_FEED_EVENTS:-4000}

ec_citus_psql 0 -d postgres -c "CREATE DATABASE single" >/dev/null
single() { EC_CITUS_DB=single ec_citus_psql 0 "$@"; }
cluster() { ec_citus_psql 0 "$@"; }

single -c "CREATE EXTENSION event_catalog" -f "$EC_REPO/test/bench/generate.sql" >/dev/null
# the feed, in a fixed order: generated events, every 10th line again,
# every 97th with an unknown event, every 89th with a bad customer, every
# 101st a line that is not JSON, every 53rd from a visitor only
# tenant 5670: the rows of this test, apart from those of the other tests
single -c "CREATE TABLE feed_events AS
	SELECT i, jsonb_set(payload, '{tenant}', '5670') AS payload
	  FROM bench_events($lines, 300, true) WITH ORDINALITY AS b(payload, i)" >/dev/null
single -c "COPY (
	SELECT line FROM (
		SELECT i, 0 AS k, b.payload::text AS line
		  FROM feed_events b
		UNION ALL
		SELECT i, 1, b.payload::text FROM feed_events b WHERE i % 10 = 0
		UNION ALL
		SELECT i, 2, jsonb_set(b.payload, '{event}', '\"ootb_no_such_event\"')::text
		  FROM feed_events b WHERE i % 97 = 0
		UNION ALL
		SELECT i, 3, jsonb_set(b.payload, '{customer}', '42')::text
		  FROM feed_events b WHERE i % 89 = 0
		UNION ALL
		SELECT i, 4, '{\"tenant\": 5670, \"event\": ' || i FROM generate_series(1, $lines) i WHERE i % 101 = 0
		UNION ALL
		SELECT i, 5, jsonb_build_object('tenant', 5670, 'timestamp', '2026-02-01T10:00:00Z', 'event', 'ootb_login',
										'visitor', 'visitor-' || (i % 50))::text
		  FROM generate_series(1, $lines) i WHERE i % 53 = 0
	) f ORDER BY i, k
) TO '$feed' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')" >/dev/null
echo "feed: $(wc -l <"$feed") lines"

# the load: the README's COPY, quarantine on for the session (a plain SET
# on the coordinator reaches the workers)
load() {
	"$@" -c "SET event_catalog.on_invalid = quarantine" \
		-c "\copy event_catalog.events (raw_line) FROM '$feed' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')"
}

# single node: three loads in a row
for n in 1 2 3; do
	load single >/dev/null
done

# cluster: two loads at once, both must commit
cluster -c "CREATE EXTENSION event_catalog" -c "SET client_min_messages = warning" \
	-c "SELECT event_catalog.distribute()" >/dev/null 2>&1 || true
load cluster >"$work/load1.out" 2>&1 &
p1=$!
load cluster >"$work/load2.out" 2>&1 &
p2=$!
fail=0
wait $p1 || { echo "concurrent load 1 failed:"; cat "$work/load1.out"; fail=1; }
wait $p2 || { echo "concurrent load 2 failed:"; cat "$work/load2.out"; fail=1; }
[ $fail -eq 0 ] || exit 1
echo "two concurrent loads committed"

# move the shard group of one customer's events to the other worker
moved=$(cluster -At -c "
	SELECT format('%s %s %s', p.shardid, p.nodeport, (SELECT n.nodeport FROM pg_dist_node n
	                                                   WHERE n.groupid > 0 AND n.nodeport <> p.nodeport LIMIT 1))
	  FROM pg_dist_shard_placement p
	 WHERE p.shardid = get_shard_id_for_distribution_column('event_catalog.events', 'customer-0000007')")
read -r shard from to <<<"$moved"
cluster -c "SELECT citus_move_shard_placement($shard, '127.0.0.1', $from, '127.0.0.1', $to, shard_transfer_mode => 'block_writes')" >/dev/null
echo "moved the shard group of shard $shard from port $from to $to"
load cluster >/dev/null
echo "third load after the move committed"

# the state of tenant 5670, without what depends on ids or arrival
state_sql="
SELECT 'events', count(*), md5(string_agg(r, E'\n' ORDER BY r)) FROM (
	SELECT (to_jsonb(t) - ARRAY['event_id', 'received_at', 'person_key', 'routed_load_id', 'routed_line'])::text AS r FROM event_catalog.events t WHERE tenant = 5670) s
UNION ALL
SELECT 'rejected_events', count(*), md5(string_agg(r, E'\n' ORDER BY r)) FROM (
	SELECT (to_jsonb(t) - ARRAY['rejected_id', 'rejected_at', 'load_id', 'person_key'])::text AS r
	  FROM event_catalog.rejected_events t
	 WHERE tenant = 5670 OR raw_line LIKE '{\"tenant\": 5670,%') s
UNION ALL
SELECT 'rejected_events in a load of the feed (load_id: the last_load_id() of the COPY)', count(*), ''
  FROM event_catalog.rejected_events t
 WHERE (tenant = 5670 OR raw_line LIKE '{\"tenant\": 5670,%')
   AND t.load_id IN (SELECT l.load_id FROM event_catalog.loads l WHERE l.lines = $(wc -l <"$feed"))
UNION ALL
SELECT 'duplicate_counts', sum(n), md5(string_agg(r, E'\n' ORDER BY r)) FROM (
	SELECT format('%s %s %s', tenant, event_key, sum(duplicates)) AS r, sum(duplicates) AS n
	  FROM event_catalog.duplicate_counts WHERE tenant = 5670 GROUP BY tenant, event_key) s
UNION ALL
SELECT 'customers', count(*), md5(string_agg(r, E'\n' ORDER BY r)) FROM (
	SELECT (to_jsonb(t) - ARRAY['created_at', 'updated_at'])::text AS r FROM event_catalog.customers t WHERE tenant = 5670) s
UNION ALL
SELECT 'consent_log', count(*), md5(string_agg(r, E'\n' ORDER BY r)) FROM (
	SELECT (to_jsonb(t) - ARRAY['event_id', 'update_id'])::text AS r FROM event_catalog.consent_log t WHERE tenant = 5670) s
UNION ALL
SELECT 'self_exclusions', count(*), md5(string_agg(r, E'\n' ORDER BY r)) FROM (
	SELECT (to_jsonb(t) - ARRAY['first_event_id', 'last_event_id'])::text AS r FROM event_catalog.self_exclusions t WHERE tenant = 5670) s
UNION ALL
SELECT 'self_exclusion_anomalies', count(*), md5(string_agg(r, E'\n' ORDER BY r)) FROM (
	SELECT (to_jsonb(t) - ARRAY['event_id'])::text AS r FROM event_catalog.self_exclusion_anomalies t WHERE tenant = 5670) s
UNION ALL
SELECT 'registration_funnel', count(*), md5(string_agg(r::text, E'\n' ORDER BY r::text))
  FROM event_catalog.registration_funnel(5670) r
UNION ALL
SELECT 'consent_summary', count(*), md5(string_agg(r::text, E'\n' ORDER BY r::text))
  FROM event_catalog.consent_summary(5670) r
UNION ALL
SELECT 'self_exclusion_report', count(*), md5(string_agg(r::text, E'\n' ORDER BY r::text))
  FROM event_catalog.self_exclusion_report(5670) r
UNION ALL
SELECT 'validation_report', count(*), md5(string_agg(r::text, E'\n' ORDER BY r::text))
  FROM event_catalog.validation_report(5670) r
UNION ALL
SELECT 'contactable_customers ' || ch, count(*), md5(string_agg(c, ',' ORDER BY c))
  FROM unnest(ARRAY['email', 'sms', 'push', 'whatsapp']) ch,
	   LATERAL (SELECT customer_id FROM event_catalog.contactable_customers(5670, ch)) k(c)
 GROUP BY ch
UNION ALL
SELECT 'can_contact email / is_self_excluded', count(*) FILTER (WHERE event_catalog.can_contact(5670, id, 'email')),
	   (count(*) FILTER (WHERE event_catalog.is_self_excluded(5670, id, '2026-03-01')))::text
  FROM (SELECT 'customer-' || lpad(i::text, 7, '0') FROM generate_series(0, 299) i) k(id)
UNION ALL
SELECT 'load_report of the last load', l.lines, pg_catalog.format('%s %s %s %s %s %s', l.stored, l.stored_with_warnings,
	   l.duplicates, l.quarantined, l.skipped, l.quarantined_by_code)
  FROM event_catalog.load_report((SELECT max(load_id) FROM event_catalog.loads)) l
ORDER BY 1"
single -At -F ' ' -c "$state_sql" >"$work/single.state"
cluster -At -F ' ' -c "$state_sql" >"$work/cluster.state"
cat "$work/single.state"
if ! diff "$work/single.state" "$work/cluster.state"; then
	echo "the cluster's state differs from the single node's"
	exit 1
fi
# nothing empty: the feed exercised every table
if awk '$2 == 0 || $2 == "" { bad = 1 } END { exit !bad }' "$work/single.state"; then
	echo "a table stayed empty: the feed does not exercise it"
	exit 1
fi
echo "same state on the single node and on the cluster"
# track_batch_raw of the feed's first 600 lines as tenant 5671, twice (the
# second time all duplicates): the same result row per input on both, and
# the same events and quarantine (after the state above: on the cluster it
# records no load on the coordinator, as an INSERT)
# (one statement per -c: Citus mishandles BEGIN inside a multi-statement string)
batch() {
	"$@" -At -F ' ' -c "SET citus.propagate_set_commands = local" -c "BEGIN" \
		-c "SET LOCAL event_catalog.on_invalid = quarantine" \
		-c "CREATE TEMP TABLE batch_lines AS
			SELECT array_agg(replace(l, '\"tenant\": 5670', '\"tenant\": 5671') ORDER BY n) AS lines
			  FROM unnest((string_to_array(pg_read_file('$feed'), E'\n'))[1:600]) WITH ORDINALITY AS f(l, n)" \
		-c "CREATE TEMP TABLE batch_results AS
			SELECT 1 AS run, b.* FROM event_catalog.track_batch_raw((SELECT lines FROM batch_lines)) b" \
		-c "INSERT INTO batch_results SELECT 2, b.* FROM event_catalog.track_batch_raw((SELECT lines FROM batch_lines)) b" \
		-c "COMMIT" \
		-c "SELECT 'track_batch_raw run ' || run, count(*),
				   md5(string_agg(format('%s %s %s %s', ordinal, event_id IS NULL, status, problems), E'\n' ORDER BY ordinal))
			  FROM batch_results GROUP BY run
			UNION ALL
			SELECT 'track_batch_raw ' || status, count(*), '' FROM batch_results GROUP BY status
			UNION ALL
			SELECT 'track_batch_raw duplicates with the stored id', count(*), ''
			  FROM batch_results b1 JOIN batch_results b2 USING (ordinal)
			 WHERE b1.run = 1 AND b2.run = 2 AND b1.status LIKE 'stored%' AND b2.event_id = b1.event_id
			UNION ALL
			SELECT 'track_batch_raw events', count(*), md5(string_agg(r, E'\n' ORDER BY r)) FROM (
				SELECT (to_jsonb(t) - ARRAY['event_id', 'received_at', 'person_key', 'routed_load_id', 'routed_line'])::text AS r
				  FROM event_catalog.events t WHERE tenant = 5671) s
			UNION ALL
			SELECT 'track_batch_raw rejected_events', count(*), md5(string_agg(r, E'\n' ORDER BY r)) FROM (
				SELECT (to_jsonb(t) - ARRAY['rejected_id', 'rejected_at', 'load_id', 'line_number', 'person_key'])::text AS r
				  FROM event_catalog.rejected_events t WHERE tenant = 5671 OR raw_line LIKE '{\"tenant\": 5671,%') s
			ORDER BY 1"
}
batch single >"$work/single.batch"
batch cluster >"$work/cluster.batch"
cat "$work/single.batch"
if ! diff "$work/single.batch" "$work/cluster.batch"; then
	echo "track_batch_raw's results on the cluster differ from the single node's"
	exit 1
fi
echo "same track_batch_raw results on the single node and on the cluster"
