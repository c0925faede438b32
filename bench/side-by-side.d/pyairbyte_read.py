"""PyAirbyte's `source.read()` into one of its caches, the way its docs show it; run with the
bench venv's python. Prints BENCH_READ_SECONDS: read() alone, without PyAirbyte's import and
get_source (which installs nothing here: the connector is a local program or already installed).

  pyairbyte_read.py NAME CONFIG_JSON CACHE (--local-executable PROGRAM | --pip-url REQ --install-root DIR)

CACHE: duckdb:PATH (a DuckDBCache; force_full_refresh=True, so PyAirbyte's default strategy is
replace) or postgres:DATABASE (a PostgresCache on 127.0.0.1, postgres/postgres, schema public,
write_strategy="append": the latency comparison).
"""
import json
import sys
import time
from pathlib import Path

import airbyte as ab


def main():
    name, config, cache_spec, mode = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
    if mode == "--local-executable":
        source = ab.get_source(name, config=config, local_executable=sys.argv[5])
    else:
        source = ab.get_source(name, config=config, pip_url=sys.argv[5], install_root=Path(sys.argv[7]))
    source.select_streams(["users"])
    start = time.monotonic()
    if cache_spec.startswith("postgres:"):
        cache = ab.caches.PostgresCache(host="127.0.0.1", port=5432, username="postgres",
                                        password="postgres", database=cache_spec[len("postgres:"):],
                                        schema_name="public")
        result = source.read(cache=cache, write_strategy="append")
    else:
        db_path = cache_spec[len("duckdb:"):]
        result = source.read(cache=ab.caches.DuckDBCache(db_path=db_path), force_full_refresh=True)
    seconds = time.monotonic() - start
    print("records read: %d" % result.processed_records)
    print("BENCH_READ_SECONDS=%.3f" % seconds)


if __name__ == "__main__":
    main()
