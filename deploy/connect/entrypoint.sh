#!/bin/sh
# Starts a distributed Connect worker; the env config provider resolves ${env:...} in the config,
# but the worker's own bootstrap.servers is read before providers exist, so substitute it here.
set -eu
config=/tmp/akb-connect.properties
sed "s#\${env:CONNECT_BOOTSTRAP_SERVERS}#${CONNECT_BOOTSTRAP_SERVERS}#" \
  /opt/kafka/config/akb-connect.properties > "$config"
exec /opt/kafka/bin/connect-distributed.sh "$config"
