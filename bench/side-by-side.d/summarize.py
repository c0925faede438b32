#!/usr/bin/env python3
"""Turns the side-by-side results in DIR (one JSON per contender) into DIR/summary.json (the
ratios against AKB's targets), DIR/TABLE.md (a markdown table the README can include) and
DIR/chart.svg (records/s per comparison, p99 latency for the latency one; drawn here: no
plotting library needed).

Usage: summarize.py DIR MODE
"""
import html
import json
import os
import sys

COMPARISONS = [
    ("recorded", "Recorded stream (local program) into DuckDB"),
    ("topics", "The same records from Kafka topics into PostgreSQL"),
    ("faker", "Real source-faker into DuckDB"),
    ("memory", "akb sync memory"),
    ("latency", "10,000 records/s into PostgreSQL: p99 latency, shorter is better"),
]
# (what, numerator, denominator, kind, target): kind "ratio" = numerator's records/s over the
# denominator's, at least target; "rss" = numerator's peak RSS in MiB, at most target.
TARGETS = [
    ("akb sync vs PyAirbyte, recorded stream", ("recorded", "akb-sync"), ("recorded", "pyairbyte"), "ratio", 10),
    ("akb read vs PyAirbyte, recorded stream", ("recorded", "akb-read"), ("recorded", "pyairbyte"), "ratio", 10),
    ("akb sync vs the connector alone, real faker", ("faker", "akb-sync"), ("faker", "connector-alone"), "ratio", 0.95),
    ("akb read vs the connector alone, real faker", ("faker", "akb-read"), ("faker", "connector-alone"), "ratio", 0.95),
    ("bridge append vs Debezium JDBC insert", ("topics", "bridge-append"), ("topics", "debezium-insert"), "ratio", 5),
    ("bridge merge vs Debezium JDBC upsert", ("topics", "bridge-merge"), ("topics", "debezium-upsert"), "ratio", 5),
    ("bridge append vs PostgreSQL COPY", ("topics", "bridge-append"), ("topics", "postgres-copy"), "ratio", 0.5),
    ("bridge merge vs PostgreSQL COPY", ("topics", "bridge-merge"), ("topics", "postgres-copy"), "ratio", 0.5),
    ("akb read vs DuckDB's own JSON load", ("recorded", "akb-read"), ("recorded", "duckdb-own-load"), "ratio", 0.5),
    ("akb sync vs DuckDB's own JSON load", ("recorded", "akb-sync"), ("recorded", "duckdb-own-load"), "ratio", 0.5),
    ("akb sync peak RSS, recorded stream", ("recorded", "akb-sync"), None, "rss", 1024),
    ("akb sync peak RSS, --full memory run", ("memory", "akb-sync-full"), None, "rss", 1024),
]


def load(directory):
    results = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json") and name != "summary.json":
            with open(os.path.join(directory, name)) as f:
                r = json.load(f)
            results[(r["comparison"], r["name"])] = r
    return results


def target_rows(results):
    rows = []
    for what, num, den, kind, target in TARGETS:
        a, b = results.get(num), results.get(den) if den else None
        row = {"target": what, "goal": (">= %gx" if kind == "ratio" else "<= %g MiB") % target}
        not_run = ["/".join(k) for k, r in ((num, a), (den, b)) if k and r is None]
        failed = ["/".join(k) for k, r in ((num, a), (den, b)) if k and r is not None and r.get("error")]
        if not_run or failed:
            why = "; ".join(w for w in ("not run: " + ", ".join(not_run) if not_run else "",
                                        "failed: " + ", ".join(failed) if failed else "") if w)
            row.update(value=None, met=None, why=why)
        elif kind == "ratio":
            row["value"] = round(a["records_per_s"] / b["records_per_s"], 3)
            row["met"] = row["value"] >= target
            if a.get("steady_records_per_s") and b.get("steady_records_per_s"):
                # Without either side's start-up (JVM, Connect worker): the rate after the first row.
                row["steady_value"] = round(a["steady_records_per_s"] / b["steady_records_per_s"], 3)
        else:
            row["value"] = a.get("peak_rss_mib")
            row["met"] = row["value"] is not None and row["value"] <= target
        rows.append(row)
    return rows


def fmt(value, digits=0):
    return "" if value is None else f"{value:,.{digits}f}"


def table(results, targets, mode):
    machines = [r.get("machine", {}) for r in results.values()]
    m = machines[0] if machines else {}
    dates = sorted(x.get("date") or "" for x in machines)
    commits = sorted({x.get("git_commit") or "?" for x in machines})
    loads = [float(x["load_avg"][0]) for x in machines if x.get("load_avg")]
    # Results of several runs (--only) can sit side by side: say so rather than hide it.
    out = [f"Side-by-side benchmark ({mode} mode), {dates[0] if dates else '?'}"
           + (f" to {dates[-1]}" if len(dates) > 1 and dates[-1] != dates[0] else "")
           + f", commit{'s' if len(commits) > 1 else ''} {', '.join(commits)}: "
           f"{m.get('nproc')} cores ({m.get('cpu_model')}), {m.get('ram_gib')} GiB, "
           + (f"1-minute load {min(loads):.1f} to {max(loads):.1f} at the contenders' starts." if loads else ""), ""]
    out += ["| comparison | contender | records | seconds | records/s | MB/s | peak RSS MiB | peak heap MiB | latency, error |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for comparison, _ in COMPARISONS:
        for (c, name), r in results.items():
            if c != comparison:
                continue
            error = ""
            if r.get("error"):
                lines = r["error"].splitlines()
                # The first line says what failed; the log's last line usually says why.
                error = (lines[0][:100] + (" ... " + lines[-1][:100] if len(lines) > 1 else ""))
            if r.get("p50_ms") is not None:
                error = f"latency p50 {r['p50_ms']:,.0f} ms, p99 {r['p99_ms']:,.0f} ms" + (f"; {error}" if error else "")
            out.append(f"| {c} | {name} | {r['records']:,} | {fmt(r.get('seconds'), 1)} | "
                       f"{fmt(r.get('records_per_s'))} | {fmt(r.get('mb_per_s'), 1)} | "
                       f"{fmt(r.get('peak_rss_mib'))} | {fmt(r.get('peak_heap_mib'))} | "
                       f"{error.replace('|', '/')} |")
    out += ["", "| target | goal | measured | met |", "| --- | --- | ---: | --- |"]
    for t in targets:
        measured = t.get("why") if t["value"] is None else (
            f"{t['value']:,.2f}x" if t["goal"].startswith(">=") else f"{t['value']:,.0f} MiB")
        if t.get("steady_value") is not None:
            measured += f" ({t['steady_value']:,.2f}x after the first row)"
        met = {True: "yes", False: "**no**", None: "not measured"}[t["met"]]
        out.append(f"| {t['target']} | {t['goal']} | {measured} | {met} |")
    return "\n".join(out) + "\n"


def chart(results):
    """One panel per comparison, a bar per contender, each panel scaled to its own fastest."""
    width, label_w, bar_w, row_h = 760, 200, 440, 22
    parts, y = [], 30
    parts.append(f'<text x="10" y="20" font-size="15" font-weight="bold">records/s, longer is faster (latency: '
                 f'shorter is better); each panel on its own scale</text>')
    for comparison, title in COMPARISONS:
        rows = [(n, r) for (c, n), r in results.items() if c == comparison and n != "fill"]
        if not rows:
            continue
        y += 12
        parts.append(f'<text x="10" y="{y + 12}" font-size="13" font-weight="bold">{html.escape(title)}</text>')
        y += 20
        metric = "p99_ms" if comparison == "latency" else "records_per_s"
        top = max((r.get(metric) or 0) for _, r in rows) or 1
        for name, r in rows:
            rate = r.get(metric) if not r.get("error") else None
            akb = name.startswith(("akb", "bridge"))
            parts.append(f'<text x="{label_w - 8}" y="{y + 15}" font-size="12" text-anchor="end">{html.escape(name)}</text>')
            if rate:
                w = max(1, int(bar_w * rate / top))
                color = "#2b6cb0" if akb else "#a0aec0"
                parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row_h - 6}" fill="{color}"/>')
                text = f"{rate:,.0f}" if metric == "records_per_s" else f"p50 {r['p50_ms']:,.0f} ms, p99 {rate:,.0f} ms"
                parts.append(f'<text x="{label_w + w + 6}" y="{y + 15}" font-size="12">{text}</text>')
            else:
                parts.append(f'<text x="{label_w}" y="{y + 15}" font-size="12" fill="#c53030">failed</text>')
            y += row_h
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y + 20}" '
            f'font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>'
            + "".join(parts) + "</svg>\n")


def main():
    directory, mode = sys.argv[1], sys.argv[2]
    results = load(directory)
    targets = target_rows(results)
    summary = {"mode": mode, "targets": targets,
               "results": {f"{c}/{n}": {k: r.get(k) for k in ("records", "seconds", "records_per_s", "mb_per_s",
                                                             "peak_rss_mib", "peak_heap_mib", "steady_records_per_s",
                                                             "p50_ms", "p99_ms", "max_ms", "error")}
                           for (c, n), r in results.items()},
               "machine": next(iter(results.values()), {}).get("machine")}
    with open(os.path.join(directory, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    with open(os.path.join(directory, "TABLE.md"), "w") as f:
        f.write(table(results, targets, mode))
    with open(os.path.join(directory, "chart.svg"), "w") as f:
        f.write(chart(results))
    for t in targets:
        print("  %-48s %-12s %s" % (t["target"], t["goal"], t.get("why") or "%s (%s)" % (
            t["value"], "met" if t["met"] else "NOT met")))


if __name__ == "__main__":
    main()
