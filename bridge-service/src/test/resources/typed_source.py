#!/usr/bin/env python3
"""A local-program Airbyte source with rich types, for the typed-values tests.

Config: {"version": 1..4, "count": N}. Stream "items" (primary key id) has a JSON schema per
version: 2 gains "note" and widens "price" integer -> number, 3 loses "tags", 4 turns "name"
from string into integer (an incompatible change). Records are deterministic.
"""
import json
import sys


def schema(version):
    props = {
        "id": {"type": "integer"},
        "name": {"type": ["null", "string"]},
        "price": {"type": ["null", "integer"]},
        "ratio": {"type": "number"},
        "active": {"type": "boolean"},
        "born": {"type": "string", "format": "date"},
        "seen": {"type": "string", "format": "date-time", "airbyte_type": "timestamp_with_timezone"},
        "local": {"type": "string", "format": "date-time", "airbyte_type": "timestamp_without_timezone"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "address": {"type": "object", "properties": {"city": {"type": "string"}, "zip code": {"type": "string"}}},
        "anything": {},
    }
    if version >= 2:
        props["note"] = {"type": ["null", "string"]}
        props["price"] = {"type": ["null", "number"]}
    if version >= 3:
        del props["tags"]
    if version >= 4:
        props["name"] = {"type": ["null", "integer"]}
    return {"type": "object", "properties": props}


def record(version, i):
    data = {
        "id": i,
        "name": None if i % 5 == 0 else "item %d" % i,
        "price": 100 + i if version == 1 else 100.5 + i,
        "ratio": i / 8,
        "active": i % 2 == 0,
        "born": "2020-01-%02d" % (1 + i % 28),
        "seen": "2024-03-04T05:06:%02d.123456+02:00" % (i % 60),
        "local": "2024-03-04T05:06:%02d" % (i % 60),
        "tags": ["t%d" % i, "x"],
        "address": {"city": "City %d" % i, "zip code": "%05d" % i},
        "anything": {"n": i, "list": [1, "two", None]} if i % 2 else "text %d" % i,
        "undeclared": i * 3,
    }
    if version >= 2:
        data["note"] = "v%d" % version
    if version >= 3:
        del data["tags"]
    if version >= 4:
        data["name"] = i
    return data


def main():
    args = sys.argv[1:]
    command = args[0] if args else ""
    config = {}
    if "--config" in args:
        with open(args[args.index("--config") + 1]) as f:
            config = json.load(f)
    version = int(config.get("version", 1))
    count = int(config.get("count", 10))
    out = sys.stdout
    if command == "spec":
        spec = {"connectionSpecification": {"type": "object", "properties": {
            "version": {"type": "integer"}, "count": {"type": "integer"}}}}
        out.write(json.dumps({"type": "SPEC", "spec": spec}) + "\n")
    elif command == "check":
        out.write(json.dumps({"type": "CONNECTION_STATUS", "connectionStatus": {"status": "SUCCEEDED"}}) + "\n")
    elif command == "discover":
        stream = {"name": "items", "json_schema": schema(version), "supported_sync_modes": ["full_refresh"],
                  "source_defined_primary_key": [["id"]]}
        out.write(json.dumps({"type": "CATALOG", "catalog": {"streams": [stream]}}) + "\n")
    elif command == "read":
        for i in range(1, count + 1):
            out.write(json.dumps({"type": "RECORD", "record": {"stream": "items", "data": record(version, i),
                                                               "emitted_at": 1700000000000 + i}}) + "\n")
        state = {"type": "STREAM", "stream": {"stream_descriptor": {"name": "items"},
                                              "stream_state": {"version": version, "count": count}}}
        out.write(json.dumps({"type": "STATE", "state": state}) + "\n")
    else:
        sys.exit(2)


main()
