#!/usr/bin/env bash
# One topic -> PostgreSQL contender of the side-by-side benchmark, timed the same way for each:
# start it, poll `select count(*) from users` every 0.25 s, stop once RECORDS rows are there.
#   pg-sink.sh debezium BOOTSTRAP DATABASE RECORDS insert|upsert TOPIC
#   pg-sink.sh bridge   BOOTSTRAP DATABASE RECORDS append|merge  PREFIX
# Prints BENCH_SECONDS (launch to the last row: JVM and worker start included),
# BENCH_FIRST_ROW_SECONDS (launch to the first row) and BENCH_STEADY_RECORDS_PER_S (rows after the
# first poll that saw any, over the time since). Needs BENCH_HOME, BENCH_D and TOPIC_BENCH_CP (AKB's
# class path with TopicBench compiled) set by bench/side-by-side.
set -uo pipefail
kind=$1 bootstrap=$2 db=$3 records=$4 mode=$5 source=$6
work=$(mktemp -d "${TMPDIR:-/tmp}/akb-pg-sink.XXXXXX")
pg_url="jdbc:postgresql://127.0.0.1:5432/$db"
count() { psql -h 127.0.0.1 -U postgres -d "$db" -tAqc "select count(*) from users" 2>/dev/null || echo 0; }

case "$kind" in
  debezium)
    connect="$BENCH_HOME/connect"
    cat > "$work/worker.properties" <<EOF
bootstrap.servers=$bootstrap
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=true
offset.storage.file.filename=$work/connect.offsets
offset.flush.interval.ms=10000
plugin.path=$connect/plugins
listeners=http://127.0.0.1:0
# The same batch size as the bridge's (10,000 records a transaction).
consumer.max.poll.records=10000
EOF
    pk="primary.key.mode=none"
    [ "$mode" = upsert ] && pk=$'primary.key.mode=record_value\nprimary.key.fields=id'
    cat > "$work/sink.properties" <<EOF
name=debezium-jdbc-$mode
connector.class=io.debezium.connector.jdbc.JdbcSinkConnector
tasks.max=1
topics=$source
# No TLS on loopback, as the bridge connects there: both sides measured without encryption.
connection.url=$pg_url?sslmode=disable
connection.username=postgres
connection.password=postgres
insert.mode=$mode
$pk
schema.evolution=basic
collection.name.format=users
batch.size=10000
use.time.zone=UTC
EOF
    # shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of options.
    java ${BENCH_JAVA_OPTS:-} -Dlog4j2.configurationFile="$BENCH_D/connect-log4j2.properties" \
      -cp "$connect/libs/*" org.apache.kafka.connect.cli.ConnectStandalone \
      "$work/worker.properties" "$work/sink.properties" &
    ;;
  bridge)
    # shellcheck disable=SC2086
    java ${BENCH_JAVA_OPTS:-} -cp "$TOPIC_BENCH_CP" TopicBench bridge "$bootstrap" "$source" \
      "postgres:$pg_url?user=postgres&password=postgres" "$mode" "$records" &
    ;;
  *) echo "unknown contender kind $kind" >&2; exit 2 ;;
esac
pid=$!
start=$(date +%s.%N)
first="" first_rows=0 rows=0
while :; do
  rows=$(count)
  now=$(date +%s.%N)
  if [ -z "$first" ] && [ "$rows" -gt 0 ]; then first=$now first_rows=$rows; fi
  [ "$rows" -ge "$records" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "the $kind process ended with $rows of $records rows in users" >&2
    wait "$pid"; rm -rf "$work"; exit 1
  fi
  sleep 0.25
done
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
rm -rf "$work"
echo "$rows rows in users"
echo "BENCH_SECONDS=$(echo "$now - $start" | bc)"
echo "BENCH_FIRST_ROW_SECONDS=$(echo "$first - $start" | bc)"
if [ "$(echo "$now > $first" | bc)" = 1 ]; then
  echo "BENCH_STEADY_RECORDS_PER_S=$(echo "($rows - $first_rows) / ($now - $first)" | bc)"
fi
