#!/usr/bin/env python3
"""Writes the registry snapshot shipped in the connector-runtime jar.

Inputs:
- a list of PyPI packages as tab-separated `name<TAB>version<TAB>...` lines (first line is a
  header), for example a listing of every package on PyPI. Every `airbyte-source-*` and
  `airbyte-destination-*` package becomes an entry in the format of Airbyte's oss_registry.json:
  dockerRepository airbyte/<name>, dockerImageTag = the PyPI version (Airbyte publishes both with
  one version), remoteRegistries.pypi.packageName, documentationUrl. The listing holds each
  package's newest version only, so that is the one recorded.
- docker-only.json beside this script: connectors Airbyte ships only as Docker images (no PyPI
  package), as their metadata.yaml in Airbyte's repository names them (definitionId, name,
  dockerImageTag, language), with the commit read and an optional "why" for the note.

Facts AKB adds go in an entry's "akb" object, which Airbyte's format does not have (readers of
oss_registry.json ignore it): "note" says what is known or not known here, "installs": false
marks a package no version of which is known to install, "manifestInWheel" names the manifest.yaml
a checked wheel ships.

Usage: generate-snapshot.py PACKAGES.tsv > ../src/main/resources/io/akb/runtime/registry/oss_registry.json
"""
import csv
import json
import pathlib
import sys
import uuid

NAMESPACE = uuid.UUID("5a1c2f9e-3b7d-4c8a-9e6f-0d1b2c3a4e5f")

# Packages whose newest version on PyPI does not install, pinned to the newest one that does
# (each checked with `pip install NAME==VERSION` in a fresh venv), with the reason.
WORKING_PINS = {
    # 0.6.0's wheel requires a smart-open version that does not exist on PyPI.
    "airbyte-source-file": "0.5.39",
}

# Packages no version of which is known to install here, with what pip said.
NOT_INSTALLABLE = {
    "airbyte-destination-pgvector": "0.1.13 does not install: it requires an airbyte-cdk extra"
    " that its pinned airbyte-cdk version lacks",
}

# Wheels checked to ship a declarative manifest (pip download --no-deps, then the wheel's file
# list): the connector runs from its venv, which holds the manifest at this path.
MANIFESTS_IN_WHEELS = {
    "airbyte-source-activecampaign": ("0.1.11", "source_activecampaign/manifest.yaml"),
    "airbyte-source-aha": ("0.3.14", "source_aha/manifest.yaml"),
    "airbyte-source-github": ("2.7.1", "source_github/manifest.yaml"),
    "airbyte-source-pokeapi": ("0.2.15", "source_pokeapi/manifest.yaml"),
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
    } | akb_facts(package, version)


def akb_facts(package, version):
    facts = {}
    if package in WORKING_PINS:
        facts["note"] = (
            f"pinned to {version}, the newest version known to install; newer ones on PyPI"
            " require a dependency version PyPI does not have"
        )
    if package in NOT_INSTALLABLE:
        facts["installs"] = False
        facts["note"] = NOT_INSTALLABLE[package]
    if package in MANIFESTS_IN_WHEELS:
        checked, path = MANIFESTS_IN_WHEELS[package]
        facts["manifestInWheel"] = path
        if checked != version:
            facts["note"] = f"the manifest was seen in the {checked} wheel, not checked in {version}"
    return {"akb": facts} if facts else {}


def docker_only(spec):
    kind = "destination" if spec["name"].startswith("destination-") else "source"
    short = spec["name"][len(kind) + 1:]
    return {
        f"{kind}DefinitionId": spec["definitionId"],
        "name": spec["displayName"],
        "dockerRepository": f"airbyte/{spec['name']}",
        "dockerImageTag": spec["dockerImageTag"],
        "documentationUrl": f"https://docs.airbyte.com/integrations/{kind}s/{short}",
        "language": spec["language"],
        "remoteRegistries": {"pypi": {"enabled": False}},
        "akb": {
            "note": (
                (spec["why"] + " " if "why" in spec else "")
                + f"Airbyte ships it only as the Docker image airbyte/{spec['name']}, which cannot"
                " be pulled here: docker load or build it first. The tag is the one in Airbyte's"
                f" metadata.yaml at commit {spec['commit'][:12]}; a newer one may exist."
            )
        },
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
    listed = {e["dockerRepository"] for e in sources + destinations}
    specs = json.loads((pathlib.Path(__file__).parent / "docker-only.json").read_text())
    for spec in specs:
        made = docker_only(spec)
        if made["dockerRepository"] in listed:
            continue  # a PyPI package now exists: its entry wins
        (destinations if "destinationDefinitionId" in made else sources).append(made)
    sources.sort(key=lambda e: e["dockerRepository"])
    destinations.sort(key=lambda e: e["dockerRepository"])
    about = {
        "generatedBy": "connector-runtime/registry/generate-snapshot.py",
        "versions": "each PyPI package's newest version in the listing it was made from (or a"
        " working pin); the package's other versions are not recorded here",
        "notIncluded": "Airbyte's manifest-only connectors that ship in no package, and Docker-only"
        " connectors other than those of docker-only.json: their names are not known here",
    }
    json.dump(
        {"akb": about, "sources": sources, "destinations": destinations}, sys.stdout, indent=1
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
