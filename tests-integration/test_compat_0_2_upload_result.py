"""0.2.x compatibility: ``UploadResult`` and ``UploadedPart`` (the "Types" page).

One part of the 0.2.x compatibility suite (``test_compat_0_2_*.py``): code written for
the single-distribution litestar-storages 0.2.x runs unchanged. Each test is a
documented 0.2.x use, written as a 0.2.x user wrote it, plus the rules that let this
release's additions coexist with it (issue 17).
"""

from __future__ import annotations

import dataclasses

import pytest

import litestar_storages
from litestar_storages import MemoryStorage, UploadResult


async def test_upload_result_holds_file_and_url() -> None:
    storage = MemoryStorage()
    stored = await storage.put("photos/cat.jpg", b"jpeg")
    result = UploadResult(file=stored, url=await storage.url("photos/cat.jpg"))
    assert (result.file.key, result.url) == ("photos/cat.jpg", "memory://photos/cat.jpg")
    assert UploadResult(stored).url is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.url = "elsewhere"  # type: ignore[misc]
    assert litestar_storages.UploadedPart(part_number=1, etag="e", size=4).part_number == 1
