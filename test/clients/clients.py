#!/usr/bin/python3
"""clients.py: event_catalog from Python with psycopg2, as an application
and a loader use it (test/t/005_clients.pl runs it; Debian's python3 with
python3-psycopg2).  Connects with the PG* environment variables to a fresh
database with the extension.  Prints TAP lines; exits non-zero on failure.

  - COPY an NDJSON feed (a malformed line, an invalid event, a duplicate, a
    blank line) with quarantine on, then read load_report() and the
    quarantined lines of the load;
  - track_batch and track_batch_raw with per-input results, track_raw;
  - an on_invalid = error failure: its SQLSTATE and the JSON problem list
    in the error's detail.
"""
import io
import json
import os
import sys

import psycopg2
import psycopg2.errors
from psycopg2.extras import Json

FEED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "feed.ndjson")
COPY_SQL = ("COPY event_catalog.events (raw_line) FROM STDIN "
            "WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02', FORCE_NOT_NULL (raw_line))")

tests = 0
failures = 0


def check(ok, name, got=None):
    global tests, failures
    tests += 1
    print(("ok %d - %s" if ok else "not ok %d - %s") % (tests, name))
    if not ok:
        failures += 1
        print("# got: %r" % (got,))


def event(customer, tenant=72, ts="2026-06-09T10:00:00Z", name="ootb_login", context=None):
    e = {"tenant": tenant, "timestamp": ts, "event": name, "customer": customer}
    if context is not None:
        e["context"] = context
    return e


conn = psycopg2.connect("")
cur = conn.cursor()
cur.execute("SET event_catalog.on_invalid = quarantine")

# a loader: COPY the feed, then what the load did
with open(FEED, encoding="utf-8") as f:
    cur.copy_expert(COPY_SQL, f)
check(cur.rowcount == 3, "COPY reports the 3 stored events", cur.rowcount)
cur.execute("SELECT * FROM event_catalog.load_report()")
cols = [d[0] for d in cur.description]
report = dict(zip(cols, cur.fetchone()))
check(report["lines"] == 7, "load_report counts every line", report)
check(report["stored"] == 2 and report["stored_with_warnings"] == 1, "stored, and with a warning", report)
check(report["duplicates"] == 1, "one duplicate", report)
check(report["quarantined"] == 2 and report["skipped"] == 1, "two quarantined, one blank line", report)
check(report["quarantined_by_code"] == {"invalid_json": 1, "invalid_value": 1},
      "quarantined by code, as a dict", report["quarantined_by_code"])
cur.execute("SELECT event_catalog.last_load_id()")
load_id = cur.fetchone()[0]
check(load_id == report["load_id"], "last_load_id() names the load", load_id)
cur.execute("SELECT line_number, problems->0->>'code' FROM event_catalog.rejected_events "
            "WHERE load_id = %s ORDER BY line_number", (load_id,))
check(cur.fetchall() == [(4, "invalid_json"), (6, "invalid_value")],
      "the quarantined lines carry their line numbers")
cur.execute("SELECT payload->'context'->>'note' FROM event_catalog.events "
            "WHERE tenant = 71 AND payload->'context' ? 'note'")
check(cur.fetchone()[0] == 'with a "quote" and a \\ backslash', "escapes pass through COPY untouched")
conn.commit()

# an application: a batch, one result per input in input order
batch = [event("a1"), event("a1"), event("a2", context={"ootb_balance": "x"}),
         event("a3", context={"extra": 1}), event("n1", tenant=71)]
cur.execute("SELECT ordinal, event_id, status, problems FROM event_catalog.track_batch(%s::jsonb[])",
            ([Json(e) for e in batch],))
rows = cur.fetchall()
check([r[2] for r in rows] == ["stored", "duplicate", "quarantined", "stored_with_warnings", "duplicate"],
      "track_batch: a status per input, in input order", rows)
check(rows[0][1] == rows[1][1] and rows[0][1] is not None, "a duplicate in the batch has the stored id", rows)
check(rows[2][1] is None and rows[2][3][0]["code"] == "wrong_type", "a quarantined event has its problems", rows[2])
check(rows[3][3][0]["code"] == "unknown_param", "a warning comes with the stored event", rows[3])
cur.execute("SELECT event_id FROM event_catalog.events WHERE tenant = 71 AND customer_id = 'n1' "
            "AND occurred_at = '2026-06-09T10:00:00Z'")
check(rows[4][1] == cur.fetchone()[0], "a duplicate of a loaded event has the loaded id")
cur.execute("SELECT stored, stored_with_warnings, duplicates, quarantined FROM event_catalog.load_report()")
check(cur.fetchone() == (1, 1, 2, 1), "the batch is a load with its report")

lines = [json.dumps(event("r1")), '{"tenant": 72, "event": ', "", json.dumps(event("r1"))]
cur.execute("SELECT status, problems FROM event_catalog.track_batch_raw(%s) ORDER BY ordinal", (lines,))
rows = cur.fetchall()
check([r[0] for r in rows] == ["stored", "quarantined", "skipped", "duplicate"],
      "track_batch_raw: malformed JSON is a result, not an error", rows)
cur.execute("SELECT status, problems FROM event_catalog.track_raw(%s)", ("{oops",))
status, problems = cur.fetchone()
check(status == "quarantined" and problems[0]["code"] == "invalid_json", "track_raw quarantines malformed JSON")
conn.commit()

# on_invalid = error: the error an application can act on
cur.execute("RESET event_catalog.on_invalid")
conn.commit()  # a setting made in a transaction that fails is undone with it
try:
    cur.execute("SELECT * FROM event_catalog.track_batch(%s::jsonb[])",
                ([Json(event("e1")), Json(event("e2", context={"ootb_balance": "x", "y": 1}))],))
    check(False, "an invalid event raises under on_invalid = error")
except psycopg2.errors.InvalidParameterValue as e:
    detail = json.loads(e.diag.message_detail)
    check(e.pgcode == "22023", "SQLSTATE 22023 for an invalid event", e.pgcode)
    check([p["code"] for p in detail] == ["unknown_param", "wrong_type"],
          "the detail is the problem list as JSON", detail)
    check("element 2 of the batch" in (e.diag.context or ""), "the context names the element", e.diag.context)
conn.rollback()
try:
    cur.execute("SELECT * FROM event_catalog.track_raw(%s)", ("not json",))
    check(False, "malformed JSON raises under on_invalid = error")
except psycopg2.errors.InvalidTextRepresentation as e:
    check(json.loads(e.diag.message_detail)[0]["code"] == "invalid_json", "22P02 with the JSON detail")
conn.rollback()
try:
    with open(FEED, encoding="utf-8") as f:
        cur.copy_expert(COPY_SQL, io.StringIO(f.read().replace("n3", "n9")))
    check(False, "COPY fails on the malformed line")
except psycopg2.errors.InvalidTextRepresentation as e:
    check(json.loads(e.diag.message_detail)[0]["code"] == "invalid_json", "COPY fails with the same error")
conn.rollback()
cur.execute("SELECT count(*) FROM event_catalog.events WHERE customer_id IN ('e1', 'n9')")
check(cur.fetchone()[0] == 0, "nothing of a failed batch or COPY is stored")

print("1..%d" % tests)
sys.exit(1 if failures else 0)
