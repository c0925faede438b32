#!/usr/bin/env python3
"""An Airbyte source that replays a recorded `read` output: the bench's way to measure AKB's own
overhead without a connector's cost. Config: {"recording": "<file of protocol lines>",
"catalog": "<file holding the discovered CATALOG message>"}."""
import json
import shutil
import sys


def arg(name):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else None


def main():
    command = sys.argv[1]
    if command == "spec":
        print(json.dumps({"type": "SPEC", "spec": {"connectionSpecification": {
            "type": "object", "required": ["recording", "catalog"],
            "properties": {"recording": {"type": "string"}, "catalog": {"type": "string"}}}}}))
        return
    with open(arg("--config")) as f:
        config = json.load(f)
    if command == "check":
        print(json.dumps({"type": "CONNECTION_STATUS", "connectionStatus": {"status": "SUCCEEDED"}}))
    elif command == "discover":
        with open(config["catalog"]) as f:
            sys.stdout.write(f.read())
    elif command == "read":
        with open(config["recording"], "rb") as f:
            shutil.copyfileobj(f, sys.stdout.buffer, 1 << 20)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
