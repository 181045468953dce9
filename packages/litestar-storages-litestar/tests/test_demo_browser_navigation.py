"""Moving around the demo: folders and breadcrumbs, and every control by keyboard alone.

The demo app in a real headless Chromium, driven by Playwright, at each viewport; what the
tests need and where their screenshots go: demo_browser_page.py.
"""

from __future__ import annotations

import pytest
from demo_browser_page import DemoPage, assert_fits, upload, wait_uploaded
from demo_samples import tiny_png

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


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
