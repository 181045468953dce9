"""Resumable uploads in the demo: pause and resume, and a dropped connection resumed.

The demo app in a real headless Chromium, driven by Playwright, at each viewport; what the
tests need and where their screenshots go: demo_browser_page.py.
"""

from __future__ import annotations

import os

import pytest
from demo_browser_page import TUS_CHUNK, DemoPage, assert_fits, upload, wait_uploaded

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


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
