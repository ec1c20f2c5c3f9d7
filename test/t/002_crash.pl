# 002_crash.pl: the server is killed (immediate stop) in the middle of a
# load; after the restart the committed loads are whole and the load that
# was in flight left nothing: no event, no quarantined line, no profile, no
# episode, no duplicate count.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf('postgresql.conf', "fsync = on\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION event_catalog');

my $batch = sub {
	my ($tenant, $n) = @_;
	return qq{
		INSERT INTO event_catalog.events (payload)
		SELECT jsonb_build_object('tenant', $tenant, 'timestamp', '2026-06-09T10:00:00Z',
			'event', CASE WHEN i % 10 = 0 THEN 'ootb_self_exclusion_initiated' ELSE 'ootb_user_details_update' END,
			'customer', 'c' || i,
			'context', CASE WHEN i % 10 = 0 THEN '{}'::jsonb
							ELSE jsonb_build_object('ootb_email', 'c' || i || '\@example.com') END)
		FROM generate_series(1, $n) i;
	};
};

# two committed loads
$node->safe_psql('postgres', $batch->(1, 2000));
$node->safe_psql('postgres', $batch->(2, 2000));

# a third in an open transaction, with quarantined lines and duplicates,
# then the server dies
my $bg = $node->background_psql('postgres');
$bg->query_safe('BEGIN');
$bg->query_safe($batch->(3, 2000));
$bg->query_safe(q{SET event_catalog.on_invalid = quarantine});
$bg->query_safe(q{INSERT INTO event_catalog.events (raw_line) VALUES ('garbage'), ('{"tenant": 1, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_user_details_update", "customer": "c1", "context": {"ootb_email": "c1@example.com"}}')});
is($bg->query_safe(q{SELECT count(*) FROM event_catalog.events WHERE tenant = 3}), '2000', 'the in-flight load is there before the crash');
$node->stop('immediate');
$bg->quit;
$node->start;

is($node->safe_psql('postgres', q{SELECT string_agg(tenant || ':' || n, ' ' ORDER BY tenant)
	FROM (SELECT tenant, count(*) AS n FROM event_catalog.events GROUP BY tenant) x}),
	'1:2000 2:2000', 'committed loads are whole, the uncommitted one is gone');
is($node->safe_psql('postgres', q{SELECT string_agg(tenant || ':' || n, ' ' ORDER BY tenant)
	FROM (SELECT tenant, count(*) AS n FROM event_catalog.customers GROUP BY tenant) x}),
	'1:1800 2:1800', 'profiles of the committed loads only');
is($node->safe_psql('postgres', q{SELECT string_agg(tenant || ':' || n, ' ' ORDER BY tenant)
	FROM (SELECT tenant, count(*) AS n FROM event_catalog.self_exclusions GROUP BY tenant) x}),
	'1:200 2:200', 'episodes of the committed loads only');
is($node->safe_psql('postgres', q{SELECT count(*) FROM event_catalog.rejected_events}), '0', 'no quarantine left behind');
is($node->safe_psql('postgres', q{SELECT count(*) FROM event_catalog.duplicate_counts}), '0', 'no duplicate count left behind');
is($node->safe_psql('postgres', q{SELECT count(*) FROM event_catalog.consent_log WHERE tenant = 3}), '0', 'no consent history left behind');

# and the database works on: the lost load can be sent again
$node->safe_psql('postgres', $batch->(3, 2000));
is($node->safe_psql('postgres', q{SELECT count(*) FROM event_catalog.customers WHERE tenant = 3}), '1800', 'the load succeeds after the restart');

$node->stop;
done_testing();
