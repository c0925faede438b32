#!/bin/sh
# A tiny Airbyte connector in busybox sh, the entrypoint of the image DockerExecutorIT builds.
# It answers spec, check, discover, read and write the way a real connector does, and reports what
# it sees of its container (mounted files, their modes, whether it can write them, its network).
command="$1"
shift
config=""
catalog=""
state=""
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config="$2"; shift 2 ;;
    --catalog) catalog="$2"; shift 2 ;;
    --state) state="$2"; shift 2 ;;
    *) shift ;;
  esac
done
escape() { sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' | tr -d '\n'; }

case "$command" in
  spec)
    echo '{"type":"SPEC","spec":{"connectionSpecification":{"type":"object","required":["greeting"],"properties":{"greeting":{"type":"string"}}}}}'
    ;;
  check)
    echo "checking $config" >&2
    if echo '{"greeting":"tampered"}' > "$config" 2>/dev/null; then writable=yes; else writable=no; fi
    content=$(escape < "$config")
    modes="$(stat -c %a "$(dirname "$config")") $(stat -c %a "$config")"
    networks=$(ls /sys/class/net | tr '\n' ' ')
    echo "{\"type\":\"CONNECTION_STATUS\",\"connectionStatus\":{\"status\":\"SUCCEEDED\",\"message\":\"config=$content writable=$writable modes=$modes networks=$networks\"}}"
    ;;
  discover)
    echo '{"type":"CATALOG","catalog":{"streams":[{"name":"greetings","json_schema":{"type":"object","properties":{"id":{"type":"integer"},"text":{"type":"string"}}},"supported_sync_modes":["full_refresh","incremental"],"source_defined_primary_key":[["id"]],"default_cursor_field":["id"]}]}}'
    ;;
  read)
    echo 'starting read' >&2
    echo "{\"type\":\"LOG\",\"log\":{\"level\":\"INFO\",\"message\":\"catalog=$(escape < "$catalog")\"}}"
    i=1
    while [ $i -le 3 ]; do
      echo "{\"type\":\"RECORD\",\"record\":{\"stream\":\"greetings\",\"data\":{\"id\":$i,\"text\":\"hello $i\"},\"emitted_at\":1700000000000}}"
      i=$((i + 1))
    done
    echo '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"greetings"},"stream_state":{"last_id":3}}}}'
    if grep -q slow "$config"; then
      sleep 600
    fi
    ;;
  write)
    records=0
    while read -r line; do
      case "$line" in
        *'"type":"STATE"'*) echo "$line" ;;
        *'"type":"RECORD"'*) records=$((records + 1)) ;;
      esac
    done
    echo "{\"type\":\"LOG\",\"log\":{\"level\":\"INFO\",\"message\":\"wrote $records records\"}}"
    ;;
  *)
    echo "unknown command $command" >&2
    echo "second stderr line" >&2
    exit 3
    ;;
esac
