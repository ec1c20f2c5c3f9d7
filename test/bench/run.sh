#!/usr/bin/env bash
# run.sh: the benchmarks (make bench).  Each compares event_catalog with a
# baseline measured in the same run on the same throw-away cluster, and
# reports the ratio; absolute times on a shared machine mean little.
#
#   EC_BENCH_EVENTS     events per benchmark (default 1000000)
#   EC_BENCH_CUSTOMERS  customers for contactable_customers (default 1000000)
#   EC_BENCH_ROUNDS     rounds of the COPY benchmarks (default 3)
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/test/lib.sh"

events=${EC_BENCH_EVENTS:-1000000}
customers=${EC_BENCH_CUSTOMERS:-1000000}
rounds=${EC_BENCH_ROUNDS:-3}

ec_install_deps
( cd "$repo" && make -s clean PG_CONFIG="$EC_PG_CONFIG" >/dev/null 2>&1 )
ec_build_install "$repo"
work=$(mktemp -d /tmp/ec_bench.XXXXXX)
chmod 755 "$work"
port=$(ec_free_port 5460)
trap 'ec_cluster_stop "$work/cluster" immediate; rm -rf "$work"' EXIT
ec_cluster_start "$work/cluster" "$port"
# files the server writes and reads
files="$work/files"
mkdir -p "$files"
[ "$(id -u)" -eq 0 ] && chown postgres "$files"
export PGDATABASE=bench
psql="psql -X -q -v ON_ERROR_STOP=1"
$psql -d postgres -c "CREATE DATABASE bench"
$psql -c "CREATE EXTENSION event_catalog" -f "$repo/test/bench/generate.sql"

out="$repo/test/bench/results/latest.md"
mkdir -p "$(dirname "$out")"
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
{
	echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, ${cpu:-unknown CPU}, $(free -g | awk '/Mem:/ {print $2}') GiB,"
	echo "PostgreSQL $(pg_config --version | awk '{print $2}'), shared_buffers 512MB, fsync off; medians of alternating rounds."
	echo
	echo "| benchmark | baseline | event_catalog | ratio |"
	echo "|---|---|---|---|"
} >"$out"

ec_log "validation: is_valid_event over $events stored events"
$psql -v rows="$events" -f "$repo/test/bench/validate.sql" | tee "$work/validate.out"
awk -F'|' -v n="$events" '
	$1 ~ /baseline/ { base = $2 + 0 }
	$1 ~ /is_valid_event/ { v = $2 + 0; us = $4 + 0 }
	$1 ~ /validate_event/ { f = $2 + 0; fus = $4 + 0 }
	END {
		printf "| is_valid_event over %d stored events (scan with payload->>'"'"'event'"'"' as baseline) | %.0f ms | %.0f ms (+%.3f µs/event) | %.2f× |\n", n, base, v, us, v / base
		printf "| validate_event over the same events | %.0f ms | %.0f ms (+%.3f µs/event) | %.2f× |\n", base, f, fus, f / base
	}' "$work/validate.out" >>"$out"

for kind in plain mixed; do
	effects=$([ "$kind" = mixed ] && echo true || echo false)
	ec_log "writing $events events ($kind) as NDJSON"
	$psql -c "COPY (SELECT payload::text FROM bench_events($events, 100000, $effects))
			  TO '$files/$kind.ndjson' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')"
	ec_log "COPY benchmark ($kind), $rounds rounds"
	floor=$([ "$kind" = plain ] && echo "$files/floor.csv" || echo "")
	$psql -v file="$files/$kind.ndjson" -v label="$kind" -v rounds="$rounds" -v floor="$floor" \
		-f "$repo/test/bench/ingest.sql" \
		-c "SELECT target, min(loaded) AS rows, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric) AS median_ms
			FROM ingest_timings GROUP BY target" \
		-At -F '|' -o "$work/ingest_$kind.out"
	cat "$work/ingest_$kind.out"
	awk -F'|' -v kind="$kind" '
		$1 ~ /plain/ { pr = $2; pm = $3 }
		$1 ~ /event_catalog/ { er = $2; em = $3 }
		$1 ~ /floor/ { fr = $2; fm = $3 }
		$1 ~ /unindexed/ { ur = $2; um = $3 }
		END {
			what = (kind == "mixed") ? "COPY of events with 20% profile updates (100k customers) and 2% self-exclusions" \
									 : "COPY of events without profile or self-exclusion events"
			printf "| %s: rows/s | %.0f rows/s | %.0f rows/s | %.2f× |\n", what, pr / pm * 1000, er / em * 1000, (er / em) / (pr / pm)
			if (fm > 0)
				printf "| floor: the same rows, derived columns given as text, into a copy of events (same indexes) without triggers | %.0f rows/s | %.0f rows/s | %.2f× |\n", pr / pm * 1000, fr / fm * 1000, (fr / fm) / (pr / pm)
			if (um > 0)
				printf "| the same into a copy without indexes | %.0f rows/s | %.0f rows/s | %.2f× |\n", pr / pm * 1000, ur / um * 1000, (ur / um) / (pr / pm)
		}' "$work/ingest_$kind.out" >>"$out"
	rm -f "$files/$kind.ndjson" "$files/floor.csv"
done

ec_log "contactable_customers over $customers customers"
$psql -v customers="$customers" -f "$repo/test/bench/contact.sql" | tee -a "$out"

echo
cat "$out"
