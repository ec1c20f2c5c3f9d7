# 003_concurrent_loads.pl: test/stress/concurrent_loads.py against a fresh
# server: 200 trials of 2 to 4 sessions loading overlapping samples of one
# feed at once (quarantine on, 30% User Details Updates, self-exclusion
# events, duplicates, invalid and unreadable lines), each compared with a
# serial load of the same samples; then transactions of several track()
# calls on shared customers from 4 sessions, retried on deadlock_detected
# as the README says.  No load may fail, every end state must equal the
# serial one.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use File::Basename;

my $node = PostgreSQL::Test::Cluster->new('concurrent');
$node->init;
$node->append_conf('postgresql.conf', "fsync = off\nmax_connections = 20\n");
$node->start;

$ENV{PGHOST} = $node->host;
$ENV{PGPORT} = $node->port;
my $script = dirname(__FILE__) . '/../stress/concurrent_loads.py';
my ($stdout, $stderr);
my $ok = IPC::Run::run(['/usr/bin/python3', $script, '200', '4', '10'], '>', \$stdout, '2>', \$stderr);
note($stdout);
diag($stderr) if $stderr ne '';
ok($ok, 'concurrent loads end in the serial state without a failed load');
like($stdout, qr/concurrent COPY: 200 trials of 2 to 4 sessions, 0 failed loads, 0 trials differing/, 'no failed COPY in 200 trials');
like($stdout, qr/track\(\) transactions: .* 0 transactions failed, 0 trials differing/, 'every retried transaction commits');

$node->stop;
done_testing();
