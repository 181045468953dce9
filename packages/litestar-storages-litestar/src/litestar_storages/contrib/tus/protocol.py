"""The tus 1.0.0 headers: parsing what clients send, strictly, and the errors that answer it.

Every parser here takes the raw header value (``None`` when absent) and either returns
a checked value or raises a :class:`TusError` carrying the status the protocol asks
for. Sizes are ASCII digits only (``str.isdigit`` accepts ``"²"`` and ``"٣"``, which
the protocol does not), at most 19 of them, so no client value reaches ``int()``
unbounded; metadata is bounded in size before it is decoded.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from litestar.exceptions import HTTPException

__all__ = (
    "CHECKSUM_ALGORITHMS",
    "EXTENSIONS",
    "OFFSET_CONTENT_TYPE",
    "TUS_VERSION",
    "TusError",
    "encode_metadata",
    "parse_checksum",
    "parse_concat",
    "parse_metadata",
    "parse_size",
    "require_offset_content_type",
    "require_tus_resumable",
)

TUS_VERSION: Final = "1.0.0"
"""The protocol version served (``Tus-Resumable``, ``Tus-Version``)."""

OFFSET_CONTENT_TYPE: Final = "application/offset+octet-stream"
"""The ``Content-Type`` of every request carrying upload bytes."""

EXTENSIONS: Final = (
    "creation",
    "creation-with-upload",
    "creation-defer-length",
    "termination",
    "expiration",
    "checksum",
    "concatenation",
)
"""The extensions served, as listed in ``Tus-Extension``."""

MAX_CONCATENATED = 1000
"""Most partial uploads one final upload may gather."""

CHECKSUM_ALGORITHMS: Final[Mapping[str, Callable[[], Any]]] = {
    "sha1": lambda: hashlib.sha1(usedforsecurity=False),
    "md5": lambda: hashlib.md5(usedforsecurity=False),
    "sha256": hashlib.sha256,
}
"""The ``Upload-Checksum`` algorithms served, by tus name."""

# RFC 9110 digits: ASCII only, 19 at most (9,223,372,036,854,775,807 fits).
_SIZE = re.compile(r"[ \t]*([0-9]{1,19})[ \t]*")
# A metadata key: visible ASCII but space and comma (tus 1.0.0, Upload-Metadata).
_METADATA_KEY = re.compile(r"[!-+\--~]+")
_MAX_SIZE_VALUE = 2**63 - 1


class TusError(HTTPException):
    """A request the tus protocol refuses, with the status it names.

    Every answer of the tus routes carries ``Tus-Resumable``; so does this error's.
    """

    def __init__(self, status_code: int, detail: str, *, headers: Mapping[str, str] | None = None) -> None:
        """Create the error.

        Args:
            status_code: The HTTP status (400, 404, 409, 410, 412, 413, 415, 460...).
            detail: What was wrong, for the client.
            headers: Extra headers for the answer.
        """
        merged = {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store", **(headers or {})}
        super().__init__(status_code=status_code, detail=detail, headers=merged)


def require_tus_resumable(value: str | None) -> None:
    """Check the ``Tus-Resumable`` header of a request other than ``OPTIONS``.

    Args:
        value: The header's value.

    Raises:
        TusError: 412 (with ``Tus-Version``) if it is missing or not ``1.0.0``.
    """
    if value is None or value.strip(" \t") != TUS_VERSION:
        raise TusError(412, f"Tus-Resumable must be {TUS_VERSION}", headers={"Tus-Version": TUS_VERSION})


def require_offset_content_type(value: str | None) -> None:
    """Check that a request carrying upload bytes says so.

    Args:
        value: The ``Content-Type`` header's value.

    Raises:
        TusError: 415 if it is not ``application/offset+octet-stream``.
    """
    essence = (value or "").split(";", 1)[0].strip(" \t")
    if not essence.isascii() or essence.lower() != OFFSET_CONTENT_TYPE:
        raise TusError(415, f"Content-Type must be {OFFSET_CONTENT_TYPE}")


def parse_size(value: str | None, header: str) -> int | None:
    """Parse a size header (``Upload-Offset``, ``Upload-Length``).

    Args:
        value: The header's value, or ``None`` when absent.
        header: Its name, for the error.

    Returns:
        The size, or ``None`` when the header is absent.

    Raises:
        TusError: 400 if it is not 1 to 19 ASCII digits or exceeds 2**63 - 1.
    """
    if value is None:
        return None
    match = _SIZE.fullmatch(value)
    if match is None:
        raise TusError(400, f"{header} must be a non-negative integer")
    size = int(match.group(1))
    if size > _MAX_SIZE_VALUE:
        raise TusError(400, f"{header} is too large")
    return size


def parse_metadata(value: str | None, *, max_size: int) -> dict[str, str]:
    """Parse ``Upload-Metadata``: comma-separated ``key base64value`` pairs.

    Values are decoded as UTF-8 text (what browser and mobile clients send); a key
    may come without a value (the empty string).

    Args:
        value: The header's value, or ``None`` when absent.
        max_size: Most characters accepted in the header.

    Returns:
        The metadata.

    Raises:
        TusError: 400 if the header is longer than ``max_size``, a key is empty,
            repeated or has characters tus forbids, or a value is not strict base64 of
            UTF-8 text.
    """
    if value is None or not value.strip(" \t"):
        return {}
    if len(value) > max_size:
        raise TusError(400, f"Upload-Metadata is longer than {max_size} characters")
    metadata: dict[str, str] = {}
    for pair in value.split(","):
        key, _, encoded = pair.strip(" \t").partition(" ")
        if not _METADATA_KEY.fullmatch(key):
            raise TusError(400, "Upload-Metadata has an invalid key")
        if key in metadata:
            raise TusError(400, "Upload-Metadata repeats a key")
        try:
            decoded = base64.b64decode(encoded.strip(" \t").encode("ascii"), validate=True).decode("utf-8")
        except (UnicodeError, binascii.Error, ValueError):
            raise TusError(400, "Upload-Metadata has a value that is not base64 of UTF-8 text") from None
        metadata[key] = decoded
    return metadata


def encode_metadata(metadata: Mapping[str, str]) -> str:
    """Build the ``Upload-Metadata`` header echoing stored metadata.

    Args:
        metadata: Metadata as :func:`parse_metadata` returned it.

    Returns:
        The header's value (empty when there is none).
    """
    return ",".join(
        f"{key} {base64.b64encode(value.encode('utf-8')).decode('ascii')}" if value else key
        for key, value in metadata.items()
    )


def parse_concat(value: str | None) -> list[str] | None:
    """Parse ``Upload-Concat``: ``partial``, or ``final;`` and the partial uploads' URLs.

    Args:
        value: The header's value, or ``None`` when absent.

    Returns:
        ``None`` when absent, ``[]`` for ``partial``, else the ids (last path segment of
        each URL), in order.

    Raises:
        TusError: 400 for anything else, no URL, or more than :data:`MAX_CONCATENATED`.
    """
    if value is None:
        return None
    text = value.strip(" \t")
    if text == "partial":
        return []
    kind, _, urls = text.partition(";")
    if kind != "final":
        raise TusError(400, "Upload-Concat must be 'partial' or 'final;' and URLs")
    ids = [url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] for url in urls.split(" ") if url]
    if not ids or len(ids) > MAX_CONCATENATED:
        raise TusError(400, f"Upload-Concat: final needs 1 to {MAX_CONCATENATED} URLs")
    return ids


def parse_checksum(value: str | None) -> tuple[str, bytes] | None:
    """Parse ``Upload-Checksum``: an algorithm name and the base64 digest of the request body.

    Args:
        value: The header's value, or ``None`` when absent.

    Returns:
        ``(algorithm, digest)``, or ``None`` when the header is absent.

    Raises:
        TusError: 400 if the algorithm is not one of :data:`CHECKSUM_ALGORITHMS`
            or the digest is not strict base64 of the algorithm's length.
    """
    if value is None:
        return None
    algorithm, _, encoded = value.strip(" \t").partition(" ")
    factory = CHECKSUM_ALGORITHMS.get(algorithm)
    if factory is None:
        raise TusError(400, f"Upload-Checksum algorithm must be one of {', '.join(CHECKSUM_ALGORITHMS)}")
    try:
        digest = base64.b64decode(encoded.strip(" \t").encode("ascii"), validate=True)
    except (UnicodeError, binascii.Error, ValueError):
        raise TusError(400, "Upload-Checksum digest is not base64") from None
    if len(digest) != factory().digest_size:
        raise TusError(400, f"Upload-Checksum digest has the wrong length for {algorithm}")
    return algorithm, digest
