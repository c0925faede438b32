"""PyAirbyte's `source.read()` into its DuckDB cache, the way its docs show it; run with the bench
venv's python. Prints BENCH_READ_SECONDS: the read alone, from read() to its return, without PyAirbyte's import
and getting the source.

  pyairbyte_read.py NAME CONFIG_JSON DUCKDB_PATH (--local-executable PROGRAM | --pip-url REQ --install-root DIR)
"""
import json
import sys
import time
from pathlib import Path

import airbyte as ab


def main():
    name, config, db_path, mode = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
    if mode == "--local-executable":
        source = ab.get_source(name, config=config, local_executable=sys.argv[5])
    else:
        source = ab.get_source(name, config=config, pip_url=sys.argv[5], install_root=Path(sys.argv[7]))
    source.select_streams(["users"])
    cache = ab.caches.DuckDBCache(db_path=db_path)
    start = time.monotonic()
    result = source.read(cache=cache, force_full_refresh=True)
    seconds = time.monotonic() - start
    print("records read: %d" % result.processed_records)
    print("BENCH_READ_SECONDS=%.3f" % seconds)


if __name__ == "__main__":
    main()
