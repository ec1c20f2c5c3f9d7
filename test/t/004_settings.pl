# 004_settings.pl: with the library preloaded as the README says
# (ALTER DATABASE ... SET session_preload_libraries = 'event_catalog'), a
# misspelt setting name or value is an error at SET time in every new
# session, before anything of event_catalog ran in it.  Without the
# preload, PostgreSQL keeps the unknown setting as a placeholder until the
# library loads (then warns): the README's reason for the preload.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('settings');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE plain');
$node->safe_psql('postgres', q{CREATE EXTENSION event_catalog});
$node->safe_psql('postgres', q{ALTER DATABASE postgres SET session_preload_libraries = 'event_catalog'});

my ($ret, $out, $err);

($ret, $out, $err) = $node->psql('postgres', q{SET event_catalog.on_invalid = quarantined});
isnt($ret, 0, 'a misspelt value is refused at SET time');
like($err, qr/invalid value for parameter "event_catalog.on_invalid": "quarantined"/, 'the error names the value');

($ret, $out, $err) = $node->psql('postgres', q{SET event_catalog.on_invlid = quarantine});
isnt($ret, 0, 'a misspelt name is refused at SET time');
like($err, qr/event_catalog.on_invlid/, 'the error names the setting');

($ret, $out, $err) = $node->psql('postgres', q{SET event_catalog.on_invalid = quarantine; SHOW event_catalog.on_invalid});
is($out, 'quarantine', 'a right setting is taken');

# without the preload the name is a placeholder until the library loads
($ret, $out, $err) = $node->psql('plain', q{SET event_catalog.on_invlid = quarantine});
is($ret, 0, 'without the preload, PostgreSQL accepts an unknown name of a library not yet loaded');

$node->stop;
done_testing();
