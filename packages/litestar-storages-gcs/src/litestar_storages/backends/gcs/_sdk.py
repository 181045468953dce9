"""The gcloud-aio-storage client, and every use of its private API.

Resumable uploads, their cancellation and cheaper forms of a few SDK requests have no
SDK method: :class:`Transport` sends them through the SDK's session, with its
credentials, to the endpoint it resolved (``api_root``, else ``STORAGE_EMULATOR_HOST``,
else Google). That endpoint and the emulator flag are the private ``Storage._api_root``
(``str``) and ``Storage._api_is_dev`` (``bool``), also right for a client the
application built; ``tests/test_sdk_contract.py`` checks them. Bound: ``<10`` (both are
declared on ``Storage`` and unchanged through 9.x; a minor bound would block resolvers
on every frequent minor release).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import aiohttp
from gcloud.aio.storage import Storage as SDKStorage

from litestar_storages.bodies import SlicedBody

__all__ = ("Transport", "endpoint", "sdk_fields")

Body = bytes | bytearray | SlicedBody | None


def endpoint(client: SDKStorage) -> tuple[str, bool]:
    """Return the root URL (no trailing slash) the SDK client sends its requests to, and whether it is an emulator."""
    return client._api_root.rstrip("/"), bool(client._api_is_dev)


def sdk_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Spell resource fields (``cacheControl``) as the SDK's ``upload``/``copy`` want them (``cache-Control``).

    The SDK lower-cases each key up to its first ``-`` (it expects ``Content-Disposition``
    forms), which would turn ``cacheControl`` into ``cachecontrol``.
    """
    return {re.sub(r"(?<=[a-z])(?=[A-Z])", "-", key): value for key, value in fields.items()}


class Transport:
    """One SDK client, its endpoint and its timeouts, shared by every request of a storage."""

    __slots__ = ("api_root", "client", "emulated", "timeout")

    def __init__(self, client: SDKStorage, *, timeout: float) -> None:
        """Wrap ``client``; ``timeout`` bounds a connection and each wait for the next bytes."""
        self.client = client
        self.api_root, self.emulated = endpoint(client)
        # total=None: a long transfer that keeps moving is never cut; stalls still fail.
        # Typed Any because the SDK annotates ``timeout`` as int yet hands it to aiohttp.
        self.timeout: Any = aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=timeout)

    @property
    def session(self) -> aiohttp.ClientSession:
        """The aiohttp session every request of this storage goes through."""
        session: aiohttp.ClientSession = self.client.session.session
        return session

    def upload_url(self, bucket: str) -> str:
        """Return the JSON API's upload endpoint of ``bucket``."""
        return f"{self.api_root}/upload/storage/v1/b/{quote(bucket, safe='')}/o"

    def object_url(self, bucket: str, name: str) -> str:
        """Return the JSON API's URL of one object."""
        return f"{self.api_root}/storage/v1/b/{quote(bucket, safe='')}/o/{quote(name, safe='')}"

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        data: Body = None,
        raise_for_status: bool = True,
        decompress: bool = True,
    ) -> aiohttp.ClientResponse:
        """Send one request through the SDK's session, with its credentials; the caller reads or releases the answer.

        ``raise_for_status`` raises :class:`aiohttp.ClientResponseError` on 4xx/5xx (GCS's error
        document in its message, as the SDK does); a ``SlicedBody`` needs ``Content-Length``.
        ``decompress=False`` returns a body as sent (an object stored gzip-encoded stays so).
        """
        merged = dict(headers or {})
        if not self.emulated:
            merged["Authorization"] = f"Bearer {await self.client.token.get()}"
        response: aiohttp.ClientResponse = await self.client.session.request(
            method,
            url,
            headers=merged,
            auto_raise_for_status=raise_for_status,
            params=dict(params or {}),
            data=data,
            timeout=self.timeout,
            allow_redirects=False,  # a resumable upload answers 308 to each non-final chunk: not a redirect
            auto_decompress=decompress,
        )
        return response

    async def json(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str],
        headers: Mapping[str, str] | None = None,
        data: Body = None,
    ) -> dict[str, Any]:
        """Send one request (see :meth:`request`) and return its JSON answer."""
        response = await self.request(method, url, headers=headers, params=params, data=data)
        document: dict[str, Any] = await response.json(content_type=None)
        return document
