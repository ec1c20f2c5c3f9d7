#!/usr/bin/env bash
# test/citus/run.sh: the Citus suite.  Starts a coordinator and two
# workers on loopback with Citus (installed, or built once from the
# vendored source; test/citus/lib.sh), installs event_catalog on the
# coordinator, and runs through the coordinator:
#   - pg_regress: test/citus/sql/NAME.sql against test/citus/expected/
#   - the single-node regression files (test/sql/NAME.sql against
#     expected/NAME.out) in a database of their own, after distribute()
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

# 2. the single-node regression files (test/sql/NAME.sql, the Makefile's
# REGRESS list) through the coordinator, against the single node's
# expected/NAME.out, in a database of their own: setup.sql creates the
# extension, then distribute() and the README's session_preload_libraries,
# then the others in the Makefile's order (they build on each other's
# state, as on one node), guc last (it resets session_preload_libraries).
# A file that cannot run on a cluster is left out, with its reason:
nologin="its roles cannot log in, and Citus connects to the workers as the session's role"
unplannable="its snapshot is an SQL function with parameters over distributed tables, which Citus cannot plan; same_as_single_node compares the state instead"
declare -A core_skip=(
	[distribute]="tests distribute() without Citus"
	[restore]="restores rows and operator DDL as pg_restore does, into tables that are not distributed"
	[upgrade]="creates and drops databases and extension versions of its own"
	[upkeep_plans]="EXPLAINs the single node's upkeep plans"
	[fuzz]="thousands of single-event statements, each a distributed transaction: 6 minutes through the coordinator"
	[security]=$nologin
	[trust]=$nologin
	[profiles_property]=$unplannable
	[effects_property]=$unplannable
	[self_exclusion]="its queries join distributed tables off their key and call is_self_excluded and can_contact per row of a distributed table (Limits), which Citus refuses"
	[load_report]="it counts the loads of one node; through the coordinator loads are counted as README, Limits says (a quarantined row's load is its shard's, an INSERT records none), with ids that vary from run to run"
	[stashed_writes]="its state is an SQL function with parameters over distributed tables, and it adds a trigger of its own to events: Citus refuses both"
	[self_exclusion_property]="its 120 orders take a minute through the coordinator, and text built on the workers formats timestamps in their DateStyle and TimeZone"
)
# test/citus/expected/NAME_1.out is the expected output of NAME on the
# cluster where it differs inherently (pg_regress takes either file):
#  - catalog, rules: a constraint violated on a copy of a reference table
#    names the copy (event_types_102008)
#  - contact: the CONTEXT of check_channel's error names the PL/pgSQL
#    bodies that distribute() gives can_contact and contactable_customers
#  - guc: the database loads the library at every session's start (the
#    README's set-up on a cluster), so the misspelt settings that a session
#    without it accepts are errors at once
#  - ingest: rejected_id is drawn in a range per worker; duplicate_counts
#    has a row per shard for a day's duplicates; a shard's error in rows
#    that Citus streams to it (COPY) comes back without its COPY line;
#    Citus refuses RETURNING with a STABLE function or a subquery
#  - bulk_dedup: duplicate_counts has a row per shard; the index probes
#    are counted in the workers' statistics
#  - tenants: a shard's error names the worker it ran on (normalised below
#    to "a worker"); rejected_id is drawn in a range per worker
#  - batch: as README, Limits: an INSERT through the coordinator records no
#    load there; the upkeep's calls are counted in the workers'
#    statistics; an element's error lacks the context of the batch's
#    INSERT
#  - json_fast: Citus warns that a function in pg_temp stays on the
#    coordinator
core_db=contrib_regression
core_out=$work/citus_core
mkdir -p "$core_out/expected"
for f in "$repo"/expected/*.out "$repo"/test/citus/expected/*_[0-9].out; do
	[ -f "$f" ] && ln -sf "$f" "$core_out/expected/"
done
# what changes from run to run: the port a shard's error names, the
# session's temporary schema in Citus's warning about a function in it
cat >"$core_out/psql.sh" <<'EOS'
#!/usr/bin/env bash
"$@" 2>&1 | sed -e 's/while executing command on 127\.0\.0\.1:[0-9]*/while executing command on a worker/' \
	-e 's/"function pg_temp_[0-9]*\./"function pg_temp./; s/"schema pg_temp_[0-9]*"/"schema pg_temp"/'
EOS
chmod 755 "$core_out/psql.sh"
[ "$(id -u)" -eq 0 ] && chown -R postgres "$core_out"
core_regress() {
	# in the output directory: the files write results/ relative to it
	( cd "$core_out" && "$EC_PGXS_DIR/src/test/regress/pg_regress" --inputdir="$repo/test" --outputdir="$core_out" \
		--launcher="$core_out/psql.sh" \
		--host="$EC_CITUS_DIR/n0" --port="$port" --user=postgres --use-existing --dbname=$core_db \
		"$@" ) 2>&1 | sed 's/^\(test\|ok\|not ok\)/citus core \1/'
	if [ "${PIPESTATUS[0]}" -ne 0 ]; then
		status=1
		[ -f "$core_out/regression.diffs" ] && cat "$core_out/regression.diffs"
	fi
}
core_sql() { EC_CITUS_DB=$core_db ec_citus_psql 0 "$@"; }
if ! PGOPTIONS="-c client_min_messages=warning" ec_citus_database_create $core_db; then
	echo "citus core database ... FAILED"
	status=1
else
	core_regress setup
	core_sql -c "SET client_min_messages = warning" -c "SELECT event_catalog.distribute()" \
		-c "SELECT event_catalog.distribute()" \
		-c "ALTER DATABASE $core_db SET session_preload_libraries = 'event_catalog'" >/dev/null || status=1
	core=""
	for t in $(sed -n '/^REGRESS *=/,/[^\\]$/p' "$repo/Makefile" | sed 's/^REGRESS *=//; s/\\$//'); do
		if [ "$t" != setup ] && [ "$t" != guc ] && [ -z "${core_skip[$t]:-}" ]; then
			core="$core $t"
		fi
	done
	core_regress $core guc
	for t in "${!core_skip[@]}"; do
		echo "citus core: $t not run: ${core_skip[$t]}"
	done | sort
fi

# 3. scripts
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
