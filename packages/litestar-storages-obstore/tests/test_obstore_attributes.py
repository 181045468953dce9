"""Attributes over obstore: what each store keeps, checked at the service where ``info`` cannot tell.

object_store never reports tags, so over ``S3Store`` they are write only; these tests
read them back from moto with botocore, through every way a put and a copy take.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from botocore.session import get_session
from obstore.store import LocalStore, MemoryStore

from litestar_storages import ConfigurationError, Encryption, ObjectAttributes
from litestar_storages.backends.obstore import ObstoreConfig, ObstoreStorage
from litestar_storages.testing.emulators.moto import MotoServer

MIB = 1024 * 1024
HEADERS = frozenset({"cache_control", "content_disposition", "content_encoding", "content_language"})


def _tags(server: MotoServer, bucket: str, key: str) -> dict[str, str]:
    client: Any = get_session().create_client(
        "s3",
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    answer = client.get_object_tagging(Bucket=bucket, Key=key)
    return {tag["Key"]: tag["Value"] for tag in answer["TagSet"]}


async def _large() -> AsyncIterator[bytes]:
    for _ in range(3):
        yield b"x" * (3 * MIB)


async def test_what_each_store_declares(s3_storage: ObstoreStorage, local_storage: ObstoreStorage) -> None:
    assert s3_storage.attribute_names == HEADERS | {"tags"}
    assert ObstoreStorage(config=ObstoreConfig(store=MemoryStore())).attribute_names == HEADERS
    assert local_storage.attribute_names == frozenset()
    assert isinstance(local_storage.driver.store, LocalStore)  # type: ignore[attr-defined]


async def test_tags_reach_s3_through_every_write_and_copy(s3_storage: ObstoreStorage, moto_server: MotoServer) -> None:
    bucket = s3_storage.driver.store.config["bucket"]  # type: ignore[attr-defined]
    tags = {"project": "alpha", "team": "data-eng"}
    attributes = ObjectAttributes(cache_control="no-cache", tags=tags)
    await s3_storage.put("small.txt", b"small", attributes=attributes)
    await s3_storage.put("large.bin", _large(), attributes=attributes)  # obstore's multipart upload
    await s3_storage.put("created.bin", _large(), attributes=attributes, overwrite=False)  # staged, then copied
    upload = await s3_storage.start_multipart_upload("parts.bin", attributes=attributes)
    await s3_storage.upload_part(upload, 1, b"part")
    await s3_storage.complete_multipart_upload(upload)
    await s3_storage.copy("small.txt", "copied.txt")
    await s3_storage.move("large.bin", "moved.bin")
    for key in ("small.txt", "created.bin", "parts.bin", "copied.txt", "moved.bin"):
        assert _tags(moto_server, bucket, key) == tags, key
        assert (await s3_storage.info(key)).attributes.cache_control == "no-cache", key
    # An overwrite without tags leaves none.
    await s3_storage.put("small.txt", b"again")
    assert _tags(moto_server, bucket, "small.txt") == {}


REFUSED = {
    "tags": ObjectAttributes(tags={"a": "b"}),
    "storage_class": ObjectAttributes(storage_class="STANDARD_IA"),
    "acl": ObjectAttributes(acl="private"),
    "encryption": ObjectAttributes(encryption=Encryption.managed()),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
async def test_a_memory_store_refuses_what_it_would_drop(name: str) -> None:
    storage = ObstoreStorage(config=ObstoreConfig(store=MemoryStore()))
    with pytest.raises(ConfigurationError, match=f"ObstoreStorage cannot store the attribute '{name}'"):
        await storage.put("a.txt", b"x", attributes=REFUSED[name])
    assert not await storage.exists("a.txt")
