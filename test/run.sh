#!/usr/bin/env bash
# run.sh: the project's test command (make test).  Installs what is
# missing, builds and installs the extension, starts a throw-away cluster,
# runs the pg_regress suite (test/sql, expected/), the isolation specs
# (test/isolation) and the TAP tests (test/t) through PGXS's installcheck
# targets, and ends with the line "N passed, N failed".  The build is
# warning-free with assertions on (-Werror -DUSE_ASSERT_CHECKING).  Works as root and as a user with sudo.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/test/lib.sh"

passed=0
failed=0
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

ec_install_deps || { echo "installing dependencies failed" >&2; failed=1; finish; }
ec_log "building and installing event_catalog"
# warning-free, with assertions, as CI checks it (ec_build_install
# builds from clean)
if ! EC_EXTRA_CFLAGS="-Werror -DUSE_ASSERT_CHECKING" ec_build_install "$repo"; then
	echo "build failed" >&2
	failed=1
	finish
fi

work=$(mktemp -d /tmp/ec_test.XXXXXX)
chmod 755 "$work"
port=$(ec_free_port "${EC_TEST_PORT:-5499}")
cleanup() {
	ec_cluster_stop "$work/cluster" immediate
	if [ "${EC_KEEP_CLUSTER:-0}" != 1 ]; then
		rm -rf "$work"
	fi
}
trap cleanup EXIT

ec_log "starting a throw-away cluster on port $port"
ec_cluster_start "$work/cluster" "$port" || { failed=1; finish; }

# count "... ok" and "... FAILED" lines of pg_regress-style output; a run
# that shows no result at all counts as one failure
count_results() {
	local out=$1 status=$2
	local ok bad
	ok=$(grep -cE '\.\.\. ok|^ok [0-9]' "$out" || true)
	bad=$(grep -cE '\.\.\. FAILED|\.\.\. failed|^not ok [0-9]' "$out" || true)
	# no result at all, or a runner that failed without naming a test (it
	# stopped part way, say): a failure
	if { [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; } || { [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; }; then
		bad=$((bad + 1))
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
}

# 1. pg_regress, through PGXS (make installcheck-regress)
ec_log "pg_regress"
( cd "$repo" && make -s installcheck-regress PG_CONFIG="$EC_PG_CONFIG" ) >"$work/regress.out" 2>&1
regress_status=$?
cat "$work/regress.out"
count_results "$work/regress.out" $regress_status
if [ $regress_status -ne 0 ] && [ -f "$repo/regression.diffs" ]; then
	cat "$repo/regression.diffs"
fi

# 2. isolation specs, through PGXS (make installcheck-isolation)
ec_log "isolation"
( cd "$repo" && make -s installcheck-isolation PG_CONFIG="$EC_PG_CONFIG" ) >"$work/isolation.out" 2>&1
iso_status=$?
cat "$work/isolation.out"
count_results "$work/isolation.out" $iso_status
if [ $iso_status -ne 0 ] && [ -f "$repo/output_iso/regression.diffs" ]; then
	cat "$repo/output_iso/regression.diffs"
fi

# 3. make demo, short, on its own cluster: so that it cannot rot
ec_log "demo (short)"
if EC_DEMO_CUSTOMERS=300 EC_DEMO_STOP=1 EC_DEMO_DIR="$work/demo" EC_DEMO_PORT=$((port + 1)) \
		env -u PGHOST -u PGPORT -u PGUSER bash "$repo/test/demo.sh" >"$work/demo.out" 2>&1 &&
		grep -q 'registration_funnel' "$work/demo.out"; then
	echo "demo ... ok"
	passed=$((passed + 1))
else
	echo "demo ... FAILED"
	cat "$work/demo.out"
	failed=$((failed + 1))
fi

# 4. TAP tests, through PGXS (make installcheck-tap), one file at a time;
# each test makes its own clusters, so as root they run as the postgres
# user, in a copy of the tree it owns
if ls "$repo"/test/t/*.pl >/dev/null 2>&1; then
	ec_log "TAP"
	tapsrc="$work/tap"
	mkdir -p "$tapsrc"
	( cd "$repo" && tar cf - --exclude=.git --exclude=tmp_check --exclude=results . ) | ( cd "$tapsrc" && tar xf - )
	[ "$(id -u)" -eq 0 ] && chown -R postgres "$tapsrc"
	for t in "$repo"/test/t/*.pl; do
		name=$(basename "$t")
		if ec_as_owner env PATH="$PATH" EC_REPO="$repo" make -s -C "$tapsrc" installcheck-tap \
				PG_CONFIG="$EC_PG_CONFIG" PROVE_TESTS="test/t/$name" >"$work/tap_$name.out" 2>&1; then
			echo "tap $name ... ok"
			passed=$((passed + 1))
		else
			echo "tap $name ... FAILED"
			cat "$work/tap_$name.out"
			tail -n 100 "$tapsrc"/tmp_check/log/*"${name%.pl}"*.log 2>/dev/null || true
			failed=$((failed + 1))
		fi
	done
fi

# 5. the Citus suite (test/citus/run.sh): a coordinator and two workers;
# one line saying why when Citus cannot be had
run_citus_suite() {
	ec_log "Citus suite"
	bash "$repo/test/citus/run.sh" "$work/citus_suite" $((port + 10)) >"$work/citus.out" 2>&1
	local status=$?
	cat "$work/citus.out"
	if ! grep -q '^citus suite skipped' "$work/citus.out"; then
		count_results "$work/citus.out" $status
	fi
}
run_citus_suite

finish
