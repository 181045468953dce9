"""Key rules, content types and metadata: the same on every backend."""

import asyncio

from litestar_storages import InvalidKeyError, InvalidMetadataError, MemoryStorage
from litestar_storages.content import MAX_METADATA_BYTES
from litestar_storages.keys import validate_key


async def main() -> None:
    storage = MemoryStorage()

    # Keys are relative "/"-separated paths. Spaces, Unicode and URL characters are fine.
    for key in ("photos/2026/cat.jpg", "with space.txt", "ünïcödé/文件.bin", "query?and#hash.txt"):
        await storage.put(key, b"x")
        assert await storage.exists(key)

    # Rejected everywhere, before any request: absolute paths, "." and ".." segments,
    # empty segments, backslashes, control characters, more than 1024 UTF-8 bytes.
    for key in ("/etc/passwd", "a/../b", "a//b", "folder/", "back\\slash", "new\nline", "x" * 1025):
        try:
            validate_key(key)
        except InvalidKeyError:
            pass
        else:
            raise AssertionError(key)

    # The content type is guessed from the key's extension unless given.
    assert (await storage.put("page.html", b"<p>hi</p>")).content_type == "text/html"
    assert (await storage.put("data", b"{}", content_type="application/json")).content_type == "application/json"
    assert (await storage.put("blob.unknownext", b"?")).content_type == "application/octet-stream"

    # A given content type must be an RFC 9110 media type (ASCII); it is stored as given.
    stored = await storage.put("page", b"<p>hi</p>", content_type='Text/HTML; Charset="UTF-8"')
    assert stored.content_type == 'Text/HTML; Charset="UTF-8"'
    for bad_type in ("", "text/é", "text", "text/plain; "):
        try:
            await storage.put("page", b"x", content_type=bad_type)
        except InvalidMetadataError:
            pass
        else:
            raise AssertionError(bad_type)

    # Metadata names are case-insensitive and come back in lower case; values are any
    # text without control characters (non-ASCII values round-trip on every backend).
    stored = await storage.put("doc.txt", b"x", metadata={"Author": "Zoë", "Reviewed-By": "ada"})
    assert stored.metadata == {"author": "Zoë", "reviewed-by": "ada"}

    # At most 64 pairs and 2048 bytes (UTF-8 names plus values, as S3 counts them).
    assert MAX_METADATA_BYTES == 2048
    await storage.put("doc.txt", b"x", metadata={"note": "é" * 1022})  # 4 + 2044 bytes
    too_big = {"note": "é" * 1023}  # 4 + 2046 bytes
    for bad in ({"bad name": "x"}, {"name": "line\nbreak"}, {"name": "nel\x85"}, {"A": "1", "a": "2"}, too_big):
        try:
            await storage.put("doc.txt", b"x", metadata=bad)
        except InvalidMetadataError:
            pass
        else:
            raise AssertionError(bad)

    # Listing prefixes are plain string prefixes, and listing is recursive.
    await storage.put("photos/cats/tom.jpg", b"x")
    print([item.key async for item in storage.list("photos/ca")])  # ['photos/cats/tom.jpg']


if __name__ == "__main__":
    asyncio.run(main())
