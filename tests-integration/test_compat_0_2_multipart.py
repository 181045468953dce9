"""0.2.x compatibility: ``MultipartUpload`` state saved, rebuilt and resumed (the multipart page).

One part of the 0.2.x compatibility suite (``test_compat_0_2_*.py``): code written for
the single-distribution litestar-storages 0.2.x runs unchanged. Each test is a
documented 0.2.x use, written as a 0.2.x user wrote it, plus the rules that let this
release's additions coexist with it (issue 17).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from litestar_storages import FileSystemConfig, FileSystemStorage, MemoryStorage, MultipartUpload
from litestar_storages.exceptions import StorageError

PART = 5 * 1024 * 1024


@pytest.mark.parametrize("kind", ["memory", "filesystem"])
async def test_resume_a_multipart_upload_from_saved_state(kind: str, tmp_path: Path) -> None:
    storage: Any = MemoryStorage() if kind == "memory" else FileSystemStorage(FileSystemConfig(path=tmp_path / "files"))
    data = bytes(range(256)) * (3 * PART // 256)
    chunks = [data[i : i + PART] for i in range(0, len(data), PART)]

    upload = await storage.start_multipart_upload("backups/db.dump", part_size=PART)
    upload.total_parts = len(chunks)
    await storage.upload_part(upload, 1, chunks[0])
    assert upload.completed_parts == 1
    saved = json.dumps(
        {
            "upload_id": upload.upload_id,
            "key": upload.key,
            "parts": upload.parts,
            "part_size": upload.part_size,
            "total_parts": upload.total_parts,
        }
    )

    # Later, maybe in another process: rebuild from the saved state and resume.
    state = json.loads(saved)
    upload = MultipartUpload(
        upload_id=state["upload_id"],
        key=state["key"],
        parts=[(number, etag) for number, etag in state["parts"]],
        part_size=state["part_size"],
        total_parts=state["total_parts"],
    )
    assert upload.total_parts is not None
    for part_number in range(upload.completed_parts + 1, upload.total_parts + 1):
        await storage.upload_part(upload, part_number, chunks[part_number - 1])
    assert upload.completed_parts == upload.total_parts == 3
    stored = await storage.complete_multipart_upload(upload)
    assert stored.size == len(data)
    assert await storage.get_bytes("backups/db.dump") == data


def test_multipart_upload_fields_and_add_part() -> None:
    upload = MultipartUpload(upload_id="u", key="k", parts=[], part_size=PART, total_parts=None)
    assert upload.total_parts is None
    upload.add_part(2, "b")
    upload.add_part(1, "a")
    upload.add_part(2, "b2")  # re-uploading a part replaces it
    assert upload.parts == [(1, "a"), (2, "b2")]
    assert upload.completed_parts == 2
    upload.total_parts = 4
    assert upload.total_parts == 4
    # JSON gives lists, not tuples: accepted. Malformed saved state is refused up front.
    assert MultipartUpload(upload_id="u", key="k", parts=[[1, "a"]]).parts == [(1, "a")]  # type: ignore[list-item]
    for bad in ([(0, "a")], [(1, 2)], [(1, "a"), (1, "b")], [("1", "a")], "1:a"):
        with pytest.raises(StorageError):
            MultipartUpload(upload_id="u", key="k", parts=bad)  # type: ignore[arg-type]
