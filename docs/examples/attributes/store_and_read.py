"""Object attributes: stored with put, reported by info, kept by copy, refused where unsupported."""

import asyncio
import gzip
import tempfile

from litestar_storages import (
    ConfigurationError,
    FileSystemConfig,
    FileSystemStorage,
    MemoryStorage,
    ObjectAttributes,
    StorageValidationError,
)

ATTRIBUTES = ObjectAttributes(
    cache_control="public, max-age=31536000, immutable",
    content_encoding="gzip",
    content_language="en",
    content_disposition='attachment; filename="report.csv"',
    tags={"project": "alpha", "retention": "1y"},
)


async def main() -> None:
    body = gzip.compress(b"id,total\n1,42\n", mtime=0)
    with tempfile.TemporaryDirectory() as folder:
        for storage in (MemoryStorage(), FileSystemStorage(FileSystemConfig(path=folder))):
            async with storage:
                # Stored with the object, reported by info() and returned by put().
                stored = await storage.put("reports/2026.csv.gz", body, content_type="text/csv", attributes=ATTRIBUTES)
                assert stored.attributes == ATTRIBUTES
                info = await storage.info("reports/2026.csv.gz")
                assert info.attributes.cache_control == "public, max-age=31536000, immutable"
                assert dict(info.attributes.tags) == {"project": "alpha", "retention": "1y"}

                # The bytes are the stored ones: Content-Encoding describes them, nothing decodes them.
                assert await storage.get_bytes("reports/2026.csv.gz") == body

                # copy and move keep every attribute; an overwrite replaces them all.
                copied = await storage.copy("reports/2026.csv.gz", "archive/2026.csv.gz")
                assert copied.attributes == ATTRIBUTES
                await storage.put("archive/2026.csv.gz", b"plain")
                assert (await storage.info("archive/2026.csv.gz")).attributes.set_names() == frozenset()

                # What a backend cannot keep is refused before any byte is written.
                print(sorted(storage.attribute_names))
                try:
                    await storage.put("private.txt", b"x", attributes=ObjectAttributes(acl="private"))
                except ConfigurationError as error:
                    print(error)  # e.g. "MemoryStorage cannot store the attribute 'acl' (it supports: ...)"
                else:
                    raise AssertionError("acl accepted")
                assert not await storage.exists("private.txt")

                # Values are checked the same way everywhere: no CR/LF can reach a header.
                try:
                    await storage.put("bad.txt", b"x", attributes=ObjectAttributes(cache_control="a\r\nSet-Cookie: x"))
                except StorageValidationError:
                    pass
                else:
                    raise AssertionError("CR/LF accepted")

        # The filesystem keeps attributes in the file's sidecar: they survive a restart.
        async with FileSystemStorage(FileSystemConfig(path=folder)) as reopened:
            assert (await reopened.info("reports/2026.csv.gz")).attributes == ATTRIBUTES


if __name__ == "__main__":
    asyncio.run(main())
