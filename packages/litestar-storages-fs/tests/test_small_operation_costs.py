"""The per-call work of info and delete: cached content types, no failing syscalls for absent sidecars."""

from __future__ import annotations

import mimetypes
import os
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from litestar_storages.backends.filesystem import FileSystemStorage, listing, metadata
from litestar_storages.backends.filesystem import names as names_module
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


async def test_content_type_is_guessed_once_per_extension(
    storage: FileSystemStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    for index in range(20):
        await storage.put(f"docs/{index}.weird-ext", b"x")
    metadata._content_type_of_suffixes.cache_clear()
    calls = 0
    original = mimetypes.guess_type

    def counting(url: str, strict: bool = True) -> Any:
        nonlocal calls
        calls += 1
        return original(url, strict)

    monkeypatch.setattr(mimetypes, "guess_type", counting)
    infos = [await storage.info(f"docs/{index}.weird-ext") for index in range(20)]
    listed = [item async for item in storage.list("docs/")]
    assert {item.content_type for item in [*infos, *listed]} == {guess_content_type("a.weird-ext")}
    assert calls <= 2  # once for the cache, and once for the expected value above


class _Syscalls:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.failed: list[str] = []
        for name in ("open", "unlink", "rmdir"):
            monkeypatch.setattr(os, name, self._wrap(name, getattr(os, name)))

    def _wrap(self, name: str, function: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except FileNotFoundError:
                self.failed.append(name)
                raise

        return call


async def test_absent_sidecars_cost_no_failing_open_or_unlink(
    storage: FileSystemStorage, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await storage.put("plain/a.txt", b"a")
    await storage.put("plain/b.txt", b"b")
    await storage.put("plain/a.txt", b"replaced")  # the replaced version had no sidecar either
    syscalls = _Syscalls(monkeypatch)
    assert (await storage.info("plain/a.txt")).content_type == "text/plain"
    await storage.delete("plain/a.txt")
    assert syscalls.failed == []
    assert sorted(os.listdir(root / "plain")) == ["b.txt"]


async def test_sidecars_are_still_found_and_removed(storage: FileSystemStorage, root: Path) -> None:
    await storage.put("meta/a.bin", b"a", content_type="text/csv", metadata={"owner": "ann"})
    info = await storage.info("meta/a.bin")
    assert (info.content_type, info.metadata) == ("text/csv", {"owner": "ann"})
    await storage.put("meta/b.bin", b"b")
    await storage.delete("meta/a.bin")
    assert os.listdir(root / "meta") == ["b.bin"]  # the sidecar went with its file


async def test_listing_computes_sidecar_names_only_where_sidecars_exist(
    storage: FileSystemStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    await storage.put("plain/a.txt", b"a")
    await storage.put("plain/b.txt", b"b")
    await storage.put("meta/c.bin", b"c", metadata={"owner": "ann"})
    await storage.put("meta/d.bin", b"d")
    monkeypatch.setattr(listing, "_SCAN_MARGIN_NS", -(10**19))  # no file counts as written during the scan
    names: list[str] = []
    original = names_module.sidecar_name

    def counting(name: str, size: int, mtime_ns: int) -> str:
        names.append(name)
        return original(name, size, mtime_ns)

    monkeypatch.setattr(listing, "sidecar_name", counting)
    assert [item.key async for item in storage.list("plain/")] == ["plain/a.txt", "plain/b.txt"]
    assert names == []
    listed = {item.key: item.metadata async for item in storage.list("meta/")}
    assert listed == {"meta/c.bin": {"owner": "ann"}, "meta/d.bin": {}}
    assert sorted(names) == ["c.bin", "d.bin"]
