"""``Content-Disposition`` header values (RFC 6266, RFC 8187): one builder for every backend.

Used for the response Content-Disposition signed into download URLs (S3, GCS, Azure),
for the file name of the filesystem backend's signed URLs when they are served, and by
the Litestar plugin's responses, so a file name gives the same header everywhere:

* ``filename="..."``: an ASCII fallback for old clients. Accents are dropped by
  transliteration (NFKD, then combining marks removed: ``Résumé`` becomes ``Resume``);
  every other character outside printable ASCII, and the double quote and backslash, becomes ``_``,
  so the name keeps its shape (``文件.txt`` becomes ``__.txt``).
* ``filename*=UTF-8''...``: the exact name, percent-encoded (RFC 8187), which current
  browsers prefer. It is added only when the fallback differs from the name: for a
  plain ASCII name both parameters would say the same thing.

Control characters, line separators and lone surrogates are refused rather than
silently dropped: a file name holding one is a bug in the caller, and no form of it
may reach a header (header injection).
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from litestar_storages.content import forbidden_character
from litestar_storages.exceptions import InvalidMetadataError

__all__ = ("ascii_fallback", "check_filename", "content_disposition")

# RFC 8187 attr-char besides letters and digits: left as they are in ``filename*``.
_ATTR_CHARS = "!#$&+-.^_`|~"


def check_filename(filename: object, *, key: str | None = None) -> str | None:
    """Check a download file name and return it (``None`` for no name).

    Args:
        filename: The caller's file name; ``None`` or ``""`` mean no name.
        key: The key it is for, named in the error.

    Returns:
        The name, unchanged, or ``None`` when none was given.

    Raises:
        InvalidMetadataError: If the name is not a ``str`` or holds a control
            character, a line or paragraph separator or a lone surrogate.
    """
    if filename is None or filename == "":
        return None
    if not isinstance(filename, str):
        raise InvalidMetadataError(
            f"Invalid filename {filename!r}: must be str, not {type(filename).__name__}", key=key
        )
    char = forbidden_character(filename)
    if char is not None:
        raise InvalidMetadataError(
            f"Invalid filename {filename!r}: character {char!r} (U+{ord(char):04X}) cannot be sent in a header",
            key=key,
        )
    return filename


def ascii_fallback(filename: str) -> str:
    """Return the ASCII form of a file name used in the ``filename`` parameter.

    Args:
        filename: A name accepted by :func:`check_filename`.

    Returns:
        The transliterated name; ``"download"`` when nothing printable is left.
    """
    kept = []
    for char in unicodedata.normalize("NFKD", filename):
        if unicodedata.category(char) == "Mn":
            continue  # the accent of a decomposed "é"
        kept.append(char if 0x20 <= ord(char) < 0x7F and char not in '"\\' else "_")
    return "".join(kept).strip() or "download"


def content_disposition(filename: str | None = None, *, attachment: bool = True) -> str:
    """Build a ``Content-Disposition`` value for any file name.

    Args:
        filename: The name the browser should save or show the file as; ``None`` or
            ``""`` for none.
        attachment: ``True`` for ``attachment`` (save), ``False`` for ``inline`` (show).

    Returns:
        The header value, such as
        ``attachment; filename="Resume final.txt"; filename*=UTF-8''R%C3%A9sum%C3%A9%20final.txt``.

    Raises:
        InvalidMetadataError: If the name breaks the rules of :func:`check_filename`.

    Example:
        >>> content_disposition("report.pdf")
        'attachment; filename="report.pdf"'
        >>> print(content_disposition("Résumé final.txt", attachment=False))
        inline; filename="Resume final.txt"; filename*=UTF-8''R%C3%A9sum%C3%A9%20final.txt
    """
    disposition = "attachment" if attachment else "inline"
    name = check_filename(filename)
    if name is None:
        return disposition
    fallback = ascii_fallback(name)
    value = f'{disposition}; filename="{fallback}"'
    if fallback != name:
        value += "; filename*=UTF-8''" + quote(name, safe=_ATTR_CHARS)
    return value
