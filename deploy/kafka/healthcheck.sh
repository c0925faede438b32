#!/bin/bash
# Healthy once the broker accepts connections on its first listener (it opens its listeners after
# it has caught up with the cluster metadata). Reads the port from the running configuration.
set -eu
listeners="$(sed -n 's/^listeners=//p' /tmp/akb-kafka.properties | tail -1)"
first="${listeners%%,*}"
port="${first##*:}"
host="${first#*://}"
host="${host%:*}"
exec 3<>"/dev/tcp/${host:-127.0.0.1}/$port"
