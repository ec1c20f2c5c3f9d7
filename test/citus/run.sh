#!/usr/bin/env bash
# test/citus/run.sh: the Citus suite.  Starts a coordinator and two
# workers on loopback with Citus (installed, or built once from the
# vendored source; test/citus/lib.sh), installs event_catalog on the
# coordinator, and runs through the coordinator:
#   - pg_regress: test/citus/sql/NAME.sql against test/citus/expected/
#   - the scripts test/citus/t/*.sh (each prints "NAME ... ok|FAILED")
# Prints pg_regress-style result lines for test/run.sh to count.  When
# Citus cannot be had it prints one line "citus suite skipped: <why>" and
# exits 0.  Usage: run.sh WORKDIR [PORT]
set -uo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/test/lib.sh"
. "$repo/test/citus/lib.sh"

work=${1:?usage: run.sh WORKDIR [PORT]}
mkdir -p "$work"
chmod 755 "$work"

if ! why=$(ec_citus_ensure "$repo"); then
	echo "citus suite skipped: $why"
	exit 0
fi

port=$(ec_free_port "${2:-5520}")
# three ports in a row
while [ "$(ec_free_port $((port + 1)))" != $((port + 1)) ] || [ "$(ec_free_port $((port + 2)))" != $((port + 2)) ]; do
	port=$(ec_free_port $((port + 3)))
done
cleanup() {
	ec_citus_cluster_stop "$work/citus" immediate
}
trap cleanup EXIT

ec_log "Citus suite: coordinator and two workers on ports $port-$((port + 2))"
if ! ec_citus_cluster_start "$work/citus" "$port"; then
	echo "citus cluster ... FAILED"
	exit 1
fi

status=0
export EC_CITUS_DIR EC_CITUS_PORT EC_PG_BIN EC_REPO=$repo
# 1. pg_regress through the coordinator
# citus_setup first (it creates the extension and distributes), then the rest
tests="citus_setup $(cd "$repo/test/citus/sql" && ls *.sql | sed 's/\.sql$//' | grep -vx citus_setup | sort | tr '\n' ' ')"
mkdir -p "$work/citus_regress"
[ "$(id -u)" -eq 0 ] && chown postgres "$work/citus_regress"
"$EC_PGXS_DIR/src/test/regress/pg_regress" --inputdir="$repo/test/citus" \
	--outputdir="$work/citus_regress" \
	--host="$EC_CITUS_DIR/n0" --port="$port" --user=postgres --use-existing --dbname=postgres \
	$tests 2>&1 | sed 's/^\(test\|ok\|not ok\)/citus \1/'
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
	status=1
	[ -f "$work/citus_regress/regression.diffs" ] && cat "$work/citus_regress/regression.diffs"
fi

# 2. scripts
for t in "$repo"/test/citus/t/*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	if bash "$t" >"$work/citus_$name.out" 2>&1; then
		echo "citus $name ... ok"
	else
		echo "citus $name ... FAILED"
		cat "$work/citus_$name.out"
		status=1
	fi
done
exit $status
