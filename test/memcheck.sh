#!/usr/bin/env bash
# memcheck.sh: memory safety (make memcheck).
#   1. Part of the pg_regress suite runs against a server under valgrind;
#      any error reported in event_catalog's code fails the run.  (An
#      AddressSanitizer build was tried first: Debian's PostgreSQL 15 hangs at
#      start-up with the ASan runtime preloaded.)
#   2. Memory does not grow while one statement validates 10 million events:
#      the backend's resident size is sampled during the statement.
# Ends with "N passed, N failed"; the normal build is reinstalled after.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/test/lib.sh"
passed=0
failed=0
ec_install_deps

work=$(mktemp -d /tmp/ec_memcheck.XXXXXX)
chmod 755 "$work"
port=$(ec_free_port 5480)
cleanup() {
	ec_cluster_stop "$work/cluster" immediate
	rm -rf "$work"
}
trap cleanup EXIT

# 1. valgrind: the server runs under valgrind (memcheck), a part of the
#    suite runs against it, and any error whose stack passes through
#    event_catalog.so fails the run.  (PostgreSQL's palloc is not visible to
#    valgrind without a special build, so this checks malloc-level and
#    uninitialised-memory use in our code, not overruns inside a palloc
#    block; errors wholly inside PostgreSQL are not ours and are ignored.)
command -v valgrind >/dev/null || $EC_SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
ec_build_install "$repo" >/dev/null
mkdir -p "$work/cluster" "$work/vg"
chmod 755 "$work/cluster"
chmod 777 "$work/vg"
[ "$(id -u)" -eq 0 ] && chown postgres "$work/cluster"
ec_as_owner "$EC_PG_BIN/initdb" -D "$work/cluster/data" -U postgres --auth=trust -E UTF8 >/dev/null
ec_log "starting the server under valgrind"
ec_as_owner valgrind --quiet --trace-children=yes --error-limit=no --read-var-info=no \
	--num-callers=30 --log-file="$work/vg/vg.%p.log" \
	"$EC_PG_BIN/postgres" -D "$work/cluster/data" -p "$port" -c listen_addresses= \
	-c unix_socket_directories="$work/cluster" -c fsync=off -c max_parallel_workers_per_gather=0 \
	>"$work/cluster/server.log" 2>&1 &
for _ in $(seq 1 120); do
	"$EC_PG_BIN/pg_isready" -q -h "$work/cluster" -p "$port" && break
	sleep 1
done
export PGHOST="$work/cluster" PGPORT=$port PGUSER=postgres
ec_log "pg_regress (setup validate guc hostile ingest profiles self_exclusion json_fast stashed_writes) under valgrind"
( cd "$repo" && make -s installcheck-regress PG_CONFIG="$EC_PG_CONFIG" \
	REGRESS="setup validate guc hostile ingest profiles self_exclusion json_fast stashed_writes" ) >"$work/regress.out" 2>&1
cat "$work/regress.out"
ec_as_owner "$EC_PG_BIN/pg_ctl" -D "$work/cluster/data" -m fast -w -t 300 stop >/dev/null 2>&1
ours=$(grep -l "event_catalog.so" "$work"/vg/vg.*.log 2>/dev/null || true)
if [ -n "$ours" ]; then
	echo "valgrind: errors in event_catalog ... FAILED"
	cat $ours
	failed=$((failed + 1))
elif grep -q "tests passed" "$work/regress.out"; then
	echo "valgrind: no error in event_catalog over the suite ... ok"
	passed=$((passed + 1))
else
	echo "valgrind: pg_regress ... FAILED"
	[ -f "$repo/regression.diffs" ] && cat "$repo/regression.diffs"
	failed=$((failed + 1))
fi
rm -rf "$work/cluster"

# 2. no growth over 10 million validations in one statement
ec_cluster_start "$work/cluster" "$port"
psql -X -q -c "CREATE EXTENSION event_catalog"
PGAPPNAME=ec_memcheck_rss psql -X -q -At -c "SELECT count(*) FROM generate_series(1, 10000000) i
	WHERE event_catalog.is_valid_event(jsonb_build_object('tenant', 1, 'timestamp', '2026-06-09T10:00:00Z',
		'event', 'ootb_user_details_update', 'customer', 'c' || i,
		'context', jsonb_build_object('ootb_email', 'e' || i || '@example.com', 'ootb_allow_email', 'Yes', 'x' || (i % 7), i)))" \
	>"$work/rss_query.out" 2>&1 &
query=$!
pid=
for _ in $(seq 1 20); do
	pid=$(psql -X -At -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'ec_memcheck_rss' AND state = 'active'")
	[ -n "$pid" ] && break
	sleep 0.5
done
samples=()
while kill -0 "$query" 2>/dev/null; do
	rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)
	[ -n "$rss" ] && samples+=("$rss")
	sleep 1
done
wait "$query"
n=${#samples[@]}
if [ "$n" -ge 4 ]; then
	early=${samples[$((n / 4))]}
	late=${samples[$((n - 1))]}
	growth=$((late - early))
	echo "resident size of the validating backend: ${early} kB at a quarter, ${late} kB at the end (${n} samples)"
	if [ "$growth" -lt 10240 ] && grep -q '^10000000$' "$work/rss_query.out"; then
		echo "no memory growth over 10M validations ... ok"
		passed=$((passed + 1))
	else
		echo "no memory growth over 10M validations ... FAILED (grew ${growth} kB)"
		failed=$((failed + 1))
	fi
else
	echo "no memory growth over 10M validations ... FAILED (too few samples)"
	cat "$work/rss_query.out"
	failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
