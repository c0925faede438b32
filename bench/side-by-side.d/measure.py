#!/usr/bin/env python3
"""Runs one contender of the side-by-side benchmark and writes its result JSON, whatever happens.

  measure.py --out FILE --comparison C --name NAME --records N [--bytes B] [--check CMD]
             [--gc-log FILE] [--timeout S] -- COMMAND...

--timeout: default $BENCH_TIMEOUT, else 600 s + 1 s per 500 records; then COMMAND is killed and
the result is an error.

COMMAND runs under /usr/bin/time -v (peak RSS = the largest process it waited for, so a JVM's or
Python's own RSS, not a sum), its output in FILE with .log instead of .json. seconds = wall time of
COMMAND, unless it prints a line BENCH_SECONDS=<s> (its own timing, e.g. first row to last row,
without a worker's start); any other BENCH_<KEY>=<number> line is recorded as field <key>. --check is a shell command printing the rows the contender left behind;
a number other than N makes the result an error. --gc-log: a JVM -Xlog:gc file; the largest heap
before a collection is reported as peak heap. A failure is recorded as "error" with the last lines
of the log, and the exit code is 0, so the benchmark goes on to the next contender.
"""
import argparse
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def machine():
    def read(path):
        try:
            with open(path) as f:
                return f.read()
        except OSError:
            return ""
    cpu = re.search(r"model name\s*:\s*(.*)", read("/proc/cpuinfo"))
    mem = re.search(r"MemTotal:\s*(\d+) kB", read("/proc/meminfo"))
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    # Results the run itself rewrites do not make the code "dirty".
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "--",
                            ".", ":!bench/results"], capture_output=True, text=True).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu.group(1).strip() if cpu else None,
        "ram_gib": round(int(mem.group(1)) / 1048576, 1) if mem else None,
        "load_avg": read("/proc/loadavg").split()[:3],
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git_commit": commit + ("-dirty" if dirty else ""),
    }


def peak_heap_mib(gc_log):
    """The largest 'before' of 'NNNM->MMMM(TTTM)' in a -Xlog:gc file."""
    peak = None
    try:
        with open(gc_log) as f:
            for m in re.finditer(r"(\d+)M->\d+M\(\d+M\)", f.read()):
                peak = max(peak or 0, int(m.group(1)))
    except OSError:
        pass
    return peak


def shown(command):
    """The command as text, a class path or other argument over 300 characters cut short."""
    return " ".join(arg if len(arg) <= 300 else arg[:80] + "...(%d characters)" % len(arg)
                    for arg in command)


def stop(proc):
    """SIGTERM to the contender's process group, SIGKILL 30 s later if anything is left."""
    for sig, grace in ((signal.SIGTERM, 30), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            pass


def tail(path, lines=25):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:]).strip()
    except OSError:
        return ""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--comparison", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--records", type=int, required=True)
    p.add_argument("--bytes", type=int, default=None)
    p.add_argument("--check")
    p.add_argument("--gc-log")
    p.add_argument("--timeout", type=float, default=None)
    p.add_argument("--note", default=None)
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    command = a.command[1:] if a.command[:1] == ["--"] else a.command
    if a.timeout is None:
        # Long enough for 500 records/s after 10 minutes of start-up: a contender slower than that
        # is stuck (or hopeless) and the run goes on without it.
        a.timeout = float(os.environ.get("BENCH_TIMEOUT") or 600 + a.records / 500)
    log = a.out[:-5] + ".log" if a.out.endswith(".json") else a.out + ".log"
    timefile = log + ".time"
    result = {"comparison": a.comparison, "name": a.name, "records": a.records,
              "command": shown(command), "log": os.path.relpath(log, ROOT)}
    if a.note:
        result["note"] = a.note
    result["machine"] = machine()
    error = None
    start = time.monotonic()
    try:
        with open(log, "w") as out:
            # Its own process group, so a timeout stops the contender's children too (a JVM under
            # a launcher script, a connector under a JVM).
            proc = subprocess.Popen(["/usr/bin/time", "-v", "-o", timefile] + command,
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                proc.wait(timeout=a.timeout)
            except subprocess.TimeoutExpired:
                stop(proc)
                raise
        if proc.returncode != 0:
            error = "exit code %d; its log ends: %s" % (proc.returncode, tail(log))
    except subprocess.TimeoutExpired:
        error = "timed out after %.0f s; its log ends: %s" % (a.timeout, tail(log))
    except OSError as e:
        error = "could not run %s: %s" % (command[:1], e)
    seconds = time.monotonic() - start
    for key, value in re.findall(r"^BENCH_([A-Z0-9_]+)=([0-9.]+)$", tail(log, 1000), re.M):
        if key == "SECONDS":
            result["wall_seconds"] = round(seconds, 3)
            seconds = float(value)
        else:
            result[key.lower()] = float(value)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", tail(timefile, 100))
    result["seconds"] = round(seconds, 3)
    result["peak_rss_mib"] = round(int(rss.group(1)) / 1024, 1) if rss else None
    result["peak_heap_mib"] = peak_heap_mib(a.gc_log) if a.gc_log else None
    if error is None and a.check:
        check = subprocess.run(a.check, shell=True, capture_output=True, text=True)
        found = check.stdout.strip().splitlines()[-1:] if check.stdout.strip() else []
        result["rows"] = int(found[0]) if found and found[0].isdigit() else None
        if result["rows"] != a.records:
            error = "expected %d rows, found %s (%s)" % (
                a.records, found[0] if found else "nothing", check.stderr.strip()[-500:])
    if error is None and seconds > 0:
        result["records_per_s"] = round(a.records / seconds, 1)
        if a.bytes:
            result["bytes"] = a.bytes
            result["mb_per_s"] = round(a.bytes / 1e6 / seconds, 2)
    result["error"] = error
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    status = "FAILED: " + error.splitlines()[0][:200] if error else "%.1f s, %s records/s" % (
        seconds, result.get("records_per_s"))
    print("  %-14s %-28s %s" % (a.comparison, a.name, status), flush=True)


if __name__ == "__main__":
    main()
