"""The OpenAPI schema of file routes: binary downloads with their answers, upload bodies.

Run it (`python docs/examples/litestar/openapi_schema.py`) to print what the schema
says about each route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import HttpMethod, Litestar, Request, post, put, route
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.testing import TestClient

from litestar_storages import MemoryStorage, Storage, StoredFile
from litestar_storages.contrib import (
    RAW_UPLOAD_OPT,
    StoragePlugin,
    StorageResponse,
    save_request_body,
    save_upload,
    storage_response,
)


@route("/files/{key:path}", http_method=[HttpMethod.GET, HttpMethod.HEAD])
async def download(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    # Documented by the plugin: 200/206 binary, 304, 404, 412, 416 and their headers.
    return storage_response(storage, key.lstrip("/"))


@route("/videos/{key:path}", http_method=[HttpMethod.GET], media_type="video/mp4")
async def video(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    # A route serving one type says so: its 200 and 206 are documented as video/mp4.
    return storage_response(storage, f"videos/{key.lstrip('/')}")


@put("/files/{key:path}", request_max_body_size=None, opt={RAW_UPLOAD_OPT: True})
async def upload_raw(
    key: FromPath[str], request: Request[Any, Any, Any], storage: NamedDependency[Storage]
) -> StoredFile:
    # The body streams into the storage; RAW_UPLOAD_OPT documents it (a string names its type).
    return await save_request_body(storage, key.lstrip("/"), request)


@dataclass
class FileForm:
    file: UploadFile


@post("/forms/{key:path}")
async def upload_form(
    key: FromPath[str],
    data: Annotated[FileForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    storage: NamedDependency[Storage],
) -> StoredFile:
    # Litestar documents a form from its `data` parameter: multipart/form-data.
    return await save_upload(storage, key.lstrip("/"), data.file)


app = Litestar(route_handlers=[download, video, upload_raw, upload_form], plugins=[StoragePlugin(MemoryStorage())])


def describe(schema: dict[str, Any]) -> list[str]:
    """Summarise each operation: its request body types and its answers."""
    lines = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            body = ", ".join(operation.get("requestBody", {}).get("content", {})) or "-"
            answers = []
            for status, answer in operation["responses"].items():
                content = ", ".join(answer.get("content", {})) or "no body"
                headers = ", ".join(answer.get("headers", {}))
                answers.append(f"{status} {content}" + (f" [{headers}]" if headers else ""))
            lines.append(f"{method.upper()} {path}  body: {body}\n    " + "\n    ".join(answers))
    return lines


if __name__ == "__main__":
    with TestClient(app) as client:
        print("\n".join(describe(client.get("/schema/openapi.json").json())))
