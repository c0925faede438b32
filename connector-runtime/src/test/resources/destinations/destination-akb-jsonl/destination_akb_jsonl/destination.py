"""A destination on the real Airbyte Python CDK, for AKB's tests.

Each record becomes one JSON line in <directory>/<namespace.>stream.jsonl. A STATE is echoed only
after every line before it is flushed and fsync'ed, as the protocol asks. The CDK's models drop
STATE fields they do not know, which is what AKB's echo matching must survive.
"""

import json
import logging
import os
import sys
from typing import Any, Iterable, Mapping

from airbyte_cdk.destinations import Destination
from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteMessage,
    ConfiguredAirbyteCatalog,
    DestinationSyncMode,
    Status,
    Type,
)


def _file_name(stream: str, namespace: str | None) -> str:
    return (f"{namespace}.{stream}" if namespace else stream) + ".jsonl"


class JsonLinesDestination(Destination):
    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        directory = config["directory"]
        try:
            os.makedirs(directory, exist_ok=True)
            probe = os.path.join(directory, ".akb-check")
            with open(probe, "w") as f:
                f.write("ok")
            os.remove(probe)
            return AirbyteConnectionStatus(status=Status.SUCCEEDED)
        except OSError as e:
            return AirbyteConnectionStatus(status=Status.FAILED, message=f"cannot write to {directory}: {e}")

    def write(
        self,
        config: Mapping[str, Any],
        configured_catalog: ConfiguredAirbyteCatalog,
        input_messages: Iterable[AirbyteMessage],
    ) -> Iterable[AirbyteMessage]:
        directory = config["directory"]
        os.makedirs(directory, exist_ok=True)
        files = {}
        for configured in configured_catalog.streams:
            key = (configured.stream.namespace or None, configured.stream.name)
            mode = "w" if configured.destination_sync_mode == DestinationSyncMode.overwrite else "a"
            files[key] = open(os.path.join(directory, _file_name(key[1], key[0])), mode, encoding="utf-8")

        def flush_all():
            for f in files.values():
                f.flush()
                os.fsync(f.fileno())

        try:
            for message in input_messages:
                if message.type == Type.RECORD:
                    record = message.record
                    key = (record.namespace or None, record.stream)
                    if key not in files:
                        raise ValueError(f"record for stream {record.stream!r} which is not in the configured catalog")
                    line = {"stream": record.stream, "data": record.data, "emitted_at": record.emitted_at}
                    if record.namespace:
                        line["namespace"] = record.namespace
                    if record.meta is not None and record.meta.changes:
                        line["changes"] = [
                            {"field": c.field, "change": c.change.value, "reason": c.reason.value}
                            for c in record.meta.changes
                        ]
                    files[key].write(json.dumps(line) + "\n")
                elif message.type == Type.STATE:
                    flush_all()
                    yield message
        finally:
            flush_all()
            for f in files.values():
                f.close()


def run() -> None:
    # A pipe makes Python's stdout block-buffered; echoes must reach the caller as they happen.
    sys.stdout.reconfigure(line_buffering=True)
    JsonLinesDestination().run(sys.argv[1:])


if __name__ == "__main__":
    run()
