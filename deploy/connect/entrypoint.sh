#!/bin/sh
# Starts a distributed Connect worker from /opt/kafka/config/connect-distributed.properties.
# Every environment variable CONNECT_<NAME> overrides the worker property <name>: lower case, `_`
# read as `.` (CONNECT_BOOTSTRAP_SERVERS=kafka:9092 -> bootstrap.servers=kafka:9092). Overrides
# are appended, and in a properties file the last value of a key wins. JAVA_OPTS goes to the JVM.
set -eu
config=/tmp/akb-connect.properties
cp /opt/kafka/config/connect-distributed.properties "$config"
env | grep '^CONNECT_[A-Z0-9_]*=' | while IFS= read -r setting; do
  name="$(printf '%s' "${setting%%=*}" | sed 's/^CONNECT_//' | tr 'A-Z_' 'a-z.')"
  printf '%s=%s\n' "$name" "${setting#*=}"
done >> "$config"
# shellcheck disable=SC2086 # JAVA_OPTS holds several options
exec java ${JAVA_OPTS:-} \
  -Dlog4j2.configurationFile=/opt/kafka/config/connect-log4j2.properties \
  -cp '/opt/kafka/libs/*' org.apache.kafka.connect.cli.ConnectDistributed "$config"
