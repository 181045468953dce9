"""Object attributes as S3 request arguments, and back from S3's answers.

Every :class:`~litestar_storages.attributes.ObjectAttributes` field maps to a standard
S3 header: ``Cache-Control``, ``Content-Disposition``, ``Content-Encoding``,
``Content-Language``, ``x-amz-storage-class``, ``x-amz-server-side-encryption`` (SSE-S3
``AES256`` or SSE-KMS ``aws:kms`` with ``x-amz-server-side-encryption-aws-kms-key-id``),
``x-amz-acl`` (canned ACLs, write only) and ``x-amz-tagging``. A HEAD reports all but
the ACL and the tags; it counts the tags (``x-amz-tagging-count``), which are then read
with one GetObjectTagging.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from litestar_storages.attributes import NO_ATTRIBUTES, Encryption, ObjectAttributes
from litestar_storages.exceptions import ConfigurationError

__all__ = ("ATTRIBUTE_NAMES", "attribute_arguments", "copy_arguments", "reported_attributes", "tag_count")

_HEADERS = (
    ("cache_control", "CacheControl"),
    ("content_disposition", "ContentDisposition"),
    ("content_encoding", "ContentEncoding"),
    ("content_language", "ContentLanguage"),
    ("storage_class", "StorageClass"),
)

ATTRIBUTE_NAMES = frozenset({*(name for name, _ in _HEADERS), "encryption", "acl", "tags"})
"""Every attribute S3 stores (customer-provided keys, SSE-C, are not one: see ``docs/backends/s3.md``)."""


def attribute_arguments(attributes: ObjectAttributes) -> dict[str, Any]:
    """Return the PutObject / CreateMultipartUpload arguments of checked attributes (a scope is refused)."""
    if attributes is NO_ATTRIBUTES:
        return {}
    arguments: dict[str, Any] = {
        field: getattr(attributes, name) for name, field in _HEADERS if getattr(attributes, name) is not None
    }
    if attributes.acl is not None:
        arguments["ACL"] = attributes.acl
    if attributes.encryption is not None:
        arguments.update(_encryption_arguments(attributes.encryption))
    if attributes.tags:
        arguments["Tagging"] = _tagging(attributes.tags)
    return arguments


def _tagging(tags: Mapping[str, str]) -> str:
    return urlencode(tags, quote_via=quote)  # spaces as %20, as S3 documents, not "+"


def _encryption_arguments(encryption: Encryption) -> dict[str, str]:
    if encryption.mode == "managed":
        return {"ServerSideEncryption": "AES256"}
    if encryption.mode == "kms":
        key = {"SSEKMSKeyId": encryption.key} if encryption.key else {}
        return {"ServerSideEncryption": "aws:kms", **key}
    raise ConfigurationError(
        f"S3Storage cannot store the attribute 'encryption' as {encryption.mode!r}: use Encryption.managed() or .kms()",
        field="encryption",
    )


def copy_arguments(head: Mapping[str, Any], tags: Mapping[str, str]) -> dict[str, Any]:
    """Return what CopyObject must be sent again to keep the source's storage class, encryption and ``tags``."""
    # CopyObject would store the copy in STANDARD under the bucket's default encryption;
    # the tags (read anyway) are sent again too: moto's COPY keeps a replaced object's old tags.
    fields = ("StorageClass", "ServerSideEncryption", "SSEKMSKeyId")
    arguments = {field: head[field] for field in fields if head.get(field)}
    if arguments.get("ServerSideEncryption") != "aws:kms":
        arguments.pop("SSEKMSKeyId", None)
    return {**arguments, "TaggingDirective": "REPLACE", "Tagging": _tagging(tags)}


def tag_count(answer: Mapping[str, Any]) -> int:
    """Return the number of tags a HeadObject or GetObject answer counts (``x-amz-tagging-count``)."""
    headers = answer.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    count = answer.get("TagCount") or headers.get("x-amz-tagging-count")
    try:
        return int(count or 0)
    except ValueError:
        return 0


def reported_attributes(answer: Mapping[str, Any], tags: Mapping[str, str]) -> ObjectAttributes:
    """Return the attributes a HeadObject or GetObject answer reports, with the object's ``tags``."""
    values: dict[str, Any] = {name: answer[field] for name, field in _HEADERS if answer.get(field)}
    encryption = answer.get("ServerSideEncryption")
    if encryption == "AES256":
        values["encryption"] = Encryption.managed()
    elif encryption in ("aws:kms", "aws:kms:dsse"):
        values["encryption"] = Encryption("kms", answer.get("SSEKMSKeyId"))
    if not values and not tags:
        return NO_ATTRIBUTES
    return ObjectAttributes(**values, tags=dict(tags))
