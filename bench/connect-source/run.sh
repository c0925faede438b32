#!/usr/bin/env bash
# Source-to-topic throughput of the AKB source connector (see README.md beside this file).
# Usage: bench/connect-source/run.sh [users]      (default 100000 users of source-faker)
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=${1:-100000}
WORK=$(mktemp -d /tmp/akb-connect-bench.XXXXXX)
INSTALL_DIR=${AKB_INSTALL_DIR:-$HOME/.cache/akb}
VENV="$INSTALL_DIR/venvs/airbyte-source-faker-7.2.1"
if [ ! -x "$VENV/bin/python" ]; then
  VENV="$WORK/venv"
  python3 -m venv "$VENV" && "$VENV/bin/pip" -q install airbyte-source-faker==7.2.1
fi
# Through the venv's python: the runtime builds venvs elsewhere and renames them, so the scripts'
# shebang lines may name a path that is gone.
FAKER="$VENV/bin/python $VENV/bin/source-faker"
echo "{\"count\": $COUNT, \"seed\": 1, \"always_updated\": false, \"parallelism\": 1}" > "$WORK/config.json"
$FAKER discover --config "$WORK/config.json" | grep '"type": *"CATALOG"' > "$WORK/catalog.jsonl"
python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
catalog = json.loads(open(work + "/catalog.jsonl").readline())["catalog"]
users = [s for s in catalog["streams"] if s["name"] == "users"][0]
json.dump({"streams": [{"stream": users, "sync_mode": "incremental", "cursor_field": ["updated_at"],
           "destination_sync_mode": "append", "primary_key": [["id"]]}]}, open(work + "/configured.json", "w"))
json.dump({"type": "CATALOG", "catalog": {"streams": [users]}}, open(work + "/catalog.jsonl", "w"))
open(work + "/catalog.jsonl", "a").write("\n")
PY

# 1. The limit: the connector alone, its output thrown away.
start=$(date +%s.%N)
$FAKER read --config "$WORK/config.json" --catalog "$WORK/configured.json" > /dev/null 2>&1
end=$(date +%s.%N)
echo "faker -> /dev/null: $COUNT users in $(echo "$end - $start" | bc) s: $(echo "$COUNT / ($end - $start)" | bc) records/s"

# 2. A recording of the same read, replayed by a local program.
$FAKER read --config "$WORK/config.json" --catalog "$WORK/configured.json" > "$WORK/recording.jsonl" 2>/dev/null
start=$(date +%s.%N)
bench/connect-source/replay_source.py read --config <(echo "{\"recording\": \"$WORK/recording.jsonl\", \"catalog\": \"$WORK/catalog.jsonl\"}") > /dev/null
end=$(date +%s.%N)
echo "replay -> /dev/null: $(echo "$COUNT / ($end - $start)" | bc) records/s"

# 3. Both through a real Connect worker into Kafka topics.
./mvnw -B -q -pl connect-plugin -am install -DskipTests
./mvnw -B -q -o -pl connect-plugin verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=SourceThroughputBench -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dbench.count="$COUNT" -Dbench.work="$WORK" -Dbench.replay="$PWD/bench/connect-source/replay_source.py"
cat "$WORK/results.txt"
