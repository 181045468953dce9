"""Uploaded files never become stored XSS (issue 16, section 3).

An attacker uploads HTML, SVG, XHTML, XML or JavaScript, claiming whatever type helps,
through every documented upload path, then opens it through every documented download
path. Whatever happens, no answer carries an active type inline without a sandbox
policy, none carries a script type at all, and every answer says ``nosniff``.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import pytest
import pytest_asyncio
from httpx import AsyncClient, Response
from litestar import HttpMethod, Litestar, Request, get, post, put, route
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.testing import AsyncTestClient

from litestar_storages import FileSystemConfig, FileSystemStorage, MemoryStorage, Storage, StoredFile
from litestar_storages.backends.filesystem import sign_url
from litestar_storages.content import guess_content_type
from litestar_storages.contrib import (
    StoragePlugin,
    StoragePluginConfig,
    StorageResponse,
    save_request_body,
    save_upload,
    storage_response,
)
from litestar_storages.contrib.serving_policy import (
    ACTIVE_CONTENT_OPT,
    ActiveContent,
    is_passive,
    media_type_essence,
    serving_decision,
)
from litestar_storages.exceptions import ConfigurationError

SECRET = "serving-policy-signing-secret-32-bytes!!"
PAYLOAD = b"<html><script>alert(document.cookie)</script></html>"

# Types a browser runs script from, or a page of the origin can load as code, named
# here independently of the implementation's own lists.
ACTIVE = {
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "application/rss+xml",
    "application/mathml+xml",
    "text/xsl",
    "application/xslt+xml",
    "application/x-shockwave-flash",
    "multipart/x-mixed-replace",
    "application/octet-stream",
}
CODE = {
    "text/javascript",
    "application/javascript",
    "application/x-javascript",
    "application/ecmascript",
    "text/ecmascript",
    "text/jscript",
    "text/css",
    "application/wasm",
}
# (key, type the client claims): every active extension, claimed as harmless, as itself,
# and an image key claimed as HTML.
ATTACKS = [
    ("evil.html", "image/png"),
    ("evil.htm", "text/plain"),
    ("evil.svg", "image/png"),
    ("evil.xhtml", "application/xhtml+xml"),
    ("evil.xml", "text/xml"),
    ("evil.xsl", "text/xsl"),
    ("evil.js", "image/png"),
    ("evil.mjs", "text/javascript"),
    ("evil.css", "text/css"),
    ("evil.swf", "application/x-shockwave-flash"),
    ("evil", "text/html"),
    ("avatar.png", "text/html"),
    ("avatar.png", "text/html; charset=utf-7"),
    ("avatar.png", "image/svg+xml"),
]


def _essence(response: Response) -> str:
    value: str = response.headers.get("content-type", "")
    return value.split(";", maxsplit=1)[0].strip().lower()


def assert_safe(response: Response, *, mode: ActiveContent = "attachment") -> None:
    """The properties every storage answer must have, whatever was uploaded."""
    assert response.headers.get("x-content-type-options") == "nosniff", response.headers
    essence = _essence(response)
    if essence.startswith("multipart/byteranges"):
        # The parts carry the file's type; the answer's disposition and policy are the file's.
        essence = response.content.split(b"Content-Type: ", 1)[1].split(b"\r\n", 1)[0].decode().split(";")[0]
    assert essence not in CODE, essence
    if (essence in ACTIVE or not essence) and response.status_code in {200, 206}:
        assert "sandbox" in response.headers["content-security-policy"]
        if mode == "attachment":
            assert response.headers["content-disposition"].startswith("attachment")


@route("/files/{key:path}", http_method=[HttpMethod.GET, HttpMethod.HEAD])
async def download(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"))


@get("/trusted/{key:path}", opt={ACTIVE_CONTENT_OPT: "inline"})
async def trusted(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"))


@get("/preview/{key:path}")
async def preview(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    return storage_response(
        storage, key.lstrip("/"), active_content="sandbox", headers={"Content-Security-Policy": "img-src 'self'"}
    )


@post("/upload/{key:path}")
async def upload(
    key: FromPath[str],
    data: Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)],
    storage: NamedDependency[Storage],
) -> StoredFile:
    return await save_upload(storage, key.lstrip("/"), data)


@post("/upload-trusting/{key:path}")
async def upload_trusting(
    key: FromPath[str],
    data: Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)],
    storage: NamedDependency[Storage],
) -> StoredFile:
    return await save_upload(storage, key.lstrip("/"), data, trust_client_content_type=True)


@put("/raw/{key:path}")
async def raw(key: FromPath[str], request: Request[Any, Any, Any], storage: NamedDependency[Storage]) -> StoredFile:
    return await save_request_body(storage, key.lstrip("/"), request)


@put("/raw-trusting/{key:path}")
async def raw_trusting(
    key: FromPath[str], request: Request[Any, Any, Any], storage: NamedDependency[Storage]
) -> StoredFile:
    return await save_request_body(storage, key.lstrip("/"), request, trust_client_content_type=True)


ROUTES = [download, trusted, preview, upload, upload_trusting, raw, raw_trusting]


def _signed(key: str, method: str = "GET") -> str:
    return sign_url("/media", key, SECRET, expires_at=int(time.time()) + 600, method=method)


@pytest.fixture
def signing(tmp_path: Path) -> FileSystemStorage:
    return FileSystemStorage(FileSystemConfig(path=tmp_path / "root", base_url="/media", signing_secret=SECRET))


@pytest_asyncio.fixture
async def client(signing: FileSystemStorage) -> AsyncIterator[AsyncClient]:
    async with AsyncTestClient(Litestar(ROUTES, plugins=[StoragePlugin(signing)])) as test_client:
        yield test_client


async def _upload_every_way(client: AsyncClient, key: str, claimed: str) -> list[str]:
    """Upload through each untrusting path; return the keys written."""
    keys = [f"multipart/{key}", f"raw/{key}", f"signed/{key}"]
    created = [
        await client.post(f"/upload/{keys[0]}", files={"data": (key, PAYLOAD, claimed)}),
        await client.put(f"/raw/{keys[1]}", content=PAYLOAD, headers={"content-type": claimed}),
        await client.put(_signed(keys[2], "PUT"), content=PAYLOAD, headers={"content-type": claimed}),
    ]
    for response in created:
        assert response.status_code in {200, 201}, response.text
        assert response.headers.get("x-content-type-options", "nosniff") == "nosniff"
    return keys


@pytest.mark.parametrize(("key", "claimed"), ATTACKS)
async def test_uploaded_active_content_is_never_served_inline_unsandboxed(
    client: AsyncClient, signing: FileSystemStorage, key: str, claimed: str
) -> None:
    for stored_key in await _upload_every_way(client, key, claimed):
        stored = await signing.info(stored_key)
        # The key decided the stored type, not the client's claim.
        assert stored.content_type == guess_content_type(stored_key), (stored_key, stored.content_type)
        for response in (
            await client.get(f"/files/{stored_key}"),
            await client.head(f"/files/{stored_key}"),
            await client.get(f"/files/{stored_key}", headers={"Range": "bytes=0-5"}),
            await client.get(f"/files/{stored_key}", headers={"Range": "bytes=0-1, 8-9"}),
            await client.get(_signed(stored_key)),
            await client.get(_signed(stored_key), headers={"Range": "bytes=0-1, 8-9"}),
        ):
            assert response.status_code in {200, 206}
            assert_safe(response)
            if response.request.method == "GET":
                assert PAYLOAD[:2] in response.content  # the bytes themselves are untouched


async def test_a_trusted_client_type_is_stored_but_still_served_safely(
    client: AsyncClient, signing: FileSystemStorage
) -> None:
    assert (
        await client.post("/upload-trusting/a.png", files={"data": ("a.png", PAYLOAD, "text/html")})
    ).status_code == 201
    assert (
        await client.put("/raw-trusting/b.png", content=PAYLOAD, headers={"content-type": "image/svg+xml"})
    ).status_code == 200
    assert (await signing.info("a.png")).content_type == "text/html"
    assert (await signing.info("b.png")).content_type == "image/svg+xml"
    for key in ("a.png", "b.png"):
        response = await client.get(f"/files/{key}")
        assert_safe(response)
        assert response.headers["content-disposition"].startswith("attachment")


async def test_a_signed_content_type_is_the_application_s_choice(
    client: AsyncClient, signing: FileSystemStorage
) -> None:
    url = await signing.url("report.bin", method="PUT", content_type="application/pdf")
    response = await client.put(url, content=b"%PDF-1.7", headers={"content-type": "application/pdf"})
    assert response.status_code == 201
    assert (await signing.info("report.bin")).content_type == "application/pdf"


async def test_passive_types_stay_inline_without_a_policy(client: AsyncClient, signing: FileSystemStorage) -> None:
    await signing.put("photo.png", b"\x89PNG")
    await signing.put("clip.mp4", b"mp4")
    await signing.put("notes.txt", b"text")
    for key in ("photo.png", "clip.mp4", "notes.txt"):
        response = await client.get(f"/files/{key}")
        assert response.headers["content-disposition"].startswith("inline")
        assert "content-security-policy" not in response.headers
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_nosniff_on_every_status(client: AsyncClient, signing: FileSystemStorage) -> None:
    await signing.put("a.txt", b"0123456789")
    etag = (await client.get("/files/a.txt")).headers["etag"]
    answers = {
        200: await client.get("/files/a.txt"),
        206: await client.get("/files/a.txt", headers={"Range": "bytes=0-1,5-6"}),
        304: await client.get("/files/a.txt", headers={"If-None-Match": etag}),
        412: await client.get("/files/a.txt", headers={"If-Match": '"other"'}),
        416: await client.get("/files/a.txt", headers={"Range": "bytes=50-"}),
        404: await client.get("/files/missing.txt"),
        403: await client.get("/media/a.txt?expires=1&signature=x"),
    }
    for status, response in answers.items():
        assert response.status_code == status
        assert response.headers["x-content-type-options"] == "nosniff", status


async def test_redirects_carry_nosniff(signing: FileSystemStorage) -> None:
    @get("/go/{key:path}")
    async def go(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
        return storage_response(storage, key.lstrip("/"), redirect=True)

    async with AsyncTestClient(Litestar([go], plugins=[StoragePlugin(signing)])) as client:
        response = await client.get("/go/page.html", follow_redirects=False)
        assert response.status_code == 307
        assert response.headers["x-content-type-options"] == "nosniff"
        # The link leads to the signed route, which applies the same policy.
        await signing.put("page.html", PAYLOAD)
        assert_safe(await client.get(response.headers["location"]))


async def test_sandbox_mode_shows_active_content_inline_under_the_policy(
    client: AsyncClient, signing: FileSystemStorage
) -> None:
    await signing.put("page.html", PAYLOAD)
    await signing.put("app.js", b"alert(1)")
    page = await client.get("/preview/page.html")
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-disposition"].startswith("inline")
    # The application's own policy stays, the sandbox is added as a second policy.
    assert page.headers["content-security-policy"] == "img-src 'self', sandbox"
    assert_safe(page, mode="sandbox")
    script = await client.get("/preview/app.js")
    assert script.headers["content-type"].startswith("text/plain")
    assert_safe(script, mode="sandbox")


async def test_inline_mode_serves_the_application_s_own_files_as_stored(
    client: AsyncClient, signing: FileSystemStorage
) -> None:
    await signing.put("page.html", PAYLOAD)
    response = await client.get("/trusted/page.html")
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-disposition"].startswith("inline")
    assert "content-security-policy" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("mode", ["attachment", "sandbox"])
async def test_the_plugin_config_sets_the_mode_for_every_route(signing: FileSystemStorage, mode: ActiveContent) -> None:
    await signing.put("page.html", PAYLOAD)
    plugin = StoragePlugin(signing, config=StoragePluginConfig(active_content=mode))
    async with AsyncTestClient(Litestar([download, trusted], plugins=[plugin])) as client:
        for response in (await client.get("/files/page.html"), await client.get(_signed("page.html"))):
            assert_safe(response, mode=mode)
            expected = "attachment" if mode == "attachment" else "inline"
            assert response.headers["content-disposition"].startswith(expected)
        # A handler's own opt wins over the plugin's.
        assert "content-security-policy" not in (await client.get("/trusted/page.html")).headers


def test_invalid_modes_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        StoragePluginConfig(active_content="yes")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        storage_response(MemoryStorage(), "a.txt", active_content="none")  # type: ignore[arg-type]


class ReportsOddTypes(MemoryStorage):
    """A backend reporting whatever type it holds, valid or not (older data, other tools)."""

    async def info(self, key: str) -> StoredFile:
        stored = await super().info(key)
        odd = {"a.txt": "text/html , image/png", "b.txt": "image/png;text/html", "c.txt": "text/html\u2028"}
        return dataclasses.replace(stored, content_type=odd.get(key, stored.content_type))


async def test_a_stored_type_that_is_no_media_type_is_sent_as_octet_stream() -> None:
    storage = ReportsOddTypes()
    async with AsyncTestClient(Litestar([download], plugins=[StoragePlugin(storage)])) as client:
        for key in ("a.txt", "b.txt", "c.txt"):
            await storage.put(key, b"x")
            response = await client.get(f"/files/{key}")
            assert response.status_code == 200
            assert response.headers["content-type"] == "application/octet-stream"
            assert response.headers["content-disposition"].startswith("attachment")


@pytest.mark.parametrize(
    ("stored", "attachment", "sandbox", "served"),
    [
        ("image/png", False, False, "image/png"),
        ("video/mp4", False, False, "video/mp4"),
        ("audio/mpeg", False, False, "audio/mpeg"),
        ("text/plain; charset=utf-8", False, False, "text/plain; charset=utf-8"),
        ("application/pdf", False, False, "application/pdf"),
        ("application/json", False, False, "application/json"),
        ("text/html", True, True, "text/html"),
        ("TEXT/HTML; charset=utf-8", True, True, "TEXT/HTML; charset=utf-8"),
        ("image/svg+xml", True, True, "image/svg+xml"),
        ("application/xhtml+xml", True, True, "application/xhtml+xml"),
        ("application/vnd.foo+xml", True, True, "application/vnd.foo+xml"),
        ("text/xml", True, True, "text/xml"),
        ("image/x-unknown-svg", True, True, "image/x-unknown-svg"),
        ("application/x-shockwave-flash", True, True, "application/x-shockwave-flash"),
        ("multipart/x-mixed-replace; boundary=x", True, True, "multipart/x-mixed-replace; boundary=x"),
        ("application/octet-stream", True, True, "application/octet-stream"),
        ("application/x-unknown", True, True, "application/x-unknown"),
        ("text/javascript; charset=utf-8", True, True, "text/plain; charset=utf-8"),
        ("application/javascript", True, True, "text/plain"),
        ("text/css", True, True, "text/plain"),
        ("text/html\x00", True, True, "application/octet-stream"),
        ("text/htmlé", True, True, "application/octet-stream"),
        ("text/" + "h" * 2000, True, True, "application/octet-stream"),
        ("", True, True, "application/octet-stream"),
    ],
)
def test_serving_decision(stored: str, attachment: bool, sandbox: bool, served: str) -> None:
    decision = serving_decision(stored, attachment=False, active_content="attachment")
    assert (decision.content_type, decision.attachment, decision.sandbox) == (served, attachment, sandbox)
    sandboxed = serving_decision(stored, attachment=False, active_content="sandbox")
    assert (sandboxed.content_type, sandboxed.attachment, sandboxed.sandbox) == (served, False, sandbox)
    # An explicit download stays a download in every mode.
    assert serving_decision(stored, attachment=True, active_content="sandbox").attachment
    assert serving_decision(stored, attachment=True, active_content="inline").attachment
    inline = serving_decision(stored, attachment=False, active_content="inline")
    assert not inline.attachment
    assert not inline.sandbox


def test_media_type_grammar() -> None:
    assert media_type_essence('text/plain; charset="utf-8"; format=flowed') == "text/plain"
    assert media_type_essence("Text/Plain ;charset=utf-8") == "text/plain"
    assert media_type_essence("text/plain;") == "text/plain"
    for invalid in ("text", "text/", "/plain", "text/plain; a", 'text/plain; a="b', "text/plain\r\nX: y", "²/x"):
        assert media_type_essence(invalid) is None, invalid
    assert not is_passive("image/svg+xml")
    assert not is_passive("video/vnd.example+xml")
    assert is_passive("image/avif")


def test_every_known_active_type_is_refused_inline() -> None:
    for essence in ACTIVE | CODE:
        assert not is_passive(essence), essence


async def test_uploads_by_the_demo_app_are_served_safely(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    demo = Path(__file__).resolve().parents[3] / "docs" / "examples" / "demo" / "app.py"
    spec = importlib.util.spec_from_file_location("demo_app_for_policy", demo)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "demo_app_for_policy", module)
    spec.loader.exec_module(module)
    storage = module.storage_from_env({"DEMO_STORAGE": "filesystem", "DEMO_PATH": str(tmp_path / "demo")})
    async with AsyncTestClient(module.create_app(storage)) as client:
        for key, claimed in ATTACKS:
            # The same name again replaces: the page asks first, the API needs overwrite=true.
            created = await client.post("/api/files?overwrite=true", files={"file": (key, PAYLOAD, claimed)})
            assert created.status_code == 201, created.text
            link = (await client.get(f"/api/links/{key}")).json()["url"]
            for url in (f"/files/{key}", link):
                assert_safe(await client.get(url))
