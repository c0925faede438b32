#!/usr/bin/env python3
"""A small real Airbyte source for tests: stream `numbers` with ids 1..count.

Incremental on `id` (it resumes after the id in its state), a STATE every `state_every` records,
`delay_ms` of sleep per record (to kill a sync midway), `crash_after` to fail a read, `hang_after`
to fall silent midway, and an `api_key` secret that `check`
accepts only when it is "open-sesame". It prints its key in a log line on purpose: AKB must mask it.
"""
import json
import sys
import time


def emit(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def arg(name):
    argv = sys.argv
    return argv[argv.index(name) + 1] if name in argv else None


def load(name, default=None):
    path = arg(name)
    if path is None:
        return default
    with open(path) as f:
        return json.load(f)


SPEC = {
    "connectionSpecification": {
        "type": "object",
        "required": ["api_key", "count"],
        "properties": {
            "api_key": {"type": "string", "airbyte_secret": True, "title": "API key"},
            "count": {"type": "integer", "minimum": 0, "title": "How many numbers"},
            "delay_ms": {"type": "integer", "minimum": 0, "default": 0},
            "state_every": {"type": "integer", "minimum": 1, "default": 100},
            "crash_after": {"type": "integer", "minimum": 0,
                            "description": "exit 1 after this many records of a read"},
            "hang_after": {"type": "integer", "minimum": 0,
                           "description": "print nothing more after this many records of a read"},
            "emitted_at": {"type": "integer",
                           "description": "emitted_at of every record (epoch ms); default now"},
        },
    }
}

STREAM = {
    "name": "numbers",
    "json_schema": {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "square": {"type": "integer"}, "name": {"type": "string"}},
    },
    "supported_sync_modes": ["full_refresh", "incremental"],
    "source_defined_cursor": True,
    "default_cursor_field": ["id"],
    "source_defined_primary_key": [["id"]],
}


def log(text):
    emit({"type": "LOG", "log": {"level": "INFO", "message": text}})


def main():
    command = sys.argv[1]
    if command == "spec":
        emit({"type": "SPEC", "spec": SPEC})
        return
    config = load("--config", {})
    if command == "check":
        log("checking with api key " + str(config.get("api_key")))
        if config.get("api_key") == "open-sesame":
            emit({"type": "CONNECTION_STATUS", "connectionStatus": {"status": "SUCCEEDED"}})
        else:
            emit({"type": "CONNECTION_STATUS",
                  "connectionStatus": {"status": "FAILED", "message": "invalid API key: the service refused it"}})
        return
    if command == "discover":
        emit({"type": "CATALOG", "catalog": {"streams": [STREAM]}})
        return
    if command == "read":
        cursor = 0
        for state in load("--state", []) or []:
            state = state.get("state", state)
            stream_state = state.get("stream", {}).get("stream_state", {})
            cursor = max(cursor, int(stream_state.get("id", 0)))
        count = int(config["count"])
        every = int(config.get("state_every", 100))
        delay = int(config.get("delay_ms", 0)) / 1000.0
        log("reading numbers after %d" % cursor)
        now = int(config.get("emitted_at", time.time() * 1000))
        crash_after = config.get("crash_after")
        hang_after = config.get("hang_after")
        for i in range(cursor + 1, count + 1):
            if hang_after is not None and i - cursor > hang_after:
                time.sleep(3600)
            if crash_after is not None and i - cursor > crash_after:
                sys.stderr.write("boom: the numbers service answered 503\n")
                sys.exit(1)
            emit({"type": "RECORD", "record": {"stream": "numbers", "emitted_at": now,
                                               "data": {"id": i, "square": i * i, "name": "n%d" % i}}})
            if delay:
                time.sleep(delay)
            if i % every == 0 or i == count:
                emit({"type": "STATE", "state": {"type": "STREAM", "stream": {
                    "stream_descriptor": {"name": "numbers"}, "stream_state": {"id": i}}}})
        return
    sys.stderr.write("unknown command " + command + "\n")
    sys.exit(2)


if __name__ == "__main__":
    main()
