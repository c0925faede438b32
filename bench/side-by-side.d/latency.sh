#!/usr/bin/env bash
# One contender of the latency comparison: steady_source.py (RATE records/s for SECONDS) read into
# a fresh PostgreSQL database DATABASE while latency_probe.py watches the rows appear.
#   latency.sh akb-sync|pyairbyte DATABASE RATE SECONDS
# Needs BENCH_D, BENCH_HOME, PY (the bench venv's python) and AKB set by bench/side-by-side.
set -uo pipefail
kind=$1 db=$2 rate=$3 seconds=$4
work=$(mktemp -d "${TMPDIR:-/tmp}/akb-latency.XXXXXX")
config="{\"rate\": $rate, \"seconds\": $seconds}"
echo "$config" > "$work/config.json"
case "$kind" in
  akb-sync)
    # append: a replace (full refresh) only shows its rows when the sync completes.
    "$AKB" sync source-steady --local-executable "$BENCH_D/steady_source.py" --config "$work/config.json" \
      --streams users --strategy append --work-dir "$work/akb" \
      --cache "postgres:jdbc:postgresql://127.0.0.1:5432/$db?user=postgres&password=postgres" &
    ;;
  pyairbyte)
    "$PY" "$BENCH_D/pyairbyte_read.py" source-steady "$config" "postgres:$db" \
      --local-executable "$BENCH_D/steady_source.py" &
    ;;
  *) echo "unknown contender $kind" >&2; exit 2 ;;
esac
pid=$!
"$PY" "$BENCH_D/latency_probe.py" "$db" "$((rate * seconds))" "$pid"
probe=$?
wait "$pid"
contender=$?
rm -rf "$work"
[ "$probe" = 0 ] && [ "$contender" = 0 ]
