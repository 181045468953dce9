"""Property test: any set of valid keys round-trips, lists in sorted order and cleans up."""

from __future__ import annotations

import asyncio
import os
import string
import tempfile

from hypothesis import given, settings
from hypothesis import strategies as st

from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage

_ALPHABET = st.sampled_from([*string.ascii_letters[:6], *"09.-_ +%?#&=~!", "é", "ü", "文", "😀", "İ"])
_SEGMENT = st.text(_ALPHABET, min_size=1, max_size=6).filter(lambda s: s not in {".", ".."})
_KEY = st.lists(_SEGMENT, min_size=1, max_size=3).map("/".join)


def _consistent(keys: list[str]) -> list[str]:
    # A filesystem cannot hold "a" as a file and "a/b" under it: drop keys that are
    # folders of other keys (object stores allow both; documented quirk).
    unique = sorted(set(keys))
    return [k for k in unique if not any(other.startswith(k + "/") for other in unique)]


@settings(max_examples=40, deadline=None)
@given(st.lists(_KEY, min_size=1, max_size=12), st.text(_ALPHABET, max_size=3))
def test_any_valid_keys_round_trip_in_sorted_order(keys: list[str], prefix: str) -> None:
    keys = _consistent(keys)

    async def scenario(root: str) -> None:
        storage = FileSystemStorage(FileSystemConfig(path=root))
        for key in keys:
            await storage.put(key, key.encode(), metadata={"k": key})
        assert [item.key async for item in storage.list()] == keys
        expected = [k for k in keys if k.startswith(prefix)]
        assert [item.key async for item in storage.list(prefix)] == expected
        assert [item.key async for item in storage.list(prefix, limit=2)] == expected[:2]
        for key in keys:
            assert await storage.get_bytes(key) == key.encode()
            assert (await storage.info(key)).metadata == {"k": key}
        await storage.delete_many(keys)
        assert os.listdir(root) == []

    with tempfile.TemporaryDirectory() as root:
        asyncio.run(scenario(root))
