#!/usr/bin/env python3
"""The side-by-side benchmark's recorded stream: N faker-shaped `users` records, deterministic
(the same N gives the same bytes on any machine), written once into DIR as

  catalog.jsonl     the CATALOG message (source-faker 7.2.1's `users` stream, its schema verbatim)
  recording.jsonl   the `read` output: RECORD lines, a STREAM STATE every 10,000 records and at the end
  data.jsonl        the records' data alone, one JSON object a line (DuckDB's own load reads it)
  data.csv          the same rows as CSV, address as JSON text (PostgreSQL's COPY reads it)
  stats.json        records and bytes of each file

Deterministic but for emitted_at, the day of generation (see DAY_MS below).
Usage: generate.py DIR RECORDS. Does nothing when DIR/stats.json already says RECORDS and is recent.
"""
import csv
import json
import os
import random
import sys
import time

STATE_EVERY = 10_000
FIELDS = ["id", "created_at", "updated_at", "name", "title", "age", "email", "telephone", "gender",
          "language", "academic_degree", "nationality", "occupation", "height", "blood_type",
          "weight", "address"]
USERS_STREAM = {
    "name": "users",
    "json_schema": {
        "$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "created_at": {"type": "string", "format": "date-time", "airbyte_type": "timestamp_with_timezone"},
            "updated_at": {"type": "string", "format": "date-time", "airbyte_type": "timestamp_with_timezone"},
            "name": {"type": "string"}, "title": {"type": "string"}, "age": {"type": "integer"},
            "email": {"type": "string"}, "telephone": {"type": "string"}, "gender": {"type": "string"},
            "language": {"type": "string"}, "academic_degree": {"type": "string"},
            "nationality": {"type": "string"}, "occupation": {"type": "string"},
            "height": {"type": "string"}, "blood_type": {"type": "string"}, "weight": {"type": "integer"},
            "address": {"type": "object", "properties": {
                "street_number": {"type": "string"}, "street_name": {"type": "string"},
                "city": {"type": "string"}, "state": {"type": "string"}, "province": {"type": "string"},
                "postal_code": {"type": "string"}, "country_code": {"type": "string"}}}}},
    "supported_sync_modes": ["full_refresh", "incremental"],
    "source_defined_cursor": True, "default_cursor_field": ["updated_at"],
    "source_defined_primary_key": [["id"]], "is_resumable": True,
}
NAMES = ["Tien", "Ann", "Bo", "Carla", "Dmitri", "Eve", "Farid", "Gül", "Hiro", "Ines"]
TITLES = ["LL.D", "Mr.", "Ms.", "Dr.", "PhD", "M.Sc."]
GENDERS = ["Fluid", "Male", "Female", "Other"]
LANGUAGES = ["Russian", "Tamil", "Dutch", "Catalan", "Swahili"]
DEGREES = ["PhD", "Bachelor", "Master"]
NATIONALITIES = ["Ukrainian", "Chilean", "Nepalese", "Irish", "Kenyan"]
OCCUPATIONS = ["Piano Tuner", "Welder", "Actuary", "Baker", "Pilot"]
BLOOD = ["A+", "B−", "O+", "AB−"]
STREETS = ["Lansing", "Hooper", "Church", "Elm", "Bay"]
CITIES = ["Euless", "Oslo", "Lyon", "Pune", "Quito", "Tartu"]
STATES = ["Georgia", "Ohio", "Utah", "Maine"]
DAY_MS = 86_400_000
# emitted_at is the record's Kafka timestamp on the topic contract, and the brokers here delete
# records older than their retention (7 days by default) whatever the topic: so it is the day the
# file was generated (midnight UTC), and a file older than MAX_AGE_DAYS is generated again.
MAX_AGE_DAYS = 3


def user(i, rnd):
    second = i % 86_400
    return {
        "id": i,
        "created_at": "2010-06-16T%02d:%02d:%02d+00:00" % (second // 3600, second // 60 % 60, second % 60),
        "updated_at": "2025-11-30T%02d:%02d:%02d+00:00" % (second // 3600, second // 60 % 60, second % 60),
        "name": rnd.choice(NAMES), "title": rnd.choice(TITLES), "age": rnd.randint(18, 88),
        "email": "user%d@example.org" % i, "telephone": "383.238.%04d" % rnd.randint(0, 9999),
        "gender": rnd.choice(GENDERS), "language": rnd.choice(LANGUAGES),
        "academic_degree": rnd.choice(DEGREES), "nationality": rnd.choice(NATIONALITIES),
        "occupation": rnd.choice(OCCUPATIONS), "height": "1.%02d" % rnd.randint(50, 99),
        "blood_type": rnd.choice(BLOOD), "weight": rnd.randint(40, 120),
        "address": {"street_number": str(rnd.randint(1, 999)), "street_name": rnd.choice(STREETS),
                    "city": rnd.choice(CITIES), "state": rnd.choice(STATES), "province": "",
                    "postal_code": str(rnd.randint(10000, 99999)), "country_code": "IR"},
    }


def state(record):
    return {"type": "STATE", "state": {"type": "STREAM", "stream": {
        "stream_descriptor": {"name": "users"},
        "stream_state": {"updated_at": record["updated_at"]}}}}


def main():
    out, records = sys.argv[1], int(sys.argv[2])
    stats_path = os.path.join(out, "stats.json")
    today = int(time.time() * 1000) // DAY_MS * DAY_MS
    if os.path.exists(stats_path):
        with open(stats_path) as f:
            stats = json.load(f)
        if stats.get("records") == records and today - stats.get("emitted_at", 0) <= MAX_AGE_DAYS * DAY_MS:
            return
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "catalog.jsonl"), "w") as f:
        f.write(json.dumps({"type": "CATALOG", "catalog": {"streams": [USERS_STREAM]}}) + "\n")
    rnd = random.Random(42)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with open(os.path.join(out, "recording.jsonl"), "w", encoding="utf-8") as rec, \
            open(os.path.join(out, "data.jsonl"), "w", encoding="utf-8") as data, \
            open(os.path.join(out, "data.csv"), "w", encoding="utf-8", newline="") as csvfile:
        rows = csv.writer(csvfile)
        for i in range(1, records + 1):
            u = user(i, rnd)
            line = dumps(u)
            data.write(line + "\n")
            rec.write('{"type":"RECORD","record":{"stream":"users","data":%s,"emitted_at":%d}}\n'
                      % (line, today + i // 1000))
            rows.writerow([dumps(u[k]) if k == "address" else u[k] for k in FIELDS])
            if i % STATE_EVERY == 0 or i == records:
                rec.write(dumps(state(u)) + "\n")
    sizes = {name: os.path.getsize(os.path.join(out, name))
             for name in ("recording.jsonl", "data.jsonl", "data.csv")}
    with open(stats_path, "w") as f:
        json.dump({"records": records, "emitted_at": today, "bytes": sizes}, f)


if __name__ == "__main__":
    main()
