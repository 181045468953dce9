"""Browser POST upload policies, in the policy language S3 and GCS share.

A policy is signed JSON: conditions every field of the form must meet, and the size
range of the file. The service enforces them; a browser can change none of the
fields the policy pins.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ("object_fields", "policy_conditions")


def object_fields(content_type: str | None, metadata: Mapping[str, str], *, meta_prefix: str) -> dict[str, str]:
    """Return the form fields that give the uploaded object its content type and metadata.

    Args:
        content_type: The object's content type, or ``None`` to let the service choose.
        metadata: The object's metadata (checked, lower-case names).
        meta_prefix: The service's metadata field prefix (``"x-amz-meta-"``, ``"x-goog-meta-"``).

    Returns:
        ``Content-Type`` (when given) and one prefixed field per metadata entry.
    """
    fields = {} if content_type is None else {"Content-Type": content_type}
    fields.update({f"{meta_prefix}{name}": value for name, value in metadata.items()})
    return fields


def policy_conditions(fields: Mapping[str, str], *, min_size: int, max_size: int) -> list[Any]:
    """Return the conditions that pin each field to its value and the file's size to a range.

    Args:
        fields: The form's fields (the object's name, signature fields, content type, metadata).
        min_size: Smallest file accepted, in bytes.
        max_size: Largest file accepted, in bytes.

    Returns:
        One exact-match condition per field, then the ``content-length-range``.
    """
    return [*({field: value} for field, value in fields.items()), ["content-length-range", min_size, max_size]]
