"""Uploading in the demo: progress and listing, the overwrite prompt, the non-tus methods.

The demo app in a real headless Chromium, driven by Playwright, at each viewport; what the
tests need and where their screenshots go: demo_browser_page.py.
"""

from __future__ import annotations

import os

import pytest
from demo_browser_page import DemoPage, assert_fits, upload, wait_uploaded
from demo_samples import short_wav, tiny_png

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


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
