#!/usr/bin/env python3
"""Writes the registry snapshot shipped in the connector-runtime jar.

Inputs:
- a list of PyPI packages as tab-separated `name<TAB>version<TAB>...` lines (first line is a
  header), for example a listing of every package on PyPI. Every `airbyte-source-*` and
  `airbyte-destination-*` package becomes an entry in the format of Airbyte's oss_registry.json:
  dockerRepository airbyte/<name>, dockerImageTag = the PyPI version (Airbyte publishes both with
  one version), remoteRegistries.pypi.packageName, documentationUrl. The listing holds each
  package's newest version only, so that is the version installed by default.
- PyPI's JSON API (https://pypi.org/pypi/<package>/json), asked once per package, for the
  package's released versions: akb.versions, oldest first, yanked releases and releases without
  files left out. Any failed request stops the script before it writes anything, so a snapshot
  is never written with some packages' versions missing. --versions-for PKG,... asks only for
  those packages (the others get no akb.versions: their versions are not recorded).
- docker-only.json beside this script: connectors Airbyte ships only as Docker images (no PyPI
  package), as their metadata.yaml in Airbyte's repository names them (definitionId, name,
  dockerImageTag, language), with the commit read and an optional "why" for the note.

Facts AKB adds go in an entry's "akb" object, which Airbyte's format does not have (readers of
oss_registry.json ignore it): "note" says what is known or not known here, "installs": false
marks a package no version of which is known to install, "manifestInWheel" names the manifest.yaml
a checked wheel ships, "versions" lists the package's released versions.

Needs Python 3.9+ and the packaging module (PEP 440 order of versions).

Usage: generate-snapshot.py [--versions-for PKG,...] PACKAGES.tsv \
           ../src/main/resources/io/akb/runtime/registry/oss_registry.json
"""
import argparse
import concurrent.futures
import csv
import json
import os
import pathlib
import sys
import tempfile
import urllib.request
import uuid

from packaging.version import InvalidVersion, Version

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


PYPI_JSON = "https://pypi.org/pypi/{}/json"
# Few enough workers to be polite to PyPI; the ~290 requests take well under a minute.
FETCH_WORKERS = 4
FETCH_TIMEOUT_SECONDS = 30


def released_versions(package):
    """The package's versions that have at least one file not yanked, oldest first."""
    request = urllib.request.Request(
        PYPI_JSON.format(package), headers={"User-Agent": "akb-registry-snapshot"}
    )
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
        releases = json.load(response)["releases"]
    kept = [
        version
        for version, files in releases.items()
        if any(not file.get("yanked", False) for file in files)
    ]
    return sorted(kept, key=sort_key)


def sort_key(version):
    # PEP 440 order; a version PEP 440 cannot parse (old releases may have one) sorts first, by text.
    try:
        return (1, Version(version), "")
    except InvalidVersion:
        return (0, Version("0"), version)


def fetch_versions(packages):
    """Package to its released versions; raises on the first request that fails."""
    with concurrent.futures.ThreadPoolExecutor(FETCH_WORKERS) as pool:
        futures = {package: pool.submit(released_versions, package) for package in packages}
        versions = {}
        for package, future in futures.items():
            try:
                versions[package] = future.result()
            except Exception as e:
                raise SystemExit(f"reading {PYPI_JSON.format(package)} failed: {e}") from e
    return versions


def entry(package, version, summary, kind, versions):
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
    } | akb_facts(package, version, versions)


def akb_facts(package, version, versions):
    facts = {}
    if versions is not None:
        facts["versions"] = versions
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("listing", help="the PyPI listing, tab-separated, with a header line")
    parser.add_argument("output", help="the snapshot to write (replaced only when all went well)")
    parser.add_argument(
        "--versions-for",
        metavar="PKG,...",
        help="ask PyPI for these packages' versions only (default: every package)",
    )
    args = parser.parse_args()
    packages = []
    with open(args.listing, newline="", encoding="utf-8") as listing:
        rows = csv.reader(listing, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows)
        for row in rows:
            if len(row) >= 2 and row[0].startswith(("airbyte-source-", "airbyte-destination-")):
                summary = row[4] if len(row) > 4 else ""
                packages.append((row[0], WORKING_PINS.get(row[0], row[1]), summary))
    names = [package for package, _, _ in packages]
    wanted = names if args.versions_for is None else args.versions_for.split(",")
    unknown = sorted(set(wanted) - set(names))
    if unknown:
        raise SystemExit(f"--versions-for names packages the listing lacks: {', '.join(unknown)}")
    versions = fetch_versions(wanted)
    sources, destinations = [], []
    for package, version, summary in packages:
        if package.startswith("airbyte-source-"):
            sources.append(entry(package, version, summary, "source", versions.get(package)))
        else:
            made = entry(package, version, summary, "destination", versions.get(package))
            destinations.append(made)
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
        "versions": "dockerImageTag is each PyPI package's newest version in the listing it was"
        " made from (or a working pin); akb.versions, where present, the versions PyPI had"
        " released when the snapshot was made, oldest first, yanked ones left out"
        + (
            ""
            if args.versions_for is None
            else f" (asked for {len(wanted)} of the {len(names)} packages only: the others'"
            " versions are not recorded)"
        ),
        "notIncluded": "Airbyte's manifest-only connectors that ship in no package, and Docker-only"
        " connectors other than those of docker-only.json: their names are not known here",
    }
    # Written beside the output and renamed over it, so a failure leaves the old snapshot whole.
    output = pathlib.Path(args.output)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=output.parent, delete=False, suffix=".tmp"
    ) as out:
        json.dump({"akb": about, "sources": sources, "destinations": destinations}, out, indent=1)
        out.write("\n")
    os.replace(out.name, output)


if __name__ == "__main__":
    main()
