#!/usr/bin/env bash
# run.sh: the benchmarks (make bench).  Each compares event_catalog with a
# baseline measured in the same run on the same throw-away cluster, and
# reports the ratio; absolute times on a shared machine mean little.
#
#   EC_BENCH_EVENTS     events per benchmark (default 1000000)
#   EC_BENCH_CUSTOMERS  customers for contactable_customers (default 1000000)
#   EC_BENCH_ROUNDS     rounds of the COPY and track benchmarks (default 3)
#   EC_BENCH_SECONDS    seconds per pgbench run of the track benchmarks (default 5)
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/test/lib.sh"
. "$repo/test/citus/lib.sh"

events=${EC_BENCH_EVENTS:-1000000}
customers=${EC_BENCH_CUSTOMERS:-1000000}
rounds=${EC_BENCH_ROUNDS:-3}
seconds=${EC_BENCH_SECONDS:-5}

ec_install_deps
ec_build_install "$repo"
work=$(mktemp -d /tmp/ec_bench.XXXXXX)
chmod 755 "$work"
port=$(ec_free_port 5460)
trap 'ec_cluster_stop "$work/cluster" immediate; ec_citus_cluster_stop "$work/citus" immediate; rm -rf "$work"' EXIT
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
	echo "PostgreSQL $("$EC_PG_CONFIG" --version | awk '{print $2}'), shared_buffers 512MB, fsync off; medians of alternating rounds."
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

# ---------------------------------------------------------------------
# Citus: the mixed feed loaded through a coordinator with two workers on
# this machine (the README's COPY, one fresh cluster per round), against
# the single node's event_catalog COPY of the same file in this run; and
# how one tenant's events spread over the workers.  Skipped, with a row
# saying why, when Citus cannot be had (test/citus/lib.sh).
# ---------------------------------------------------------------------
citus_bench() {
	local feed=$1 single=$2 why cport i t0 t1 ms=()
	if ! why=$(ec_citus_ensure "$repo"); then
		echo "| COPY through a Citus coordinator | skipped: $why | | |" >>"$out"
		return 0
	fi
	cport=$(ec_free_port $((port + 20)))
	for i in $(seq "$rounds"); do
		ec_citus_cluster_stop "$work/citus" immediate
		rm -rf "$work/citus"
		ec_citus_cluster_start "$work/citus" "$cport" || return 1
		ec_citus_psql 0 -c "CREATE EXTENSION event_catalog" -c "SET client_min_messages = warning" \
			-c "SELECT event_catalog.distribute()" \
			-c "ALTER DATABASE postgres SET session_preload_libraries = 'event_catalog'" >/dev/null
		t0=$(date +%s%N)
		ec_citus_psql 0 -c "\copy event_catalog.events (raw_line) FROM '$feed' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')" >/dev/null
		t1=$(date +%s%N)
		ms+=($(( (t1 - t0) / 1000000 )))
	done
	ec_citus_psql 0 -At -c "
		SELECT string_agg(round(100.0 * n / t)::text || '%', ' / ' ORDER BY nodeport), round(100.0 * min(n) / max(t))
		  FROM (SELECT p.nodeport, sum(r.result::bigint) AS n,
					   sum(sum(r.result::bigint)) OVER () AS t
				  FROM run_command_on_shards('event_catalog.events', 'SELECT count(*) FROM %s WHERE tenant = 567') r
				  JOIN pg_dist_shard_placement p USING (shardid) GROUP BY p.nodeport) w" >"$work/citus_shares.out"
	ec_citus_cluster_stop "$work/citus" immediate
	printf '%s\n' "${ms[@]}" | sort -n | awk -v single="$single" -v shares="$(cat "$work/citus_shares.out")" '
		{ v[NR] = $1 }
		END {
			m = v[int((NR + 1) / 2)]
			while ((getline line < single) > 0) {
				split(line, f, "|")
				if (f[1] ~ /raw_line/) { rows = f[2]; sm = f[3] }
			}
			split(shares, s, "|")
			printf "| the same COPY (20%% profile updates) through a Citus coordinator with 2 workers on this machine (baseline: the single node above; aim >= 0.5x) | %.0f rows/s | %.0f rows/s | %.2f× |\n", rows / sm * 1000, rows / m * 1000, sm / m
			printf "| one tenant'"'"'s events on each Citus worker (aim: the smaller >= 35%%) | 50%% / 50%% | %s | %s%% |\n", s[1], s[2]
		}' >>"$out"
}

for kind in plain mixed; do
	effects=$([ "$kind" = mixed ] && echo true || echo false)
	ec_log "writing $events events ($kind) as NDJSON"
	$psql -c "COPY (SELECT payload::text FROM bench_events($events, 100000, $effects))
			  TO '$files/$kind.ndjson' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')"
	ec_log "COPY benchmark ($kind), $rounds rounds"
	floor=$([ "$kind" = plain ] && echo "$files/floor.csv" || echo "")
	$psql -v file="$files/$kind.ndjson" -v label="$kind" -v rounds="$rounds" -v floor="$floor" \
		-f "$repo/test/bench/ingest.sql" \
		-c "SELECT target, min(loaded) AS rows, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric) AS median_ms,
				   round(percentile_cont(0.5) WITHIN GROUP (ORDER BY faults)::numeric) AS median_faults
			FROM ingest_timings GROUP BY target" \
		-At -F '|' -o "$work/ingest_$kind.out"
	cat "$work/ingest_$kind.out"
	awk -F'|' -v kind="$kind" '
		$1 ~ /plain/ { pr = $2; pm = $3; pf = $4 }
		$1 ~ /raw_line/ { er = $2; em = $3; ef = $4 }
		$1 ~ /\(payload\)/ { yr = $2; ym = $3 }
		$1 ~ /floor/ { fr = $2; fm = $3 }
		$1 ~ /unindexed/ { ur = $2; um = $3 }
		END {
			what = (kind == "mixed") ? "COPY of events with 20% User Details Updates and 10% registrations (profile writes, 100k customers) and 2% self-exclusions" \
									 : "COPY of events without profile or self-exclusion events"
			printf "| %s, COPY (raw_line) as in the README: rows/s | %.0f rows/s | %.0f rows/s | %.2f× |\n", what, pr / pm * 1000, er / em * 1000, (er / em) / (pr / pm)
			printf "| the same lines as COPY (payload), read by jsonb input | %.0f rows/s | %.0f rows/s | %.2f× |\n", pr / pm * 1000, yr / ym * 1000, (yr / ym) / (pr / pm)
			if (fm > 0)
				printf "| floor: the same rows, derived columns given as text, into a copy of events (same indexes) without triggers | %.0f rows/s | %.0f rows/s | %.2f× |\n", pr / pm * 1000, fr / fm * 1000, (fr / fm) / (pr / pm)
			if (um > 0)
				printf "| the same into a copy without indexes | %.0f rows/s | %.0f rows/s | %.2f× |\n", pr / pm * 1000, ur / um * 1000, (ur / um) / (pr / pm)
			# (no ratio: the plain COPY of a backend that has loaded before
			# touches no new page)
			if (ef != "")
				printf "| minor page faults of the loading backend per 1,000 rows (each a 4 kB page it touches for the first time; see Performance): plain jsonb COPY, COPY (raw_line) | %.1f | %.1f | |\n", pf / pr * 1000, ef / er * 1000
		}' "$work/ingest_$kind.out" >>"$out"
	ec_log "track_batch of 1,000 events per call against COPY, both from psycopg2 ($kind), $rounds rounds"
	/usr/bin/python3 "$repo/test/bench/track_batch.py" bench "$files/$kind.ndjson" "$rounds" 1000 |
		awk -F'|' -v kind="$kind" '{
			what = (kind == "mixed") ? "with 20% profile updates" : "without profile or self-exclusion events"
			printf "| track_batch(jsonb[]) of 1,000 events per call in autocommit, events %s (baseline: COPY FROM STDIN of the same lines; both from psycopg2; aim >= 0.3×) | %.0f events/s | %.0f events/s | %.2f× |\n", what, $1, $2, $2 / $1
			printf "| track_batch_raw(text[]) of the same lines, 1,000 per call (same baseline) | %.0f events/s | %.0f events/s | %.2f× |\n", $1, $3, $3 / $1 }' >>"$out"
	[ "$kind" = mixed ] && citus_bench "$files/$kind.ndjson" "$work/ingest_$kind.out"
	rm -f "$files/$kind.ndjson" "$files/floor.csv"
done

# ---------------------------------------------------------------------
# track(): one event per call.  pgbench sends each event as a literal,
# as an application would; :c and :r make every event distinct.
# ---------------------------------------------------------------------
login='{"tenant": 567, "timestamp": "2026-01-01 10:00:00.000000 UTC", "event": "ootb_login", "customer": "customer-:c", "context": {"ootb_login_timestamp": "2026-01-01T10:00:00Z", "ootb_balance": 12.5, "ootb_is_first_login": false, "ootb_session_ref": "s-:r", "ootb_ccy_code": "EUR", "ootb_language": "en", "ootb_country": "MT", "ootb_platform": "Android", "ootb_channel": "app", "ootb_skin_id": "skin-1", "ootb_license": "MGA/B2C/123/2020"}}'
udu='{"tenant": 567, "timestamp": "2026-01-01 10:00:00.000000 UTC", "event": "ootb_user_details_update", "customer": "customer-:c", "context": {"ootb_email": "c:r@example.com", "ootb_mobile_number": "+35699123456", "ootb_date_of_birth": "1990-01-15", "ootb_allow_email": "Yes", "ootb_allow_sms": "Yes", "ootb_is_email_verified": true, "ootb_is_blocked": false, "ootb_gender": "female", "ootb_country": "MT", "ootb_city": "Valletta", "ootb_first_name": "Maria", "ootb_last_name": "Borg", "ootb_language": "en", "ootb_currency": "EUR"}}'
for kind in login udu; do
	payload=$([ "$kind" = login ] && echo "$login" || echo "$udu")
	vars=$'\\set c random(1, 100000)\n\\set r random(1, 1000000000000)'
	printf '%s\nINSERT INTO plain_payloads (payload) VALUES (%s);\n' "$vars" "'$payload'" >"$work/plain_$kind.pgb"
	printf '%s\nSELECT event_catalog.track(%s);\n' "$vars" "'$payload'" >"$work/track_$kind.pgb"
done
# median tps of $rounds pgbench runs: pgbench_tps SCRIPT CLIENTS
pgbench_tps() {
	local i
	for i in $(seq "$rounds"); do
		pgbench -n -M simple -T "$seconds" -c "$2" -j "$2" -f "$1" track 2>/dev/null |
			sed -n 's/^tps = \([0-9.]*\).*/\1/p'
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
$psql -d postgres -c "CREATE DATABASE track"
$psql -d track -c "CREATE EXTENSION event_catalog" -c "CREATE TABLE plain_payloads (payload jsonb)"
for kind in login udu; do
	what=$([ "$kind" = login ] && echo "a login" || echo "a User Details Update (100k customers)")
	aim=$([ "$kind" = login ] && echo 2 || echo 4)
	ec_log "track() of $what in autocommit, $rounds rounds of ${seconds}s"
	# alternate the two targets round by round
	base=(); ours=()
	for i in $(seq "$rounds"); do
		base+=("$(rounds=1 pgbench_tps "$work/plain_$kind.pgb" 1)")
		ours+=("$(rounds=1 pgbench_tps "$work/track_$kind.pgb" 1)")
	done
	b=$(printf '%s\n' "${base[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	o=$(printf '%s\n' "${ours[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	awk -v b="$b" -v o="$o" -v what="$what" -v aim="$aim" 'BEGIN {
		printf "| track() of %s in autocommit, one client (pgbench): time per call (baseline: a single-row INSERT of the same payload into a plain (payload jsonb) table; aim <= %d×) | %.3f ms | %.3f ms | %.2f× |\n",
			what, aim, 1000 / b, 1000 / o, b / o }' >>"$out"
done
for kind in login udu; do
	what=$([ "$kind" = login ] && echo "logins" || echo "User Details Updates")
	ec_log "track() of $what, 1 and 4 clients"
	one=$(pgbench_tps "$work/track_$kind.pgb" 1)
	four=$(pgbench_tps "$work/track_$kind.pgb" 4)
	awk -v one="$one" -v four="$four" -v what="$what" 'BEGIN {
		printf "| four concurrent track() clients of %s (baseline: one client; aim >= 1.5×) | %.0f calls/s | %.0f calls/s | %.2f× |\n",
			what, one, four, four / one }' >>"$out"
done
for kind in login udu; do
	what=$([ "$kind" = login ] && echo "logins" || echo "User Details Updates")
	ec_log "10,000 track() of $what in one transaction on a new database, $rounds rounds"
	for i in $(seq "$rounds"); do
		$psql -d postgres -c "DROP DATABASE IF EXISTS track_tx" -c "CREATE DATABASE track_tx"
		$psql -d track_tx -c "CREATE EXTENSION event_catalog" -f "$repo/test/bench/track.sql"
		PGDATABASE=track_tx /usr/bin/python3 "$repo/test/bench/track_tx.py" track_tx "$kind" 10000
	done | sort -t'|' -k2 -n | awk -F'|' -v what="$what" '{ f[NR] = $1; l[NR] = $2 }
		END { m = int((NR + 1) / 2)
			printf "| 10,000 track() of %s in one transaction on a new database (psycopg2): the last 1,000 calls (baseline: the first 1,000; aim >= 0.8×) | %.0f calls/s | %.0f calls/s | %.2f× |\n",
				what, f[m], l[m], l[m] / f[m] }' >>"$out"
done
$psql -d postgres -c "DROP DATABASE track" -c "DROP DATABASE track_tx"

ec_log "contactable_customers over $customers customers"
$psql -v customers="$customers" -f "$repo/test/bench/contact.sql" | tee -a "$out"

echo
cat "$out"
