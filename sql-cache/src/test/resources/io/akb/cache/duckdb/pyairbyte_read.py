"""Opens an AKB DuckDB cache file with PyAirbyte and prints what a PyAirbyte user would read.

Usage: python pyairbyte_read.py DB_PATH SOURCE_NAME STREAM...
Prints one JSON object: stream names PyAirbyte lists, and per stream its records and count.
"""
import json
import sys

from airbyte.caches import DuckDBCache


def main() -> None:
    db_path, source_name, *streams = sys.argv[1:]
    cache = DuckDBCache(db_path=db_path)
    out = {"streams": sorted(cache.streams.keys()), "records": {}, "counts": {}}
    for stream in streams:
        dataset = cache[stream]
        out["records"][stream] = [dict(record) for record in dataset]
        out["counts"][stream] = len(dataset)
        out.setdefault("pandas_columns", {})[stream] = list(dataset.to_pandas().columns)
    provider = cache.get_state_provider(source_name=source_name)
    out["states"] = {
        s.stream_descriptor.name: s.stream_state.model_dump() if s.stream_state else None
        for s in provider.stream_state_artifacts
    }
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
