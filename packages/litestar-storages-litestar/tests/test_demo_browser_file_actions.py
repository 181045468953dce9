"""What the demo does with a stored file: preview (image, audio, text, PDF), signed link, delete.

The demo app in a real headless Chromium, driven by Playwright, at each viewport; what the
tests need and where their screenshots go: demo_browser_page.py.
"""

from __future__ import annotations

import pytest
from demo_browser_page import DemoPage, assert_fits, upload, wait_uploaded
from demo_samples import short_wav, tiny_pdf, tiny_png

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


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
