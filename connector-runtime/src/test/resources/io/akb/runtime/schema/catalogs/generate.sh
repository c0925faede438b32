#!/usr/bin/env bash
# Regenerates the discovered catalogs the schema conversion tests read (AvroSchemaConverterCatalogTest).
# Run once by hand, never by the build: installs each connector's pinned version from PyPI into a
# throw-away venv and stores its catalog (only the streams' names and schemas matter to the tests).
#   usage: generate.sh [work-dir]      (default: a temp dir, removed afterwards)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${1:-$(mktemp -d)}"
[ -n "${1:-}" ] || trap 'rm -rf "$work"' EXIT

venv() { # venv <package> <version>: the venv's bin dir
  local dir="$work/$1-$2"
  [ -x "$dir/bin/python" ] || { python3 -m venv "$dir" && "$dir/bin/pip" -q install "$1==$2"; }
  echo "$dir/bin"
}

# The catalog of a discover, as the connector printed it: {"streams": [...]}.
discover() { # discover <package> <version> <entry point> <config json>
  local bin; bin="$(venv "$1" "$2")"
  echo "$4" > "$work/config.json"
  "$bin/$3" discover --config "$work/config.json" \
    | python3 -c 'import json,sys
for line in sys.stdin:
    if line.startswith("{"):
        m = json.loads(line)
        if m.get("type") == "CATALOG":
            json.dump(m["catalog"], sys.stdout); print()'
}

# The catalog of a declarative connector's manifest streams, built by the CDK without calling the
# connector's API (its own discover does: source-github resolves repositories first). Credentials
# in the config are dummies: nothing is sent.
manifest_streams() { # manifest_streams <package> <version> <source module.class> <config json>
  local bin; bin="$(venv "$1" "$2")"
  "$bin/python" - "$3" "$4" <<'PY'
import importlib, json, sys
from airbyte_cdk.models import AirbyteCatalog, AirbyteMessage, AirbyteMessageSerializer, Type
from airbyte_cdk.sources.declarative.yaml_declarative_source import YamlDeclarativeSource
module, cls = sys.argv[1].rsplit(".", 1)
config = json.loads(sys.argv[2])
source = getattr(importlib.import_module(module), cls)(config=config)
streams = [s.as_airbyte_stream() for s in YamlDeclarativeSource.streams(source, config=config)]
message = AirbyteMessage(type=Type.CATALOG, catalog=AirbyteCatalog(streams=streams))
json.dump(AirbyteMessageSerializer.dump(message)["catalog"], sys.stdout); print()
PY
}

discover airbyte-source-faker 7.2.1 source-faker '{"count": 10}' > "$here/source-faker-7.2.1.json"
discover airbyte-source-smoke-test 0.1.2 source-smoke-test '{}' > "$here/source-smoke-test-0.1.2.json"
manifest_streams airbyte-source-github 2.7.1 source_github.source.SourceGithub \
  '{"credentials": {"option_title": "PAT Credentials", "personal_access_token": "dummy"},
    "repositories": ["airbytehq/airbyte"], "start_date": "2024-01-01T00:00:00Z"}' \
  > "$here/source-github-2.7.1.json"

# Records for the round-trip tests: a full read of source-smoke-test (it needs no credentials),
# without the two records of over 100 kB in large_string_values, to keep the resource small.
smoke="$(venv airbyte-source-smoke-test 0.1.2)"
echo '{}' > "$work/config.json"
python3 - "$here/source-smoke-test-0.1.2.json" > "$work/catalog.json" <<'PY'
import json, sys
streams = json.load(open(sys.argv[1]))["streams"]
json.dump({"streams": [{"stream": s, "sync_mode": "full_refresh", "destination_sync_mode": "append"}
                       for s in streams]}, sys.stdout)
PY
"$smoke/source-smoke-test" read --config "$work/config.json" --catalog "$work/catalog.json" \
  | grep '^{"type":"RECORD"' | awk 'length($0) <= 20000' > "$here/source-smoke-test-0.1.2-read.jsonl"
