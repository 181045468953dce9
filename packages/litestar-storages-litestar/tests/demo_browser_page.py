"""The demo app in a real browser: its fixtures and page helpers, for the ``test_demo_browser_*`` modules.

Every test runs at a desktop (1280x800) and two phone viewports (390x844, 360x740),
fails on any console error or uncaught exception of the page, and saves screenshots in
``tests-integration/artifacts/demo/<test>-<viewport>/`` (ignored by git, replaced by
each run; the paths are printed, shown with ``-s``).

Needs ``/usr/bin/chromium`` (``apt-get install -y chromium``) and Node.js with npm (the
page's tus-js-client is installed from npm by the ``js_libraries`` fixture). Without
them these tests FAIL: they are not skipped. Playwright never downloads a browser here.

The demo app (one process) serves every browser test module of the session, each test in
its own folder; each module launches its own Chromium (Playwright's sync loop lives no longer
than the module). conftest.py makes the fixtures visible to the test modules.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
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


def load_browser_libs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo_browser_libs", DEMO_DIR / "browser_libs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def js_libraries() -> Path:
    # The test step installs the page's library from npm (pinned by the demo's
    # package-lock.json); without Node.js/npm this raises and the tests fail.
    installed: Path = load_browser_libs().install()
    return installed


@dataclass
class Demo:
    url: str
    uploads: Path


@pytest.fixture(scope="session")
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
