#!/bin/sh
# Starts a KRaft broker from /opt/kafka/config/server.properties. Every environment variable
# KAFKA_<NAME> overrides the broker property <name>: lower case, `_` read as `.`
# (KAFKA_NODE_ID=1 -> node.id=1), appended, and in a properties file the last value of a key wins.
# The first log directory is formatted on first start (kafka-storage.sh format); JAVA_OPTS goes to
# the JVM.
set -eu
config=/tmp/akb-kafka.properties
cp /opt/kafka/config/server.properties "$config"
env | grep '^KAFKA_[A-Z0-9_]*=' | while IFS= read -r setting; do
  name="$(printf '%s' "${setting%%=*}" | sed 's/^KAFKA_//' | tr 'A-Z_' 'a-z.')"
  printf '%s=%s\n' "$name" "${setting#*=}"
done >> "$config"
classpath='/opt/kafka/libs/*'
logging=-Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties
# A fixed default id: a volume holds one cluster, and a restart finds its own id in meta.properties.
java "$logging" -cp "$classpath" kafka.tools.StorageTool format --ignore-formatted \
  --cluster-id "${CLUSTER_ID:-4L6g3nShT-eMCtK--X86sw}" --config "$config"
# shellcheck disable=SC2086 # JAVA_OPTS holds several options
exec java ${JAVA_OPTS:-} "$logging" -cp "$classpath" kafka.Kafka "$config"
