"""The Azure SDK's HTTP logging: quiet by default, on with ``AzureConfig.http_logging``.

Run it as is (``python docs/examples/azure/logging_requests.py``): it starts Azurite on a
free port (npm installs it on first use). Set ``AZURE_STORAGE_CONNECTION_STRING`` to run
it against another Azurite or a real account instead.
"""

import asyncio
import dataclasses
import logging
import os

from litestar_storages import AzureConfig, AzureStorage

SDK_LOGGER = "azure.core.pipeline.policies.http_logging_policy"


class Collect(logging.Handler):
    """Keeps the records of azure-core's HTTP logging policy."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == SDK_LOGGER:
            self.records.append(record)


async def main(connection_string: str) -> None:
    root = logging.getLogger()
    root.setLevel(logging.INFO)  # what a Litestar app does to the root logger
    seen = Collect()
    root.addHandler(seen)

    config = AzureConfig(container="logging", connection_string=connection_string)
    async with AzureStorage(config) as storage:
        await storage.create_container()
        await storage.put("quiet.txt", b"not logged")  # no record: the SDK's logging is off
    print("records by default:", len(seen.records))  # 0

    # Turned on: azure-core logs each request and answer (URL, method, headers; secrets
    # redacted) at INFO, as it does for clients you build yourself.
    verbose = dataclasses.replace(config, http_logging=True)
    async with AzureStorage(verbose) as storage:
        await storage.put("logged.txt", b"logged")
    print("records with http_logging=True:", len(seen.records))  # 2: the request and its answer
    assert "Request headers" in seen.records[0].getMessage()

    root.removeHandler(seen)


if __name__ == "__main__":
    if "AZURE_STORAGE_CONNECTION_STRING" in os.environ:
        asyncio.run(main(os.environ["AZURE_STORAGE_CONNECTION_STRING"]))
    else:
        from litestar_storages.testing.emulators.azurite import Azurite

        with Azurite() as azurite:
            asyncio.run(main(azurite.connection_string))
