# 001_dump_restore.pl: pg_dump and restore into a new database keep the
# user-defined catalog entries, the events, the quarantine (with the load
# and line of each row), the duplicate counts, the loads and the API
# writes; the restore itself is not recorded as a load, and new loads get
# ids after the restored ones; profiles and self-exclusion episodes come back
# identical, rebuilt from them.  Every stored event comes back whatever the
# catalog and settings are at restore time (events accepted as unknown,
# events of a type redefined since), and what the operator added to the
# extension's tables comes back too: an index on events, a customers column
# with its values, tenant isolation.
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
	RESET event_catalog.on_invalid;

	-- accepted once under other settings, or under a definition since changed
	SET event_catalog.unknown_events = accept;
	SELECT event_catalog.track('{"tenant": 1, "timestamp": "2026-06-05T00:00:00Z", "event": "partner_ping", "customer": "c7"}');
	RESET event_catalog.unknown_events;
	SELECT event_catalog.define_event('{"event": "vip_update", "requires_customer": true,
		"params": [{"key": "tier", "type": "string", "profile_attribute": "vip_tier"},
				   {"key": "since", "type": "date", "requirement": "mandatory"}]}');

	-- what the operator adds to the extension's tables
	CREATE INDEX events_by_customer_idx ON event_catalog.events (tenant, customer_id, occurred_at);
	ALTER TABLE event_catalog.customers ADD COLUMN loyalty integer;
	SELECT event_catalog.build_profile_functions();
	SELECT count(*) FROM event_catalog.upsert_customers(1, '[{"customer_id": "c8", "attributes": {"loyalty": 40}}]');
	CREATE ROLE dump_tenant1 IN ROLE event_catalog_reader;
	INSERT INTO event_catalog.tenant_roles VALUES ('dump_tenant1', 1);
	SELECT event_catalog.enable_tenant_isolation();
});

# an event type with stored events cannot be dropped
my ($ret, $out, $err) = $node->psql('src', q{SELECT event_catalog.drop_event('vip_update')});
like($err, qr/cannot drop event "vip_update": stored events use it/, 'drop_event refuses a type with stored events');

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
		(SELECT string_agg(concat_ws(',', customer_id, code), '|' ORDER BY 1) FROM event_catalog.self_exclusion_anomalies),
		(SELECT string_agg(customer_id || '=' || loyalty, ',' ORDER BY customer_id) FROM event_catalog.customers WHERE loyalty IS NOT NULL),
		(SELECT string_agg(pg_get_indexdef(indexrelid), ',' ORDER BY 1) FROM pg_index WHERE indrelid = 'event_catalog.events'::regclass),
		(SELECT count(*) || ' policies' FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
		 WHERE c.relnamespace = 'event_catalog'::regnamespace),
		(SELECT string_agg(kind || ':' || name, ',' ORDER BY kind, name) FROM event_catalog.operator_ddl))
};
my $before = $node->safe_psql('src', $state_sql);

my $dump = $node->basedir . '/src.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('src'), '-f', $dump ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE dst');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('dst'), $dump ], 'pg_restore');
my $after = $node->safe_psql('dst', $state_sql);

is($after, $before, 'catalog entries, events, quarantine, counts, loads, API writes, profiles, episodes and operator objects survive');
like($before, qr/"invalid_json": 1/, 'the state compared holds a load with a quarantined line');
like($before, qr/vip_update/, 'the state compared holds the custom event');
like($before, qr/c3,1,active/, 'the state compared holds an episode');
like($before, qr/c8=40/, 'the state compared holds the operator\'s column with its value');
like($before, qr/events_by_customer_idx/, 'the state compared holds the operator\'s index');
like($before, qr/\n1[0-9] policies\n/, 'the state compared holds the tenant isolation policies');
like($before, qr/\n\d+ events /, 'the state compared counts the events');
is($node->safe_psql('dst', q{SELECT count(*) FROM event_catalog.events WHERE event_key IN ('partner_ping', 'vip_update')}),
	'2', 'events accepted as unknown, and of a type redefined since, are restored');

# isolation holds in the restored database
is($node->safe_psql('dst', q{SET ROLE dump_tenant1; SELECT count(DISTINCT tenant) FROM event_catalog.events}), '1',
	'a role bound to one tenant sees only it after the restore');

# the restored database works: new events, duplicates of old ones
is($node->safe_psql('dst', q{SELECT event_catalog.track('{"tenant": 1, "timestamp": "2026-06-04T00:00:00Z", "event": "ootb_login", "customer": "c5", "context": {"device": "pixel"}}')
	= (SELECT max(event_id) FROM event_catalog.events WHERE event_key = 'ootb_login')}), 't',
	'a duplicate of a restored event is recognised');
is($node->safe_psql('dst', q{SELECT event_catalog.track('{"tenant": 1, "timestamp": "2026-07-01T00:00:00Z", "event": "vip_update", "customer": "c5", "context": {"tier": "platinum", "since": "2026-07-01"}}') > 0}),
	't', 'the restored catalog validates new events');

my $max_load = $node->safe_psql('dst', 'SELECT max(load_id) FROM event_catalog.loads');
is($node->safe_psql('dst', qq{
	INSERT INTO event_catalog.events (payload) VALUES
	('{"tenant": 1, "timestamp": "2026-07-02T00:00:00Z", "event": "ootb_login", "customer": "c9"}');
	SELECT event_catalog.last_load_id() > $max_load}),
	't', 'a new load after the restore gets an id after the restored ones');

$node->stop;
done_testing();
