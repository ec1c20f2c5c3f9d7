#!/usr/bin/env bash
# demo.sh: the main job in one command (make demo).  Installs what is
# missing, builds and installs event_catalog, starts a cluster, generates a
# realistic sample feed (about 100,000 NDJSON lines with a few percent of
# invalid and malformed lines), loads it with COPY through the quarantine
# path while printing progress, and prints the reports.  The cluster is
# left running; the last lines say how to connect and how to stop it.
#
#   EC_DEMO_CUSTOMERS  customers in the sample (default 7300, ~100k lines)
#   EC_DEMO_DIR        where the cluster lives (default /tmp/event_catalog_demo-USER)
#   EC_DEMO_STOP=1     stop the cluster at the end (used by the tests)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/test/lib.sh"

customers=${EC_DEMO_CUSTOMERS:-7300}
dir=${EC_DEMO_DIR:-/tmp/event_catalog_demo-$(id -un)}

ec_install_deps
ec_log "building and installing event_catalog"
ec_build_install "$repo"

# a fresh cluster, replacing the one a previous demo left
ec_cluster_stop "$dir" fast
rm -rf "$dir"
port=$(ec_free_port "${EC_DEMO_PORT:-5440}")
ec_log "starting a cluster in $dir on port $port"
ec_cluster_start "$dir" "$port"
export PGDATABASE=demo
psql="psql -X -q -v ON_ERROR_STOP=1"
$psql -d postgres -c "CREATE DATABASE demo"
$psql -c "CREATE EXTENSION event_catalog"
# the setup step of README "Settings": a misspelt setting is an error at SET time
$psql -c "ALTER DATABASE demo SET session_preload_libraries = 'event_catalog'"

ec_log "generating the sample feed for $customers customers"
$psql -f "$repo/test/sample/sample_events.sql"
$psql -c "COPY (SELECT line FROM sample_events($customers, 30, 1) line)
          TO '$dir/sample.ndjson' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')"
lines=$(wc -l < "$dir/sample.ndjson")
bytes=$(wc -c < "$dir/sample.ndjson")
ec_log "loading $lines lines with COPY (raw lines, on_invalid = quarantine)"

# the load, with a progress line from pg_stat_progress_copy
start=$(date +%s%N)
$psql -c "SET event_catalog.on_invalid = quarantine" \
	  -c "COPY event_catalog.events (raw_line) FROM '$dir/sample.ndjson'
		  WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02', FORCE_NOT_NULL (raw_line))" &
load=$!
while kill -0 "$load" 2>/dev/null; do
	progress=$(psql -X -At -F ' ' -c "SELECT COALESCE(max(bytes_processed), 0), COALESCE(max(tuples_processed), 0)
										  FROM pg_stat_progress_copy" 2>/dev/null || echo "0 0")
	read -r done_bytes done_rows <<<"$progress"
	if [ -n "$done_bytes" ] && [ "$done_bytes" -gt 0 ] && [ "$done_bytes" -ge "$bytes" ]; then
		printf '\r    read all %s lines; applying profile and self-exclusion effects...   ' "$lines" >&2
	else
		printf '\r    %3d%%  %s of %s bytes read, %s events stored   ' \
			"$(( ${done_bytes:-0} * 100 / (bytes > 0 ? bytes : 1) ))" "${done_bytes:-0}" "$bytes" "${done_rows:-0}" >&2
	fi
	sleep 0.3
done
wait "$load"
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
printf '\r    loaded %s lines in %d.%03d s%60s\n' "$lines" $((ms / 1000)) $((ms % 1000)) "" >&2

report() {
	echo
	echo "== $1"
	psql -X -P footer=off -c "$2"
}
report "what the load did" \
	"SELECT (SELECT count(*) FROM event_catalog.events) AS stored,
	        (SELECT count(*) FROM event_catalog.events WHERE problems IS NOT NULL) AS stored_with_warnings,
	        (SELECT count(*) FROM event_catalog.rejected_events) AS quarantined,
	        (SELECT sum(duplicates) FROM event_catalog.duplicate_counts) AS duplicates_skipped"
report "quarantined, by event, code and path (top 8)" \
	"SELECT event_key, code, path, count FROM event_catalog.validation_report()
	  WHERE outcome = 'quarantined' ORDER BY count DESC LIMIT 8"
report "registration_funnel(567)" "SELECT * FROM event_catalog.registration_funnel(567)"
report "consent_summary(567)" "SELECT * FROM event_catalog.consent_summary(567)"
report "self_exclusion_report(567)" "SELECT * FROM event_catalog.self_exclusion_report(567)"
report "profiles and episodes" \
	"SELECT (SELECT count(*) FROM event_catalog.customers) AS customers,
	        (SELECT count(*) FROM event_catalog.customer_changes) AS consent_changes,
	        (SELECT count(*) FROM event_catalog.self_exclusions) AS exclusion_episodes"

if [ "${EC_DEMO_STOP:-0}" = 1 ]; then
	ec_cluster_stop "$dir" fast
	rm -rf "$dir"
	echo "demo finished; cluster stopped"
else
	cat <<EOM

The cluster is still running.  Connect with:
    psql -h $dir -p $port -U postgres demo
Stop it with:
    $( [ "$(id -u)" -eq 0 ] && echo "runuser -u postgres -- " )$EC_PG_BIN/pg_ctl -D $dir/data stop
EOM
fi
