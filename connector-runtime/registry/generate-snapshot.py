#!/usr/bin/env python3
"""Writes the registry snapshot shipped in the connector-runtime jar.

Input: a list of PyPI packages as tab-separated `name<TAB>version<TAB>...` lines (first line is
a header), for example a listing of every package on PyPI. Every `airbyte-source-*` and
`airbyte-destination-*` package becomes an entry in the format of Airbyte's oss_registry.json:
dockerRepository airbyte/<name>, dockerImageTag = the PyPI version (Airbyte publishes both with
one version), remoteRegistries.pypi.packageName, documentationUrl.

Usage: generate-snapshot.py PACKAGES.tsv > ../src/main/resources/io/akb/runtime/registry/oss_registry.json
"""
import csv
import json
import sys
import uuid

NAMESPACE = uuid.UUID("5a1c2f9e-3b7d-4c8a-9e6f-0d1b2c3a4e5f")

# Packages whose newest version on PyPI does not install, pinned to the newest one that does
# (each checked with `pip install NAME==VERSION` in a fresh venv), with the reason.
WORKING_PINS = {
    # 0.6.0's wheel requires a smart-open version that does not exist on PyPI.
    "airbyte-source-file": "0.5.39",
}


def entry(package, version, summary, kind):
    name = package[len("airbyte-"):]
    short = name[len(kind) + 1:]
    definition_id = str(uuid.uuid5(NAMESPACE, name))
    return {
        f"{kind}DefinitionId": definition_id,
        "name": " ".join(part.capitalize() for part in short.split("-")),
        "dockerRepository": f"airbyte/{name}",
        "dockerImageTag": version,
        "documentationUrl": f"https://docs.airbyte.com/integrations/{kind}s/{short}",
        "language": "python",
        "remoteRegistries": {"pypi": {"enabled": True, "packageName": package}},
        "description": summary or None,
    }


def main(path):
    sources, destinations = [], []
    with open(path, newline="", encoding="utf-8") as listing:
        rows = csv.reader(listing, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows)
        for row in rows:
            if len(row) < 2:
                continue
            package, version = row[0], row[1]
            version = WORKING_PINS.get(package, version)
            summary = row[4] if len(row) > 4 else ""
            if package.startswith("airbyte-source-"):
                sources.append(entry(package, version, summary, "source"))
            elif package.startswith("airbyte-destination-"):
                destinations.append(entry(package, version, summary, "destination"))
    sources.sort(key=lambda e: e["dockerRepository"])
    destinations.sort(key=lambda e: e["dockerRepository"])
    json.dump({"sources": sources, "destinations": destinations}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
