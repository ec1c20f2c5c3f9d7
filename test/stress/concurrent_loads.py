#!/usr/bin/python3
"""concurrent_loads.py: loads of overlapping samples of one feed by several
sessions at once end in the state of a serial load, with no failure.

Each trial uses a tenant of its own: 2 to SESSIONS sessions (in turn) COPY (raw_line)
random overlapping samples of the feed (30% User Details Updates, self-
exclusion events, duplicates and invalid lines; quarantine on) at the same
moment.  Then the union of the samples is loaded serially, in one session,
for a reference tenant, and the two tenants' events, quarantine, customers,
consent history and episodes are compared.

A second part runs transactions of several track() calls on shared
customers, from SESSIONS sessions, retrying a transaction that PostgreSQL
ends with deadlock_detected (40P01), as the README says to; every
transaction must commit in the end and the state must equal a serial run.

Prints one line per part and exits 1 on any failure or difference.
Connection from the PG* environment.  Usage:
  concurrent_loads.py [TRIALS] [SESSIONS] [TX_TRIALS] [FEED_LINES] [fixed]
FEED_LINES (700) is the size of each trial's feed (each session loads 60%
of it); "fixed" runs SESSIONS sessions in every trial instead of 2 to
SESSIONS in turn.
"""
import io
import json
import random
import sys
import threading

import psycopg2
import psycopg2.errors

TRIALS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
SESSIONS = int(sys.argv[2]) if len(sys.argv) > 2 else 4
TX_TRIALS = int(sys.argv[3]) if len(sys.argv) > 3 else 20
FEED_LINES = int(sys.argv[4]) if len(sys.argv) > 4 else 700
FIXED_SESSIONS = len(sys.argv) > 5 and sys.argv[5] == "fixed"
DB = "ec_stress"

def connect(db=DB):
    c = psycopg2.connect(dbname=db)
    c.autocommit = True
    return c

def feed(tenant, rng, n=700, customers=60):
    """n NDJSON lines for tenant: logins, profile updates, self-exclusion"""
    lines = []
    for i in range(n):
        cust = "c%d" % rng.randrange(customers)
        ts = "2026-06-%02dT%02d:%02d:%02dZ" % (1 + i % 28, rng.randrange(24), rng.randrange(60), rng.randrange(60))
        r = rng.random()
        if r < 0.30:
            ev = {"event": "ootb_user_details_update",
                  "context": {"ootb_email": "%s.%d@example.com" % (cust, i),
                              "ootb_allow_email": rng.choice(["Yes", "No"]),
                              "ootb_city": rng.choice(["Oslo", "Lima", "Pune"])}}
        elif r < 0.36:
            ev = {"event": rng.choice(["ootb_self_exclusion_initiated", "ootb_self_exclusion_activated",
                                       "ootb_self_exclusion_lifted"]), "context": {}}
        elif r < 0.40:
            lines.append('{"tenant": %d, "event": "ootb_login", "customer": "%s"}' % (tenant, cust))  # invalid
            continue
        elif r < 0.41:
            lines.append("not json %d" % i)
            continue
        else:
            ev = {"event": "ootb_login", "context": {}}
        ev.update({"tenant": tenant, "timestamp": ts, "customer": cust})
        lines.append(json.dumps(ev, sort_keys=True))
    return lines

def copy_lines(conn, lines):
    with conn.cursor() as cur:
        cur.execute("SET event_catalog.on_invalid = quarantine")
        cur.copy_expert("COPY event_catalog.events (raw_line) FROM STDIN WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')",
                        io.StringIO("\n".join(lines) + "\n"))

STATE_QUERIES = [
    ("events", "SELECT event_key, customer_id, occurred_at, payload - 'tenant' FROM event_catalog.events WHERE tenant = %s ORDER BY 1, 2, 3, 4::text"),
    ("quarantine", "SELECT coalesce(payload - 'tenant', to_jsonb(regexp_replace(raw_line, '\\d+', ''))), problems FROM event_catalog.rejected_events WHERE tenant = %s OR (tenant IS NULL AND raw_line LIKE 'not json%%' AND %s > 0) ORDER BY 1::text, 2::text"),
    ("customers", "SELECT customer_id, email, allow_email, city, attributes, exclusion_periods FROM event_catalog.customers WHERE tenant = %s ORDER BY 1"),
    ("consent", "SELECT customer_id, attribute, old_value, new_value, changed_at FROM event_catalog.customer_changes WHERE tenant = %s ORDER BY 1, 2, 5, 4"),
    ("episodes", "SELECT customer_id, episode, status, requested_at, activated_at, lifted_at, update_count FROM event_catalog.self_exclusions WHERE tenant = %s ORDER BY 1, 2"),
    ("anomalies", "SELECT customer_id, code FROM event_catalog.self_exclusion_anomalies WHERE tenant = %s ORDER BY 1, 2"),
]

def state(conn, tenant):
    out = {}
    with conn.cursor() as cur:
        for name, q in STATE_QUERIES:
            if name == "quarantine":
                continue  # unreadable lines have no tenant; compared by count below
            cur.execute(q, (tenant,))
            out[name] = cur.fetchall()
        cur.execute("SELECT count(*) FROM event_catalog.rejected_events WHERE tenant = %s", (tenant,))
        out["quarantined"] = cur.fetchall()
    return out

def retarget(lines, tenant):
    return [l.replace('"tenant": %d' % (tenant - 0), '"tenant": %d' % tenant) for l in lines]

def run_parallel(jobs):
    errors = []
    barrier = threading.Barrier(len(jobs))
    def work(job):
        conn = connect()
        try:
            barrier.wait()
            job(conn)
        except Exception as e:  # noqa: BLE001 - every failure counts
            errors.append("%s: %s" % (type(e).__name__, str(e).splitlines()[0]))
        finally:
            conn.close()
    threads = [threading.Thread(target=work, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors

def part_copy(admin):
    failures = 0
    differences = 0
    messages = []
    for trial in range(TRIALS):
        rng = random.Random(trial)
        tenant = 1000 + trial
        ref = 500000 + trial
        lines = feed(tenant, rng, n=FEED_LINES)
        sessions = SESSIONS if FIXED_SESSIONS else 2 + trial % (SESSIONS - 1)
        samples = [rng.sample(lines, int(len(lines) * 0.6)) for _ in range(sessions)]
        errors = run_parallel([lambda c, s=s: copy_lines(c, s) for s in samples])
        failures += len(errors)
        messages += errors
        # the serial reference: the samples one after the other, for another tenant
        ref_conn = connect()
        for s in samples:
            copy_lines(ref_conn, [l.replace('"tenant": %d,' % tenant, '"tenant": %d,' % ref) for l in s])
        ref_conn.close()
        a = state(admin, tenant)
        b = state(admin, ref)
        if not errors and a != b:
            differences += 1
            messages.append("trial %d: %s differ" % (trial, [k for k in a if a[k] != b[k]]))
    print("concurrent COPY: %d trials of 2 to %d sessions, %d failed loads, %d trials differing from the serial load"
          % (TRIALS, SESSIONS, failures, differences))
    for m in messages[:5]:
        print("  " + m)
    return failures == 0 and differences == 0

def part_transactions(admin):
    deadlocks = [0]
    lost = 0
    differences = 0
    lock = threading.Lock()
    for trial in range(TX_TRIALS):
        rng = random.Random(10000 + trial)
        tenant = 2000 + trial
        ref = 600000 + trial
        lines = [l for l in feed(tenant, rng, n=80, customers=6) if l.startswith("{") and '"timestamp"' in l]
        txs = [lines[i::SESSIONS * 2] for i in range(SESSIONS * 2)]
        def run_tx(conn, tx_list):
            with conn.cursor() as cur:
                cur.execute("SET deadlock_timeout = '20ms'")  # find the cycles quickly
            conn.autocommit = False
            for tx in tx_list:
                while True:
                    try:
                        with conn.cursor() as cur:
                            for l in tx:
                                cur.execute("SELECT event_catalog.track(%s)", (l,))
                        conn.commit()
                        break
                    except psycopg2.errors.DeadlockDetected:
                        conn.rollback()
                        with lock:
                            deadlocks[0] += 1
        errors = run_parallel([lambda c, k=k: run_tx(c, txs[k::SESSIONS]) for k in range(SESSIONS)])
        lost += len(errors)
        ref_conn = connect()
        with ref_conn.cursor() as cur:
            for l in lines:
                cur.execute("SELECT event_catalog.track(%s)", (l.replace('"tenant": %d,' % tenant, '"tenant": %d,' % ref),))
        ref_conn.close()
        if state(admin, tenant) != state(admin, ref):
            differences += 1
    print("track() transactions: %d trials x %d sessions, %d deadlocks retried, %d transactions failed, %d trials differing"
          % (TX_TRIALS, SESSIONS, deadlocks[0], lost, differences))
    return lost == 0 and differences == 0

def main():
    c = connect("postgres")
    with c.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS " + DB)
        cur.execute("CREATE DATABASE " + DB)
    c.close()
    admin = connect()
    with admin.cursor() as cur:
        cur.execute("CREATE EXTENSION event_catalog")
    ok = part_copy(admin)
    ok = part_transactions(admin) and ok
    admin.close()
    sys.exit(0 if ok else 1)

main()
