"""Per-blob requests through the SDK's generated operations, without a ``BlobClient`` per key.

``ContainerClient.get_blob_client`` builds a whole ``BlobClient`` on every call: a new
pipeline configuration and generated client, about 160 µs of CPU, as much again as
the rest of a 1 KiB request. The generated operation groups need only the blob's URL
(read from their configuration), a pipeline client, a serializer and a deserializer.
:class:`BlobOperationsFactory` takes all of them once from one template ``BlobClient``
of the container and, per key, makes a shallow copy of its configuration naming the
blob's URL, built exactly as the SDK builds it. The requests go through the same
pipeline (authentication, timeouts, SDK retries off) as the public methods.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from azure.storage.blob._generated.aio.operations import (  # the operations the public methods call
    BlobOperations,
    BlockBlobOperations,
)

if TYPE_CHECKING:
    from azure.storage.blob.aio import ContainerClient

__all__ = ("BlobOperationsFactory", "BlobRequests")

# A blob name no caller uses: the template's URL is split around it.
_TEMPLATE = "lsm-template-blob"


class BlobRequests:
    """The generated operation groups of one blob.

    Attributes:
        blob: Get Blob, Get Blob Properties, Delete Blob.
        block_blob: Put Blob.
    """

    __slots__ = ("blob", "block_blob")

    def __init__(self, blob: BlobOperations, block_blob: BlockBlobOperations) -> None:
        """Hold the two groups (built by :class:`BlobOperationsFactory`)."""
        # Typed Any: the SDK types them as returning None, but with a ``cls`` hook they
        # return what the hook returns.
        self.blob: Any = blob
        self.block_blob: Any = block_blob


class BlobOperationsFactory:
    """Builds :class:`BlobRequests` for any blob of one container client."""

    __slots__ = ("_client", "_config", "_deserialize", "_serialize", "_url_head", "_url_tail", "container")

    def __init__(self, container: ContainerClient) -> None:
        """Take the pipeline, configuration and (de)serializers of ``container``'s blobs.

        Args:
            container: The container client whose pipeline sends the requests.
        """
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
        """Return the URL of blob ``name`` (with the client's SAS query, if any), as the SDK writes it.

        Args:
            name: The blob's name in the container.

        Returns:
            The URL the requests go to.
        """
        return f"{self._url_head}{quote(name, safe='~/')}{self._url_tail}"

    def __call__(self, name: str) -> BlobRequests:
        """Return the operations of blob ``name``.

        Args:
            name: The blob's name in the container.

        Returns:
            Its generated operation groups, sharing the container's pipeline.
        """
        config = copy.copy(self._config)
        config.url = self.url(name)
        parts = (self._client, config, self._serialize, self._deserialize)
        return BlobRequests(BlobOperations(*parts), BlockBlobOperations(*parts))
