#!/usr/bin/env python3
"""Summarizes run.sh outputs as one JSON object: rows/s per target and strategy, and the ratio
to the database's own bulk load (strategy=limit) of the same run. Usage:
  bench/sql-cache/to_json.py AFTER_OUTPUT... [--before BEFORE_OUTPUT...] > bench/results/X.json
With several outputs (repeated runs), each figure is the median over the runs; --before adds the
same figures of a baseline (another commit, measured in the same minutes) for comparison."""
import json
import re
import statistics
import subprocess
import sys


def parse(path):
    header, runs = None, []
    for line in open(path):
        if line.startswith("# "):
            header = line[2:].strip()
        elif line.startswith("location="):
            fields = dict(re.findall(r"(\w+)=(\S+)", line))
            fields["target"] = "duckdb" if fields["location"].startswith("duckdb:") else "postgres"
            runs.append(fields)
    return header, runs


def summarize(paths):
    headers, results = [], {}
    for path in paths:
        header, runs = parse(path)
        headers.append(header)
        limits = {r["target"]: float(r["rows_per_s"]) for r in runs if r["strategy"] == "limit"}
        for r in runs:
            key = (r["target"], r["strategy"].lower())
            entry = results.setdefault(
                key, {"seconds": [], "rows_per_s": [], "ratio_to_limit": [], "rows_per_cpu_s": []})
            if "cache_rows_per_cpu_s" in r:
                entry["rows_per_cpu_s"].append(float(r["cache_rows_per_cpu_s"]))
            entry["seconds"].append(float(r["seconds"]))
            entry["rows_per_s"].append(float(r["rows_per_s"]))
            if r["strategy"] != "limit" and r["target"] in limits:
                entry["ratio_to_limit"].append(float(r["rows_per_s"]) / limits[r["target"]])
    summary = {}
    for key, entry in results.items():
        row = {"seconds": round(statistics.median(entry["seconds"]), 2),
               "rows_per_s": round(statistics.median(entry["rows_per_s"]))}
        if entry["rows_per_cpu_s"]:
            row["cache_rows_per_jvm_cpu_s"] = round(statistics.median(entry["rows_per_cpu_s"]))
        if entry["ratio_to_limit"]:
            row["ratio_to_limit"] = round(statistics.median(entry["ratio_to_limit"]), 3)
        summary[key] = row
    return headers, summary


def main(args):
    after = args[:args.index("--before")] if "--before" in args else args
    before = args[args.index("--before") + 1:] if "--before" in args else []
    headers, results = summarize(after)
    before_headers, baseline = summarize(before) if before else ([], {})
    records = int(parse(after[0])[1][0]["records"])
    first = re.match(r"(\S+) commit (\S+),", headers[0])
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                         capture_output=True, text=True).stdout.strip()
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    out = {
        "benchmark": "bench/sql-cache/run.sh " + str(records),
        "date": first.group(1),
        "commit": first.group(2),
        "runs": headers,
        "baseline_runs": before_headers,
        "machine": {"cores": int(cores), "cpu": cpu},
        "records": records,
        "batch": 10000,
        "figures": "median over the runs; ratio_to_limit = AKB rows/s / the database's own bulk load"
                   " of the same rows in the same run (DuckDB read_json of a JSONL file, PostgreSQL"
                   " COPY of a CSV file, one statement, same typed table and indexes); wall-clock"
                   " figures follow the machine's load (in runs), cache_rows_per_jvm_cpu_s (records"
                   " per CPU second of the writing JVM, record generation excluded) far less",
        "results": [],
    }
    for (target, strategy), row in sorted(results.items()):
        row = {"target": target, "strategy": strategy, **row}
        if (target, strategy) in baseline:
            row["baseline"] = baseline[(target, strategy)]
        out["results"].append(row)
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
