"""URL arguments and download names: refused, accepted and encoded the same on every backend.

Each case here once behaved differently on some backend (issue #18): ``method="DELETE"``
raised a different exception on Azure, an expiry beyond 7 days worked on Azure and the
filesystem backend, a control character in a download name reached GCS's signed
header raw, and a non-ASCII name got three different ASCII fallbacks.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar
from urllib.parse import parse_qsl, urlsplit

import pytest

from litestar_storages.disposition import content_disposition
from litestar_storages.exceptions import InvalidMetadataError, StorageValidationError, UnsupportedOperationError
from litestar_storages.protocol import Storage
from litestar_storages.testing.conformance.data import ConformanceBase

RESUME = "Résumé final.txt"
RESUME_DISPOSITION = "attachment; filename=\"Resume final.txt\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20final.txt"
"""What every backend must sign (or serve) for a download named :data:`RESUME`."""

# Where each kind of URL carries the download name: S3 and GCS sign the response
# header as ``response-content-disposition``, Azure as ``rscd``; the filesystem
# backend signs the bare name, from which its serving route builds the header.
_DISPOSITION_PARAMETERS = ("response-content-disposition", "rscd")
_NAME_PARAMETERS = ("filename",)


def download_disposition(url: str) -> str | None:
    """Return the Content-Disposition a URL makes its download answer with, if it says.

    Args:
        url: A URL returned by ``url(key, filename=...)``.

    Returns:
        The decoded header value, or ``None`` when the URL carries no download name.
    """
    query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    for name in _DISPOSITION_PARAMETERS:
        if name in query:
            return query[name]
    for name in _NAME_PARAMETERS:
        if name in query:
            return content_disposition(query[name], attachment=True)
    return None


class UrlTests(ConformanceBase):
    """URL arguments and download names: one rule on every backend."""

    signs_download_names: ClassVar[bool] = False
    """Set to ``True`` where ``url(key, filename=...)`` must carry the download name
    (signed URLs); other backends check the name, then may ignore it."""

    @pytest.mark.asyncio
    @pytest.mark.parametrize("method", ["DELETE", "POST", "HEAD", "get", "put", ""])
    async def test_url_refuses_other_methods(self, storage: Storage, method: str) -> None:
        with pytest.raises(StorageValidationError, match="method must be 'GET' or 'PUT'") as caught:
            await storage.url("file.txt", method=method)  # type: ignore[arg-type]
        assert not isinstance(caught.value, UnsupportedOperationError)
        assert caught.value.key == "file.txt"

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        "expires_in",
        [timedelta(0), timedelta(seconds=-1), timedelta(milliseconds=999), timedelta(days=7, seconds=1), 3600],
        ids=["0s", "negative", "under-1s", "7d+1s", "int"],
    )
    async def test_url_refuses_expiry_out_of_bounds(self, storage: Storage, expires_in: object) -> None:
        for method in ("GET", "PUT"):
            with pytest.raises(StorageValidationError, match="expires_in"):
                await storage.url("file.txt", method=method, expires_in=expires_in)  # type: ignore[arg-type]

    @pytest.mark.asyncio
    @pytest.mark.parametrize("expires_in", [timedelta(seconds=1), timedelta(days=7)], ids=["1s", "7d"])
    async def test_url_accepts_expiry_bounds(self, storage: Storage, expires_in: timedelta) -> None:
        url = await storage.url("file.txt", expires_in=expires_in)
        assert isinstance(url, str)
        assert url

    @pytest.mark.asyncio
    @pytest.mark.parametrize("filename", ["a\x07b.txt", "a\r\nSet-Cookie: x.txt", "tab\there.txt", "nel\x85.txt"])
    async def test_url_refuses_control_characters_in_download_name(self, storage: Storage, filename: str) -> None:
        with pytest.raises(InvalidMetadataError, match="filename"):
            await storage.url("file.txt", filename=filename)

    @pytest.mark.asyncio
    async def test_url_download_name_is_encoded_the_same_everywhere(self, storage: Storage) -> None:
        url = await storage.url("file.txt", filename=RESUME)
        disposition = download_disposition(url)
        if self.signs_download_names:
            assert disposition == RESUME_DISPOSITION
        else:
            assert disposition in (None, RESUME_DISPOSITION)
