"""Every use of azure-storage-blob's private API, in one place.

Why: Get Blob, Get Blob Properties, Put Blob and Delete Blob go through the SDK's
generated operations, without the ``BlobClient`` per key that costs about 160 µs of CPU
(small operations spend 8 to 30 % less, docs/performance.md), and without the public
downloader's hidden re-reads of a cut body (the engine resumes, under its retry policy).

Relied on, and checked against the installed SDK by ``tests/test_sdk_contract.py``: the
module ``azure.storage.blob._generated.aio.operations`` with ``BlobOperations`` and
``BlockBlobOperations`` built from ``(client, config, serializer, deserializer)``; a
``BlobClient``'s ``_client`` and on that ``_client``, ``_config`` (whose ``url`` names
the blob), ``_serialize`` and ``_deserialize``; the parameters ``download(range=, cls=)``,
``download(decompress=)``, ``get_properties(cls=)``, ``delete(delete_snapshots=)`` and ``upload(content_length,
body, headers=, cls=)``, whose ``cls`` hook receives the pipeline response.

Version bound (pyproject.toml): ``azure-storage-blob>=12.19,<12.32``: the generated code
changes with the service API versions that minor releases adopt. To widen it, run the
contract test against the new SDK.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Awaitable, Mapping
from typing import IO, TYPE_CHECKING, Any, cast
from urllib.parse import quote

from azure.storage.blob._generated.aio.operations import (  # the operations the public methods call
    BlobOperations,
    BlockBlobOperations,
)

if TYPE_CHECKING:
    from azure.storage.blob.aio import ContainerClient

__all__ = ("BlobOperationsFactory", "BlobRequests", "Download")

# A blob name no caller uses: the template's URL is split around it.
_TEMPLATE = "lsm-template-blob"


def _headers(pipeline_response: Any, _deserialized: Any, _headers: Any) -> Mapping[str, str]:
    # The ``cls`` hook: the generated operations deserialize every header into a new dict
    # (and the public methods then build a model from it); the few fields a StoredFile
    # needs are read from the raw headers instead.
    headers: Mapping[str, str] = pipeline_response.http_response.headers
    return headers


Download = tuple[AsyncIterator[bytes], Mapping[str, str]]
"""A Get Blob's streamed body (not read yet) and its raw headers."""


def _body_and_headers(pipeline_response: Any, body: Any, _headers: Any) -> Download:
    return body, pipeline_response.http_response.headers


class BlobRequests:
    """The requests of one blob, through the SDK's generated operations; each returns the SDK's awaitable as is."""

    __slots__ = ("_blob", "_block_blob")

    def __init__(self, blob: BlobOperations, block_blob: BlockBlobOperations) -> None:
        """Hold the two operation groups (built by :class:`BlobOperationsFactory`)."""
        # Typed Any: with a ``cls`` hook they return what the hook returns, not None.
        self._blob: Any = blob
        self._block_blob: Any = block_blob

    def get_properties(self) -> Awaitable[Mapping[str, str]]:
        """Send Get Blob Properties; the awaitable gives the answer's raw headers."""
        return cast("Awaitable[Mapping[str, str]]", self._blob.get_properties(cls=_headers))

    def download(self, byte_range: str | None) -> Awaitable[Download]:
        """Send Get Blob of ``byte_range`` (``bytes=a-b``, ``None``: the whole blob); gives body and headers."""
        # decompress=False: a blob stored with Content-Encoding: gzip comes back as stored.
        answer = self._blob.download(range=byte_range, cls=_body_and_headers, decompress=False)
        return cast("Awaitable[Download]", answer)

    def delete(self) -> Awaitable[None]:
        """Send Delete Blob, snapshots included."""
        return cast("Awaitable[None]", self._blob.delete(delete_snapshots="include"))

    def put(self, body: bytes | IO[bytes], length: int, headers: dict[str, str]) -> Awaitable[Mapping[str, str]]:
        """Send Put Blob of ``length`` bytes with ``headers``; the awaitable gives the answer's raw headers."""
        answer = self._block_blob.upload(length, body, headers=headers, cls=_headers)
        return cast("Awaitable[Mapping[str, str]]", answer)


class BlobOperationsFactory:
    """Builds :class:`BlobRequests` for any blob of one container client.

    The operation groups need the blob's URL (in their configuration), a pipeline client
    and (de)serializers: taken once from a template ``BlobClient``; per key, a shallow
    copy of the configuration names the blob's URL, written as the SDK writes it. The
    requests go through the public methods' pipeline (authentication, timeouts, no SDK retries).
    """

    __slots__ = ("_client", "_config", "_deserialize", "_serialize", "_url_head", "_url_tail", "container")

    def __init__(self, container: ContainerClient) -> None:
        """Take the pipeline, configuration and (de)serializers of ``container``'s blobs."""
        self.container = container
        template = container.get_blob_client(_TEMPLATE)
        generated: Any = template._client  # the generated client the public methods use
        self._client = generated._client
        self._config = generated._config
        self._serialize = generated._serialize
        self._deserialize = generated._deserialize
        # The blob URL is scheme, host, quoted container, quoted name, then the SAS query (if any).
        url: str = self._config.url
        head, _, tail = url.rpartition("/" + _TEMPLATE)
        self._url_head = head + "/"
        self._url_tail = tail

    def url(self, name: str) -> str:
        """Return the URL of blob ``name`` (with the client's SAS query, if any), as the SDK writes it."""
        return f"{self._url_head}{quote(name, safe='~/')}{self._url_tail}"

    def __call__(self, name: str) -> BlobRequests:
        """Return the requests of blob ``name``, sharing the container's pipeline."""
        config = copy.copy(self._config)
        config.url = self.url(name)
        parts = (self._client, config, self._serialize, self._deserialize)
        return BlobRequests(BlobOperations(*parts), BlockBlobOperations(*parts))
