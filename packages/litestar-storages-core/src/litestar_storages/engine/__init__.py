"""The transfer engine: the whole Storage API written once over a small driver protocol.

A backend is a *driver* (:class:`~litestar_storages.engine.driver.Driver`): a handful of
primitives over one SDK client (head, ranged read, single-request write, delete, one
page of a listing, copy), its error table and its name. Optional abilities (parts,
streamed writes, signed URLs, upload forms, batch deletes, walked listings, cheap
existence checks) are the small protocols of
:mod:`litestar_storages.engine.capabilities`. :class:`~litestar_storages.engine.storage.DriverStorage`
turns any driver into a full :class:`~litestar_storages.base.BaseStorage`: argument
checks, the single-request or multipart decision, the bounded part pipeline, ranged
reads with short-body detection, listing with ``limit``, URLs, retry and the error
boundary live here, once.
"""

from litestar_storages.engine.capabilities import (
    SupportsAddressUrls,
    SupportsAttributes,
    SupportsBatchDelete,
    SupportsDirectWrite,
    SupportsDurableParts,
    SupportsExists,
    SupportsListDir,
    SupportsListStream,
    SupportsMinPartSize,
    SupportsParts,
    SupportsPublicUrls,
    SupportsPutParts,
    SupportsRename,
    SupportsSignedUrls,
    SupportsSingleRequestLimit,
    SupportsStreamWrite,
    SupportsTagLimits,
    SupportsUploadForm,
)
from litestar_storages.engine.driver import DirPage, Driver, ListPage, OneChunk, RangeBody, utf16_order, whole_body
from litestar_storages.engine.storage import DriverStorage

__all__ = (
    "DirPage",
    "Driver",
    "DriverStorage",
    "ListPage",
    "OneChunk",
    "RangeBody",
    "SupportsAddressUrls",
    "SupportsAttributes",
    "SupportsBatchDelete",
    "SupportsDirectWrite",
    "SupportsDurableParts",
    "SupportsExists",
    "SupportsListDir",
    "SupportsListStream",
    "SupportsMinPartSize",
    "SupportsParts",
    "SupportsPublicUrls",
    "SupportsRename",
    "SupportsPutParts",
    "SupportsSignedUrls",
    "SupportsSingleRequestLimit",
    "SupportsStreamWrite",
    "SupportsTagLimits",
    "SupportsUploadForm",
    "utf16_order",
    "whole_body",
)
