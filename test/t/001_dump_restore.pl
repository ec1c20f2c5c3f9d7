# 001_dump_restore.pl: pg_dump and restore into a new database keep the
# user-defined catalog entries, the events, the quarantine (with the load
# and line of each row), the duplicate counts, the loads and the API
# writes; the restore itself is not recorded as a load, and new loads get
# ids after the restored ones; profiles and self-exclusion episodes come back
# identical, rebuilt from them.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', q{
	CREATE EXTENSION event_catalog;
	SELECT event_catalog.define_event('{"event": "vip_update", "requires_customer": true,
		"params": [{"key": "tier", "type": "string", "profile_attribute": "vip_tier"}]}');
	SELECT event_catalog.define_event('{"event": "ootb_login", "params": [{"key": "device", "type": "string"}]}');
	INSERT INTO event_catalog.events (payload)
	SELECT jsonb_build_object('tenant', 1, 'timestamp', '2026-06-0' || (1 + i % 9) || 'T10:00:00Z',
		'event', 'ootb_user_details_update', 'customer', 'c' || (i % 20),
		'context', jsonb_build_object('ootb_email', 'e' || i || '@example.com',
			'ootb_allow_email', CASE WHEN i % 3 = 0 THEN 'No' ELSE 'Yes' END))
	FROM generate_series(1, 200) i;
	INSERT INTO event_catalog.events (payload) VALUES
	('{"tenant": 1, "timestamp": "2026-06-01T00:00:00Z", "event": "ootb_self_exclusion_initiated", "customer": "c3", "context": {"ootb_exclusion_type": 0}}'),
	('{"tenant": 1, "timestamp": "2026-06-02T00:00:00Z", "event": "ootb_self_exclusion_activated", "customer": "c3"}'),
	('{"tenant": 1, "timestamp": "2026-06-03T00:00:00Z", "event": "ootb_self_exclusion_lifted", "customer": "c4"}'),
	('{"tenant": 1, "timestamp": "2026-06-04T00:00:00Z", "event": "vip_update", "customer": "c5", "context": {"tier": "gold"}}'),
	('{"tenant": 1, "timestamp": "2026-06-04T00:00:00Z", "event": "ootb_login", "customer": "c5", "context": {"device": "pixel"}}');
	SELECT event_catalog.track('{"tenant": 1, "timestamp": "2026-06-04T00:00:00Z", "event": "ootb_login", "customer": "c5", "context": {"device": "pixel"}}');
	SET event_catalog.on_invalid = quarantine;
	INSERT INTO event_catalog.events (raw_line) VALUES ('not json');
	SELECT count(*) FROM event_catalog.upsert_customers(1, '[{"customer_id": "c6", "attributes": {"first_name": "Api", "loyalty": 2}}]');
});

# what must survive, as text
my $state_sql = q{
	SELECT concat_ws(E'\n',
		(SELECT string_agg(event_key, ',' ORDER BY event_key) FROM event_catalog.event_types WHERE NOT builtin),
		(SELECT string_agg(event_key || '.' || param_key, ',' ORDER BY 1) FROM event_catalog.event_params WHERE NOT builtin),
		(SELECT count(*) FROM event_catalog.event_params WHERE builtin),
		(SELECT count(*) || ' events ' || max(event_id) FROM event_catalog.events),
		(SELECT count(*) || ' rejected' FROM event_catalog.rejected_events),
		(SELECT string_agg(concat_ws(',', load_id, line_number), '|' ORDER BY rejected_id)
		 FROM event_catalog.rejected_events),
		(SELECT string_agg(concat_ws(',', load_id, loaded_by, lines, stored, duplicates, quarantined,
									 quarantined_by_code), '|' ORDER BY load_id) FROM event_catalog.loads),
		(SELECT sum(duplicates) || ' duplicates' FROM event_catalog.duplicate_counts),
		(SELECT count(*) || ' api writes' FROM event_catalog.customer_updates),
		(SELECT md5(string_agg(c::text, '|' ORDER BY customer_id)) FROM event_catalog.customers c),
		(SELECT md5(string_agg(concat_ws(',', customer_id, attribute, old_value, new_value, changed_at), '|'
							   ORDER BY customer_id, attribute, changed_at, new_value)) FROM event_catalog.customer_changes),
		(SELECT string_agg(concat_ws(',', customer_id, episode, status, requested_at, lifted_at), '|' ORDER BY 1)
		 FROM event_catalog.self_exclusions),
		(SELECT string_agg(concat_ws(',', customer_id, code), '|' ORDER BY 1) FROM event_catalog.self_exclusion_anomalies))
};
my $before = $node->safe_psql('src', $state_sql);

my $dump = $node->basedir . '/src.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('src'), '-f', $dump ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE dst');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('dst'), $dump ], 'pg_restore');
my $after = $node->safe_psql('dst', $state_sql);

is($after, $before, 'catalog entries, events, quarantine, counts, loads, API writes, profiles and episodes survive');
like($before, qr/"invalid_json": 1/, 'the state compared holds a load with a quarantined line');
like($before, qr/vip_update/, 'the state compared holds the custom event');
like($before, qr/c3,1,active/, 'the state compared holds an episode');

# the restored database works: new events, duplicates of old ones
is($node->safe_psql('dst', q{SELECT event_catalog.track('{"tenant": 1, "timestamp": "2026-06-04T00:00:00Z", "event": "ootb_login", "customer": "c5", "context": {"device": "pixel"}}')
	= (SELECT max(event_id) FROM event_catalog.events WHERE event_key = 'ootb_login')}), 't',
	'a duplicate of a restored event is recognised');
is($node->safe_psql('dst', q{SELECT event_catalog.track('{"tenant": 1, "timestamp": "2026-07-01T00:00:00Z", "event": "vip_update", "customer": "c5", "context": {"tier": "platinum"}}') > 0}),
	't', 'the restored catalog validates new events');

my $max_load = $node->safe_psql('dst', 'SELECT max(load_id) FROM event_catalog.loads');
is($node->safe_psql('dst', qq{
	INSERT INTO event_catalog.events (payload) VALUES
	('{"tenant": 1, "timestamp": "2026-07-02T00:00:00Z", "event": "ootb_login", "customer": "c9"}');
	SELECT event_catalog.last_load_id() > $max_load}),
	't', 'a new load after the restore gets an id after the restored ones');

$node->stop;
done_testing();
