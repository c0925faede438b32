#!/usr/bin/env python3
"""A small real Airbyte source for tests: stream `numbers` with ids 1..count.

Incremental on `id` (it resumes after the id in its state; a stream configured as full_refresh
ignores its state), a STATE every `state_every` records,
`delay_ms` of sleep per record (to kill a sync midway), `crash_after` to fail a read, `hang_after`
to fall silent midway, and an `api_key` secret that `check`
accepts only when it is "open-sesame". It prints its key in a log line on purpose: AKB must mask it.

`streams` (a list of names, default ["numbers"]) offers several such streams, each with its own ids
1..count and its own state; a read emits the streams of its catalog in turn, one record each, and
logs "reading <stream> after <id>" for each, the cursor it resumes from.
"""
import json
import sys
import time


def emit(message, flush=True):
    sys.stdout.write(json.dumps(message) + "\n")
    if flush:
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
            "streams": {"type": "array", "items": {"type": "string"},
                        "description": "names of the streams offered, each like numbers"},
        },
    }
}


def stream(name):
    return {
        "name": name,
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
    names = config.get("streams") or ["numbers"]
    if command == "discover":
        emit({"type": "CATALOG", "catalog": {"streams": [stream(name) for name in names]}})
        return
    if command == "read":
        catalog = load("--catalog")
        full_refresh = set()
        if catalog is not None:
            names = [s["stream"]["name"] for s in catalog["streams"]]
            full_refresh = {s["stream"]["name"] for s in catalog["streams"]
                            if s.get("sync_mode") == "full_refresh"}
        cursors = {name: 0 for name in names}
        for state in load("--state", []) or []:
            state = state.get("state", state)
            stream_state = state.get("stream", {})
            name = stream_state.get("stream_descriptor", {}).get("name", "numbers")
            if name in cursors and name not in full_refresh:  # a full refresh reads it all
                cursors[name] = max(cursors[name], int(stream_state.get("stream_state", {}).get("id", 0)))
        count = int(config["count"])
        every = int(config.get("state_every", 100))
        delay = int(config.get("delay_ms", 0)) / 1000.0
        for name in names:
            log("reading %s after %d" % (name, cursors[name]))
        now = int(config.get("emitted_at", time.time() * 1000))
        crash_after = config.get("crash_after")
        hang_after = config.get("hang_after")
        emitted = 0
        for i in range(1, count + 1):
            for name in names:
                if i <= cursors[name]:
                    continue
                if hang_after is not None and emitted >= hang_after:
                    sys.stdout.flush()
                    time.sleep(3600)
                if crash_after is not None and emitted >= crash_after:
                    sys.stdout.flush()
                    sys.stderr.write("boom: the numbers service answered 503\n")
                    sys.exit(1)
                emitted += 1
                # Without a delay the lines go out in blocks, as a fast connector's do.
                emit({"type": "RECORD", "record": {"stream": name, "emitted_at": now,
                                                   "data": {"id": i, "square": i * i, "name": "n%d" % i}}},
                     flush=delay > 0)
                if delay:
                    time.sleep(delay)
                if i % every == 0 or i == count:
                    emit({"type": "STATE", "state": {"type": "STREAM", "stream": {
                        "stream_descriptor": {"name": name}, "stream_state": {"id": i}}}})
        return
    sys.stderr.write("unknown command " + command + "\n")
    sys.exit(2)


if __name__ == "__main__":
    main()
