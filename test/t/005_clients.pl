# 005_clients.pl: event_catalog through real client drivers, as
# applications and loaders use it: Python's psycopg2 (Debian's
# python3-psycopg2) and Node's pg with pg-copy-streams (installed from npm
# into test/clients/node_modules when missing).  Each client COPYs an
# NDJSON feed with a malformed line, an invalid event, a duplicate and a
# blank line with quarantine on and reads load_report(); calls track_batch,
# track_batch_raw and track_raw and checks every per-input result; catches
# an on_invalid = error failure and parses the JSON problem list in its
# detail.  The scripts print TAP; this test runs each in its own database.
# The Node part is skipped, with one line saying why, only when npm cannot
# install the two packages.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $clients = 'test/clients';

my $node = PostgreSQL::Test::Cluster->new('clients');
$node->init;
$node->start;

# run a client script in a new database with the extension; its output
# goes to the log, its exit status is the result
sub run_client
{
	my ($db, @cmd) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION event_catalog');
	local $ENV{PGHOST} = $node->host;
	local $ENV{PGPORT} = $node->port;
	local $ENV{PGDATABASE} = $db;
	my ($out, $err) = ('', '');
	my $ok = IPC::Run::run(\@cmd, '>', \$out, '2>', \$err);
	note($out);
	diag($err) if $err ne '';
	diag($out) unless $ok;
	return ($ok, $out);
}

my ($ok, $out) = run_client('py', '/usr/bin/python3', "$clients/clients.py");
ok($ok, 'psycopg2: COPY and load_report, track_batch, track_batch_raw, track_raw, the JSON error detail');
like($out, qr/^1\.\.\d+$/m, 'psycopg2: the script ran to the end');

SKIP:
{
	my $npm_out = '';
	if (!-d "$clients/node_modules/pg-copy-streams")
	{
		my $cache = "${PostgreSQL::Test::Utils::tmp_check}/npm-cache";
		IPC::Run::run([ 'npm', 'ci', '--no-audit', '--no-fund', '--cache', $cache, '--prefix', $clients ],
			'>&', \$npm_out);
	}
	skip("npm could not install pg and pg-copy-streams into $clients/node_modules: "
		  . (split /\n/, $npm_out)[-1], 2)
	  unless -d "$clients/node_modules/pg-copy-streams";

	($ok, $out) = run_client('js', 'node', "$clients/clients.js");
	ok($ok, 'node-postgres: COPY with pg-copy-streams and load_report, track_batch, track_batch_raw, track_raw, the JSON error detail');
	like($out, qr/^1\.\.\d+$/m, 'node-postgres: the script ran to the end');
}

$node->stop;
done_testing();
