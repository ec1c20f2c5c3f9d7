#!/usr/bin/env bash
# pg_build.sh TARBALL: builds the PostgreSQL source in TARBALL (for instance
# ../shared/vendor/postgresql-18.3.tar.gz) once, into a cache directory
# outside the repository that later runs on the same machine reuse, and
# prints the path of its pg_config.  The server comes with what PGXS needs
# to run our suites: pg_regress, pg_isolation_regress and the TAP modules.
#
# Cache: $EC_PG_CACHE, else /var/cache/event_catalog as root, else
# ${XDG_CACHE_HOME:-$HOME/.cache}/event_catalog.  A build is reused only when
# its marker file is there, written after a complete install; a half-finished
# one is removed and redone.  Progress goes to stderr, the build's output to
# build.log beside the install.
set -euo pipefail

tarball=$1
name=$(basename "$tarball" .tar.gz)	# postgresql-18.3
if [ "$(id -u)" -eq 0 ]; then
	cache=${EC_PG_CACHE:-/var/cache/event_catalog}
else
	cache=${EC_PG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/event_catalog}
fi
prefix=$cache/$name
marker=$prefix/.event_catalog_build_complete

say() { printf '==> %s\n' "$*" >&2; }

mkdir -p "$cache"
# one build at a time per cache (two CI runs on the same machine)
exec 9>"$cache/$name.lock"
flock 9

if [ -f "$marker" ] && [ -x "$prefix/bin/pg_config" ]; then
	echo "$prefix/bin/pg_config"
	exit 0
fi

# build tools; IPC::Run for the TAP tests
need=""
for tool in bison flex gcc make perl; do
	command -v "$tool" >/dev/null || need=1
done
perl -MIPC::Run -e 1 2>/dev/null || need=1
for dev in readline zlib; do
	[ -n "$(ls /usr/include/$dev* /usr/include/*/$dev* 2>/dev/null)" ] || need=1
done
if [ -n "$need" ]; then
	say "installing the tools to build $name (apt-get)"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		bison flex gcc make perl libreadline-dev zlib1g-dev libipc-run-perl >/dev/null
fi

say "building $name into $prefix (once; later runs reuse it)"
start=$(date +%s)
rm -rf "$prefix"
mkdir -p "$prefix"
src=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$src"' EXIT
log=$prefix/build.log
umask 022	# readable by the postgres user that runs the clusters
tar xzf "$tarball" -C "$src"
(
	cd "$src/$name"
	./configure --prefix="$prefix" --without-icu --enable-tap-tests
	make -j"$(nproc)"
	make install
	# what PGXS's installcheck needs; part of make install on recent
	# releases, repeated here to fail early if one goes missing
	make -C src/test/regress install
	make -C src/test/isolation install
	make -C src/test/perl install
) >"$log" 2>&1 || { tail -n 50 "$log" >&2; say "building $name failed (log: $log)"; exit 1; }
pgxs=$("$prefix/bin/pg_config" --pgxs)
pgxs_dir=$(dirname "$(dirname "$(dirname "$pgxs")")")
for f in src/test/regress/pg_regress src/test/isolation/pg_isolation_regress \
		src/test/perl/PostgreSQL/Test/Cluster.pm; do
	[ -e "$pgxs_dir/$f" ] || { say "building $name: $pgxs_dir/$f is missing"; exit 1; }
done
echo "built in $(( $(date +%s) - start )) s on $(date -u +%FT%TZ)" >"$marker"
say "$name built in $(( $(date +%s) - start )) s"
echo "$prefix/bin/pg_config"
