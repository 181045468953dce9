"""AzureStorage against Azurite: the whole API in one run.

Run it as is (``python docs/examples/azure/quickstart.py``): it starts Azurite on a free
port (npm installs it on first use). Set ``AZURE_STORAGE_CONNECTION_STRING`` to run it
against another Azurite or a real account instead.
"""

import asyncio
import os
from datetime import timedelta

from litestar_storages import AzureConfig, AzureStorage


async def main(connection_string: str) -> None:
    config = AzureConfig(container="quickstart", connection_string=connection_string, prefix="docs/")
    async with AzureStorage(config) as storage:
        await storage.create_container()  # once, at deployment time in real life

        # Small payloads go in one request, with content type and metadata.
        stored = await storage.put("reports/2026-11.csv", b"month,total\n2026-11,42\n", metadata={"x-team": "sales"})
        print(stored.key, stored.size, stored.content_type)  # reports/2026-11.csv 23 text/csv

        info = await storage.info("reports/2026-11.csv")
        assert info.metadata == {"x-team": "sales"}
        assert await storage.get_bytes("reports/2026-11.csv", start=0, end=5) == b"month"

        # overwrite=False is atomic (If-None-Match: *): one writer wins.
        try:
            await storage.put("reports/2026-11.csv", b"again", overwrite=False)
        except FileExistsError:
            print("kept the first version")

        # Server-side copy; listings are sorted by key, without the configured prefix.
        await storage.copy("reports/2026-11.csv", "archive/2026-11.csv")
        print([item.key async for item in storage.list()])  # ['archive/2026-11.csv', 'reports/2026-11.csv']

        # A SAS URL signed with the account key from the connection string.
        print(await storage.url("reports/2026-11.csv", expires_in=timedelta(minutes=10)))

        await storage.delete_many(["reports/2026-11.csv", "archive/2026-11.csv"])
        assert [item async for item in storage.list()] == []


if __name__ == "__main__":
    if "AZURE_STORAGE_CONNECTION_STRING" in os.environ:
        asyncio.run(main(os.environ["AZURE_STORAGE_CONNECTION_STRING"]))
    else:
        from litestar_storages.testing.emulators.azurite import Azurite

        with Azurite() as azurite:
            asyncio.run(main(azurite.connection_string))
