"""Azure lists blob names in UTF-16 code-unit order: how it differs, and how to sort alike."""

import asyncio
import os

from litestar_storages import AzureConfig, AzureStorage


def azure_order(key: str) -> bytes:
    """Sort key giving Azure's listing order (UTF-16 code units, compared as numbers)."""
    return key.encode("utf-16-be", "surrogatepass")


async def main(connection_string: str) -> None:
    config = AzureConfig(container="ordering", connection_string=connection_string)
    async with AzureStorage(config) as storage:
        await storage.create_container()
        # U+E000 (private use) and U+1F600 (an emoji, beyond U+FFFF).
        keys = ["notes/\ue000.txt", "notes/\U0001f600.txt", "notes/a.txt"]
        for key in keys:
            await storage.put(key, b"x")

        listed = [item.key async for item in storage.list("notes/")]
        print([key.encode("unicode_escape").decode() for key in listed])
        # The emoji is stored as a surrogate pair (D83D DE00), which sorts before E000 ...
        assert listed == sorted(keys, key=azure_order)
        # ... while code point order (Python's sorted, S3, GCS, the filesystem) puts it last.
        assert listed != sorted(keys)

        await storage.delete_many(keys)


if __name__ == "__main__":
    if "AZURE_STORAGE_CONNECTION_STRING" in os.environ:
        asyncio.run(main(os.environ["AZURE_STORAGE_CONNECTION_STRING"]))
    else:
        from litestar_storages.testing.emulators.azurite import Azurite

        with Azurite() as azurite:
            asyncio.run(main(azurite.connection_string))
