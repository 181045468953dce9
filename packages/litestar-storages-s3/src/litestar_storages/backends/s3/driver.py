"""``S3Driver``: the engine's primitives, one S3 request each.

Everything around them (argument checks, the one-request or multipart decision, the
part pipeline, resumed ranged reads, listing with ``limit``, retries, the error
boundary) is the engine's (:class:`~litestar_storages.engine.DriverStorage`). The
driver raises botocore's and aiohttp's errors as they come; the engine translates
them through :data:`.errors.errors`. Uploads carry their bodies through
:func:`.context.send`; multipart uploads are created and aborted through
:mod:`~litestar_storages.backends.s3.multipart`, so a cancellation never leaves one open.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.backends.s3.attributes import (
    ATTRIBUTE_NAMES,
    attribute_arguments,
    copy_arguments,
    reported_attributes,
    tag_count,
)
from litestar_storages.backends.s3.config import MAX_PART_SIZE, MAX_PARTS, MIN_PART_SIZE
from litestar_storages.backends.s3.context import S3Context, send
from litestar_storages.backends.s3.errors import TABLE, batch_delete_error, errors, service_error
from litestar_storages.backends.s3.multipart import abort_upload, copy_in_parts, create_upload
from litestar_storages.engine import DirPage, ListPage, RangeBody
from litestar_storages.header_metadata import decode_header_value, encode_header_value
from litestar_storages.keys import strip_prefix
from litestar_storages.post_policies import object_fields, policy_conditions
from litestar_storages.protocol import HttpMethod
from litestar_storages.ranges import parse_content_range
from litestar_storages.streams import DEFAULT_CHUNK_SIZE
from litestar_storages.types import StoredFile, UploadForm

__all__ = ("S3Driver",)


class S3Driver:
    """S3's primitives: parts, signed URLs, POST policy forms and batch deletes."""

    name = "S3Storage"
    min_part_size = MIN_PART_SIZE
    max_part_size = MAX_PART_SIZE
    max_parts = MAX_PARTS
    durable_parts = True  # uploads live in the service (SupportsDurableParts)
    max_batch = 1000
    attribute_names = ATTRIBUTE_NAMES
    url_methods: frozenset[HttpMethod] = frozenset({"GET", "PUT"})

    def __init__(self, context: S3Context) -> None:
        """Create the driver over the storage's ``context`` (client, bucket, configuration)."""
        config = context.config
        self.context = context
        self.errors = errors
        self.retry = config.retry
        self.part_size = config.part_size
        self.single_request_limit = config.multipart_threshold
        self.max_concurrency = config.max_concurrency
        self.default_url_expiry: timedelta = config.presigned_expiry
        self.public_base_url = config.public_base_url
        self._bucket = config.bucket
        self._conditional = config.conditional_writes
        # Part sizes of this driver's open uploads, for commit_parts to report the size.
        self._part_sizes: dict[str, dict[int, int]] = {}

    async def head(self, name: str) -> StoredFile | None:  # noqa: D102 - the Driver protocol documents it
        client = await self.context.client()
        head = await TABLE.absent(client.head_object(Bucket=self._bucket, Key=name))  # a 404: no such object
        if head is None:
            return None
        return _stored(name, head, int(head.get("ContentLength", 0)), await self._tags(name, head))

    async def _tags(self, name: str, answer: Mapping[str, Any]) -> dict[str, str]:
        # HEAD counts the tags; only a tagged object costs a GetObjectTagging.
        if not tag_count(answer):
            return {}
        client = await self.context.client()
        tagging = await client.get_object_tagging(Bucket=self._bucket, Key=name)
        return {tag["Key"]: tag["Value"] for tag in tagging.get("TagSet", [])}

    async def open_range(self, name: str, start: int, end: int | None) -> RangeBody:  # noqa: D102
        client = await self.context.client()
        arguments: dict[str, Any] = {"Bucket": self._bucket, "Key": name}
        if start or end is not None:  # a range starting past the end is a 416 InvalidRange: the engine's
            arguments["Range"] = f"bytes={start}-{'' if end is None else end - 1}"
        response = await client.get_object(**arguments)
        length = int(response.get("ContentLength", 0))
        first, size = parse_content_range(response.get("ContentRange"), length)
        # GET reports the attributes but the tags (read by info(), not by every download).
        return RangeBody(_stored(name, response, size, {}), first, first + length, _body(response["Body"]))

    async def write(  # noqa: D102
        self,
        name: str,
        body: bytes | bytearray | memoryview,
        *,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> StoredFile:
        client = await self.context.client()
        arguments = await self._arguments(name, content_type, metadata, attributes, overwrite=overwrite)
        bucket = self._bucket
        response = await send(
            client, body, lambda payload: client.put_object(Bucket=bucket, Key=name, Body=payload, **arguments)
        )
        return _written(name, len(body), content_type, metadata, response, attributes=attributes)

    async def _arguments(
        self,
        name: str,
        content_type: str,
        metadata: Mapping[str, str],
        attributes: ObjectAttributes,
        *,
        overwrite: bool = True,
    ) -> dict[str, Any]:
        arguments = attribute_arguments(attributes)  # first: it refuses what S3 cannot store
        arguments.update(await self._condition(name, overwrite))
        arguments["ContentType"] = content_type
        if metadata:
            # x-amz-meta-* headers carry ASCII: the core's one encoding of other text.
            arguments["Metadata"] = {key: encode_header_value(value) for key, value in metadata.items()}
        return arguments

    async def _condition(self, name: str, overwrite: bool) -> dict[str, Any]:
        if overwrite:
            return {}
        if self._conditional:
            return {"IfNoneMatch": "*"}
        if await self.head(name) is not None:  # not atomic: the documented cost of conditional_writes=False
            raise service_error("PreconditionFailed", "PutObject")
        return {}

    async def delete(self, name: str, *, check: bool) -> bool:  # noqa: D102
        # S3 answers a delete of a missing key with success: only a HEAD can tell.
        if check and await self.head(name) is None:
            return False
        client = await self.context.client()
        await client.delete_object(Bucket=self._bucket, Key=name)
        return True

    async def delete_batch(self, names: Sequence[str]) -> None:  # noqa: D102
        client = await self.context.client()
        objects: Any = [{"Key": name} for name in dict.fromkeys(names)]
        response = await client.delete_objects(Bucket=self._bucket, Delete={"Objects": objects, "Quiet": True})
        failures = response.get("Errors") or []
        if failures:
            failed = failures[0]
            raise batch_delete_error(failed, strip_prefix(self.context.config.key_prefix, failed.get("Key", "")))

    async def list_page(self, prefix: str, token: str | None, page_size: int) -> ListPage:  # noqa: D102
        page = await self._list(prefix, token, page_size)
        return ListPage(_listed(page), _next_token(page))

    async def list_dir_page(self, prefix: str, token: str | None, page_size: int) -> DirPage:  # noqa: D102
        page = await self._list(prefix, token, page_size, Delimiter="/")
        folders = [item["Prefix"] for item in page.get("CommonPrefixes", []) if item.get("Prefix")]
        return DirPage(_listed(page), folders, _next_token(page))

    async def _list(self, prefix: str, token: str | None, page_size: int, **options: str) -> Any:
        client = await self.context.client()
        arguments: dict[str, Any] = {"Bucket": self._bucket, "Prefix": prefix, "MaxKeys": page_size, **options}
        if token is not None:
            arguments["ContinuationToken"] = token
        return await client.list_objects_v2(**arguments)

    async def copy(self, source: str, destination: str) -> StoredFile:  # noqa: D102
        client = await self.context.client()
        head = await client.head_object(Bucket=self._bucket, Key=source)
        copied = _stored(destination, head, int(head.get("ContentLength", 0)), await self._tags(source, head))
        if copied.size > self.context.config.multipart_copy_threshold:
            # A part copy carries nothing over: the upload is created with everything.
            arguments = {field: head[field] for field in ("ContentType", "Metadata") if head.get(field)}
            arguments.update(attribute_arguments(copied.attributes))
            key = strip_prefix(self.context.config.key_prefix, source)
            answer = await copy_in_parts(self.context, source, destination, copied.size, arguments, key=key)
            return replace(copied, etag=answer.get("ETag"), last_modified=_response_date(answer))
        response = await client.copy_object(
            Bucket=self._bucket,
            Key=destination,
            CopySource={"Bucket": self._bucket, "Key": source},
            MetadataDirective="COPY",
            **copy_arguments(head, copied.attributes.tags),
        )
        result = response.get("CopyObjectResult", {})
        return replace(copied, etag=result.get("ETag"), last_modified=result.get("LastModified"))

    async def close(self) -> None:  # noqa: D102
        await self.context.close()

    # -- SupportsParts ------------------------------------------------------------------

    async def begin_parts(  # noqa: D102
        self, name: str, *, content_type: str, metadata: Mapping[str, str], attributes: ObjectAttributes = NO_ATTRIBUTES
    ) -> str:
        arguments = await self._arguments(name, content_type, metadata, attributes)
        upload_id = await create_upload(self.context, name, arguments)
        self._part_sizes[upload_id] = {}
        return upload_id

    async def put_part(  # noqa: D102
        self, name: str, upload_id: str, number: int, body: bytes | bytearray | memoryview
    ) -> str:
        client = await self.context.client()
        bucket = self._bucket
        response = await send(
            client,
            body,
            lambda payload: client.upload_part(
                Bucket=bucket, Key=name, UploadId=upload_id, PartNumber=number, Body=payload
            ),
        )
        sizes = self._part_sizes.get(upload_id)
        if sizes is not None:
            sizes[number] = len(body)
        return response["ETag"]

    async def commit_parts(  # noqa: D102
        self,
        name: str,
        upload_id: str,
        parts: Sequence[tuple[int, str]],
        *,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> StoredFile:
        client = await self.context.client()
        arguments = await self._condition(name, overwrite)
        answer = await client.complete_multipart_upload(
            Bucket=self._bucket,
            Key=name,
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": number, "ETag": tag} for number, tag in parts]},
            **arguments,
        )
        sizes = self._part_sizes.pop(upload_id, {})
        if all(number in sizes for number, _ in parts):  # parts sent but left out do not count
            size = sum(sizes[number] for number, _ in parts)
            return _written(name, size, content_type, metadata, answer, attributes=attributes)
        stored = await self.head(name)  # parts sent by another process: ask for the size
        if stored is None:
            raise service_error("NoSuchKey", "HeadObject")
        return stored

    async def abort_parts(self, name: str, upload_id: str) -> None:  # noqa: D102
        self._part_sizes.pop(upload_id, None)
        await abort_upload(self.context, name, upload_id)

    # -- SupportsSignedUrls, SupportsUploadForm -------------------------------------------

    async def sign_url(  # noqa: D102
        self,
        name: str,
        *,
        method: HttpMethod,
        expires_in: timedelta,
        content_disposition: str | None,
        content_type: str | None,
    ) -> str:
        params: dict[str, Any] = {"Bucket": self._bucket, "Key": name}
        if content_disposition is not None:
            params["ResponseContentDisposition"] = content_disposition
        if content_type is not None:
            params["ContentType"] = content_type
        client = await self.context.client()
        return await client.generate_presigned_url(
            "get_object" if method == "GET" else "put_object",
            Params=params,
            ExpiresIn=int(expires_in.total_seconds()),
        )

    async def sign_upload_form(  # noqa: D102
        self,
        name: str,
        *,
        expires_in: timedelta,
        content_type: str | None,
        metadata: Mapping[str, str],
        max_size: int | None,
        min_size: int = 0,
    ) -> UploadForm:
        encoded = {meta_name: encode_header_value(value) for meta_name, value in metadata.items()}  # ASCII fields
        fields = object_fields(content_type, encoded, meta_prefix="x-amz-meta-")
        largest = MAX_PART_SIZE if max_size is None else max_size  # S3's own 5 GiB POST limit without one
        conditions = policy_conditions(fields, min_size=min_size, max_size=largest)  # S3 enforces the range
        seconds = int(expires_in.total_seconds())
        signed_at = datetime.now(timezone.utc)
        client = await self.context.client()
        post = await client.generate_presigned_post(
            Bucket=self._bucket, Key=name, Fields=fields, Conditions=conditions, ExpiresIn=seconds
        )
        return UploadForm(
            url=post["url"],
            fields={str(field): str(value) for field, value in post["fields"].items()},
            expires_at=signed_at + timedelta(seconds=seconds),
        )


def _stored(name: str, answer: Mapping[str, Any], size: int, tags: Mapping[str, str]) -> StoredFile:
    metadata = answer.get("Metadata") or {}
    return StoredFile(
        key=name,
        size=size,
        content_type=answer.get("ContentType"),
        etag=answer.get("ETag"),
        last_modified=answer.get("LastModified"),
        metadata={key.lower(): decode_header_value(value) for key, value in metadata.items()},
        attributes=reported_attributes(answer, tags),
    )


def _written(
    name: str,
    size: int,
    content_type: str,
    metadata: Mapping[str, str],
    answer: Mapping[str, Any],
    *,
    attributes: ObjectAttributes,
) -> StoredFile:
    return StoredFile(
        key=name,
        size=size,
        content_type=content_type,
        etag=answer.get("ETag"),
        last_modified=_response_date(answer),
        metadata=dict(metadata),
        attributes=attributes if attributes.acl is None else replace(attributes, acl=None),  # acl: write only
    )


def _listed(page: Mapping[str, Any]) -> list[StoredFile]:
    # Listings carry no attributes (documented); the engine drops consoles' "folder/" markers.
    return [
        StoredFile(
            key=item["Key"],
            size=int(item.get("Size", 0)),
            etag=item.get("ETag"),
            last_modified=item.get("LastModified"),
        )
        for item in page.get("Contents", [])
    ]


def _next_token(page: Mapping[str, Any]) -> str | None:
    following = page.get("NextContinuationToken")
    return following if page.get("IsTruncated") and following else None


def _response_date(answer: Mapping[str, Any]) -> datetime | None:
    # Write answers carry no Last-Modified; their Date is the server's clock at the write.
    try:
        return parsedate_to_datetime(answer["ResponseMetadata"]["HTTPHeaders"]["date"])
    except (KeyError, TypeError, ValueError):
        return None


async def _body(body: Any) -> AsyncIterator[bytes]:
    try:
        async for chunk in body.iter_chunks(DEFAULT_CHUNK_SIZE):
            yield chunk
    finally:
        body.close()
