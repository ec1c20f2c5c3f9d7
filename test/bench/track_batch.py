"""track_batch.py: the batch entry points against COPY, all from a client
(psycopg2), on the same NDJSON lines.  Each round loads the file three
times, each on a freshly created extension: with COPY event_catalog.events
(payload) FROM STDIN, as track_batch(jsonb[]) calls of BATCH events each,
and as track_batch_raw(text[]) calls of BATCH lines each, every call its
own transaction (autocommit), as an application sends them.  Prints the
median rates (events/s) over the rounds as
"copy|track_batch|track_batch_raw".

usage: track_batch.py DBNAME FILE ROUNDS BATCH
"""
import statistics
import sys
import time

import psycopg2

db, path, rounds, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with open(path, encoding="utf-8") as f:
    lines = [line.rstrip("\n") for line in f if line.strip()]

conn = psycopg2.connect(dbname=db)
conn.autocommit = True
cur = conn.cursor()


def fresh_extension():
    cur.execute("SET client_min_messages = warning")
    cur.execute("DROP EXTENSION IF EXISTS event_catalog CASCADE")
    cur.execute("CREATE EXTENSION event_catalog")
    cur.execute("CHECKPOINT")


def stored():
    cur.execute("SELECT count(*) FROM event_catalog.events")
    return cur.fetchone()[0]


def batches(call):
    fresh_extension()
    t0 = time.perf_counter()
    for i in range(0, len(lines), batch):
        cur.execute(call, (lines[i:i + batch],))
        cur.fetchone()
    return stored() / (time.perf_counter() - t0)


copy_rates, batch_rates, raw_rates = [], [], []
for _ in range(rounds):
    fresh_extension()
    with open(path, encoding="utf-8") as f:
        t0 = time.perf_counter()
        cur.copy_expert("COPY event_catalog.events (payload) FROM STDIN "
                        "WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')", f)
        copy_rates.append(stored() / (time.perf_counter() - t0))
    batch_rates.append(batches("SELECT count(*) FROM event_catalog.track_batch(%s::jsonb[])"))
    raw_rates.append(batches("SELECT count(*) FROM event_catalog.track_batch_raw(%s::text[])"))

print("%.0f|%.0f|%.0f" % (statistics.median(copy_rates), statistics.median(batch_rates),
                          statistics.median(raw_rates)))
