"""End-to-end: the demo app in a real headless Chromium (Debian's), driven by Playwright.

Needs ``/usr/bin/chromium`` (``apt-get install -y chromium``); without it the test is
skipped with that reason. Playwright never downloads a browser here.
"""

from __future__ import annotations

import io
import math
import struct
import subprocess
import sys
import wave
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from litestar_storages.testing.emulators import EmulatorProcess, free_port, http_ready

CHROMIUM = Path("/usr/bin/chromium")
DEMO = Path(__file__).resolve().parents[3] / "docs" / "examples" / "demo" / "app.py"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A valid RGB PNG, made without any imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    # Each scanline: filter type 0, then one RGB triple per pixel.
    raw = b"".join(b"\x00" + b"".join(bytes((x * 60, y * 80, 200)) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def short_wav(seconds: float = 1.5, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV tone, long enough for the player to advance."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate))) for n in range(int(seconds * rate))
        )
        out.writeframes(frames)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's browser with `apt-get install -y chromium`")
    workdir = tmp_path_factory.mktemp("demo")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = EmulatorProcess(
        [sys.executable, str(DEMO), "--port", str(port)],
        ready=lambda: http_ready(url + "/api/files"),
        name="demo app",
        startup_timeout=60,
        cwd=str(workdir),
        log_path=str(workdir / "demo.log"),
    )
    with process:
        yield url, workdir / "demo-uploads"


def test_demo_in_chromium(demo: tuple[str, Path], tmp_path: Path) -> None:
    from playwright.sync_api import FilePayload, expect, sync_playwright

    url, uploads = demo
    png, wav = tiny_png(), short_wav()
    report = bytes(range(256)) * 64
    media_statuses: list[int] = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(accept_downloads=True)
            page = context.new_page()
            page.on(
                "response",
                lambda response: media_statuses.append(response.status) if "/files/tone.wav" in response.url else None,
            )
            page.goto(url)
            expect(page.locator("#empty")).to_be_visible()

            # Upload through the file input.
            page.set_input_files(
                "#file-input",
                files=[
                    FilePayload(name="pixel.png", mimeType="image/png", buffer=png),
                    FilePayload(name="tone.wav", mimeType="audio/wav", buffer=wav),
                    FilePayload(name="report.bin", mimeType="application/octet-stream", buffer=report),
                ],
            )
            rows = page.locator("#files tr")
            expect(rows).to_have_count(3)
            png_row = page.locator('tr[data-key="pixel.png"]')
            expect(png_row.locator("td.type")).to_have_text("image/png")
            expect(png_row.locator("td.size")).to_have_text(f"{len(png)} B")
            expect(page.locator('tr[data-key="report.bin"] td.size')).to_have_text("16.0 KiB")

            # Upload by drag and drop: a drop event carrying a File, as the browser makes it.
            transfer = page.evaluate_handle(
                """() => {
                    const transfer = new DataTransfer();
                    transfer.items.add(new File(["dropped text"], "dropped.txt", { type: "text/plain" }));
                    return transfer;
                }"""
            )
            page.dispatch_event("#dropzone", "drop", {"dataTransfer": transfer})
            expect(rows).to_have_count(4)
            expect(page.locator('tr[data-key="dropped.txt"] td.type')).to_have_text("text/plain")
            assert (uploads / "dropped.txt").read_bytes() == b"dropped text"

            # Download and compare bytes.
            with page.expect_download() as download_info:
                page.locator('tr[data-key="report.bin"] [data-action="download"]').click()
            download = download_info.value
            assert download.suggested_filename == "report.bin"
            target = tmp_path / "report.bin"
            download.save_as(target)
            assert target.read_bytes() == report

            # View the image.
            png_row.locator('[data-action="open"]').click()
            page.wait_for_function(
                "() => { const img = document.getElementById('preview-media');"
                " return img && img.complete && img.naturalWidth === 4 && img.naturalHeight === 3; }"
            )

            # Play the audio: the player fetches it with Range requests.
            page.locator('tr[data-key="tone.wav"] [data-action="open"]').click()
            page.wait_for_function("() => document.getElementById('preview-media')?.tagName === 'AUDIO'")
            page.evaluate("() => document.getElementById('preview-media').play()")
            page.wait_for_function("() => document.getElementById('preview-media').currentTime > 0.2", timeout=20_000)
            duration = page.evaluate("() => document.getElementById('preview-media').duration")
            assert duration == pytest.approx(1.5, abs=0.05)
            assert 206 in media_statuses

            # Copy a (signed) link and fetch it.
            page.locator('tr[data-key="pixel.png"] [data-action="copy"]').click()
            page.wait_for_function("() => document.getElementById('link').value.includes('signature=')")
            link = page.locator("#link").input_value()
            assert link.startswith(f"{url}/media/pixel.png?expires=")
            fetched = page.request.get(link)
            assert fetched.status == 200
            assert fetched.body() == png
            tampered = page.request.get(link.replace("signature=", "signature=x"))
            assert tampered.status == 403

            # Delete.
            page.locator('tr[data-key="pixel.png"] [data-action="delete"]').click()
            expect(rows).to_have_count(3)
            expect(page.locator('tr[data-key="pixel.png"]')).to_have_count(0)
            assert not (uploads / "pixel.png").exists()
            assert page.request.get(link).status == 404
        finally:
            browser.close()


def test_demo_command_prints_where_it_listens(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(DEMO), "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(2)]
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert lines[0].startswith("litestar-storages demo: FileSystemStorage in ")
    assert lines[0].rstrip().endswith("demo-uploads")
    assert lines[1].startswith(f"Listening on http://127.0.0.1:{port}")
