"""tus uploads with a real client (tuspy) over a real server (uvicorn), on every backend.

Each test serves the plugin's tus routes with uvicorn on a loopback port, in a thread
of its own (tuspy's HEAD requests are synchronous, so client and server cannot share
a loop), and drives them with tuspy, the tus project's Python client. Restarts and
load-balanced processes are two applications over storages opened anew on the same
namespace: all they share is what the storage holds. The final object must be
byte-identical, and nothing staged may be left behind.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
import requests
import uvicorn
from litestar import Litestar
from storages_harness.backends import Backend, new_namespace
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError, TusUploadFailed
from tusclient.uploader.uploader import Uploader

from litestar_storages.base import BaseStorage
from litestar_storages.contrib import StoragePlugin, StoragePluginConfig
from litestar_storages.contrib.tus import TusConfig, TusUploads

KIB = 1024
MIB = 1024 * KIB
# Past S3's 5 MiB part minimum, so every backend sends at least one full part and a tail.
SIZE = 5 * MIB + 123_457
TUS = {"Tus-Resumable": "1.0.0"}


def payload(size: int, seed: int = 0) -> bytes:
    block = hashlib.sha256(str(seed).encode()).digest() * 2048
    return (block * (size // len(block) + 1))[:size]


def make_app(storage: BaseStorage, **options: Any) -> tuple[Litestar, TusUploads]:
    options.setdefault("part_size", 256 * KIB)  # raised to the backend's minimum (5 MiB on S3)
    plugin = StoragePlugin(storage, config=StoragePluginConfig(tus=(TusConfig(**options),)))
    return Litestar(plugins=[plugin]), plugin.tus["/tus"]


@contextmanager
def serve(*apps: Litestar) -> Iterator[list[str]]:
    """Serve each app on its own loopback port, all on one event loop in a thread; yield their base URLs."""
    servers = [
        uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
        for app in apps
    ]
    loop = asyncio.new_event_loop()

    async def run_all() -> None:
        await asyncio.gather(*(server.serve() for server in servers))

    thread = threading.Thread(target=loop.run_until_complete, args=(run_all(),), daemon=True)
    thread.start()
    try:
        for _ in range(600):
            if all(server.started for server in servers) or not thread.is_alive():
                break
            time.sleep(0.05)
        assert all(server.started for server in servers), "uvicorn did not start"
        yield [f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}" for server in servers]
    finally:
        for server in servers:
            server.should_exit = True
        thread.join(timeout=60)
        loop.close()


@dataclass
class Space:
    """A storage over a fresh namespace, and the means to open it again (another process)."""

    backend: Backend
    namespace: str
    storage: BaseStorage

    async def reopen(self) -> BaseStorage:
        # Another process opens its own storage; memory lives in the process: it is shared.
        return self.storage if self.backend.id == "memory" else await self.backend.open(self.namespace)

    async def release(self, opened: BaseStorage) -> None:
        if opened is not self.storage:
            await opened.close()


@pytest_asyncio.fixture
async def space(backend: Backend) -> AsyncIterator[Space]:
    namespace = new_namespace()
    storage = await backend.open(namespace)
    try:
        yield Space(backend, namespace, storage)
    finally:
        await storage.close()
        await backend.purge(namespace)


def uploader(base: str, data: bytes, **options: Any) -> Uploader:
    return TusClient(f"{base}/tus").uploader(file_stream=io.BytesIO(data), **options)


def send_chunk(client: Any) -> None:
    """One PATCH of ``chunk_size`` bytes (the first call creates the upload); tuspy's method is untyped."""
    client.upload_chunk()


def head_offset(url: str) -> int:
    answer = requests.head(url, headers=TUS, timeout=30)
    assert answer.status_code == 200, answer.status_code
    return int(answer.headers["Upload-Offset"])


def interrupted_patch(url: str, offset: int, sent: bytes, announced: int) -> None:
    """Send a PATCH announcing ``announced`` bytes, send ``sent`` of them, and hang up."""
    parts = urlsplit(url)
    head = (
        f"PATCH {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nTus-Resumable: 1.0.0\r\n"
        f"Upload-Offset: {offset}\r\nContent-Type: application/offset+octet-stream\r\n"
        f"Content-Length: {announced}\r\n\r\n"
    ).encode()
    with socket.create_connection((parts.hostname, parts.port or 80)) as connection:
        connection.sendall(head + sent)


def wait_for_offset(url: str, above: int) -> int:
    # The server records a cut PATCH when it notices the hang-up: poll until it has.
    for _ in range(600):
        offset = head_offset(url)
        if offset > above:
            return offset
        time.sleep(0.05)
    raise AssertionError("the interrupted PATCH was never recorded")


async def final_bytes(storage: BaseStorage, url: str) -> bytes:
    return await storage.get_bytes("uploads/" + url.rsplit("/", 1)[1])


async def staged(storage: BaseStorage) -> list[str]:
    return [s.key async for s in storage.list("tus-state/") if "/tail/" in s.key or "/parts/" in s.key]


def modes(backend: Backend) -> Sequence[str]:
    return ("staged",) if backend.id == "gcs" else ("multipart",)


async def test_full_upload_with_checksums(backend: Backend, space: Space) -> None:
    storage = space.storage
    data = payload(SIZE)
    app, uploads = make_app(storage)
    assert uploads.mode in modes(backend)
    with serve(app) as (base,):
        client = uploader(base, data, chunk_size=MIB + 7, upload_checksum=True, metadata={"filename": "ünï.bin"})
        client.upload()
        url = str(client.url)
        assert head_offset(url) == SIZE
    assert await final_bytes(storage, url) == data
    assert await staged(storage) == []


async def test_interrupted_patch_then_resume_from_head(backend: Backend, space: Space) -> None:
    storage = space.storage
    data = payload(SIZE, seed=1)
    app, _ = make_app(storage)
    with serve(app) as (base,):
        client = uploader(base, data, chunk_size=MIB)
        client.upload(stop_at=MIB)  # one PATCH accepted
        url = str(client.url)
        interrupted_patch(url, MIB, data[MIB : 3 * MIB + 99], announced=SIZE - MIB)
        offset = wait_for_offset(url, MIB)
        assert MIB < offset <= 3 * MIB + 99
        resumed = uploader(base, data, url=url, chunk_size=2 * MIB)
        assert resumed.offset == offset  # tuspy asked HEAD
        resumed.upload()
    assert await final_bytes(storage, url) == data


async def test_wrong_offset_and_checksum_mismatch(backend: Backend, space: Space) -> None:
    storage = space.storage
    data = payload(2 * MIB, seed=2)
    app, _ = make_app(storage)

    class LyingUploader(Uploader):
        @property
        def checksum_algorithm(self) -> Any:
            return lambda chunk: hashlib.sha1(chunk + b"!", usedforsecurity=False)

    with serve(app) as (base,):
        client = uploader(base, data, chunk_size=MIB)
        client.upload(stop_at=MIB)
        url = str(client.url)
        client.offset = 0  # tuspy believes the upload starts over
        with pytest.raises(TusUploadFailed) as conflict:
            send_chunk(client)
        assert conflict.value.status_code == 409
        liar = LyingUploader(file_stream=io.BytesIO(data), url=url, chunk_size=MIB, upload_checksum=True)
        with pytest.raises(TusUploadFailed) as mismatch:
            send_chunk(liar)
        assert mismatch.value.status_code == 460
        assert head_offset(url) == MIB  # nothing of the refused PATCH kept
        uploader(base, data, url=url, upload_checksum=True).upload()
    assert await final_bytes(storage, url) == data


async def test_termination(backend: Backend, space: Space) -> None:
    storage = space.storage
    data = payload(SIZE, seed=3)
    app, _ = make_app(storage)
    with serve(app) as (base,):
        client = uploader(base, data, chunk_size=MIB + 5)
        client.upload(stop_at=3 * MIB)
        url = str(client.url)
        assert requests.delete(url, headers=TUS, timeout=30).status_code == 204
        assert requests.head(url, headers=TUS, timeout=30).status_code == 404
        with pytest.raises(TusCommunicationError):
            uploader(base, data, url=url)
    assert [s.key async for s in storage.list("")] == []
    assert await backend.leftovers(space.namespace) == []


async def test_expiry_and_cleanup(backend: Backend, space: Space) -> None:
    storage = space.storage
    data = payload(SIZE, seed=4)
    app, uploads = make_app(storage, expires_in=timedelta(hours=1))
    with serve(app) as (base,):
        client = uploader(base, data, chunk_size=MIB + 5)
        client.upload(stop_at=3 * MIB)
        url = str(client.url)
        expires = requests.head(url, headers=TUS, timeout=30).headers["Upload-Expires"]
        assert expires.endswith(" GMT")
        uploads.clock = lambda: time.time() + 3601
        assert requests.head(url, headers=TUS, timeout=30).status_code == 410
    assert await uploads.cleanup_expired() == 1
    assert [s.key async for s in storage.list("")] == []
    assert await backend.leftovers(space.namespace) == []


async def test_restart_resumes(backend: Backend, space: Space) -> None:
    storage = space.storage
    data = payload(SIZE, seed=5)
    first, _ = make_app(storage)
    with serve(first) as (base,):
        client = uploader(base, data, chunk_size=MIB + 3)
        client.upload(stop_at=2 * MIB)
        path = urlsplit(str(client.url)).path
    # A new application, over a storage opened anew: nothing in memory survives.
    reopened = await space.reopen()
    second, _ = make_app(reopened)
    try:
        with serve(second) as (base,):
            resumed = uploader(base, data, url=base + path, chunk_size=2 * MIB)
            assert resumed.offset == 2 * MIB
            resumed.upload()
        assert await final_bytes(storage, path) == data
    finally:
        await space.release(reopened)


async def test_two_apps_serve_alternate_patches(backend: Backend, space: Space) -> None:
    storage = space.storage
    data = payload(SIZE, seed=6)
    other = await space.reopen()
    apps = [make_app(storage)[0], make_app(other)[0]]
    try:
        with serve(*apps) as bases:
            client: Any = uploader(bases[0], data, chunk_size=MIB - 1)
            path = ""
            turns = 0
            while client.offset < SIZE:
                send_chunk(client)  # the first one creates the upload
                path = urlsplit(str(client.url)).path
                turns += 1
                client.url = bases[turns % 2] + path  # the load balancer's next pick
            assert turns == 6
            assert head_offset(bases[0] + path) == head_offset(bases[1] + path) == SIZE
        assert await final_bytes(storage, path) == data
    finally:
        await space.release(other)


async def test_concurrent_patches_at_one_offset(backend: Backend, space: Space) -> None:
    data = payload(SIZE, seed=7)
    other = await space.reopen()
    apps = [make_app(space.storage)[0], make_app(other)[0]]
    try:
        with serve(*apps) as bases:
            created = requests.post(f"{bases[0]}/tus", headers={**TUS, "Upload-Length": str(SIZE)}, timeout=30)
            path = urlsplit(created.headers["Location"]).path
            headers = {**TUS, "Content-Type": "application/offset+octet-stream"}
            results: list[int] = []

            def send(base: str) -> None:
                answer = requests.patch(
                    base + path, headers={**headers, "Upload-Offset": "0"}, data=data[: 2 * MIB], timeout=120
                )
                results.append(answer.status_code)

            threads = [threading.Thread(target=send, args=(base,)) for base in bases]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            # Overlapping, the second finds the upload locked; one after the other, it
            # finds the offset moved: either way only one appends at offset 0.
            assert sorted(results) == [204, 409]
            assert head_offset(bases[1] + path) == 2 * MIB
            rest = requests.patch(
                bases[1] + path, headers={**headers, "Upload-Offset": str(2 * MIB)}, data=data[2 * MIB :], timeout=120
            )
            assert rest.status_code == 204
        assert await final_bytes(space.storage, path) == data
    finally:
        await space.release(other)


async def test_concatenation(backend: Backend, space: Space) -> None:
    # tus-js-client's parallelUploads: partial uploads, then a final one gathering them.
    pieces = [payload(3 * MIB + 5, seed=8), payload(MIB, seed=9)]
    app, _ = make_app(space.storage)
    with serve(app) as (base,):
        urls = []
        for piece in pieces:
            partial = requests.post(
                f"{base}/tus", headers={**TUS, "Upload-Concat": "partial", "Upload-Length": str(len(piece))}, timeout=30
            )
            urls.append(partial.headers["Location"])
            uploader(base, piece, url=urls[-1], chunk_size=2 * MIB).upload()
        final = requests.post(f"{base}/tus", headers={**TUS, "Upload-Concat": "final;" + " ".join(urls)}, timeout=120)
        assert final.status_code == 201
        url = final.headers["Location"]
        assert head_offset(url) == sum(map(len, pieces))
    assert await final_bytes(space.storage, url) == b"".join(pieces)


# -- tus-js-client in Chromium ------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_SIZE = 6 * MIB + 4321
PAGE = """<!doctype html><meta charset="utf-8"><title>tus</title><script src="/tus.js"></script>
<script>
// Deterministic bytes the test computes too; the upload is cut (abort) once a third is
// sent, then started again: tus-js-client asks HEAD where to resume.
window.runUpload = (size) => new Promise((resolve, reject) => {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + (i >> 8)) & 255;
  let cut = false;
  const upload = new tus.Upload(new Blob([data]), {
    endpoint: "/tus",
    retryDelays: [100, 300, 1000, 2000, 4000],
    metadata: {filename: "browser.bin", filetype: "application/octet-stream"},
    onProgress(sent) {
      if (!cut && sent > size / 3) {
        cut = true;
        upload.abort().then(() => setTimeout(() => upload.start(), 300));
      }
    },
    onSuccess() { resolve(upload.url); },
    onError(error) { reject(String(error)); },
  });
  upload.start();
});
</script>"""


def browser_bytes(size: int) -> bytes:
    return bytes((index * 31 + (index >> 8)) & 255 for index in range(size))


@pytest.fixture(scope="module")
def tus_js(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tus-js-client's browser bundle, installed from npm for this session."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's browser with `apt-get install -y chromium`")
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("the tus-js-client test needs Node.js and npm")
    folder = tmp_path_factory.mktemp("tus-js-client")
    subprocess.run(
        [npm, "install", "--prefix", str(folder), "tus-js-client@4", "--no-audit", "--no-fund"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return folder / "node_modules" / "tus-js-client" / "dist" / "tus.min.js"


async def test_tus_js_client_in_chromium_resumes_a_cut_upload(backend: Backend, space: Space, tus_js: Path) -> None:
    from litestar import MediaType, get  # only this test serves a page
    from playwright.async_api import async_playwright

    @get("/", media_type=MediaType.HTML)
    async def page() -> str:
        return PAGE

    @get("/tus.js", media_type="text/javascript")
    async def script() -> bytes:
        return tus_js.read_bytes()

    plugin = StoragePlugin(space.storage, config=StoragePluginConfig(tus=(TusConfig(part_size=256 * KIB),)))
    app = Litestar(route_handlers=[page, script], plugins=[plugin])
    errors: list[str] = []
    with serve(app) as (base,):
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            try:
                tab = await browser.new_page()
                tab.on("pageerror", lambda error: errors.append(str(error)))
                # A slow uplink (2 MiB/s), so the cut happens while the body is on its way.
                devtools = await tab.context.new_cdp_session(tab)
                await devtools.send("Network.enable")
                await devtools.send(
                    "Network.emulateNetworkConditions",
                    {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 2 * MIB},
                )
                await tab.goto(base + "/")
                url = await tab.evaluate("size => window.runUpload(size)", BROWSER_SIZE)
            finally:
                await browser.close()
    assert errors == []
    assert await final_bytes(space.storage, str(url)) == browser_bytes(BROWSER_SIZE)
    # The cut PATCH was recorded with what had arrived, and the rest came after it.
    upload_id = str(url).rsplit("/", 1)[1]
    first = json.loads(await space.storage.get_bytes(f"tus-state/{upload_id}/log/0000000001.json"))
    assert 0 < first["offset"] < BROWSER_SIZE
    assert not first["done"]
