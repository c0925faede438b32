#!/usr/bin/env python3
"""A destination that breaks the protocol on purpose, for AKB's failure tests (no CDK needed).

Config: {"crash_after_records": N} exits with code 1 on record N+1 (after a log line),
{"crash_on_id": ID} exits with code 1 on any record whose data has that id, and
{"echo_states": false} reads everything and exits 0 without echoing any STATE. Otherwise it
echoes each STATE, like a well-behaved destination that writes nowhere, or, with
{"records_file": PATH}, one that appends each RECORD message it is sent to PATH as a JSON line
(flushed before the STATE after it is echoed), for tests that read back what arrived.
"""
import json
import sys


def log(level, message):
    print(json.dumps({"type": "LOG", "log": {"level": level, "message": message}}), flush=True)


def main(argv):
    command = argv[0]
    if command == "spec":
        print(json.dumps({"type": "SPEC", "spec": {"connectionSpecification": {"type": "object"},
                                                   "supported_destination_sync_modes": ["append"]}}))
        return 0
    config = json.load(open(argv[argv.index("--config") + 1]))
    if command == "check":
        print(json.dumps({"type": "CONNECTION_STATUS", "connectionStatus": {"status": "SUCCEEDED"}}))
        return 0
    crash_after = config.get("crash_after_records")
    crash_on_id = config.get("crash_on_id")
    echo = config.get("echo_states", True)
    records = 0
    out = open(config["records_file"], "a") if config.get("records_file") else None
    for line in sys.stdin:
        message = json.loads(line)
        if message["type"] == "RECORD":
            records += 1
            if crash_on_id is not None and message["record"]["data"].get("id") == crash_on_id:
                log("ERROR", f"cannot store the record with id {crash_on_id}: poison")
                return 1
            if crash_after is not None and records > crash_after:
                log("ERROR", f"cannot store record {records}: disk on fire")
                print("Traceback (most recent call last): RuntimeError: disk on fire", file=sys.stderr)
                return 1
            if out is not None:
                out.write(json.dumps(message) + "\n")
        elif message["type"] == "STATE" and echo:
            if out is not None:
                out.flush()
            print(json.dumps(message), flush=True)
    log("INFO", f"wrote {records} records")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
