"""End-to-end: the demo app in a real headless Chromium (Debian's), driven by Playwright.

Every test runs at a desktop (1280x800) and two phone viewports (390x844, 360x740),
fails on any console error or uncaught exception of the page, and saves screenshots in
``tests-integration/artifacts/demo/<test>-<viewport>/`` (ignored by git, replaced by
each run; the paths are printed, shown with ``-s``).

Needs ``/usr/bin/chromium`` (``apt-get install -y chromium``) and Node.js with npm (the
page's tus-js-client is installed from npm by the ``js_libraries`` fixture). Without
them these tests FAIL: they are not skipped. Playwright never downloads a browser here.
"""

from __future__ import annotations

import importlib.util
import io
import math
import os
import re
import shutil
import struct
import sys
import wave
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from litestar_storages.testing.emulators import EmulatorProcess, free_port, http_ready

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

CHROMIUM = Path("/usr/bin/chromium")
DEMO_DIR = Path(__file__).resolve().parents[3] / "docs" / "examples" / "demo"
DEMO = DEMO_DIR / "app.py"
# Ignored by git; one folder per test and viewport, replaced by each run.
SCREENSHOTS = Path(__file__).resolve().parents[3] / "tests-integration" / "artifacts" / "demo"
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
if hasattr(os, "geteuid") and os.geteuid() == 0:
    CHROMIUM_ARGS.append("--no-sandbox")  # Chromium refuses to run its sandbox as root
TUS_CHUNK = 256 * 1024
VIEWPORTS = {
    "desktop-1280x800": (1280, 800),
    "phone-390x844": (390, 844),
    "phone-360x740": (360, 740),
}

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


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


def tiny_pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length 44 >>\nstream\nBT /F1 18 Tf 20 40 Td (Hello PDF) Tj ET\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def load_browser_libs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo_browser_libs", DEMO_DIR / "browser_libs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def js_libraries() -> Path:
    # The test step installs the page's library from npm (pinned by the demo's
    # package-lock.json); without Node.js/npm this raises and the tests fail.
    installed: Path = load_browser_libs().install()
    return installed


@dataclass
class Demo:
    url: str
    uploads: Path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, js_libraries: Path) -> Iterator[Demo]:
    workdir = tmp_path_factory.mktemp("demo")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"DEMO_TUS_CHUNK_SIZE": str(TUS_CHUNK), "DEMO_STORAGE": "filesystem", "DEMO_PATH": "demo-uploads"}
    process = EmulatorProcess(
        [sys.executable, str(DEMO), "--port", str(port)],
        ready=lambda: http_ready(url + "/api/config"),
        name="demo app",
        startup_timeout=60,
        cwd=str(workdir),
        log_path=str(workdir / "demo.log"),
        env=env,
    )
    with process:
        yield Demo(url, workdir / "demo-uploads")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's browser with `apt-get install -y chromium`")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class DemoPage:
    """One browser page on the demo at one viewport, collecting console errors."""

    page: Page
    demo: Demo
    folder: str
    shots: Path
    errors: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def open(self) -> None:
        self.page.goto(f"{self.demo.url}/#/{self.folder}")
        self.page.wait_for_selector("body[data-ready]")
        self.page.wait_for_selector(f'#breadcrumbs [aria-current="page"]:text-is("{self.folder.rstrip("/")}")')

    def key(self, name: str) -> str:
        return self.folder + name

    def row(self, name: str) -> Any:
        return self.page.locator(f'tr[data-key="{self.key(name)}"]')

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        path = self.shots / f"{name}.png"
        # A modal dialog sits in the viewport: pictures of one show the viewport only.
        self.page.screenshot(path=str(path), full_page=full_page)
        print(f"screenshot: {path}")
        return path

    def stored(self, name: str) -> Path:
        return self.demo.uploads / self.folder / name

    def check_console(self) -> None:
        unexpected = [error for error in self.errors if not any(part in error for part in self.allowed)]
        assert not unexpected, f"console errors: {unexpected}"


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def demo_page(request: pytest.FixtureRequest, browser: Browser, demo: Demo) -> Iterator[DemoPage]:
    width, height = VIEWPORTS[request.param]
    phone = width < 640
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
        accept_downloads=True,
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo.url)
    page = context.new_page()
    # One folder per test and parameters: the tests share one app and storage.
    test_name = re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name.removeprefix("test_")).strip("-")
    shots = SCREENSHOTS / test_name
    shutil.rmtree(shots, ignore_errors=True)  # this run's pictures only
    shots.mkdir(parents=True)
    view = DemoPage(page, demo, f"{test_name}/", shots)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            view.errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: view.errors.append(f"uncaught: {error}"))
    try:
        yield view
        view.check_console()
    finally:
        context.close()


def upload(view: DemoPage, *files: tuple[str, str, bytes]) -> None:
    from playwright.sync_api import FilePayload

    view.page.set_input_files(
        "#file-input", files=[FilePayload(name=name, mimeType=kind, buffer=data) for name, kind, data in files]
    )


def wait_uploaded(view: DemoPage, name: str) -> None:
    from playwright.sync_api import expect

    item = view.page.locator(f'#uploads li[data-key="{view.key(name)}"]')
    expect(item).to_have_attribute("data-state", "done", timeout=60_000)
    expect(view.row(name)).to_have_count(1)


def assert_fits(view: DemoPage) -> None:
    """Nothing is cut off: no sideways scrolling, every visible button inside the viewport."""
    width = view.page.viewport_size["width"] if view.page.viewport_size else 0
    assert view.page.evaluate("document.documentElement.scrollWidth") <= width
    outside = view.page.evaluate(
        """(width) => [...document.querySelectorAll('button, a, select, input, progress')]
            .filter((el) => el.offsetParent !== null && !el.closest('dialog:not([open])'))
            .filter((el) => !el.classList.contains('visually-hidden') && !el.classList.contains('skip-link'))
            .map((el) => [el, el.getBoundingClientRect()])
            .filter(([, box]) => box.width > 0 && (box.left < -0.5 || box.right > width + 0.5))
            .map(([el, box]) => `${el.outerHTML.slice(0, 90)} at ${Math.round(box.left)}..${Math.round(box.right)}`)""",
        width,
    )
    assert outside == []


def test_upload_shows_progress_and_lists_the_file(demo_page: DemoPage) -> None:
    from playwright.sync_api import expect

    view, page = demo_page, demo_page.page
    view.open()
    expect(page.locator("#empty")).to_be_visible()
    view.shot("01-empty-folder")
    png, wav = tiny_png(), short_wav()
    report = bytes(range(256)) * 8192  # 2 MiB
    upload(view, ("pixel.png", "image/png", png), ("tone.wav", "audio/wav", wav), ("report.bin", "", report))
    for name in ("pixel.png", "tone.wav", "report.bin"):
        wait_uploaded(view, name)
    item = page.locator(f'#uploads li[data-key="{view.key("report.bin")}"]')
    expect(item.locator("progress")).to_have_attribute("value", "100")
    expect(item.locator(".upload-state")).to_have_text("Uploaded · 2.0 MiB")
    expect(view.row("pixel.png").locator("td.type")).to_have_text("image/png")
    expect(view.row("pixel.png").locator("td.size")).to_have_text(f"{len(png)} B")
    expect(view.row("report.bin").locator("td.size")).to_have_text("2.0 MiB")
    assert view.stored("report.bin").read_bytes() == report
    assert view.stored("pixel.png").read_bytes() == png
    assert_fits(view)
    view.shot("02-uploaded")
    page.locator("#clear-finished").click()
    expect(page.locator("#uploads li")).to_have_count(0)
    expect(page.locator("#clear-finished")).to_be_hidden()


def test_preview_opens_and_closes(demo_page: DemoPage) -> None:
    from playwright.sync_api import expect

    view, page = demo_page, demo_page.page
    view.open()
    text = "line one\nline two: é ü 漢字\n"
    upload(
        view,
        ("pixel.png", "image/png", tiny_png()),
        ("tone.wav", "audio/wav", short_wav()),
        ("notes.txt", "text/plain", text.encode()),
        ("hello.pdf", "application/pdf", tiny_pdf()),
    )
    for name in ("pixel.png", "tone.wav", "notes.txt", "hello.pdf"):
        wait_uploaded(view, name)
    dialog = page.locator("#preview")

    # Image: decoded at its real size; closed with the close button.
    view.row("pixel.png").locator('[data-action="open"]').click()
    expect(dialog).to_be_visible()
    page.wait_for_function(
        "() => { const img = document.getElementById('preview-media');"
        " return img && img.complete && img.naturalWidth === 4 && img.naturalHeight === 3; }"
    )
    expect(page.locator("#preview-close")).to_be_focused()
    assert_fits(view)
    view.shot("01-preview-image", full_page=False)
    page.locator("#preview-close").click()
    expect(dialog).to_be_hidden()

    # Audio: plays through Range requests; closed with Escape.
    statuses: list[int] = []
    page.on("response", lambda response: statuses.append(response.status) if "tone.wav" in response.url else None)
    view.row("tone.wav").locator('[data-action="open"]').click()
    page.wait_for_function("() => document.getElementById('preview-media')?.tagName === 'AUDIO'")
    page.evaluate("() => document.getElementById('preview-media').play()")
    page.wait_for_function("() => document.getElementById('preview-media').currentTime > 0.2", timeout=20_000)
    assert page.evaluate("() => document.getElementById('preview-media').duration") == pytest.approx(1.5, abs=0.05)
    assert 206 in statuses
    view.shot("02-preview-audio", full_page=False)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#preview-media")).to_have_count(0)  # the player is gone: it stopped

    # Text: shown in the page, Unicode intact.
    view.row("notes.txt").locator('[data-action="open"]').click()
    expect(page.locator("#preview-media")).to_have_text(text)
    view.shot("03-preview-text", full_page=False)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # PDF: in Chromium's viewer, in a frame.
    view.row("hello.pdf").locator('[data-action="open"]').click()
    frame = page.locator("iframe#preview-media")
    expect(frame).to_be_visible()
    expect(frame).to_have_attribute("src", f"/files/{view.key('hello.pdf')}")
    view.shot("04-preview-pdf", full_page=False)
    page.locator("#preview-close").click()
    expect(dialog).to_be_hidden()


def test_signed_link_and_delete_with_confirmation(demo_page: DemoPage) -> None:
    from playwright.sync_api import expect

    view, page = demo_page, demo_page.page
    view.open()
    png = tiny_png()
    upload(view, ("pixel.png", "image/png", png))
    wait_uploaded(view, "pixel.png")

    # Copy a signed link: shown, copied to the clipboard, and it works; a tampered one does not.
    view.row("pixel.png").locator('[data-action="copy"]').click()
    field = page.locator("#link")
    page.wait_for_function("() => document.getElementById('link').value.includes('signature=')")
    link = field.input_value()
    assert link.startswith(f"{view.demo.url}/media/{view.key('pixel.png')}?expires=")
    assert page.evaluate("navigator.clipboard.readText()") == link
    fetched = page.request.get(link)
    assert fetched.status == 200
    assert fetched.body() == png
    assert page.request.get(link.replace("signature=", "signature=x")).status == 403
    assert_fits(view)
    view.shot("01-signed-link")

    # Delete asks first: Cancel keeps the file.
    view.row("pixel.png").locator('[data-action="delete"]').click()
    confirm = page.locator("#confirm")
    expect(confirm).to_be_visible()
    expect(page.locator("#confirm-title")).to_have_text("Delete pixel.png?")
    expect(page.locator("#confirm-message")).to_contain_text(f"(in {view.folder})")
    expect(page.locator("#confirm-no")).to_be_focused()  # the safe answer has the focus
    assert_fits(view)
    view.shot("02-confirm-delete", full_page=False)
    page.locator("#confirm-no").click()
    expect(confirm).to_be_hidden()
    expect(view.row("pixel.png")).to_have_count(1)
    assert view.stored("pixel.png").exists()

    # Escape is "no" too.
    view.row("pixel.png").locator('[data-action="delete"]').click()
    expect(confirm).to_be_visible()
    page.keyboard.press("Escape")
    expect(confirm).to_be_hidden()
    assert view.stored("pixel.png").exists()

    # Confirmed: gone from the list, the disk, and its link is dead.
    view.row("pixel.png").locator('[data-action="delete"]').click()
    page.locator("#confirm-yes").click()
    expect(view.row("pixel.png")).to_have_count(0)
    expect(page.locator("#empty")).to_be_visible()
    expect(page.locator("#share")).to_be_hidden()
    assert not view.stored("pixel.png").exists()
    assert page.request.get(link).status == 404
    view.shot("03-deleted")


def test_overwrite_asks_first(demo_page: DemoPage) -> None:
    from playwright.sync_api import expect

    view, page = demo_page, demo_page.page
    view.open()
    upload(view, ("notes.txt", "text/plain", b"first version"))
    wait_uploaded(view, "notes.txt")
    page.locator('#uploads [data-action="dismiss"]').click()
    expect(page.locator("#uploads li")).to_have_count(0)

    # Same name again: the page asks; Cancel keeps the stored file as it was.
    upload(view, ("notes.txt", "text/plain", b"second version"))
    confirm = page.locator("#confirm")
    expect(confirm).to_be_visible()
    expect(page.locator("#confirm-title")).to_have_text("Replace notes.txt?")
    expect(page.locator("#confirm-yes")).to_have_text("Replace")
    assert_fits(view)
    view.shot("01-overwrite-prompt", full_page=False)
    page.locator("#confirm-no").click()
    expect(page.locator("#status")).to_have_text("Kept the existing notes.txt")
    expect(page.locator("#uploads li")).to_have_count(0)
    assert view.stored("notes.txt").read_bytes() == b"first version"

    # Replace: the new bytes win.
    upload(view, ("notes.txt", "text/plain", b"second version"))
    page.locator("#confirm-yes").click()
    wait_uploaded(view, "notes.txt")
    assert view.stored("notes.txt").read_bytes() == b"second version"
    view.shot("02-replaced")


def test_folders_and_breadcrumbs(demo_page: DemoPage) -> None:
    from playwright.sync_api import expect

    view, page = demo_page, demo_page.page
    view.open()
    upload(view, ("top.txt", "text/plain", b"top"))
    wait_uploaded(view, "top.txt")

    # A new folder opens empty; a file uploaded there makes it real.
    page.locator("#new-folder").click()
    page.locator("#folder-name").fill("holiday photos")
    view.shot("01-new-folder", full_page=False)
    page.locator("#folder-name").press("Enter")
    crumbs = page.locator("#breadcrumbs li")
    expect(crumbs.last).to_have_text("holiday photos")
    expect(page.locator("#empty")).to_be_visible()
    upload(view, ("beach.png", "image/png", tiny_png()))
    inner = page.locator(f'tr[data-key="{view.folder}holiday photos/beach.png"]')
    expect(inner).to_have_count(1)
    assert (view.stored("holiday photos") / "beach.png").read_bytes() == tiny_png()
    assert_fits(view)
    view.shot("02-inside-folder")

    # Back up through the breadcrumbs: the folder is listed before the files.
    crumbs.nth(crumbs.count() - 2).locator("a").click()
    folder_row = page.locator(f'tr[data-folder="{view.folder}holiday photos/"]')
    expect(folder_row).to_have_count(1)
    expect(page.locator("#files tr").first).to_have_attribute("data-folder", f"{view.folder}holiday photos/")
    expect(view.row("top.txt")).to_have_count(1)
    view.shot("03-folder-listed")

    # Keyboard: the folder link opens it; the browser's Back returns.
    folder_row.locator("a").focus()
    page.keyboard.press("Enter")
    expect(crumbs.last).to_have_text("holiday photos")
    page.go_back()
    expect(folder_row).to_have_count(1)


def test_keyboard_only(demo_page: DemoPage) -> None:
    from playwright.sync_api import expect

    view, page = demo_page, demo_page.page
    view.open()
    upload(view, ("notes.txt", "text/plain", b"typed"))
    wait_uploaded(view, "notes.txt")
    # Every control is a real button, link or form field with a visible focus ring.
    assert page.locator("div[onclick], span[onclick], [role=button]").count() == 0
    page.locator("#file-input").focus()
    ring = page.evaluate("getComputedStyle(document.querySelector('label[for=file-input]')).boxShadow")
    assert ring != "none"
    view.shot("01-focus-on-choose-files")
    preview = view.row("notes.txt").locator('[data-action="open"]')
    preview.focus()
    assert page.evaluate("getComputedStyle(document.activeElement).boxShadow") != "none"
    page.keyboard.press("Enter")
    expect(page.locator("#preview")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#preview")).to_be_hidden()
    assert page.locator("link[rel=icon]").get_attribute("href") == "/static/favicon.svg"
    assert page.request.get(view.demo.url + "/static/favicon.svg").status == 200


def tus_requests(view: DemoPage) -> list[tuple[str, str | None]]:
    """The page's tus requests as they are sent: (method, Upload-Offset)."""
    sent: list[tuple[str, str | None]] = []
    view.page.on(
        "request",
        lambda request: (
            sent.append((request.method, request.headers.get("upload-offset"))) if "/api/tus" in request.url else None
        ),
    )
    return sent


def test_pause_and_resume_a_tus_upload(demo_page: DemoPage) -> None:
    from playwright.sync_api import expect

    view, page = demo_page, demo_page.page
    view.open()
    expect(page.locator("#method")).to_have_value("tus")
    data = os.urandom(3 * 1024 * 1024 + 123)
    sent = tus_requests(view)
    # A slow uplink (Chromium's own throttling), so there is time to watch and pause.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    slow = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 1024 * 1024}
    cdp.send("Network.emulateNetworkConditions", slow)
    upload(view, ("movie.bin", "application/octet-stream", data))
    item = page.locator(f'#uploads li[data-key="{view.key("movie.bin")}"]')
    page.wait_for_function(
        "(key) => document.querySelector(`#uploads li[data-key='${key}'] progress`)?.value >= 15",
        arg=view.key("movie.bin"),
    )
    expect(item.locator(".upload-state")).to_contain_text("% · ")
    assert_fits(view)
    view.shot("01-uploading")
    item.locator('[data-action="pause"]').click()
    expect(item).to_have_attribute("data-state", "paused")
    paused_at = int(item.locator("progress").get_attribute("value") or "0")
    assert 0 < paused_at < 100
    expect(item.locator('[data-action="resume"]')).to_be_visible()
    expect(item.locator('[data-action="pause"]')).to_be_hidden()
    view.shot("02-paused")
    before_resume = len(sent)
    assert not view.stored("movie.bin").exists()

    cdp.send("Network.emulateNetworkConditions", {**slow, "uploadThroughput": -1})
    item.locator('[data-action="resume"]').click()
    wait_uploaded(view, "movie.bin")
    assert view.stored("movie.bin").read_bytes() == data
    # Resumed, not restarted: the client asked for the offset (HEAD), then sent the rest from there.
    after = sent[before_resume:]
    assert after[0] == ("HEAD", None)
    offsets = [int(offset) for method, offset in after if method == "PATCH" and offset is not None]
    assert offsets
    assert offsets[0] > 0
    assert ("POST", None) not in after
    view.shot("03-resumed-and-done")


def test_dropped_connection_resumes_where_it_stopped(demo_page: DemoPage) -> None:
    from playwright.sync_api import Route

    view, page = demo_page, demo_page.page
    view.open()
    data = os.urandom(5 * TUS_CHUNK + 99)
    sent = tus_requests(view)
    dropped: list[int] = []
    patches = 0

    def drop_the_third_patch(route: Route) -> None:
        nonlocal patches
        if route.request.method == "PATCH":
            patches += 1
            if patches == 3:
                dropped.append(int(route.request.headers["upload-offset"]))
                route.abort("connectionreset")
                return
        route.continue_()

    page.route("**/api/tus/**", drop_the_third_patch)
    view.allowed.append("net::ERR_CONNECTION_RESET")  # the dropped request, and only it
    upload(view, ("field-notes.bin", "application/octet-stream", data))
    wait_uploaded(view, "field-notes.bin")
    assert view.stored("field-notes.bin").read_bytes() == data
    assert dropped == [2 * TUS_CHUNK]
    # After the drop: a HEAD for the offset, then the PATCH from the offset that was lost.
    patch_offsets = [(method, offset) for method, offset in sent if method in {"HEAD", "PATCH"}]
    lost = patch_offsets.index(("PATCH", str(2 * TUS_CHUNK)))
    assert patch_offsets[lost + 1 : lost + 3] == [("HEAD", None), ("PATCH", str(2 * TUS_CHUNK))]
    assert [method for method, _ in sent].count("POST") == 1
    view.shot("01-resumed-after-drop")


@pytest.mark.parametrize("method", ["direct", "form"])
def test_upload_without_tus(demo_page: DemoPage, method: str) -> None:
    from playwright.sync_api import expect

    view, page = demo_page, demo_page.page
    view.open()
    page.locator("#method").select_option(method)
    expect(page.locator("#method-hint")).to_contain_text("signed URL" if method == "direct" else "One request")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(f"{request.method} {request.url.split('?')[0]}"))
    data = os.urandom(1024 * 1024 + 7)
    upload(view, ("clip.bin", "application/octet-stream", data))
    wait_uploaded(view, "clip.bin")
    item = page.locator(f'#uploads li[data-key="{view.key("clip.bin")}"]')
    expect(item.locator('[data-action="pause"]')).to_be_hidden()  # no resume without tus: no pause offered
    assert view.stored("clip.bin").read_bytes() == data
    if method == "direct":
        # The bytes went to the storage's signed URL (for the filesystem: the plugin's route).
        assert f"PUT {view.demo.url}/media/{view.key('clip.bin')}" in requests
    else:
        assert f"POST {view.demo.url}/api/files" in requests
    assert not any("/api/tus" in request for request in requests)
    view.shot(f"01-uploaded-{method}")
