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
    """Every field of a stored file: key, size, content_type, etag, last_modified, metadata."""

    config = DTOConfig()


class StoredFileReadDTO(DataclassDTO[StoredFile]):
    """The public view of a stored file: custom metadata is left out.

    Metadata often carries internal values (uploader ids, checksums of the source);
    use this DTO on endpoints that anonymous clients can call.
    """

    config = DTOConfig(exclude={"metadata"})
