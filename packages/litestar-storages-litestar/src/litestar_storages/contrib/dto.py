"""DTOs for :class:`~litestar_storages.types.StoredFile`.

A handler returning ``StoredFile`` already serialises to JSON (it is a dataclass);
these DTOs are for handlers that want Litestar's DTO layer: renaming, OpenAPI schema
control, or hiding custom metadata from clients.
"""

from __future__ import annotations

from litestar.dto import DataclassDTO, DTOConfig

from litestar_storages.types import StoredFile

__all__ = ("StoredFileDTO", "StoredFileReadDTO")


class StoredFileDTO(DataclassDTO[StoredFile]):
    """Every field of a stored file: key, size, content_type, etag, last_modified, metadata, attributes."""

    config = DTOConfig()


class StoredFileReadDTO(DataclassDTO[StoredFile]):
    """The public view of a stored file: custom metadata and tags are left out.

    Metadata and tags often carry internal values (uploader ids, checksums of the
    source, billing labels); use this DTO on endpoints that anonymous clients can call.
    The other attributes (cache control, content language...) stay: they are sent as
    response headers anyway.
    """

    config = DTOConfig(exclude={"metadata", "attributes.tags"})
