"""How results are printed: aligned text for people, JSON for programs.

``--json`` prints one JSON document on stdout. A file is an object whose fields are
those of :class:`~litestar_storages.types.StoredFile`, named the same (``key``,
``size``, ``content_type``, ``etag``, ``last_modified`` as ISO 8601, ``metadata``, and
any field later releases add), so scripts can rely on them. ``list --dirs --json``
adds ``"kind": "file"`` to each file, and prints each folder as
``{"kind": "folder", "key": "photos/"}``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any

from litestar_storages.types import StoredFile, StoredFolder

__all__ = ("dumps", "entry_json", "human_bytes", "info_lines", "listing_row", "stored_file_json")

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return _plain(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: _plain(getattr(value, item.name)) for item in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(name): _plain(item) for name, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def stored_file_json(stored: StoredFile) -> dict[str, Any]:
    """Return a file's metadata as JSON-ready values, one per ``StoredFile`` field.

    Args:
        stored: The file.

    Returns:
        A dict with ``StoredFile``'s field names as keys.
    """
    return {item.name: _plain(getattr(stored, item.name)) for item in dataclasses.fields(stored)}


def entry_json(entry: StoredFile | StoredFolder) -> dict[str, Any]:
    """Return one entry of a folder listing as JSON-ready values, with its ``kind``.

    Args:
        entry: A file (its ``StoredFile`` fields follow ``kind``) or a folder.

    Returns:
        ``{"kind": "folder", "key": ...}`` or ``{"kind": "file", **file fields}``.
    """
    if isinstance(entry, StoredFolder):
        return {"kind": "folder", "key": entry.key}
    return {"kind": "file", **stored_file_json(entry)}


def dumps(value: Any) -> str:
    """Serialize a JSON document on one line, non-ASCII characters kept as they are."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def listing_row(stored: StoredFile | StoredFolder) -> str:
    """Return one line of ``list``: size, last modified, content type, key (``DIR`` and the key for a folder)."""
    if isinstance(stored, StoredFolder):
        return f"{'DIR':>12}  {'':<19}  {'':<24}  {stored.key}"
    modified = stored.last_modified.strftime("%Y-%m-%d %H:%M:%S") if stored.last_modified else "-"
    return f"{stored.size:>12}  {modified:<19}  {stored.content_type or '-':<24}  {stored.key}"


def info_lines(stored: StoredFile) -> list[str]:
    """Return the lines of ``info``."""
    lines = [
        f"key:           {stored.key}",
        f"size:          {stored.size}",
        f"content type:  {stored.content_type or '-'}",
        f"etag:          {stored.etag or '-'}",
        f"last modified: {stored.last_modified.isoformat() if stored.last_modified else '-'}",
    ]
    lines += [f"metadata:      {name}={value}" for name, value in sorted(stored.metadata.items())]
    return lines


def human_bytes(count: int) -> str:
    """Return a byte count as people read it: ``512 B``, ``1.5 KiB``, ``3.2 GiB``."""
    value = float(count)
    for unit in _UNITS:
        if value < 1024 or unit == _UNITS[-1]:
            return f"{count} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover
