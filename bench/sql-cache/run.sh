#!/usr/bin/env bash
# Bulk-load benchmark of the SQL cache (not part of CI). Usage:
#   bench/sql-cache/run.sh [RECORDS] [BATCH]
# Builds sql-cache, then loads RECORDS faker-shaped records (default 1000000) in batches of BATCH
# (default 10000) into DuckDB and PostgreSQL (PG_URL, default the local server, in a throwaway
# database), with append and merge, each in its own JVM with -Xmx512m; then the same rows with the
# database's own bulk load (strategy=limit: DuckDB read_json of a JSONL file, PostgreSQL COPY of a
# CSV file) into the same typed table: AKB's rows/s divided by the limit's is the ratio to report.
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORDS=${1:-1000000}
BATCH=${2:-10000}
PG_ADMIN=${PG_ADMIN:-"postgresql://postgres:postgres@127.0.0.1:5432/postgres"}
# No install (~/.m2 is shared): the reactor resolves connector-runtime to its freshly built jar.
./mvnw -B -o -q -pl sql-cache -am verify -DskipTests dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt
WORK=$(mktemp -d)
# A private copy of the reactor's classes, so a rebuild during the run cannot pull them away.
cp -r sql-cache/target/classes "$WORK/classes"
cp connector-runtime/target/connector-runtime-[0-9]*[0-9T].jar "$WORK/connector-runtime.jar"
DEPS=$(tr ':' '\n' < sql-cache/target/bench-classpath.txt | grep -v 'connector-runtime' | paste -sd:)
CP="$WORK/classes:$WORK/connector-runtime.jar:$DEPS"
DB="akb_bench_$$"
psql "$PG_ADMIN" -qc "CREATE DATABASE $DB"
trap 'psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"; rm -rf "$WORK"' EXIT
echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- sql-cache || echo +changes), $(nproc) cores, $(grep 'model name' /proc/cpuinfo | head -1 | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
for strategy in append merge limit; do
  java -Xmx512m -cp "$CP" bench/sql-cache/CacheBench.java "duckdb:$WORK/bench-$strategy.duckdb" "$RECORDS" "$BATCH" "$strategy"
  psql "$PG_ADMIN" -qc "DROP DATABASE $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  java -Xmx512m -cp "$CP" bench/sql-cache/CacheBench.java "postgres:postgresql://postgres:postgres@127.0.0.1:5432/$DB" "$RECORDS" "$BATCH" "$strategy"
done
