"""Watches a PostgreSQL `users` table while a contender fills it from steady_source.py: every
0.2 s it reads the rows that appeared since the last look; a row's latency is the time of the look
that first saw it minus its `emitted_ms` (so up to 0.2 s too high). Stops at RECORDS rows, or when
the contender's process PID is gone. Prints BENCH_P50_MS, BENCH_P99_MS, BENCH_MAX_MS.
Run with the bench venv's python (psycopg). Usage: latency_probe.py DATABASE RECORDS PID
"""
import os
import sys
import time

import psycopg


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def main():
    db, records, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    latencies, last_id = [], 0
    conn = psycopg.connect(f"host=127.0.0.1 dbname={db} user=postgres password=postgres", autocommit=True)
    while len(latencies) < records:
        try:
            rows = conn.execute("select id, emitted_ms from users where id > %s", (last_id,)).fetchall()
        except psycopg.errors.UndefinedTable:
            rows = []
        seen_ms = time.time() * 1000
        for row_id, emitted_ms in rows:
            latencies.append(seen_ms - emitted_ms)
            last_id = max(last_id, row_id)
        if not rows and not alive(pid):
            break
        time.sleep(0.2)
    print(f"{len(latencies)} rows seen")
    if len(latencies) < records:
        sys.exit(f"the contender ended with {len(latencies)} of {records} rows")
    latencies.sort()
    for name, q in (("P50", 0.50), ("P99", 0.99)):
        print(f"BENCH_{name}_MS={latencies[min(len(latencies) - 1, int(q * len(latencies)))]:.0f}")
    print(f"BENCH_MAX_MS={latencies[-1]:.0f}")


if __name__ == "__main__":
    main()
