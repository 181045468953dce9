"""The tus routes: ``OPTIONS``/``POST`` on the creation URL, ``HEAD``/``PATCH``/``DELETE``/``OPTIONS`` on each upload.

Every answer carries ``Tus-Resumable: 1.0.0`` and ``Cache-Control: no-store``; the
``Location`` of a new upload is built from the request's own URL, so it is right
behind a path prefix (an ASGI ``root_path``) and on any host the request came to.
Storage errors about the upload become 4xx answers (404 for one removed meanwhile);
only the storage's own failures (unreachable: 503, else 500) are the server's.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from email.utils import formatdate
from typing import TYPE_CHECKING, Annotated, Any

from litestar import HttpMethod, Request, Response, Router, params, route
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from litestar_storages.contrib.error_handlers import http_exception_for
from litestar_storages.contrib.tus.protocol import (
    CHECKSUM_ALGORITHMS,
    EXTENSIONS,
    TUS_VERSION,
    TusError,
    encode_metadata,
    parse_checksum,
    parse_concat,
    parse_metadata,
    parse_size,
    require_offset_content_type,
    require_tus_resumable,
)
from litestar_storages.contrib.tus.service import ClientGone, PatchRequest, TusUploads
from litestar_storages.contrib.tus.state import UploadInfo, UploadState
from litestar_storages.contrib.uploads import MAX_UPLOAD_SIZE_OPT, upload_limit
from litestar_storages.exceptions import StorageError

__all__ = ("tus_router",)

if TYPE_CHECKING:
    _IdPath = str
else:
    # Litestar 2.23+ wants path parameters marked explicitly; older 2.x infer them.
    _PathParameter = getattr(params, "PathParameter", None)
    _IdPath = Annotated[str, _PathParameter()] if _PathParameter is not None else str

_CONTENT_LENGTH = re.compile(r"[ \t]*([0-9]{1,19})[ \t]*")
_BASE_HEADERS = {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store"}


def _expires(info: UploadInfo) -> str:
    return formatdate(info.expires, usegmt=True)


def _upload_headers(info: UploadInfo, state: UploadState) -> dict[str, str]:
    headers = {**_BASE_HEADERS, "Upload-Offset": str(state.offset)}
    if not state.done:
        headers["Upload-Expires"] = _expires(info)
    return headers


def _content_length(request: Request[Any, Any, Any]) -> int | None:
    match = _CONTENT_LENGTH.fullmatch(request.headers.get("content-length") or "")
    return int(match.group(1)) if match else None


async def _body(request: Request[Any, Any, Any]) -> AsyncIterator[bytes]:
    # The ASGI messages themselves: a disconnect must be told from the end of the body.
    while True:
        message = await request.receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return
        elif message["type"] == "http.disconnect":
            raise ClientGone


def _patch_request(request: Request[Any, Any, Any], *, offset: int) -> PatchRequest:
    return PatchRequest(
        offset=offset,
        length=parse_size(request.headers.get("upload-length"), "Upload-Length"),
        content_length=_content_length(request),
        checksum=parse_checksum(request.headers.get("upload-checksum")),
        body=_body(request),
        max_size=upload_limit(request),
    )


def _mapped(error: StorageError) -> HTTPException:
    mapped = http_exception_for(error, headers=_BASE_HEADERS)
    if mapped is None:
        raise error
    return mapped


def _options_response(request: Request[Any, Any, Any]) -> Response[bytes]:
    headers = {
        "Tus-Resumable": TUS_VERSION,
        "Tus-Version": TUS_VERSION,
        "Tus-Extension": ",".join(EXTENSIONS),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
    }
    limit = upload_limit(request)
    if limit is not None:
        headers["Tus-Max-Size"] = str(limit)
    return Response(b"", status_code=HTTP_204_NO_CONTENT, headers=headers)


async def _create(uploads: TusUploads, request: Request[Any, Any, Any]) -> Response[bytes]:
    require_tus_resumable(request.headers.get("tus-resumable"))
    concat = parse_concat(request.headers.get("upload-concat"))
    if concat:
        return await _create_final(uploads, request, concat)
    length = parse_size(request.headers.get("upload-length"), "Upload-Length")
    deferred = request.headers.get("upload-defer-length")
    if deferred is not None and deferred.strip(" \t") != "1":
        raise TusError(400, "Upload-Defer-Length must be 1")
    if (length is None) == (deferred is None):
        raise TusError(400, "Send Upload-Length or Upload-Defer-Length: 1 (one of them)")
    metadata = parse_metadata(request.headers.get("upload-metadata"), max_size=uploads.config.max_metadata_size)
    # creation-with-upload: every header is checked before anything is created.
    with_upload = bool(_content_length(request)) or "transfer-encoding" in request.headers
    patch: PatchRequest | None = None
    if with_upload:
        require_offset_content_type(request.headers.get("content-type"))
        patch = _patch_request(request, offset=0)
    try:
        info = await uploads.create(
            length=length, metadata=metadata, max_size=upload_limit(request), partial=concat is not None
        )
        state = await uploads.store.state(info)
        if patch is not None and not state.done:
            state = await uploads.append(info, state, patch)
    except StorageError as error:
        raise _mapped(error) from error
    location = str(request.url).split("?", 1)[0].rstrip("/") + "/" + info.id
    headers = {**_upload_headers(info, state), "Location": location}
    if patch is None:
        del headers["Upload-Offset"]
    return Response(b"", status_code=HTTP_201_CREATED, headers=headers)


async def _create_final(uploads: TusUploads, request: Request[Any, Any, Any], ids: list[str]) -> Response[bytes]:
    if "upload-length" in request.headers or bool(_content_length(request)):
        raise TusError(400, "A final upload takes neither Upload-Length nor a body")
    metadata = parse_metadata(request.headers.get("upload-metadata"), max_size=uploads.config.max_metadata_size)
    header = request.headers.get("upload-concat", "").strip(" \t")
    try:
        info = await uploads.concatenate(ids, header=header, metadata=metadata, max_size=upload_limit(request))
    except StorageError as error:
        raise _mapped(error) from error
    location = str(request.url).split("?", 1)[0].rstrip("/") + "/" + info.id
    return Response(b"", status_code=HTTP_201_CREATED, headers={**_BASE_HEADERS, "Location": location})


async def _head(uploads: TusUploads, upload_id: str) -> Response[bytes]:
    try:
        info, state = await uploads.find(upload_id)
    except StorageError as error:
        raise _mapped(error) from error
    headers = _upload_headers(info, state)
    if state.length is None:
        headers["Upload-Defer-Length"] = "1"
    else:
        headers["Upload-Length"] = str(state.length)
    if info.metadata:
        headers["Upload-Metadata"] = encode_metadata(info.metadata)
    if info.concat is not None:
        headers["Upload-Concat"] = info.concat
    return Response(b"", status_code=200, headers=headers)


async def _patch(uploads: TusUploads, upload_id: str, request: Request[Any, Any, Any]) -> Response[bytes]:
    require_tus_resumable(request.headers.get("tus-resumable"))
    require_offset_content_type(request.headers.get("content-type"))
    offset = parse_size(request.headers.get("upload-offset"), "Upload-Offset")
    if offset is None:
        raise TusError(400, "Upload-Offset is required")
    checked = _patch_request(request, offset=offset)
    try:
        info, state = await uploads.find(upload_id)
        state = await uploads.append(info, state, checked)
    except StorageError as error:
        raise _mapped(error) from error
    return Response(b"", status_code=HTTP_204_NO_CONTENT, headers=_upload_headers(info, state))


async def _delete(uploads: TusUploads, upload_id: str, request: Request[Any, Any, Any]) -> Response[bytes]:
    require_tus_resumable(request.headers.get("tus-resumable"))
    try:
        await uploads.terminate(upload_id)
    except StorageError as error:
        raise _mapped(error) from error
    return Response(b"", status_code=HTTP_204_NO_CONTENT, headers=dict(_BASE_HEADERS))


async def _overridden(uploads: TusUploads, upload_id: str, request: Request[Any, Any, Any]) -> Response[bytes]:
    # X-HTTP-Method-Override: clients behind proxies that drop PATCH and DELETE send POST.
    method = (request.headers.get("x-http-method-override") or "").strip(" \t").upper()
    if method == "PATCH":
        return await _patch(uploads, upload_id, request)
    if method == "DELETE":
        return await _delete(uploads, upload_id, request)
    raise TusError(
        405,
        "POST on an upload needs X-HTTP-Method-Override: PATCH or DELETE",
        headers={"Allow": "HEAD, PATCH, DELETE, OPTIONS"},
    )


def _handlers(uploads: TusUploads) -> list[HTTPRouteHandler]:
    async def options(request: Request[Any, Any, Any]) -> Response[bytes]:
        return _options_response(request)

    async def create(request: Request[Any, Any, Any]) -> Response[bytes]:
        return await _create(uploads, request)

    async def head(upload_id: _IdPath) -> Response[bytes]:
        return await _head(uploads, upload_id)

    async def patch(upload_id: _IdPath, request: Request[Any, Any, Any]) -> Response[bytes]:
        return await _patch(uploads, upload_id, request)

    async def delete(upload_id: _IdPath, request: Request[Any, Any, Any]) -> Response[bytes]:
        return await _delete(uploads, upload_id, request)

    async def override(upload_id: _IdPath, request: Request[Any, Any, Any]) -> Response[bytes]:
        return await _overridden(uploads, upload_id, request)

    # Bodies are bounded by the upload limit and Upload-Length while streaming instead.
    # Every handler returns its own Response; the decorator's status only has to allow a body.
    unbounded: dict[str, Any] = {"request_max_body_size": None, "include_in_schema": False, "status_code": 200}
    plain: dict[str, Any] = {"include_in_schema": False, "status_code": 200}
    return [
        route("/", http_method=HttpMethod.OPTIONS, **plain)(options),
        route("/", http_method=HttpMethod.POST, **unbounded)(create),
        route("/{upload_id:str}", http_method=HttpMethod.HEAD, **plain)(head),
        route("/{upload_id:str}", http_method=HttpMethod.PATCH, **unbounded)(patch),
        route("/{upload_id:str}", http_method=HttpMethod.DELETE, **plain)(delete),
        route("/{upload_id:str}", http_method=HttpMethod.OPTIONS, **plain)(options),
        route("/{upload_id:str}", http_method=HttpMethod.POST, **unbounded)(override),
    ]


def tus_router(uploads: TusUploads) -> Router:
    """Return a Litestar router serving tus uploads at ``uploads.config.path``.

    The plugin mounts one per :class:`~litestar_storages.contrib.tus.config.TusConfig`;
    an application wiring things by hand adds it to its route handlers.

    Args:
        uploads: The uploads to serve.

    Returns:
        The router, with the configuration's guards and upload limit.
    """
    config = uploads.config
    opt: dict[str, Any] = dict(config.opt)
    if config.max_size is not None:
        opt[MAX_UPLOAD_SIZE_OPT] = config.max_size
    return Router(
        path=config.route_path or "/",
        route_handlers=_handlers(uploads),
        guards=list(config.guards),
        opt=opt,
    )
