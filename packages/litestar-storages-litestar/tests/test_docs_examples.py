"""Every example of docs/litestar.md runs here, so the page cannot drift from the code."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import re
import shlex
import sys
import uuid
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from litestar.cli.main import litestar_group
from litestar.testing import AsyncTestClient

from litestar_storages.base import BaseStorage

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "litestar"


def load(name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ModuleType:
    # Examples use relative folders ("uploads"): run them in a fresh working directory.
    monkeypatch.chdir(tmp_path)
    module_name = f"litestar_example_{name}_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, module_name, module)
    spec.loader.exec_module(module)
    return module


def default_storage(module: ModuleType) -> BaseStorage:
    for plugin in module.app.plugins:
        storages = getattr(plugin, "storages", None)
        if storages:
            storage: BaseStorage = storages["default"]
            return storage
    raise AssertionError("no StoragePlugin")


async def test_plugin_example(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    module = load("plugin", monkeypatch, tmp_path)
    async with AsyncTestClient(module.app) as client:
        created = await client.post("/files/notes/today.txt", files={"file": ("today.txt", b"hello")})
        assert created.status_code == 201
        assert created.json()["key"] == "notes/today.txt"
        assert [item["key"] for item in (await client.get("/files")).json()] == ["notes/today.txt"]
        download = await client.get("/files/notes/today.txt", headers={"Range": "bytes=1-3"})
        assert (download.status_code, download.content) == (206, b"ell")
        assert (await client.get("/avatars/none.png")).status_code == 404


async def test_uploads_example(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    module = load("uploads", monkeypatch, tmp_path)
    async with AsyncTestClient(module.app) as client:
        assert (await client.post("/documents/a.pdf", files={"file": ("a.pdf", b"x" * 300_000)})).status_code == 201
        assert (await client.post("/avatars/a.png", files={"file": ("a.png", b"x" * 300_000)})).status_code == 413
        assert (await client.post("/avatars/a.png", files={"file": ("a.png", b"x" * 100_000)})).status_code == 201
        raw = await client.put("/raw/big.bin", content=b"r" * 12_000_000)
        assert raw.status_code == 200
        assert raw.json()["size"] == 12_000_000


async def test_responses_example(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    module = load("responses", monkeypatch, tmp_path)
    storage = default_storage(module)
    await storage.put("invoices/42.pdf", b"%PDF-1.7")
    await storage.put("clips/a.mp4", b"0123456789", content_type="video/mp4")
    async with AsyncTestClient(module.app) as client:
        media = await client.get("/media/clips/a.mp4", headers={"Range": "bytes=-4"})
        assert (media.status_code, media.content) == (206, b"6789")
        assert media.headers["cache-control"] == "private, max-age=300"
        invoice = await client.get("/invoices/42")
        assert invoice.headers["content-disposition"] == (
            "attachment; filename=\"facture-n_42.pdf\"; filename*=UTF-8''facture-n%C2%B042.pdf"
        )
        direct = await client.get("/direct/clips/a.mp4", follow_redirects=False)
        assert direct.status_code == 307
        assert direct.headers["location"] == "memory://clips/a.mp4"


async def test_signed_urls_example(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    module = load("signed_urls", monkeypatch, tmp_path)
    await module.storage.put("reports/q3.csv", b"a,b\n1,2\n")
    async with AsyncTestClient(module.app) as client:
        url = (await client.get("/share/reports/q3.csv")).json()["url"]
        assert urlsplit(url).path == "/media/reports/q3.csv"
        assert (await client.get(url)).content == b"a,b\n1,2\n"
        assert (await client.get(url.replace("signature=", "signature=0"))).status_code == 403
        put_url = (await client.get("/upload-link/inbox/new.txt")).json()["url"]
        assert (await client.put(put_url, content=b"uploaded")).status_code == 201
    assert (tmp_path / "uploads" / "inbox" / "new.txt").read_bytes() == b"uploaded"


async def test_static_files_example(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    module = load("static_files", monkeypatch, tmp_path)
    await module.storage.put("public/index.html", b"<h1>hi</h1>")
    await module.storage.put("public/img/logo.png", b"PNG")
    await module.storage.put("reports/2026.csv", b"x,y")
    async with AsyncTestClient(module.app) as client:
        assert (await client.get("/site/")).text == "<h1>hi</h1>"
        assert (await client.get("/site/img/logo.png")).content == b"PNG"
        assert (await client.get("/site/%2E%2E/reports/2026.csv")).status_code == 404
        assert (await client.get("/site/nothing.png")).status_code == 404
        report = await client.get("/reports/2026.csv")
        assert report.content == b"x,y"
        assert report.headers["content-disposition"] == 'attachment; filename="2026.csv"'


async def test_manual_wiring_example(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    module = load("manual_wiring", monkeypatch, tmp_path)
    await module.storage.put("a.txt", b"abc", metadata={"secret": "s"})
    async with AsyncTestClient(module.app) as client:
        response = await client.get("/info/a.txt")
        assert response.status_code == 200, response.text
        info = response.json()
        assert info["size"] == 3
        assert "metadata" not in info
        assert (await client.get("/info/missing.txt")).status_code == 404


def _console_commands(section: str) -> list[list[str]]:
    # Every `$ litestar storages ...` line of the page's section, in order, comments dropped.
    page = (EXAMPLES.parents[1] / "litestar.md").read_text(encoding="utf-8")
    text = page.split(f"\n{section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```console\n(.*?)```", text, flags=re.DOTALL)
    lines = [line for block in blocks for line in block.splitlines()]
    return [shlex.split(line[2:], comments=True)[2:] for line in lines if line.startswith("$ litestar storages ")]


def test_cli_example(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    module = load("cli_app", monkeypatch, tmp_path)
    monkeypatch.setenv("LITESTAR_APP", f"{module.__name__}:app")
    monkeypatch.setenv("LITESTAR_QUIET_CONSOLE", "1")
    (tmp_path / "photo.jpg").write_bytes(b"jpeg bytes")
    (tmp_path / "site" / "css").mkdir(parents=True)
    (tmp_path / "site" / "index.html").write_bytes(b"<h1>hi</h1>")
    (tmp_path / "site" / "css" / "site.css").write_bytes(b"body {}")

    def storages(*args: str) -> str:
        # Litestar asks app plugins for commands once per process; each test loads its own app.
        monkeypatch.setattr(litestar_group, "_prepare_done", False)
        result = CliRunner().invoke(litestar_group, ["storages", *args], catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    # The commands shown on the docs page, in order, as the page spells them.
    commands = _console_commands("## Command line")
    assert len(commands) == 15
    outputs = [storages(*command) for command in commands]
    assert outputs[1].split()[-1] == "photos/photo.jpg"
    assert "size:          10" in outputs[4]
    assert outputs[5].startswith("file://")
    assert (tmp_path / "restore" / "photo.jpg").read_bytes() == b"jpeg bytes"
    assert not asyncio.run(default_storage(module).exists("photos/photo.jpg"))
    assert outputs[8].splitlines() == [
        "(dry run) upload: site/css/site.css -> default:www/css/site.css",
        "(dry run) upload: site/index.html -> default:www/index.html",
    ]
    assert (tmp_path / "restore-www" / "css" / "site.css").read_bytes() == b"body {}"
    assert (tmp_path / "backups" / "archive" / "2026" / "photo.jpg").read_bytes() == b"jpeg bytes"
    assert outputs[13].split()[2:] == ["3", "file(s)", str(10 + 11 + 7), "bytes", "backups:"]
    listed = json.loads(outputs[14])
    assert [item["key"] for item in listed] == ["archive/2026/photo.jpg", "www/css/site.css", "www/index.html"]


async def test_serving_policy_example(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    module = load("serving_policy", monkeypatch, tmp_path)
    page = b"<script>alert(document.cookie)</script>"
    await default_storage(module).put("assets/app.html", page)
    async with AsyncTestClient(module.app) as client:
        # The browser claims an image; the key's extension decides.
        created = await client.post("/uploads/evil.html", files={"file": ("evil.html", page, "image/png")})
        assert created.status_code == 201
        assert created.json()["content_type"] == "text/html"
        download = await client.get("/uploads/evil.html")
        assert download.headers["content-disposition"].startswith("attachment")
        assert download.headers["content-security-policy"] == "sandbox"
        assert download.headers["x-content-type-options"] == "nosniff"
        preview = await client.get("/preview/evil.html")
        assert preview.headers["content-disposition"].startswith("inline")
        assert preview.headers["content-security-policy"] == "sandbox"
        asset = await client.get("/assets/app.html")
        assert asset.headers["content-disposition"].startswith("inline")
        assert "content-security-policy" not in asset.headers
        # A text field where the file should be: 400 (a bare UploadFile parameter gets a 500).
        text_field = await client.post("/uploads/x.png", files={"file": (None, b"text")})
        assert text_field.status_code == 400
        await client.post("/uploads/cat.png", files={"file": ("cat.png", b"\x89PNG", "image/png")})
        image = await client.get("/uploads/cat.png")
        assert image.headers["content-disposition"].startswith("inline")
        assert "content-security-policy" not in image.headers


async def test_openapi_schema_example(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    module = load("openapi_schema", monkeypatch, tmp_path)
    storage = default_storage(module)
    await storage.put("videos/a.mp4", b"0123456789", content_type="video/mp4")
    async with AsyncTestClient(module.app) as client:
        schema = (await client.get("/schema/openapi.json")).json()
        stored = await client.put("/files/raw.bin", content=b"raw bytes")
        assert (stored.status_code, stored.json()["size"]) == (200, 9)
        clip = await client.get("/videos/a.mp4", headers={"Range": "bytes=0-3"})
        assert (clip.status_code, clip.content) == (206, b"0123")
    summary = "\n".join(module.describe(schema))
    assert "GET /files/{key}  body: -\n    200 application/octet-stream [Content-Length, Accept-Ranges, ETag" in summary
    assert "416 no body [Content-Range, Accept-Ranges, X-Content-Type-Options]" in summary
    assert "PUT /files/{key}  body: application/octet-stream" in summary
    assert "GET /videos/{key}  body: -\n    200 video/mp4" in summary
    assert "POST /forms/{key}  body: multipart/form-data" in summary


async def test_advanced_alchemy_example(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from advanced_alchemy.types.file_object import storages

    module = load("file_columns", monkeypatch, tmp_path)
    try:
        async with AsyncTestClient(module.app) as client:
            created = await client.post("/documents", data={"title": "Report"}, files={"file": ("r.pdf", b"%PDF-1")})
            assert created.status_code == 201, created.text
            assert created.json()["size"] == 6
            download = await client.get(f"/documents/{created.json()['id']}/file", headers={"Range": "bytes=1-3"})
            assert (download.status_code, download.content) == (206, b"PDF")
            again = await client.post("/documents", data={"title": "Report"}, files={"file": ("s.pdf", b"other")})
            assert again.status_code == 500
            # The second upload's file was deleted when its commit failed.
            assert [f.key async for f in module.documents.storage.list()] == ["docs/r.pdf"]
    finally:
        storages.unregister_backend("documents")
        await module.db.get_engine().dispose()


async def test_tus_example(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    module = load("tus", monkeypatch, tmp_path)
    auth = {"Authorization": "Bearer demo-token", "Tus-Resumable": "1.0.0"}
    data = b"0123456789" * 1000
    async with AsyncTestClient(module.app) as client:
        anonymous = await client.post("/uploads", headers={"Tus-Resumable": "1.0.0", "Upload-Length": "3"})
        assert anonymous.status_code == 401
        created = await client.post(
            "/uploads", headers={**auth, "Upload-Length": str(len(data)), "Upload-Metadata": "filename Y2xpcC5NUDQ="}
        )
        assert created.status_code == 201
        location = created.headers["location"]
        patch = {**auth, "Content-Type": "application/offset+octet-stream"}
        first = await client.patch(location, headers={**patch, "Upload-Offset": "0"}, content=data[:4000])
        assert first.headers["upload-offset"] == "4000"
        head = await client.head(location, headers=auth)
        assert head.headers["upload-offset"] == "4000"
        last = await client.patch(location, headers={**patch, "Upload-Offset": "4000"}, content=data[4000:])
        assert last.status_code == 204
        upload_id = location.rsplit("/", 1)[1]
        assert (tmp_path / "uploads" / "videos" / f"{upload_id}.mp4").read_bytes() == data
        assert (await client.get("/maintenance/tus-cleanup", headers=auth)).json() == {"removed": 0}
