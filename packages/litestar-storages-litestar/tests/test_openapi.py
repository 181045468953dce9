"""The OpenAPI schema of file routes, and body-less answers that carry no content type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import pytest
from litestar import HttpMethod, Litestar, Request, get, post, put, route
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Operation
from litestar.params import Body, FromPath
from litestar.testing import AsyncTestClient

from litestar_storages import MemoryStorage, Storage, StoragePlugin, StoredFile
from litestar_storages.base import BaseStorage
from litestar_storages.contrib import (
    RAW_UPLOAD_OPT,
    RawUploadOperation,
    StorageDownloadOperation,
    StorageResponse,
    save_request_body,
    save_upload,
    storage_response,
)
from litestar_storages.contrib.openapi import operation_class_for


@route("/files/{key:path}", http_method=[HttpMethod.GET, HttpMethod.HEAD])
async def download(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"))


@get("/clips/{key:path}", media_type="video/mp4")
async def clip(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"))


@get("/go/{key:path}")
async def go(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"), redirect=True)


@put("/files/{key:path}", request_max_body_size=None, opt={RAW_UPLOAD_OPT: True})
async def upload_raw(
    key: FromPath[str], request: Request[Any, Any, Any], storage: NamedDependency[Storage]
) -> StoredFile:
    return await save_request_body(storage, key.lstrip("/"), request)


@put("/images/{key:path}", opt={RAW_UPLOAD_OPT: "image/png"})
async def upload_png(
    key: FromPath[str], request: Request[Any, Any, Any], storage: NamedDependency[Storage]
) -> StoredFile:
    return await save_request_body(storage, key.lstrip("/"), request, content_type="image/png")


@dataclass
class FileForm:
    file: UploadFile


@post("/forms/{key:path}")
async def upload_form(
    key: FromPath[str],
    data: Annotated[FileForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    storage: NamedDependency[Storage],
) -> StoredFile:
    return await save_upload(storage, key.lstrip("/"), data.file)


@get("/stored/{key:path}")
async def stored_info(key: FromPath[str], storage: NamedDependency[Storage]) -> StoredFile:
    return await storage.info(key.lstrip("/"))


@get("/documented/{key:path}", responses={404: ResponseSpec(data_container=None, description="Our own 404")})
async def documented(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"))


HANDLERS = [download, clip, go, upload_raw, upload_png, upload_form, stored_info, documented]


async def openapi(app: Litestar) -> dict[str, Any]:
    async with AsyncTestClient(app) as client:
        answer = await client.get("/schema/openapi.json")
        assert answer.status_code == 200
        schema: dict[str, Any] = answer.json()
        return schema


@pytest.fixture
async def schema() -> dict[str, Any]:
    return await openapi(Litestar(HANDLERS, plugins=[StoragePlugin(MemoryStorage())]))


def binary(media_type: str) -> dict[str, Any]:
    return {"schema": {"type": "string", "contentMediaType": media_type}}


@pytest.mark.parametrize("method", ["get", "head"])
async def test_download_documents_every_answer_with_binary_content(schema: dict[str, Any], method: str) -> None:
    responses = schema["paths"]["/files/{key}"][method]["responses"]
    assert {"200", "206", "304", "404", "412", "416"} <= set(responses)
    assert responses["200"]["content"] == {"application/octet-stream": binary("application/octet-stream")}
    assert "application/json" not in responses["206"]["content"]
    assert set(responses["206"]["content"]) == {"application/octet-stream", "multipart/byteranges"}
    assert {"Accept-Ranges", "ETag", "Last-Modified", "Content-Length"} <= set(responses["200"]["headers"])
    assert {"Content-Range", "Accept-Ranges", "ETag", "Last-Modified"} <= set(responses["206"]["headers"])
    assert {"ETag", "Last-Modified"} <= set(responses["304"]["headers"])
    assert {"ETag", "Last-Modified"} <= set(responses["412"]["headers"])
    assert {"Content-Range", "Accept-Ranges"} <= set(responses["416"]["headers"])
    for body_less in ("304", "412", "416"):
        assert "content" not in responses[body_less], body_less
    assert responses["404"]["content"]["application/json"]["schema"]["required"] == ["detail", "status_code"]


async def test_a_route_naming_its_media_type_documents_that_type(schema: dict[str, Any]) -> None:
    responses = schema["paths"]["/clips/{key}"]["get"]["responses"]
    assert responses["200"]["content"] == {"video/mp4": binary("video/mp4")}
    assert "video/mp4" in responses["206"]["content"]


async def test_the_routes_own_documentation_wins(schema: dict[str, Any]) -> None:
    responses = schema["paths"]["/documented/{key}"]["get"]["responses"]
    assert responses["404"]["description"] == "Our own 404"
    assert "content" in responses["200"]
    # Litestar's own answer for invalid parameters is kept.
    assert "400" in responses


async def test_raw_uploads_document_their_body(schema: dict[str, Any]) -> None:
    body = schema["paths"]["/files/{key}"]["put"]["requestBody"]
    assert body["required"] is True
    assert body["content"] == {"application/octet-stream": binary("application/octet-stream")}
    png = schema["paths"]["/images/{key}"]["put"]["requestBody"]
    assert png["content"] == {"image/png": binary("image/png")}
    # An upload answers with the StoredFile as JSON, as before.
    assert "application/json" in schema["paths"]["/files/{key}"]["put"]["responses"]["200"]["content"]


async def test_form_uploads_document_multipart_bodies(schema: dict[str, Any]) -> None:
    body = schema["paths"]["/forms/{key}"]["post"]["requestBody"]
    assert list(body["content"]) == ["multipart/form-data"]
    reference = body["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    file_field = schema["components"]["schemas"][reference]["properties"]["file"]
    assert file_field["type"] == "string"
    assert "contentMediaType" in file_field


async def test_other_routes_are_left_alone(schema: dict[str, Any]) -> None:
    operation = schema["paths"]["/stored/{key}"]["get"]
    assert "requestBody" not in operation
    assert list(operation["responses"]["200"]["content"]) == ["application/json"]
    assert "416" not in operation["responses"]
    assert "requestBody" not in schema["paths"]["/files/{key}"]["get"]


async def test_without_the_plugin_the_operation_classes_are_given_by_hand() -> None:
    @get("/manual/{key:path}", operation_class=StorageDownloadOperation)
    async def manual(key: FromPath[str]) -> StorageResponse:
        return storage_response(MemoryStorage(), key)

    @put("/manual/{key:path}", operation_class=RawUploadOperation)
    async def manual_upload(key: FromPath[str], request: Request[Any, Any, Any]) -> None:
        await save_request_body(MemoryStorage(), key, request)

    schema = await openapi(Litestar([manual, manual_upload]))
    path = schema["paths"]["/manual/{key}"]
    octet_stream = {"application/octet-stream": binary("application/octet-stream")}
    assert path["get"]["responses"]["200"]["content"] == octet_stream
    assert "416" in path["get"]["responses"]
    assert path["put"]["requestBody"]["content"] == octet_stream


async def test_an_applications_own_operation_class_keeps_working() -> None:
    @dataclass
    class Tagged(Operation):
        def __post_init__(self) -> None:
            self.description = "tagged by the application"

    @get("/tagged/{key:path}", operation_class=Tagged)
    async def tagged(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
        return storage_response(storage, key)

    schema = await openapi(Litestar([tagged], plugins=[StoragePlugin(MemoryStorage())]))
    operation = schema["paths"]["/tagged/{key}"]["get"]
    assert operation["description"] == "tagged by the application"
    assert "416" in operation["responses"]


def test_operation_classes_are_made_once_per_combination() -> None:
    first = operation_class_for(Operation, download=True, raw_body_media_type=None)
    assert first is operation_class_for(Operation, download=True, raw_body_media_type=None)
    assert operation_class_for(Operation, download=False, raw_body_media_type=None) is Operation
    assert operation_class_for(first, download=True, raw_body_media_type=None) is first


async def test_body_less_answers_carry_no_content_type(storage: BaseStorage) -> None:
    await storage.put("a.txt", b"hello")
    app = Litestar([download, go], plugins=[StoragePlugin(storage)])
    async with AsyncTestClient(app) as client:
        past_end = await client.get("/files/a.txt", headers={"Range": "bytes=10-"})
        assert past_end.status_code == 416
        assert past_end.headers["content-range"] == "bytes */5"
        assert past_end.headers["accept-ranges"] == "bytes"
        assert past_end.content == b""
        assert "content-type" not in past_end.headers
        etag = (await client.get("/files/a.txt")).headers["etag"]
        failed = await client.get("/files/a.txt", headers={"If-Match": '"other"'})
        assert (failed.status_code, failed.content) == (412, b"")
        assert "content-type" not in failed.headers
        assert (await client.get("/files/a.txt", headers={"If-None-Match": etag})).status_code == 304
        redirected = await client.get("/go/a.txt", follow_redirects=False)
        assert redirected.status_code == 307
        assert "content-type" not in redirected.headers
        # Answers with a body keep theirs.
        assert (await client.get("/files/a.txt")).headers["content-type"].startswith("text/plain")
        head = await client.head("/files/a.txt", headers={"Range": "bytes=1-2"})
        assert head.status_code == 206
        assert head.headers["content-type"].startswith("text/plain")
