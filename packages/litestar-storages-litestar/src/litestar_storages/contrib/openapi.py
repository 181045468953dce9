"""OpenAPI documentation of file downloads and raw uploads.

Litestar documents a handler from its signature: one returning a
:class:`~litestar_storages.contrib.responses.StorageResponse` would appear as a
``200 application/json`` answer, and one streaming ``request.stream()`` into a storage
(it has no ``data`` parameter, so the body is never parsed or held whole) as taking no
request body at all. The operation classes here correct the generated operation:

- :class:`StorageDownloadOperation`: the answers :func:`storage_response` gives (200 and
  206 with binary content, 304, 404, 412, 416) and their headers (``Accept-Ranges``,
  ``Content-Range``, ``ETag``, ``Last-Modified``, ...).
- :class:`RawUploadOperation`: a required binary request body.

:class:`~litestar_storages.contrib.plugin.StoragePlugin` applies them by itself: to
every handler whose return annotation is a ``StorageResponse``, and to every handler
whose layered ``opt`` holds :data:`RAW_UPLOAD_OPT`. Without the plugin, pass
``operation_class=StorageDownloadOperation`` (or ``RawUploadOperation``) to the route
decorator.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from litestar.openapi.spec import (
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Reference,
    RequestBody,
    Schema,
)
from litestar.openapi.spec.enums import OpenAPIType

from litestar_storages.content import DEFAULT_CONTENT_TYPE

__all__ = (
    "RAW_UPLOAD_OPT",
    "RawUploadOperation",
    "StorageDownloadOperation",
    "download_responses",
    "operation_class_for",
    "raw_body",
)

RAW_UPLOAD_OPT = "storage_raw_upload"
"""The ``opt`` key marking a handler that reads its request body raw (``save_request_body``).

``True`` documents an ``application/octet-stream`` body; a string names the media type.
"""

# Litestar documents a Response[...] handler as JSON unless the route names a media type.
_LITESTAR_DEFAULT_MEDIA_TYPE = "application/json"


def _binary(media_type: str) -> OpenAPIMediaType:
    return OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, content_media_type=media_type))


def _header(description: str) -> OpenAPIHeader:
    # Strings: an HTTP date (Last-Modified) is not the RFC 3339 `date-time` format.
    return OpenAPIHeader(schema=Schema(type=OpenAPIType.STRING), description=description)


def _headers(*names: str) -> dict[str, OpenAPIHeader | Reference]:
    known = {
        "Accept-Ranges": _header("Always `bytes`: byte ranges may be requested"),
        "Content-Length": _header("Size of the body in bytes"),
        "Content-Range": _header("The range sent (`bytes first-last/size`), or `bytes */size` with 416"),
        "Content-Disposition": _header("`inline` or `attachment`, with the file name (RFC 6266)"),
        "ETag": _header("Entity tag of the stored file"),
        "Last-Modified": _header("When the stored file last changed, as an HTTP date"),
        "X-Content-Type-Options": _header("Always `nosniff`"),
    }
    selected: dict[str, OpenAPIHeader | Reference] = {name: known[name] for name in names}
    return selected


_ERROR_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    properties={
        "status_code": Schema(type=OpenAPIType.INTEGER),
        "detail": Schema(type=OpenAPIType.STRING),
    },
    required=["detail", "status_code"],
)


def download_responses(media_type: str = DEFAULT_CONTENT_TYPE) -> dict[str, OpenAPIResponse]:
    """Return the answers of a file download, as OpenAPI responses by status.

    Args:
        media_type: Type of the file's content (``application/octet-stream`` when the
            route serves files of any type).

    Returns:
        Responses for 200, 206, 304, 404, 412 and 416.
    """
    validators = ("ETag", "Last-Modified")
    return {
        "200": OpenAPIResponse(
            description="The whole file",
            content={media_type: _binary(media_type)},
            headers=_headers(
                "Content-Length", "Accept-Ranges", *validators, "Content-Disposition", "X-Content-Type-Options"
            ),
        ),
        "206": OpenAPIResponse(
            description="The requested byte range, or several as `multipart/byteranges`",
            content={media_type: _binary(media_type), "multipart/byteranges": _binary("multipart/byteranges")},
            headers=_headers("Content-Range", "Content-Length", "Accept-Ranges", *validators, "X-Content-Type-Options"),
        ),
        "304": OpenAPIResponse(
            description="Not modified: `If-None-Match` or `If-Modified-Since` matched; no body",
            headers=_headers(*validators, "X-Content-Type-Options"),
        ),
        "404": OpenAPIResponse(
            description="No file at this key",
            content={_LITESTAR_DEFAULT_MEDIA_TYPE: OpenAPIMediaType(schema=_ERROR_SCHEMA)},
            headers=_headers("X-Content-Type-Options"),
        ),
        "412": OpenAPIResponse(
            description="`If-Match` or `If-Unmodified-Since` failed; no body",
            headers=_headers(*validators, "X-Content-Type-Options"),
        ),
        "416": OpenAPIResponse(
            description="The range lies wholly past the end of the file; no body",
            headers=_headers("Content-Range", "Accept-Ranges", "X-Content-Type-Options"),
        ),
    }


def raw_body(media_type: str = DEFAULT_CONTENT_TYPE) -> RequestBody:
    """Return the OpenAPI request body of a raw upload: the file's bytes as they are.

    Args:
        media_type: Type of the uploaded content.

    Returns:
        A required binary request body.
    """
    return RequestBody(content={media_type: _binary(media_type)}, required=True, description="The file's bytes")


def _success_media_type(responses: dict[str, Any] | None) -> str:
    # A media type the route named itself (media_type="video/mp4") is the files' type.
    success = (responses or {}).get("200")
    content = getattr(success, "content", None) or {}
    named = next(iter(content), None)
    return named if named and named != _LITESTAR_DEFAULT_MEDIA_TYPE else DEFAULT_CONTENT_TYPE


@dataclass
class StorageDownloadOperation(Operation):
    """An operation documented as a :func:`storage_response` download.

    Litestar's own answers for the route (400 for invalid parameters, and any the route
    lists in ``responses=``) are kept; the success answer is replaced.
    """

    def __post_init__(self) -> None:
        """Add the download's answers to what Litestar generated."""
        generated = dict(self.responses or {})
        documented = download_responses(_success_media_type(generated))
        generated.pop("200", None)
        # The route's own documentation of a status wins over ours.
        self.responses = {**documented, **generated}
        super_post_init = getattr(super(), "__post_init__", None)
        if super_post_init is not None:
            super_post_init()


@dataclass
class RawUploadOperation(Operation):
    """An operation whose request body is the raw file (``save_request_body``).

    Attributes:
        raw_body_media_type: The documented type of the body.
    """

    raw_body_media_type: ClassVar[str] = DEFAULT_CONTENT_TYPE

    def __post_init__(self) -> None:
        """Document the request body, unless Litestar found one (a ``data`` parameter)."""
        if self.request_body is None:
            self.request_body = raw_body(self.raw_body_media_type)
        super_post_init = getattr(super(), "__post_init__", None)
        if super_post_init is not None:
            super_post_init()


def operation_class_for(base: type[Operation], *, download: bool, raw_body_media_type: str | None) -> type[Operation]:
    """Return an operation class documenting a download and/or a raw upload on top of ``base``.

    Args:
        base: The route's own operation class (``Operation`` unless it chose one).
        download: Document the answers of :func:`storage_response`.
        raw_body_media_type: Document a raw request body of this type; ``None`` for none.

    Returns:
        ``base`` itself when nothing is to be added, else a dataclass deriving from the
        matching operation classes and ``base`` (one class per combination, made once).
    """
    add_download = download and not issubclass(base, StorageDownloadOperation)
    add_upload = raw_body_media_type is not None and not issubclass(base, RawUploadOperation)
    if not add_download and not add_upload:
        return base
    derived: type[Operation] = _derive(cast("Any", base), add_download, raw_body_media_type if add_upload else None)
    return derived


@functools.cache
def _derive(base: Any, download: bool, raw_body_media_type: str | None) -> Any:
    # Cached: every route with the same combination shares one class.
    mixins: list[type[Operation]] = []
    attributes: dict[str, Any] = {}
    if download:
        mixins.append(StorageDownloadOperation)
    if raw_body_media_type is not None:
        mixins.append(RawUploadOperation)
        attributes["raw_body_media_type"] = raw_body_media_type
    bases = (*mixins, base) if base is not Operation else tuple(mixins)
    return dataclass(type(f"Storage{base.__name__}", bases, attributes))
