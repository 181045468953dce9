"""Object attributes on GCS: what each write and copy sends, and what ``info`` reports.

fake-gcs-server stores the content headers on every path, and ``storageClass`` and
``predefinedAcl`` on one-request (multipart) uploads, but it ignores ``storageClass`` on
resumable uploads and rewrites, ``kmsKeyName`` everywhere, and customer-supplied keys
(checked against it, November 2026). Those paths are tested here against GCS's recorded
answers, asserting the requests GCS receives; the conformance kit checks the rest on
the emulator.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from gcs_helpers import RequestLog, empty_answer, json_answer, object_resource, replay_server, sdk_client

from litestar_storages.attributes import Encryption, ObjectAttributes
from litestar_storages.backends.gcs import GCSConfig, GCSStorage
from litestar_storages.exceptions import ConfigurationError, StorageValidationError
from litestar_storages.types import StoredFolder

CHUNK = 256 * 1024
KEY = "projects/p/locations/europe/keyRings/ring/cryptoKeys/key"
ALL = ObjectAttributes(
    cache_control="no-cache",
    content_disposition="inline",
    content_encoding="identity",
    content_language="en",
    storage_class="COLDLINE",
    encryption=Encryption.kms(KEY),
    acl="projectPrivate",
)
RESOURCE_FIELDS = {
    "cacheControl": "no-cache",
    "contentDisposition": "inline",
    "contentEncoding": "identity",
    "contentLanguage": "en",
    "storageClass": "COLDLINE",
}
# What GCS reports of an object encrypted with KMS: the key version used.
STORED = {**RESOURCE_FIELDS, "kmsKeyName": f"{KEY}/cryptoKeyVersions/3"}
EXPECTED = ObjectAttributes(**{**vars(ALL), "acl": None})


def _multipart_metadata(body: bytes) -> dict[str, Any]:
    # The JSON part of a multipart/related upload.
    start = body.index(b"{")
    document: dict[str, Any] = json.JSONDecoder().raw_decode(body[start:].decode())[0]
    return document


async def test_small_put_sends_every_attribute_and_reads_them_back() -> None:
    async with replay_server() as server:
        server.script = [json_answer(200, object_resource("bucket", "a.txt", 2, **STORED))]
        async with GCSStorage(GCSConfig(bucket="bucket", api_root=server.url)) as storage:
            stored = await storage.put("a.txt", b"hi", attributes=ALL)
        assert stored.attributes == EXPECTED
        (request,) = server.requests
        assert request.query["uploadType"] == "multipart"
        assert request.query["predefinedAcl"] == "projectPrivate"
        assert request.query["kmsKeyName"] == KEY
        metadata = _multipart_metadata(request.body)
        assert {field: metadata[field] for field in RESOURCE_FIELDS} == RESOURCE_FIELDS  # spelled as GCS wants


async def test_resumable_upload_sends_every_attribute() -> None:
    data = bytes(CHUNK + 10)
    async with replay_server() as server:
        resource = object_resource("bucket", "big.bin", len(data), md5Hash=None, **STORED)
        server.script = [
            empty_answer(200, {"Location": f"{server.url}/upload/resumable/S"}),
            empty_answer(308, {"Range": f"bytes=0-{CHUNK - 1}"}),
            json_answer(200, resource),
        ]
        config = GCSConfig(bucket="bucket", api_root=server.url, chunk_size=CHUNK)
        async with GCSStorage(config) as storage:
            stored = await storage.put("big.bin", data, attributes=ALL, overwrite=False)
        assert stored.attributes == EXPECTED
        initiate = server.requests[0]
        assert initiate.query["uploadType"] == "resumable"
        assert (initiate.query["predefinedAcl"], initiate.query["kmsKeyName"]) == ("projectPrivate", KEY)
        assert initiate.query["ifGenerationMatch"] == "0"
        body = json.loads(initiate.body)
        assert {field: body[field] for field in RESOURCE_FIELDS} == RESOURCE_FIELDS


async def test_copy_asks_for_the_source_storage_class_and_key() -> None:
    # A rewrite alone gives the copy the bucket's default storage class and key.
    async with replay_server() as server:
        source = object_resource("bucket", "src.txt", 3, metadata={"m": "1"}, **STORED)
        copied = {**source, "name": "dst.txt"}
        server.script = [
            json_answer(200, source),
            json_answer(200, {"done": True, "resource": copied, "totalBytesRewritten": "3", "objectSize": "3"}),
        ]
        async with GCSStorage(GCSConfig(bucket="bucket", api_root=server.url)) as storage:
            stored = await storage.copy("src.txt", "dst.txt")
        assert stored.attributes == EXPECTED
        rewrite = server.requests[1]
        assert rewrite.path.endswith("/o/src.txt/rewriteTo/b/bucket/o/dst.txt")
        assert rewrite.query["destinationKmsKeyName"] == KEY  # without the version GCS reports
        body = json.loads(rewrite.body)
        assert body == {"contentType": "application/octet-stream", "metadata": {"m": "1"}, **RESOURCE_FIELDS}


async def test_info_reports_gcs_own_keys_as_managed(gcs_storage: GCSStorage) -> None:
    await gcs_storage.put("plain.txt", b"x")
    attributes = (await gcs_storage.info("plain.txt")).attributes
    assert attributes.encryption == Encryption.managed()
    assert attributes.storage_class == "STANDARD"  # the bucket's default, as GCS reports it


async def test_storage_class_and_acl_on_a_small_put(gcs_storage: GCSStorage) -> None:
    # Honoured by fake-gcs-server on one-request uploads (not on resumable ones, nor copies).
    attributes = ObjectAttributes(storage_class="ARCHIVE", acl="publicRead", cache_control="max-age=5")
    stored = await gcs_storage.put("cold.txt", b"x", attributes=attributes)
    assert (stored.attributes.storage_class, stored.attributes.cache_control) == ("ARCHIVE", "max-age=5")
    info = await gcs_storage.info("cold.txt")
    assert (info.attributes.storage_class, info.attributes.acl) == ("ARCHIVE", None)  # acl: write only


@pytest.mark.parametrize(
    ("attributes", "named"),
    [
        (ObjectAttributes(storage_class="STANDARD_IA"), "storage_class 'STANDARD_IA'"),
        (ObjectAttributes(acl="public-read"), "acl 'public-read'"),
    ],
)
async def test_names_gcs_does_not_have_are_refused_before_any_request(
    gcs_config: GCSConfig, attributes: ObjectAttributes, named: str
) -> None:
    log = RequestLog()
    async with log.session() as session:
        storage = GCSStorage(gcs_config, client=sdk_client(gcs_config.api_root or "", session))
        for data in (b"x", bytes(CHUNK + 1)):
            with pytest.raises(StorageValidationError, match=named) as caught:
                await storage.put("refused.bin", data, attributes=attributes)
            assert caught.value.key == "refused.bin"
        with pytest.raises(StorageValidationError, match=named):
            await storage.start_multipart_upload("refused.bin", attributes=attributes)
        assert log.requests == []


async def test_encryption_scope_is_a_configuration_error(gcs_storage: GCSStorage) -> None:
    with pytest.raises(ConfigurationError, match=r"GCSStorage.*'encryption'") as caught:
        await gcs_storage.put("scoped.txt", b"x", attributes=ObjectAttributes(encryption=Encryption.scope("s")))
    assert caught.value.field == "encryption"
    assert not await gcs_storage.exists("scoped.txt")


async def test_tags_are_refused(gcs_storage: GCSStorage) -> None:
    with pytest.raises(ConfigurationError, match=r"GCSStorage.*'tags'"):
        await gcs_storage.put("tagged.txt", b"x", attributes=ObjectAttributes(tags={"a": "b"}))
    assert not await gcs_storage.exists("tagged.txt")


async def test_list_dir_is_one_delimiter_request(gcs_config: GCSConfig) -> None:
    log = RequestLog()
    async with log.session() as session:
        storage = GCSStorage(gcs_config, client=sdk_client(gcs_config.api_root or "", session))
        for key in ("d/a.txt", "d/sub/b.txt", "d/sub/c/d.txt", "d-e.txt", "top.txt"):
            await storage.put(key, b"x")
        log.requests.clear()
        entries = [entry async for entry in storage.list_dir("d")]
        assert [entry.key for entry in entries] == ["d/a.txt", "d/sub/"]
        assert isinstance(entries[1], StoredFolder)
        (request,) = log.requests
        assert (request.url.query["delimiter"], request.url.query["prefix"]) == ("/", "d/")
        assert "prefixes" in request.url.query["fields"]
