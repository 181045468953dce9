"""Letting browsers upload straight to the bucket: signed PUT URLs and POST forms."""

from datetime import timedelta
from html import escape

from litestar_storages import GCSStorage


async def signed_put(storage: GCSStorage, key: str) -> str:
    # The uploader must send this exact Content-Type: it is part of the signature.
    return await storage.url(key, method="PUT", content_type="image/png", expires_in=timedelta(minutes=5))


async def avatar_form(storage: GCSStorage, user_id: int) -> str:
    # GCS enforces the policy: this key, at most 2 MB, image/png, within 10 minutes.
    form = await storage.upload_form(
        f"avatars/{user_id}.png",
        max_size=2 * 1024 * 1024,
        content_type="image/png",
        metadata={"user": str(user_id)},
        expires_in=timedelta(minutes=10),
    )
    hidden = "\n".join(
        f'  <input type="hidden" name="{escape(name)}" value="{escape(value)}">' for name, value in form.fields.items()
    )
    return (
        f'<form action="{escape(form.url)}" method="post" enctype="multipart/form-data">\n'
        f"{hidden}\n"
        '  <input type="file" name="file" accept="image/png">\n'
        '  <button type="submit">Upload</button>\n'
        "</form>"
    )


async def download_link(storage: GCSStorage, key: str) -> str:
    # Browsers save the download under this name (a signed Content-Disposition).
    return await storage.url(key, filename="Invoice November 2026.pdf", expires_in=timedelta(hours=1))
