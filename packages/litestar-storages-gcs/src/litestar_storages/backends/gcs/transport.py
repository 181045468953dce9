"""The gcloud-aio-storage client plus what the requests it has no (cheap) method for need."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import aiohttp
from gcloud.aio.storage import Storage as SDKStorage

from litestar_storages.backends.gcs._sdk import endpoint
from litestar_storages.bodies import SlicedBody

__all__ = ("Transport",)

Body = bytes | bytearray | SlicedBody | None


class Transport:
    """One SDK client, its endpoint and credentials, shared by every request of a storage.

    Resumable uploads in chunks and a few cheaper forms of SDK requests go through the
    SDK's own session (same connection pool, same error type), with the credentials the
    SDK would send, to the endpoint it resolved.
    """

    __slots__ = ("api_root", "client", "emulated", "timeout")

    def __init__(self, client: SDKStorage, *, timeout: float) -> None:
        """Wrap an SDK client.

        Args:
            client: The gcloud-aio-storage client.
            timeout: Seconds to wait for a connection or the next bytes of an answer.
        """
        self.client = client
        self.api_root, self.emulated = endpoint(client)  # one source of truth for its requests and ours
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
    ) -> aiohttp.ClientResponse:
        """Send one request through the SDK's session, with credentials (none for an emulator).

        Args:
            method: The HTTP method.
            url: The full URL.
            headers: Extra headers.
            params: Query parameters.
            data: The body; a :class:`~litestar_storages.bodies.SlicedBody` is written in
                slices (set ``Content-Length`` in ``headers`` for it).
            raise_for_status: Raise :class:`aiohttp.ClientResponseError` (with GCS's error
                document in its message, as the SDK does) on 4xx/5xx answers.

        Returns:
            The response; the caller reads or releases it.
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
