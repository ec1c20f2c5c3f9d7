#!/usr/bin/env bash
# memcheck.sh: memory safety (make memcheck).
#   1. The extension is built with AddressSanitizer and the pg_regress suite
#      runs against a cluster whose server has the ASan runtime preloaded;
#      any report from our code fails the run.  (PostgreSQL itself is not
#      instrumented, so only event_catalog's own accesses are checked; leak
#      detection is off, as PostgreSQL frees memory by context, not by free.)
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
	( cd "$repo" && make -s clean && ec_build_install "$repo" ) >/dev/null 2>&1
}
trap cleanup EXIT

# 1. ASan
ec_log "building event_catalog with AddressSanitizer"
( cd "$repo" && make -s clean && make -s PG_CONFIG="$EC_PG_CONFIG" \
	EC_EXTRA_CFLAGS="-fsanitize=address -fno-omit-frame-pointer -O1" SHLIB_LINK="-fsanitize=address" &&
  $EC_SUDO make -s install PG_CONFIG="$EC_PG_CONFIG" ) >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
mkdir -p "$work/asan"
chmod 777 "$work/asan"
EC_SERVER_PRELOAD=$(readlink -f "$(gcc -print-file-name=libasan.so)")
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:halt_on_error=0:log_path=$work/asan/asan:verify_asan_link_order=0"
ec_cluster_start "$work/cluster" "$port"
unset EC_SERVER_PRELOAD ASAN_OPTIONS
ec_log "pg_regress under AddressSanitizer"
( cd "$repo" && make -s installcheck PG_CONFIG="$EC_PG_CONFIG" ) >"$work/regress.out" 2>&1
cat "$work/regress.out"
if ls "$work"/asan/asan.* >/dev/null 2>&1; then
	echo "asan ... FAILED"
	cat "$work"/asan/asan.*
	failed=$((failed + 1))
elif grep -q "tests passed" "$work/regress.out"; then
	echo "asan: pg_regress clean ... ok"
	passed=$((passed + 1))
else
	echo "asan: pg_regress ... FAILED"
	[ -f "$repo/regression.diffs" ] && cat "$repo/regression.diffs"
	failed=$((failed + 1))
fi
ec_cluster_stop "$work/cluster" fast
rm -rf "$work/cluster"

# 2. no growth over 10 million validations in one statement (normal build)
( cd "$repo" && make -s clean && ec_build_install "$repo" ) >/dev/null 2>&1
ec_cluster_start "$work/cluster" "$port"
psql -X -q -c "CREATE EXTENSION event_catalog"
psql -X -q -At -c "SELECT pg_backend_pid(); SELECT count(*) FROM generate_series(1, 10000000) i
	WHERE event_catalog.is_valid_event(jsonb_build_object('tenant', 1, 'timestamp', '2026-06-09T10:00:00Z',
		'event', 'ootb_user_details_update', 'customer', 'c' || i,
		'context', jsonb_build_object('ootb_email', 'e' || i || '@example.com', 'ootb_allow_email', 'Yes', 'x' || (i % 7), i)))" \
	>"$work/rss_query.out" 2>&1 &
query=$!
sleep 1
pid=$(head -1 "$work/rss_query.out" 2>/dev/null)
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
