"""Configuration validation, OSError translation and the public names."""

from __future__ import annotations

import errno
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import litestar_storages
from litestar_storages.backends import filesystem
from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage
from litestar_storages.backends.filesystem.errors import _BY_ERRNO, translate_error
from litestar_storages.exceptions import (
    ConfigurationError,
    InvalidKeyError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StoragePermissionError,
)

SECRET = "x" * 32


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"path": ""}, "path"),
        ({"path": 42}, "path"),
        ({"base_url": ""}, "base_url"),
        ({"base_url": "https://x.test/a?b=c"}, "base_url"),
        ({"create_dirs": "yes"}, "create_dirs"),
        ({"permissions": 0o10000}, "permissions"),
        ({"permissions": "644"}, "permissions"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"chunk_size": True}, "chunk_size"),
        ({"signing_secret": "short", "base_url": "/f"}, "signing_secret"),
        ({"signing_secret": 123, "base_url": "/f"}, "signing_secret"),
        ({"signing_secret": SECRET}, "base_url"),
        ({"signed_url_expiry": timedelta(0)}, "signed_url_expiry"),
        ({"fsync": 1}, "fsync"),
    ],
)
def test_config_errors_name_the_field(tmp_path: Path, overrides: dict[str, Any], field: str) -> None:
    arguments: dict[str, Any] = {"path": tmp_path, **overrides}
    with pytest.raises(ConfigurationError) as caught:
        FileSystemConfig(**arguments)
    assert caught.value.field == field
    assert field in str(caught.value)


def test_config_defaults_and_secret_hidden(tmp_path: Path) -> None:
    config = FileSystemConfig(path=str(tmp_path), base_url="/f", signing_secret=SECRET)
    assert config.path == tmp_path
    assert (config.create_dirs, config.permissions, config.chunk_size, config.fsync) == (True, 0o644, 1 << 20, False)
    assert config.signed_url_expiry == timedelta(hours=1)
    assert SECRET not in repr(config)


def test_storage_needs_a_config() -> None:
    with pytest.raises(ConfigurationError):
        FileSystemStorage("./uploads")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (errno.ENOENT, StorageFileNotFoundError),
        (errno.ENOTDIR, StorageFileNotFoundError),
        (errno.EISDIR, StorageFileNotFoundError),
        (errno.EEXIST, StorageFileExistsError),
        (errno.EACCES, StoragePermissionError),
        (errno.EPERM, StoragePermissionError),
        (errno.EROFS, StoragePermissionError),
        (errno.ELOOP, StoragePermissionError),
        (errno.ENAMETOOLONG, InvalidKeyError),
        (errno.ENOSPC, StorageError),
        (errno.EIO, StorageError),
    ],
)
def test_os_errors_are_translated(code: int, expected: type[StorageError]) -> None:
    error = OSError(code, "message from the OS")
    translated = translate_error(error, "k.txt")
    assert type(translated) is expected
    assert translated.key == "k.txt"
    assert "message from the OS" in str(translated)


def test_every_mapped_errno_has_a_storage_error() -> None:
    for code, (cls, _) in _BY_ERRNO.items():
        assert isinstance(translate_error(OSError(code, "x"), None), cls)
    assert translate_error(ValueError("not an OS error"), None) is None


async def test_folder_errors_surface_as_not_found(storage: FileSystemStorage, root: Path) -> None:
    await storage.put("dir/file.txt", b"x")
    # A folder where a file is expected: reading it is "not found", never IsADirectoryError.
    with pytest.raises(StorageFileNotFoundError):
        await storage.get_bytes("dir")
    with pytest.raises(StorageFileNotFoundError):
        await storage.copy("dir", "elsewhere")
    with pytest.raises(StorageFileNotFoundError):
        await storage.move("dir", "elsewhere")


def test_public_names() -> None:
    for name in filesystem.__all__:
        assert getattr(filesystem, name) is not None, name
    assert set(filesystem.__all__) >= {"FileSystemStorage", "FileSystemConfig", "verify_signature", "sign_url"}
    assert litestar_storages.FileSystemStorage is FileSystemStorage
    assert litestar_storages.FileSystemConfig is FileSystemConfig
    assert "__slots__" in vars(FileSystemStorage)
    assert not hasattr(FileSystemStorage(FileSystemConfig(path="unused")), "__dict__")


# -- only OSError is translated (#18) -------------------------------------------------------


@pytest.mark.parametrize("bug", [AttributeError("'NoneType' object has no attribute 'x'"), KeyError("size")])
async def test_a_plain_bug_propagates_as_itself(
    storage: FileSystemStorage, monkeypatch: pytest.MonkeyPatch, bug: Exception
) -> None:
    def broken(*_: object, **__: object) -> object:
        raise bug

    await storage.put("a.txt", b"a")
    with monkeypatch.context() as patch:
        patch.setattr(filesystem.files, "info_sync", broken)
        with pytest.raises(type(bug)) as caught:
            await storage.info("a.txt")
    assert caught.value is bug
    # A real filesystem error is still translated.
    with pytest.raises(StorageFileNotFoundError):
        await storage.info("missing.txt")
