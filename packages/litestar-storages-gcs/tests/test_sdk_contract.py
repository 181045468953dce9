"""What ``gcs/_sdk.py`` relies on still exists in the installed gcloud-aio-storage.

Real SDK objects, no mocks and no network: a failure names the SDK version and the private
name that changed, so that widening the version bound (pyproject.toml) starts here.
"""

from __future__ import annotations

import importlib.metadata

import pytest
from gcloud.aio.storage import Storage

from litestar_storages.backends.gcs._sdk import endpoint

SDK = f"gcloud-aio-storage {importlib.metadata.version('gcloud-aio-storage')}"


def _broken(name: str, what: str) -> str:
    return f"{SDK}: {name} {what}; litestar_storages.backends.gcs._sdk relies on it (see its docstring)"


@pytest.mark.parametrize(
    ("api_root", "environment", "expected"),
    [
        ("http://127.0.0.1:4443/", None, ("http://127.0.0.1:4443", True)),
        (None, "http://emulator:9023", ("http://emulator:9023", True)),
        (None, None, ("https://www.googleapis.com", False)),
    ],
)
async def test_the_resolved_endpoint_is_in_the_private_attributes(
    monkeypatch: pytest.MonkeyPatch, api_root: str | None, environment: str | None, expected: tuple[str, bool]
) -> None:
    if environment is None:
        monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    else:
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", environment)
    client = Storage(api_root=api_root, service_file=None)
    try:
        for attribute, kind in (("_api_root", str), ("_api_is_dev", bool)):
            value = getattr(client, attribute, None)
            assert isinstance(value, kind), _broken(f"Storage.{attribute}", f"is not a {kind.__name__} ({value!r})")
        assert endpoint(client) == expected, _broken(
            "Storage._api_root/_api_is_dev", f"no longer hold the resolved endpoint {expected}"
        )
    finally:
        await client.close()
