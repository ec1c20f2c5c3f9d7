"""track_tx.py: track() called N times in one transaction from psycopg2
(its default mode: every execute inside one transaction), on the database
given, which is new.  Prints the rate (calls/s) of the first and of the
last 1,000 calls, as "first|last".

usage: track_tx.py DBNAME KIND N     (KIND: login or udu, see track.sql)
"""
import sys
import time

import psycopg2

db, kind, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
conn = psycopg2.connect(dbname=db)
cur = conn.cursor()
cur.execute("SELECT bench_track_event(%s, i)::text FROM generate_series(1, %s) i", (kind, n))
events = [r[0] for r in cur.fetchall()]
conn.commit()

rates = []
t0 = time.perf_counter()
for i, event in enumerate(events, 1):
    cur.execute("SELECT event_catalog.track(%s::jsonb)", (event,))
    if i % 1000 == 0:
        t = time.perf_counter()
        rates.append(1000 / (t - t0))
        t0 = t
conn.commit()
print("%.0f|%.0f" % (rates[0], rates[-1]))
