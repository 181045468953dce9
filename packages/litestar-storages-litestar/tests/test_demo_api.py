"""The demo app's HTTP API without a browser: overwrites are asked for, no client input gives a 500."""

from __future__ import annotations

import base64
import importlib.util
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

DEMO = Path(__file__).resolve().parents[3] / "docs" / "examples" / "demo" / "app.py"


@pytest.fixture
def demo_module(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo_app_for_api", DEMO)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "demo_app_for_api", module)
    spec.loader.exec_module(module)
    return module


@pytest_asyncio.fixture(params=["filesystem", "memory"])
async def client(
    request: pytest.FixtureRequest, demo_module: ModuleType, tmp_path: Path
) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    storage = demo_module.storage_from_env({"DEMO_STORAGE": request.param, "DEMO_PATH": str(tmp_path / "files")})
    async with AsyncTestClient(demo_module.create_app(storage)) as test_client:
        yield test_client


def tus_metadata(**values: str) -> str:
    return ",".join(f"{name} {base64.b64encode(value.encode()).decode()}" for name, value in values.items())


def tus_create(metadata: str, length: int = 5) -> dict[str, str]:
    return {"Tus-Resumable": "1.0.0", "Upload-Length": str(length), "Upload-Metadata": metadata}


async def test_form_upload_refuses_an_unasked_overwrite(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    first = await client.post("/api/files?folder=docs", files={"file": ("a.txt", b"one", "text/plain")})
    assert first.status_code == 201
    assert first.json()["key"] == "docs/a.txt"
    assert (await client.get("/api/exists/docs/a.txt")).json() == {"exists": True}
    again = await client.post("/api/files?folder=docs", files={"file": ("a.txt", b"two", "text/plain")})
    assert again.status_code == 409
    assert (await client.get("/files/docs/a.txt")).content == b"one"
    replaced = await client.post("/api/files?folder=docs&overwrite=true", files={"file": ("a.txt", b"two", "")})
    assert replaced.status_code == 201
    assert (await client.get("/files/docs/a.txt")).content == b"two"


async def test_tus_creation_refuses_an_unasked_overwrite(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    await client.post("/api/files", files={"file": ("b.txt", b"old", "text/plain")})
    refused = await client.post("/api/tus", headers=tus_create(tus_metadata(filename="b.txt", folder="")))
    assert refused.status_code == 409
    asked = tus_metadata(filename="b.txt", folder="", overwrite="true")
    created = await client.post("/api/tus", headers=tus_create(asked))
    assert created.status_code == 201
    location = created.headers["location"]
    patched = await client.patch(
        location,
        content=b"fresh",
        headers={"Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    assert patched.status_code == 204
    assert (await client.get("/files/b.txt")).content == b"fresh"


async def test_tus_upload_lands_in_the_folder_under_its_own_name(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    # A path in the name is the browser's, not ours: only the last part is kept.
    metadata = tus_metadata(filename="C:\\Users\\ada\\..\\report.txt", folder="team/q3")
    created = await client.post("/api/tus", headers=tus_create(metadata, length=0))
    assert created.status_code == 201
    listing = (await client.get("/api/files?folder=team/q3")).json()
    assert [file["key"] for file in listing["files"]] == ["team/q3/report.txt"]
    root = (await client.get("/api/files")).json()
    assert root["folders"] == ["team/"]  # the tus state folder is not listed


@pytest.mark.parametrize(
    ("method", "url", "kwargs"),
    [
        ("GET", "/api/files?folder=../outside", {}),
        ("GET", "/api/exists/../etc/passwd", {}),
        ("GET", "/api/exists/%00", {}),
        ("POST", "/api/direct-uploads", {"json": {"name": "", "folder": ""}}),
        ("POST", "/api/direct-uploads", {"json": {"name": "x.txt", "folder": "../up"}}),
        ("POST", "/api/direct-uploads", {"json": {"folder": "a"}}),
        ("POST", "/api/files?folder=..", {"files": {"file": ("x.txt", b"x", "text/plain")}}),
        ("POST", "/api/files", {"files": {"file": ("", b"x", "text/plain")}}),
        ("POST", "/api/tus", {"headers": tus_create(tus_metadata(filename="x.txt", folder="../.."))}),
        ("POST", "/api/tus", {"headers": tus_create(tus_metadata(filename="", folder=""))}),
        ("POST", "/api/tus", {"headers": tus_create(tus_metadata(filename="x", folder="tus-state"))}),
        ("POST", "/api/tus", {"headers": tus_create("filename !!notbase64")}),
        ("DELETE", "/api/files/missing.txt", {}),
        ("GET", "/api/links/missing.txt", {}),
    ],
)
async def test_bad_input_is_a_4xx(
    client: AsyncTestClient,  # type: ignore[type-arg]
    method: str,
    url: str,
    kwargs: dict[str, object],
) -> None:
    response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]
    assert 400 <= response.status_code < 500, (response.status_code, response.text)


async def test_config_tells_what_the_backend_can_do(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    config = (await client.get("/api/config")).json()
    filesystem = config["backend"].startswith("FileSystemStorage")
    # The filesystem signs PUT links (the plugin's route takes the upload); memory cannot.
    assert config["direct"] is filesystem
    assert config["tus"] is None  # no browser library passed to create_app here
    direct = await client.post("/api/direct-uploads", json={"name": "c.txt", "folder": "up"})
    if filesystem:
        signed = direct.json()
        assert signed["headers"] == {"Content-Type": "text/plain"}
        put = await client.put(signed["url"], content=b"straight", headers=signed["headers"])
        assert put.status_code == 201
        assert (await client.get("/files/up/c.txt")).content == b"straight"
    else:
        assert 400 <= direct.status_code < 500
