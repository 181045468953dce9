"""Catching storage errors: one exception tree for every backend."""

import asyncio

from litestar_storages import (
    InvalidKeyError,
    MemoryStorage,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StorageValidationError,
    UnsupportedOperationError,
)


async def main() -> None:
    storage = MemoryStorage()

    try:
        await storage.get_bytes("missing.txt")
    except StorageFileNotFoundError as error:
        print(f"not found: {error.key}")  # every error about one object carries its key

    # Storage errors also subclass the matching built-in exception.
    try:
        await storage.delete("missing.txt")
    except FileNotFoundError as error:
        print(f"{type(error).__name__} is a FileNotFoundError")
    await storage.delete("missing.txt", missing_ok=True)  # or ask for no error at all

    await storage.put("unique.txt", b"first")
    try:
        await storage.put("unique.txt", b"second", overwrite=False)
    except StorageFileExistsError:
        assert await storage.get_bytes("unique.txt") == b"first"

    # Invalid arguments are rejected before any request is made.
    for bad_key in ("../etc/passwd", "/absolute", "trailing/", "a//b"):
        try:
            await storage.put(bad_key, b"x")
        except InvalidKeyError as error:
            # InvalidKeyError < StorageValidationError < ValueError as well as StorageError
            print(error, isinstance(error, (StorageValidationError, ValueError)))

    # Some backends cannot do everything: they say so with one exception type.
    try:
        await storage.url("unique.txt", method="PUT")
    except UnsupportedOperationError as error:
        print(error)

    # StorageError is the base of them all: one except clause for "storage failed".
    try:
        await storage.info("missing.txt")
    except StorageError as error:
        print(type(error).__name__)


if __name__ == "__main__":
    asyncio.run(main())
