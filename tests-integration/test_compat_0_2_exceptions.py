"""0.2.x compatibility: the not-found and exists errors carry the key (the "Exceptions" page).

One part of the 0.2.x compatibility suite (``test_compat_0_2_*.py``): code written for
the single-distribution litestar-storages 0.2.x runs unchanged. Each test is a
documented 0.2.x use, written as a 0.2.x user wrote it, plus the rules that let this
release's additions coexist with it (issue 17).
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from litestar_storages import FileSystemConfig, FileSystemStorage, MemoryStorage, Storage
from litestar_storages.exceptions import StorageFileExistsError, StorageFileNotFoundError


def test_not_found_and_exists_take_the_key() -> None:
    missing = StorageFileNotFoundError("photos/cat.jpg")
    assert missing.key == "photos/cat.jpg"
    assert str(missing) == "File not found: photos/cat.jpg"
    exists = StorageFileExistsError("photos/cat.jpg")
    assert exists.key == "photos/cat.jpg"
    assert str(exists) == "File already exists: photos/cat.jpg"
    custom = StorageFileNotFoundError("a", message="File not found: 'a' (it is a folder)")
    assert (custom.key, str(custom)) == ("a", "File not found: 'a' (it is a folder)")
    restored = pickle.loads(pickle.dumps(custom))  # noqa: S301 - our own object
    assert (type(restored), restored.key, str(restored)) == (StorageFileNotFoundError, "a", str(custom))


@pytest.mark.parametrize("kind", ["memory", "filesystem"])
async def test_documented_except_clause_prints_the_key(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage: Storage = MemoryStorage() if kind == "memory" else FileSystemStorage(FileSystemConfig(path=tmp_path))
    try:
        await storage.get_bytes("nonexistent.txt")
    except StorageFileNotFoundError as e:
        print(e.key)
    assert capsys.readouterr().out == "nonexistent.txt\n"
    await storage.put("once.txt", b"x")
    with pytest.raises(StorageFileExistsError) as caught:
        await storage.put("once.txt", b"y", overwrite=False)
    assert caught.value.key == "once.txt"
    assert str(caught.value).startswith("File already exists: ")
