"""The scan that keeps private SDK names inside a backend's ``_sdk.py``."""

from __future__ import annotations

from pathlib import Path

from litestar_storages.testing.private_access import private_uses

OWN = """
from __future__ import annotations

import azure.storage.blob
from azure.storage.blob import ContainerClient
from litestar_storages.backends.x.errors import BACKEND


class Own:
    __slots__ = ("_md5",)

    def __init__(self) -> None:
        self._md5 = b""

    def copy(self) -> Own:
        other = Own.__new__(Own)
        other._md5 = self._md5
        return other


def helper(storage: Own, made: "Own | None") -> object:
    built = Own()
    typed: Own = built
    return storage._md5, made._md5, built._md5, typed._md5, azure.storage.blob.__version__
"""

FOREIGN = """
from __future__ import annotations

from azure.storage.blob._generated.aio.operations import BlobOperations
import botocore._helpers
from azure.storage.blob import _shared


def reach(client: object, self_like: object) -> object:
    generated = client._client
    return generated._config, self_like._pipeline


class Holder:
    def __init__(self, client: object) -> None:
        self._client = client

    def deeper(self) -> object:
        return self._client._config
"""


def _package(tmp_path: Path, **modules: str) -> Path:
    for name, source in modules.items():
        (tmp_path / f"{name}.py").write_text(source, encoding="utf-8")
    return tmp_path


def test_own_private_names_and_public_sdk_names_pass(tmp_path: Path) -> None:
    assert private_uses(_package(tmp_path, own=OWN), ("azure",)) == []


def test_every_foreign_private_name_is_reported(tmp_path: Path) -> None:
    found = [use.code for use in private_uses(_package(tmp_path, reach=FOREIGN), ("azure", "botocore"))]
    assert found == [
        "from azure.storage.blob._generated.aio.operations import BlobOperations",
        "import botocore._helpers",
        "from azure.storage.blob import _shared",
        "client._client",
        "generated._config",
        "self_like._pipeline",
        "self._client._config",
    ]


def test_the_sdk_module_may_use_them(tmp_path: Path) -> None:
    assert private_uses(_package(tmp_path, _sdk=FOREIGN, own=OWN), ("azure", "botocore")) == []


def test_private_imports_of_other_roots_are_not_the_sdks(tmp_path: Path) -> None:
    source = "from litestar_storages.backends.x._multipart import Mixin\n"
    assert private_uses(_package(tmp_path, storage=source), ("azure",)) == []


def test_report_names_file_and_line(tmp_path: Path) -> None:
    (use,) = private_uses(_package(tmp_path, mod="x = 1\ny = client._x\n"), ("azure",))
    assert str(use) == f"{tmp_path / 'mod.py'}:2: client._x"
