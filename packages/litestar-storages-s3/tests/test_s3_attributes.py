"""S3's own side of object attributes and folder listings, on moto (the kit checks the common behaviour)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from s3_helpers import MIB, FaultProxy, make_config

from litestar_storages import Encryption, ObjectAttributes, StoredFolder
from litestar_storages.backends.s3 import S3Storage
from litestar_storages.exceptions import ConfigurationError
from litestar_storages.testing.emulators.moto import MotoServer

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
KEPT = ObjectAttributes(
    cache_control="max-age=60",
    content_language="en",
    storage_class="STANDARD_IA",
    encryption=Encryption.kms(KMS_KEY),
    tags={"a b": "x+y=z/w:v", "team": "data"},
)


async def test_headers_reach_s3_as_sent(storage: S3Storage, bucket: str, raw_client: S3Client) -> None:
    await storage.put("a.txt", b"a", attributes=KEPT)
    head = await raw_client.head_object(Bucket=bucket, Key="a.txt")
    assert (head["CacheControl"], head["ContentLanguage"], head["StorageClass"]) == ("max-age=60", "en", "STANDARD_IA")
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", KMS_KEY)
    tagging = await raw_client.get_object_tagging(Bucket=bucket, Key="a.txt")
    # Spaces, "+", "=", "/" and ":" survive the query encoding of x-amz-tagging.
    assert {tag["Key"]: tag["Value"] for tag in tagging["TagSet"]} == {"a b": "x+y=z/w:v", "team": "data"}


@pytest.mark.parametrize("size", [1024, 6 * MIB], ids=["CopyObject", "UploadPartCopy"])
async def test_copy_keeps_storage_class_kms_and_tags(moto_server: MotoServer, bucket: str, size: int) -> None:
    # CopyObject stores a copy in STANDARD under the bucket's default encryption unless
    # told again; a part copy carries nothing over at all.
    config = make_config(moto_server, bucket, multipart_copy_threshold=5 * MIB, part_size=5 * MIB)
    async with S3Storage(config) as storage:
        await storage.put("src.bin", b"x" * size, metadata={"m": "1"}, attributes=KEPT)
        copied = await storage.copy("src.bin", "dst.bin")
        info = await storage.info("dst.bin")
    for reported in (copied.attributes, info.attributes):
        assert reported == KEPT
    assert (info.size, info.metadata) == (size, {"m": "1"})


async def test_an_encryption_scope_is_refused_before_any_request(storage: S3Storage, proxy: FaultProxy) -> None:
    async with S3Storage(make_config(proxy.endpoint_url, storage.config.bucket)) as proxied:
        with pytest.raises(ConfigurationError) as caught:
            await proxied.put("scoped.txt", b"x", attributes=ObjectAttributes(encryption=Encryption.scope("s")))
    assert "S3Storage" in str(caught.value)
    assert "'encryption'" in str(caught.value)
    assert proxy.count("PUT") == 0
    assert not await storage.exists("scoped.txt")


async def test_info_reads_tags_only_of_tagged_objects(storage: S3Storage, proxy: FaultProxy) -> None:
    await storage.put("plain.txt", b"x", attributes=ObjectAttributes(cache_control="no-cache"))
    await storage.put("tagged.txt", b"x", attributes=ObjectAttributes(tags={"k": "v"}))
    async with S3Storage(make_config(proxy.endpoint_url, storage.config.bucket)) as proxied:
        assert (await proxied.info("plain.txt")).attributes == ObjectAttributes(cache_control="no-cache")
        assert proxy.count("GET", query="tagging") == 0
        assert (await proxied.info("tagged.txt")).attributes.tags == {"k": "v"}
        assert proxy.count("GET", query="tagging") == 1


async def test_acl_is_sent_and_not_reported(storage: S3Storage, bucket: str, raw_client: S3Client) -> None:
    stored = await storage.put("public.txt", b"x", attributes=ObjectAttributes(acl="public-read"))
    acl = await raw_client.get_object_acl(Bucket=bucket, Key="public.txt")
    assert any(grant["Grantee"].get("URI", "").endswith("/AllUsers") for grant in acl["Grants"])
    assert stored.attributes.acl is None
    assert (await storage.info("public.txt")).attributes.acl is None


async def test_list_dir_skips_console_folder_markers(storage: S3Storage, bucket: str, raw_client: S3Client) -> None:
    # The S3 console creates "folder/" objects; they are folders, never files.
    await raw_client.put_object(Bucket=bucket, Key="docs/", Body=b"")
    await raw_client.put_object(Bucket=bucket, Key="docs/sub/", Body=b"")
    await storage.put("docs/a.txt", b"a")
    await storage.put("top.txt", b"t")
    root = [entry async for entry in storage.list_dir()]
    assert [entry.key for entry in root] == ["docs/", "top.txt"]
    assert isinstance(root[0], StoredFolder)
    assert [entry.key async for entry in storage.list_dir("docs")] == ["docs/a.txt", "docs/sub/"]
