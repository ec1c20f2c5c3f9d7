#!/usr/bin/env bash
# run.sh: the project's test command (make test).  Installs what is
# missing, builds and installs the extension, starts a throw-away cluster,
# runs the pg_regress suite (sql/, expected/), the isolation specs
# (test/isolation) and the TAP tests (test/t), and ends with the line
# "N passed, N failed".  Works as root and as a user with sudo.
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
if ! ec_build_install "$repo"; then
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

# 1. pg_regress
ec_log "pg_regress"
( cd "$repo" && make -s installcheck PG_CONFIG="$EC_PG_CONFIG" ) >"$work/regress.out" 2>&1
regress_status=$?
cat "$work/regress.out"
count_results "$work/regress.out" $regress_status
if [ $regress_status -ne 0 ] && [ -f "$repo/regression.diffs" ]; then
	cat "$repo/regression.diffs"
fi

# 2. isolation specs
specs=$(ls "$repo"/test/isolation/specs/*.spec 2>/dev/null | xargs -r -n1 basename | sed 's/\.spec$//')
if [ -n "$specs" ]; then
	ec_log "isolation"
	mkdir -p "$work/isolation"
	# shellcheck disable=SC2086
	"$EC_PGXS_DIR/src/test/isolation/pg_isolation_regress" \
		--inputdir="$repo/test/isolation" --outputdir="$work/isolation" \
		--host="$PGHOST" --port="$PGPORT" --user=postgres --dbname=ec_isolation \
		$specs >"$work/isolation.out" 2>&1
	iso_status=$?
	cat "$work/isolation.out"
	count_results "$work/isolation.out" $iso_status
	if [ $iso_status -ne 0 ] && [ -f "$work/isolation/regression.diffs" ]; then
		cat "$work/isolation/regression.diffs"
	fi
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

# 4. TAP tests: each test/t/*.pl makes its own clusters
if ls "$repo"/test/t/*.pl >/dev/null 2>&1; then
	ec_log "TAP"
	tapdir="$work/tap"
	mkdir -p "$tapdir"
	cp -r "$repo/test/t" "$tapdir/t"
	[ "$(id -u)" -eq 0 ] && chown -R postgres "$tapdir"
	for t in "$tapdir"/t/*.pl; do
		name=$(basename "$t")
		if (cd "$tapdir" && ec_as_owner env PATH="$PATH" PG_REGRESS="$EC_PGXS_DIR/src/test/regress/pg_regress" \
				TESTDIR="$tapdir" TESTDATADIR="$tapdir/data_$name" TMPDIR="$tapdir" EC_REPO="$repo" \
				prove -I "$EC_PGXS_DIR/src/test/perl" "t/$name") >"$work/tap_$name.out" 2>&1; then
			echo "tap $name ... ok"
			passed=$((passed + 1))
		else
			echo "tap $name ... FAILED"
			cat "$work/tap_$name.out"
			tail -n 100 "$tapdir"/tmp_check/log/*"${name%.pl}"*.log 2>/dev/null || true
			failed=$((failed + 1))
		fi
	done
fi

finish
