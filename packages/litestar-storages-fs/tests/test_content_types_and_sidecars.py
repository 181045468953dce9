"""Cached content types and absent sidecars: the answers are right.

How much work they save (mimetypes calls, failed syscalls, sidecar names computed) is
counted in benchmarks/mechanics.py, not asserted here.
"""

from __future__ import annotations

import os
import string
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from litestar_storages.backends.filesystem import FileSystemStorage, metadata
from litestar_storages.content import guess_content_type

_SUFFIXES = [".gz", ".tar", ".tgz", ".svgz", ".txt", ".TXT", ".json", ".Z", ".bz2", ".br", ".html", ".", "..", ".x"]
_segment = st.text(alphabet=string.ascii_letters + string.digits + ".-_:", min_size=1, max_size=12)


@settings(max_examples=400, deadline=None)
@given(
    folders=st.lists(_segment, max_size=2),
    stem=st.text(alphabet=string.ascii_letters + ".", max_size=6),
    suffixes=st.lists(st.sampled_from(_SUFFIXES), max_size=3),
)
def test_cached_guess_equals_mimetypes(folders: list[str], stem: str, suffixes: list[str]) -> None:
    key = "/".join([*folders, stem + "".join(suffixes) or "f"])
    assert metadata.content_type_for(key) == guess_content_type(key)


async def test_infos_and_listings_report_the_guessed_content_type(storage: FileSystemStorage) -> None:
    for index in range(20):
        await storage.put(f"docs/{index}.weird-ext", b"x")
    metadata._content_type_of_suffixes.cache_clear()
    infos = [await storage.info(f"docs/{index}.weird-ext") for index in range(20)]
    listed = [item async for item in storage.list("docs/")]
    assert len(listed) == 20
    assert {item.content_type for item in [*infos, *listed]} == {guess_content_type("a.weird-ext")}


async def test_info_and_delete_without_sidecars(storage: FileSystemStorage, root: Path) -> None:
    await storage.put("plain/a.txt", b"a")
    await storage.put("plain/b.txt", b"b")
    await storage.put("plain/a.txt", b"replaced")  # the replaced version had no sidecar either
    info = await storage.info("plain/a.txt")
    assert (info.content_type, info.size, info.metadata) == ("text/plain", 8, {})
    await storage.delete("plain/a.txt")
    assert sorted(os.listdir(root / "plain")) == ["b.txt"]
    assert not await storage.exists("plain/a.txt")


async def test_sidecars_are_still_found_and_removed(storage: FileSystemStorage, root: Path) -> None:
    await storage.put("meta/a.bin", b"a", content_type="text/csv", metadata={"owner": "ann"})
    info = await storage.info("meta/a.bin")
    assert (info.content_type, info.metadata) == ("text/csv", {"owner": "ann"})
    await storage.put("meta/b.bin", b"b")
    await storage.delete("meta/a.bin")
    assert os.listdir(root / "meta") == ["b.bin"]  # the sidecar went with its file


async def test_listing_reports_metadata_only_where_sidecars_exist(storage: FileSystemStorage) -> None:
    await storage.put("plain/a.txt", b"a")
    await storage.put("plain/b.txt", b"b")
    await storage.put("meta/c.bin", b"c", metadata={"owner": "ann"})
    await storage.put("meta/d.bin", b"d")
    assert {item.key: item.metadata async for item in storage.list("plain/")} == {"plain/a.txt": {}, "plain/b.txt": {}}
    listed = {item.key: item.metadata async for item in storage.list("meta/")}
    assert listed == {"meta/c.bin": {"owner": "ann"}, "meta/d.bin": {}}
