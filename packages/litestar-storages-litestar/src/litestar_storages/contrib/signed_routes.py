"""Routes that serve (and accept) signed URLs of storages that sign their own URLs.

``FileSystemStorage`` with a ``signing_secret`` returns URLs below its ``base_url``
that only your application can answer. For each such storage the plugin mounts one
route at the path of ``base_url`` which verifies the signature and expiry before it
touches the storage, so a tampered or expired link gets the same 403 whether or not
the file exists. Valid GET/HEAD links are answered by
:func:`~litestar_storages.contrib.responses.storage_response` (Range, 304, ...); valid
PUT links stream the request body into the storage, within the upload limit, with the
content type the link signed or else the one the key's extension gives (never the
uploader's claim). Every answer, 403s included, carries ``X-Content-Type-Options:
nosniff``; downloads follow the application's active content policy
(:mod:`~litestar_storages.contrib.serving_policy`). No client input, however
malformed, gets a 500: the link's parameters are checked as ASCII with bounded
lengths, and every storage error about the key becomes a 4xx.

Any storage qualifies that has a ``verify_signed_url(key, query, method=...)`` method
and a ``config`` with ``signing_secret`` and ``base_url``: the filesystem backend is
not a dependency of this package.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from litestar import HttpMethod, Request, Response, params, route
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import HTTPRouteHandler
from litestar.status_codes import HTTP_201_CREATED

from litestar_storages.contrib.error_handlers import http_exception_for
from litestar_storages.contrib.responses import storage_response
from litestar_storages.contrib.serving_policy import NOSNIFF
from litestar_storages.contrib.uploads import save_request_body, upload_limit
from litestar_storages.exceptions import StorageError
from litestar_storages.protocol import Storage

__all__ = ("SignedURLStorage", "signed_route_handlers", "signed_url_path")

_DENIED = "Invalid or expired link"
_NOSNIFF = {"x-content-type-options": NOSNIFF}

if TYPE_CHECKING:
    _KeyPath = str
else:
    # Litestar 2.23+ wants path parameters marked explicitly; older 2.x infer them.
    _PathParameter = getattr(params, "PathParameter", None)
    _KeyPath = Annotated[str, _PathParameter()] if _PathParameter is not None else str


@runtime_checkable
class SignedURLStorage(Protocol):
    """A storage that signs URLs pointing at its own application (``FileSystemStorage``)."""

    def verify_signed_url(self, key: str, query: Mapping[str, str] | str, *, method: str = "GET") -> Any:
        """Return what a signed URL grants, or raise a ``StoragePermissionError``."""
        ...


def signed_url_path(storage: object) -> str | None:
    """Return the route path serving a storage's signed URLs, if it makes any.

    Args:
        storage: Any storage.

    Returns:
        The path of its ``base_url`` (``"/media"``; ``""`` for the site root), or
        ``None`` when the storage does not sign URLs.
    """
    config = getattr(storage, "config", None)
    base_url = getattr(config, "base_url", None)
    if not isinstance(storage, SignedURLStorage) or not base_url or not getattr(config, "signing_secret", None):
        return None
    return urlsplit(str(base_url)).path.rstrip("/")


def _essence(content_type: str | None) -> str:
    # ASCII case folding only: str.lower() maps some non-ASCII letters to ASCII ones.
    essence = (content_type or "").split(";")[0].strip(" \t")
    return essence.lower() if essence.isascii() else essence


def _handler(storage: Storage, verifier: SignedURLStorage, path: str, name: str) -> HTTPRouteHandler:
    async def serve_signed(key: _KeyPath, request: Request[Any, Any, Any]) -> Response[Any]:
        key = key.lstrip("/")
        try:
            access = verifier.verify_signed_url(
                key, request.scope["query_string"].decode("latin-1"), method=request.method
            )
        except StorageError as error:
            # One answer for forged, tampered, expired and impossible links (and a
            # storage without a secret): nothing about the key, not even whether it
            # exists, leaks before verification.
            raise PermissionDeniedException(detail=_DENIED, headers=_NOSNIFF) from error
        if request.method == HttpMethod.PUT:
            required_type = getattr(access, "content_type", None)
            if required_type and _essence(request.headers.get("content-type")) != _essence(required_type):
                raise PermissionDeniedException(detail=_DENIED, headers=_NOSNIFF)
            try:
                # The signed type, else the key's: what the uploader claims is not trusted.
                stored = await save_request_body(
                    storage, key, request, max_size=upload_limit(request), content_type=required_type or None
                )
            except StorageError as error:
                # The application may have turned the plugin's error handlers off: the
                # link's key is still the client's, so its errors are still 4xx.
                mapped = http_exception_for(error, headers=_NOSNIFF)
                if mapped is None:
                    raise
                raise mapped from error
            return Response(stored, status_code=HTTP_201_CREATED, headers=_NOSNIFF)
        filename = getattr(access, "filename", None)
        return storage_response(storage, key, filename=filename, attachment=filename is not None)

    return route(
        f"{path}/{{key:path}}",
        http_method=[HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT],
        name=name,
        include_in_schema=False,
        # Uploads are bounded by the storage upload limit while streaming instead.
        request_max_body_size=None,
    )(serve_signed)


def signed_route_handlers(storages: Iterable[Storage]) -> list[HTTPRouteHandler]:
    """Return one route handler per storage that signs its own URLs.

    Args:
        storages: The plugin's storages (the same instance may appear twice).

    Returns:
        The handlers, mounted at each storage's ``base_url`` path.
    """
    handlers: list[HTTPRouteHandler] = []
    seen: set[int] = set()
    for storage in storages:
        path = signed_url_path(storage)
        if path is None or id(storage) in seen or not isinstance(storage, SignedURLStorage):
            continue
        seen.add(id(storage))
        handlers.append(_handler(storage, storage, path, f"storages-signed-{len(handlers)}"))
    return handlers
