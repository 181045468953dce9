"""Serving a stored file from a route handler: :func:`storage_response`.

The response reads the file's metadata when it is sent (it needs the request's
``Range`` and conditional headers, which only arrive then), so handlers can stay
synchronous one-liners::

    @get("/files/{key:path}")
    async def download(key: str, storage: Storage) -> StorageResponse:
        return storage_response(storage, key.lstrip("/"))

Every answer carries ``X-Content-Type-Options: nosniff``, and files of an active or
unknown type (HTML, SVG, XML, scripts, ...) are sent as attachments under
``Content-Security-Policy: sandbox`` unless the application chose otherwise: see
:mod:`~litestar_storages.contrib.serving_policy`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from litestar.exceptions import HTTPException
from litestar.response import Response
from litestar.response.base import ASGIResponse
from litestar.response.streaming import ASGIStreamingResponse
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_206_PARTIAL_CONTENT,
    HTTP_304_NOT_MODIFIED,
    HTTP_307_TEMPORARY_REDIRECT,
    HTTP_412_PRECONDITION_FAILED,
    HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE,
)

from litestar_storages.calls import open_read
from litestar_storages.capabilities import SupportsOpenObject
from litestar_storages.content import DEFAULT_CONTENT_TYPE, guess_content_type
from litestar_storages.contrib.byteranges import MultipartByteranges
from litestar_storages.contrib.error_handlers import http_exception_for
from litestar_storages.contrib.http_headers import (
    ByteRange,
    RangeNotSatisfiable,
    content_disposition,
    etag_for,
    http_date,
    if_range_allows,
    is_not_modified,
    parse_ranges,
    precondition_failed,
)
from litestar_storages.contrib.serving_policy import (
    ACTIVE_CONTENT_OPT,
    NOSNIFF,
    SANDBOX_POLICY,
    ActiveContent,
    check_active_content,
    serving_decision,
)
from litestar_storages.exceptions import StorageError, StorageFileNotFoundError, StorageValidationError
from litestar_storages.protocol import Storage

if TYPE_CHECKING:
    from litestar.app import Litestar
    from litestar.background_tasks import BackgroundTask, BackgroundTasks
    from litestar.connection import Request
    from litestar.datastructures.cookie import Cookie
    from litestar.enums import MediaType
    from litestar.types import Receive, ResponseCookies, Scope, Send, TypeEncodersMap

    from litestar_storages.opened import OpenedObject
    from litestar_storages.types import StoredFile

__all__ = ("ASGIStorageResponse", "StorageResponse", "storage_response")

_SAFE_HEADER_VALUE = re.compile(r"[\x20-\x7e]+")
"""Attribute values sent as headers: printable ASCII only, whatever the service reported."""


class StorageResponse(Response[None]):
    """A response that streams one stored file, or redirects to its URL.

    Build it with :func:`storage_response`. Headers and cookies given here are added to
    whatever the file's answer turns out to be (200, 206, 304, 416 or a redirect).
    """

    __slots__ = ("active_content", "attachment", "expires_in", "filename", "key", "redirect", "storage")

    def __init__(
        self,
        storage: Storage,
        key: str,
        *,
        filename: str | None = None,
        attachment: bool = False,
        redirect: bool = False,
        expires_in: timedelta | None = None,
        headers: Mapping[str, str] | None = None,
        cookies: ResponseCookies | None = None,
        background: BackgroundTask | BackgroundTasks | None = None,
        active_content: ActiveContent | None = None,
    ) -> None:
        """Describe the response; nothing is read until it is sent.

        Args:
            storage: The storage holding the file.
            key: The file's key.
            filename: Name for ``Content-Disposition``; the key's last segment by default.
            attachment: ``True`` to make browsers download instead of display.
            redirect: Answer ``307`` to ``storage.url(key)`` instead of proxying bytes.
            expires_in: Validity of the redirect URL; the backend's default when omitted.
            headers: Extra response headers (``Cache-Control``, ...).
            cookies: Cookies to set.
            background: Task(s) to run after the response is sent.
            active_content: How to send active and unknown types (``"attachment"``,
                ``"sandbox"`` or ``"inline"``); by default the handler's ``opt`` under
                :data:`~litestar_storages.contrib.serving_policy.ACTIVE_CONTENT_OPT`
                (set by the plugin's config), else ``"attachment"``.

        Raises:
            ConfigurationError: If ``active_content`` is not one of the three modes.
        """
        super().__init__(content=None, headers=dict(headers or {}), cookies=cookies, background=background)
        self.storage = storage
        self.key = key
        self.filename = filename
        self.attachment = attachment
        self.redirect = redirect
        self.expires_in = expires_in
        self.active_content = None if active_content is None else check_active_content(active_content)

    def to_asgi_response(
        self,
        app: Litestar | None,
        request: Request[Any, Any, Any],
        *,
        background: BackgroundTask | BackgroundTasks | None = None,
        cookies: Iterable[Cookie] | None = None,
        encoded_headers: Iterable[tuple[bytes, bytes]] | None = None,
        headers: dict[str, str] | None = None,
        is_head_response: bool = False,
        media_type: MediaType | str | None = None,
        status_code: int | None = None,
        type_encoders: TypeEncodersMap | None = None,
    ) -> ASGIResponse:
        """Create the ASGI response, capturing the request headers it depends on.

        Args:
            app: Unused (deprecated by Litestar).
            request: The request being answered.
            background: Background task(s) from the handler's layers.
            cookies: Cookies from the handler's layers.
            encoded_headers: Unused (deprecated by Litestar).
            headers: Headers from the handler's layers; this response's own win.
            is_head_response: Whether the request is a HEAD.
            media_type: Ignored: the stored file's type is sent.
            status_code: Ignored: the status depends on the request.
            type_encoders: Unused: the body is the file.

        Returns:
            The ASGI response.

        Raises:
            ConfigurationError: If the handler's ``opt`` holds an invalid active content mode.
        """
        merged_headers = {**(headers or {}), **self.headers}
        merged_cookies = [*self.cookies, *(cookies or ())]
        active_content = self.active_content or check_active_content(
            request.route_handler.opt.get(ACTIVE_CONTENT_OPT, "attachment"), field=ACTIVE_CONTENT_OPT
        )
        return ASGIStorageResponse(
            response=self,
            active_content=active_content,
            request_headers={
                name: request.headers.get(name)
                for name in (
                    "range",
                    "if-range",
                    "if-match",
                    "if-unmodified-since",
                    "if-none-match",
                    "if-modified-since",
                )
            },
            headers=merged_headers,
            cookies=merged_cookies,
            background=self.background or background,
            is_head_response=is_head_response,
        )


def storage_response(
    storage: Storage,
    key: str,
    *,
    filename: str | None = None,
    attachment: bool = False,
    redirect: bool = False,
    expires_in: timedelta | None = None,
    headers: Mapping[str, str] | None = None,
    active_content: ActiveContent | None = None,
) -> StorageResponse:
    """Answer a request with a stored file.

    The response carries Content-Type, Content-Length, ETag, Last-Modified,
    Content-Disposition, Accept-Ranges and ``X-Content-Type-Options: nosniff``, and the
    file's stored attributes as ``Cache-Control``, ``Content-Encoding`` and
    ``Content-Language`` (``headers`` given here win over them), and its stored
    ``Content-Disposition`` when no ``filename`` is given (unless it would show inline a
    file that must be downloaded); honours
    ``Range`` (206, as ``multipart/byteranges`` for several ranges, or 416 when
    unsatisfiable), ``If-Match``/``If-Unmodified-Since`` (412),
    ``If-None-Match``/``If-Modified-Since`` (304) and ``If-Range``. A missing key (or a
    path that is no valid key) is a 404, a key the storage refuses to read (a link
    leading out of a filesystem root) a 403. With ``redirect=True`` it answers ``307``
    to the storage's (presigned) URL instead, without checking that the key exists.

    Files of an active or unknown type (HTML, SVG, XML, JavaScript, ...) are sent with
    ``Content-Security-Policy: sandbox`` and as attachments, unless ``active_content``
    says otherwise; see :mod:`~litestar_storages.contrib.serving_policy`.

    Args:
        storage: The storage holding the file.
        key: The file's key.
        filename: Name for ``Content-Disposition``; the key's last segment by default.
        attachment: ``True`` to make browsers download instead of display, whatever the type.
        redirect: Redirect to ``storage.url(key)`` instead of proxying the bytes.
        expires_in: Validity of the redirect URL.
        headers: Extra response headers.
        active_content: ``"attachment"`` (download active files), ``"sandbox"`` (show
            them inline under ``Content-Security-Policy: sandbox``) or ``"inline"``
            (send them as stored: only for files the application wrote itself). By
            default the handler's layered ``opt`` under ``"storage_active_content"``
            (the plugin's ``active_content`` config), else ``"attachment"``.

    Returns:
        A response to return from a route handler.

    Raises:
        ConfigurationError: If ``active_content`` is not one of the three modes.
    """
    return StorageResponse(
        storage,
        key,
        filename=filename,
        attachment=attachment,
        redirect=redirect,
        expires_in=expires_in,
        headers=headers,
        active_content=active_content,
    )


class ASGIStorageResponse(ASGIResponse):
    """The ASGI side of :class:`StorageResponse`: decides the answer once it is sent."""

    __slots__ = ("_active_content", "_cookies", "_extra_headers", "_request_headers", "_response")

    def __init__(
        self,
        *,
        response: StorageResponse,
        active_content: ActiveContent,
        request_headers: Mapping[str, str | None],
        headers: dict[str, str],
        cookies: Iterable[Cookie],
        background: BackgroundTask | BackgroundTasks | None,
        is_head_response: bool,
    ) -> None:
        """Keep what the answer depends on.

        Args:
            response: The handler's response description.
            active_content: How to send active and unknown types.
            request_headers: The request's Range and conditional headers.
            headers: Extra headers for every answer.
            cookies: Cookies for every answer.
            background: Task(s) run after sending.
            is_head_response: Whether to omit the body.
        """
        super().__init__(background=background, is_head_response=is_head_response)
        self._response = response
        self._active_content = active_content
        self._request_headers = dict(request_headers)
        self._extra_headers = headers
        self._cookies = list(cookies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the answer: redirect, 412, 304, 416, 206 or 200.

        Args:
            scope: The ASGI scope.
            receive: The ASGI receive callable.
            send: The ASGI send callable.

        Raises:
            HTTPException: 404 if the key does not exist or is not a valid key, 403 if the
                storage refuses to read it, 503 if the storage service cannot be reached.
        """
        try:
            answer = await self._answer()
        except StorageError as error:
            mapped = self._http_error(error)
            if mapped is None:
                # Not the client's doing (a full disk, an I/O error): the server's 500.
                raise
            raise mapped from error
        await answer(scope, receive, send)

    def _http_error(self, error: StorageError) -> HTTPException | None:
        if isinstance(error, (StorageFileNotFoundError, StorageValidationError)):
            # The path a client asked for names no file: the same 404 whatever the reason.
            error = StorageFileNotFoundError(self._response.key)
        return http_exception_for(error, headers={"x-content-type-options": NOSNIFF})

    async def _answer(self) -> ASGIResponse:
        response = self._response
        if response.redirect:
            return await self._redirect()
        storage = response.storage
        if isinstance(storage, SupportsOpenObject):
            # One call for the metadata and the bytes, of one version: no answer mixes
            # the headers of one version with the body of the next.
            opened = await storage.open_object(response.key)
            try:
                answer = await self._answer_from(opened.file, opened)
            except BaseException:
                opened.close()
                raise
            if not isinstance(answer, ASGIStreamingResponse):
                opened.close()  # no body to stream: nothing more is read
            return answer
        return await self._answer_from(await storage.info(response.key), None)

    async def _answer_from(self, stored: StoredFile, opened: OpenedObject | None) -> ASGIResponse:
        # The answer to one version of the file: from an opened version (whose body the
        # returned stream then owns and closes) or, with None, from info() and get().
        response = self._response
        decision = serving_decision(
            stored.content_type or guess_content_type(stored.key) or DEFAULT_CONTENT_TYPE,
            attachment=response.attachment,
            active_content=self._active_content,
        )
        headers = self._file_headers(stored, attachment=decision.attachment)
        if decision.sandbox:
            policy = headers.get("content-security-policy")
            # Joined as a second policy: the application's own stays enforced too.
            headers["content-security-policy"] = f"{policy}, {SANDBOX_POLICY}" if policy else SANDBOX_POLICY
        if precondition_failed(
            headers.get("etag"),
            stored.last_modified,
            if_match=self._request_headers.get("if-match"),
            if_unmodified_since=self._request_headers.get("if-unmodified-since"),
        ):
            return self._simple(HTTP_412_PRECONDITION_FAILED, headers)
        if is_not_modified(
            headers.get("etag"),
            stored.last_modified,
            if_none_match=self._request_headers.get("if-none-match"),
            if_modified_since=self._request_headers.get("if-modified-since"),
        ):
            return self._simple(HTTP_304_NOT_MODIFIED, headers)
        ranges: list[ByteRange] | None = None
        if if_range_allows(self._request_headers.get("if-range"), headers.get("etag"), stored.last_modified):
            try:
                ranges = parse_ranges(self._request_headers.get("range"), stored.size)
            except RangeNotSatisfiable as verdict:
                return self._simple(
                    HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE,
                    {"content-range": verdict.content_range, "accept-ranges": "bytes"},
                )
        media_type = decision.content_type
        headers["content-type"] = media_type
        multipart: MultipartByteranges | None = None
        if ranges is None:
            status, length, start, end = HTTP_200_OK, stored.size, None, None
        elif len(ranges) == 1:
            status, length = HTTP_206_PARTIAL_CONTENT, ranges[0].length
            start, end = ranges[0].first, ranges[0].last + 1
            headers["content-range"] = ranges[0].content_range
        else:
            multipart = MultipartByteranges(ranges, media_type)
            status, length = HTTP_206_PARTIAL_CONTENT, multipart.content_length
            start, end = ranges[0].first, ranges[0].last + 1
            headers["content-type"] = multipart.content_type
        headers["content-length"] = str(length)
        if self.is_head_response or length == 0:
            return self._simple(status, headers)
        if opened is not None:
            read = opened.read
            first = read(start or 0, stored.size if end is None else end)
            body = first if multipart is None else multipart.stream_ranges(read, first)
            body = _closing(body, opened)
        else:
            body = await _open_body(response.storage, response.key, start, end)
            if multipart is not None:
                body = multipart.stream(response.storage, response.key, body)
        return ASGIStreamingResponse(
            iterator=body,
            headers=headers,
            cookies=self._cookies,
            background=self.background,
            is_head_response=False,
            status_code=status,
        )

    async def _redirect(self) -> ASGIResponse:
        response = self._response
        wants_name = response.attachment or response.filename is not None
        url = await response.storage.url(
            response.key,
            expires_in=response.expires_in,
            filename=(response.filename or posixpath.basename(response.key)) if wants_name else None,
        )
        return self._simple(HTTP_307_TEMPORARY_REDIRECT, {"location": url})

    def _file_headers(self, stored: StoredFile, *, attachment: bool) -> dict[str, str]:
        headers = {name.lower(): value for name, value in self._extra_headers.items()}
        headers["accept-ranges"] = "bytes"
        headers["x-content-type-options"] = NOSNIFF
        etag = etag_for(stored)
        if etag is not None:
            headers["etag"] = etag
        if stored.last_modified is not None:
            headers["last-modified"] = http_date(stored.last_modified)
        # The object's own attributes, where the handler set no header of that name.
        attributes = stored.attributes
        for name, value in (
            ("cache-control", attributes.cache_control),
            ("content-encoding", attributes.content_encoding),
            ("content-language", attributes.content_language),
        ):
            if value is not None and _SAFE_HEADER_VALUE.fullmatch(value):
                headers.setdefault(name, value)
        headers.setdefault("content-disposition", self._disposition(stored, attachment=attachment))
        return headers

    def _disposition(self, stored: StoredFile, *, attachment: bool) -> str:
        # The stored Content-Disposition serves when no download name was asked for, as
        # long as it does not show inline what must be downloaded (the serving policy
        # and attachment=True win over it).
        response = self._response
        stored_value = stored.attributes.content_disposition
        if (
            response.filename is None
            and stored_value is not None
            and _SAFE_HEADER_VALUE.fullmatch(stored_value)
            and (not attachment or stored_value.split(";", 1)[0].strip().lower() == "attachment")
        ):
            return stored_value
        return content_disposition(response.filename or posixpath.basename(response.key), attachment=attachment)

    def _simple(self, status: int, headers: Mapping[str, str]) -> ASGIResponse:
        merged = {name.lower(): value for name, value in self._extra_headers.items()}
        merged.update(headers)
        merged["x-content-type-options"] = NOSNIFF
        # A body-less answer: drop the file's body headers a 200 would have had.
        if status not in {HTTP_200_OK, HTTP_206_PARTIAL_CONTENT}:
            merged.pop("content-length", None)
            merged.pop("content-type", None)
        answer = ASGIResponse(
            status_code=status,
            headers=merged,
            cookies=self._cookies,
            background=self.background,
            is_head_response=self.is_head_response,
            content_length=int(merged["content-length"]) if "content-length" in merged else None,
        )
        if "content-type" not in merged and "content-type" in answer.headers:
            # Litestar labels every body it sends (JSON by default), even an empty one:
            # a 412, 416 or 307 has no body, so it has no type either.
            del answer.headers["content-type"]
        return answer


async def _open_body(storage: Storage, key: str, start: int | None, end: int | None) -> AsyncIterator[bytes]:
    """Start the download and wait for its first chunk, so a missing file is still a 404."""
    chunks = open_read(storage, key, start=start, end=end)
    try:
        first = await anext(chunks)
    except StopAsyncIteration:
        first = b""
    return _rest(first, chunks)


async def _closing(chunks: AsyncIterator[bytes], opened: OpenedObject) -> AsyncIterator[bytes]:
    """Stream an opened version's body, closing it at the end or when the client goes away."""
    try:
        async for chunk in chunks:
            yield chunk
    finally:
        close = getattr(chunks, "aclose", None)
        if close is not None:
            await close()
        opened.close()


async def _rest(first: bytes, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    try:
        if first:
            yield first
        async for chunk in chunks:
            yield chunk
    finally:
        # A client that disconnects mid-download must not leave the SDK's stream open.
        close = getattr(chunks, "aclose", None)
        if close is not None:
            await close()
