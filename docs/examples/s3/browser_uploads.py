"""Letting browsers upload and download directly, without the bytes passing through the app."""

import html
from datetime import timedelta

from litestar_storages import S3Storage


async def signed_put(storage: S3Storage, key: str) -> str:
    # The browser must send exactly this Content-Type: it is part of the signature.
    return await storage.url(key, method="PUT", content_type="image/png", expires_in=timedelta(minutes=10))


async def avatar_form(storage: S3Storage, user_id: int) -> str:
    # A POST policy: S3 itself refuses files over 2 MiB, another key or another type.
    form = await storage.upload_form(
        f"avatars/{user_id}.png",
        max_size=2 * 1024 * 1024,
        content_type="image/png",
        expires_in=timedelta(minutes=10),
    )
    fields = "\n".join(
        f'  <input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, value in form.fields.items()
    )
    return (
        f'<form action="{html.escape(form.url)}" method="post" enctype="multipart/form-data">\n'
        f"{fields}\n"
        '  <input type="file" name="file" accept="image/png">\n'
        '  <button type="submit">Upload</button>\n'
        "</form>"
    )


async def download_link(storage: S3Storage, key: str) -> str:
    # The browser saves the file under this name (a signed response Content-Disposition).
    return await storage.url(key, filename="Invoice November 2026.pdf", expires_in=timedelta(minutes=5))
