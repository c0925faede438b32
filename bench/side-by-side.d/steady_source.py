#!/usr/bin/env python3
"""An Airbyte source emitting faker-shaped `users` at a steady rate, for the latency comparison:
each record's data carries `emitted_ms`, the wall-clock millisecond it was written to stdout (the
same as its `emitted_at`), so a watcher of the cache can tell how long the record took to become a
row. Config: {"rate": records per second, "seconds": how long}. A STATE every `rate` records."""
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import USERS_STREAM, state, user  # noqa: E402  (the recorded stream's records)


def arg(name):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else None


def stream():
    s = json.loads(json.dumps(USERS_STREAM))
    s["json_schema"]["properties"]["emitted_ms"] = {"type": "integer"}
    return s


def main():
    command = sys.argv[1]
    out = sys.stdout
    if command == "spec":
        out.write(json.dumps({"type": "SPEC", "spec": {"connectionSpecification": {
            "type": "object", "required": ["rate", "seconds"],
            "properties": {"rate": {"type": "integer"}, "seconds": {"type": "integer"}}}}}) + "\n")
        return
    with open(arg("--config")) as f:
        config = json.load(f)
    if command == "check":
        out.write(json.dumps({"type": "CONNECTION_STATUS", "connectionStatus": {"status": "SUCCEEDED"}}) + "\n")
    elif command == "discover":
        out.write(json.dumps({"type": "CATALOG", "catalog": {"streams": [stream()]}}) + "\n")
    elif command == "read":
        rate, total = config["rate"], config["rate"] * config["seconds"]
        rnd = random.Random(42)
        start = time.time()
        tick = max(1, rate // 100)  # a write every 10 ms
        for i in range(1, total + 1):
            if i % tick == 1 or tick == 1:
                ahead = start + (i - 1) / rate - time.time()
                if ahead > 0:
                    out.flush()
                    time.sleep(ahead)
            now_ms = int(time.time() * 1000)
            data = user(i, rnd)
            data["emitted_ms"] = now_ms
            out.write(json.dumps({"type": "RECORD", "record": {
                "stream": "users", "data": data, "emitted_at": now_ms}}, separators=(",", ":")) + "\n")
            if i % rate == 0 or i == total:
                out.write(json.dumps(state(data)) + "\n")
                out.flush()
    out.flush()


if __name__ == "__main__":
    main()
