"""One adapter per backend: how to open a storage over a namespace, and how to look
underneath it (the raw objects in the bucket or folder) without going through the code
under test.

A *namespace* is what isolates one test (or one tenant of a test) from the others: a
fresh folder on the filesystem, a key prefix in the session's bucket on the clouds,
a fresh instance for memory.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import uuid
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar, TypedDict
from urllib.parse import parse_qs, urlsplit

from litestar_storages.attributes import Encryption, ObjectAttributes
from litestar_storages.base import BaseStorage
from litestar_storages.retry import RetryConfig
from storages_harness.proxy import Fault, RecordedRequest, respond
from storages_harness.services import Endpoint, ServiceKind, ServiceManager, cloud_endpoint

__all__ = ("BACKEND_IDS", "CLOUD_IDS", "NETWORK_IDS", "Backend", "BackendUnavailable", "Match", "make_backend")

BACKEND_IDS = ("memory", "filesystem", "s3", "azure", "gcs")
"""The five backends, with the parameter ids every parametrised test uses."""

NETWORK_IDS = ("s3", "azure", "gcs")
"""Backends that talk HTTP to an emulator (fault injection applies)."""

CLOUD_IDS = ("s3-cloud", "azure-cloud", "gcs-cloud")
"""Opt-in runs against real cloud accounts (see ``services.CLOUD_VARIABLES``)."""

MIB = 1024 * 1024


class Match(TypedDict):
    """Which requests a fault targets: the method, and text the target contains."""

    method: str
    path: str


class BackendUnavailable(Exception):
    """The backend cannot run here; the message says why (used as the skip reason)."""


def new_namespace() -> str:
    """Return a fresh namespace name (a prefix without the trailing slash)."""
    return f"t{uuid.uuid4().hex[:12]}"


class Backend(ABC):
    """How the suite drives one backend."""

    id: ClassVar[str]
    module: ClassVar[str]
    """The module the backend lives in (its distribution must be installed)."""
    network: ClassVar[bool] = False
    """Whether requests go over HTTP to a service (fault injection applies)."""
    prefixes: ClassVar[bool] = True
    """Whether several namespaces share one underlying store (isolation can be checked)."""

    storage_class: ClassVar[str]
    """Name of the storage class the module exports."""
    attribute_samples: ClassVar[ObjectAttributes | None] = None
    """Object attributes in the service's own names for the kit's attribute tests (``None``: the kit's)."""
    unreported_attributes: ClassVar[frozenset[str] | None] = None
    """Attributes the service (or its emulator) stores but does not report (``None``: the kit's)."""
    unlisted_attributes: ClassVar[frozenset[str]] = frozenset()
    """Attributes ``info`` reports but listings leave out."""

    @classmethod
    def installed(cls) -> bool:
        """Tell whether the backend's module imports and exports its storage class."""
        try:
            if importlib.util.find_spec(cls.module) is None:
                return False
            return hasattr(importlib.import_module(cls.module), cls.storage_class)
        except ImportError:
            return False

    @abstractmethod
    def describe(self) -> str:
        """Say what serves this backend, for the session summary."""

    @abstractmethod
    async def open(
        self,
        namespace: str,
        *,
        endpoint: str | None = None,
        retry: RetryConfig | None = None,
        timeout: float | None = None,
    ) -> BaseStorage:
        """Return a storage over ``namespace``.

        Args:
            namespace: The test's namespace (folder or prefix).
            endpoint: Talk to this ``http://host:port`` (a fault proxy) instead of the service.
            retry: Retry policy; the backend's default when omitted.
            timeout: Connect/read timeout in seconds, where the backend has one.
        """

    @property
    def proxied(self) -> bool:
        """Whether a fault proxy can sit in front of the service (an emulator, not a cloud)."""
        endpoint: Endpoint | None = getattr(self, "endpoint", None)
        return self.network and endpoint is not None and not endpoint.cloud

    def upstream(self) -> tuple[str, int]:
        """Return ``(host, port)`` of the local service, for a fault proxy to forward to.

        Raises:
            TypeError: For backends without a local service (memory, filesystem, clouds).
        """
        endpoint: Endpoint | None = getattr(self, "endpoint", None)
        if endpoint is None or endpoint.host is None or endpoint.port is None:
            raise TypeError(f"{self.id} has no local service to put a proxy in front of")
        return endpoint.host, endpoint.port

    async def names(self) -> list[str]:
        """Return every object name in the underlying store, sorted (all namespaces)."""
        return []

    async def leftovers(self, namespace: str) -> list[str]:
        """Return what unfinished writes left under ``namespace``: temporary files, open
        multipart uploads. Empty when every write either completed or was undone."""
        return []

    def abandoned_sessions(self, requests: list[RecordedRequest]) -> list[str]:
        """Upload sessions a failed put used but never cancelled, judged from its requests.

        Only GCS has such sessions (resumable uploads; the emulator cannot list them, so
        the wire is the evidence); other backends' leftovers are visible in the store.
        """
        return []

    def upload_request(self, name: str) -> Match:
        """Match the request that uploads a small object named ``name`` (fault targeting)."""
        return {"method": "PUT", "path": name}

    def part_request(self) -> Match:
        """Match the requests that upload one part (block, chunk) of a large object."""
        raise NotImplementedError

    def start_request(self) -> Match:
        """Match the first request of a large upload (the one opening it server-side)."""
        return self.part_request()

    def download_request(self, name: str) -> Match:
        """Match the request that downloads object ``name``."""
        return {"method": "GET", "path": name}

    async def purge(self, namespace: str) -> None:
        """Remove everything under ``namespace`` (tidy-up after a test)."""
        return

    def error_fault(self, status: int, **match: Any) -> Fault:
        """An answer with ``status`` (503, 500) shaped like the service's own error."""
        return respond(status, **match)

    @property
    def timeout_setting(self) -> str | None:
        """Name of the config field(s) bounding a request's time, or ``None`` if there is none."""
        return None


class MemoryBackend(Backend):
    id = "memory"
    module = "litestar_storages.backends.memory"
    storage_class = "MemoryStorage"
    prefixes = False

    def describe(self) -> str:
        return "in-process dictionary"

    async def open(
        self,
        namespace: str,
        *,
        endpoint: str | None = None,
        retry: RetryConfig | None = None,
        timeout: float | None = None,
    ) -> BaseStorage:
        from litestar_storages.backends.memory import MemoryStorage

        return MemoryStorage()


class FileSystemBackend(Backend):
    id = "filesystem"
    module = "litestar_storages.backends.filesystem"
    storage_class = "FileSystemStorage"

    def __init__(self, workdir: Path) -> None:
        self.base = workdir / "filesystem"
        self.base.mkdir(parents=True, exist_ok=True)

    def describe(self) -> str:
        return f"local disk under {self.base}"

    def root(self, namespace: str) -> Path:
        return self.base / namespace

    async def open(
        self,
        namespace: str,
        *,
        endpoint: str | None = None,
        retry: RetryConfig | None = None,
        timeout: float | None = None,
    ) -> BaseStorage:
        from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage

        return FileSystemStorage(FileSystemConfig(path=self.root(namespace)))

    async def names(self) -> list[str]:
        # Walk the folder above the namespaces too: a file that escaped a root shows
        # up as "../name", inside no namespace.
        found: list[str] = []
        for folder, _dirs, files in os.walk(self.base.parent):
            found.extend(os.path.relpath(os.path.join(folder, name), self.base) for name in files)
        return sorted(found)

    async def purge(self, namespace: str) -> None:
        import shutil

        shutil.rmtree(self.root(namespace), ignore_errors=True)

    async def leftovers(self, namespace: str) -> list[str]:
        # The backend's documented internal names: ".lss~t.<hex>" temporary files and
        # the ".lss~multipart" staging folder (no key may start a segment with ".lss~").
        from litestar_storages.backends.filesystem.names import STAGING_DIR, is_temp

        root = self.root(namespace)
        found: list[str] = []
        for folder, _dirs, files in os.walk(root):
            relative = os.path.relpath(folder, root)
            for name in files:
                if is_temp(name) or relative.split(os.sep)[0] == STAGING_DIR:
                    found.append(os.path.join(relative, name))
        return sorted(found)


class S3Backend(Backend):
    id = "s3"
    module = "litestar_storages.backends.s3"
    storage_class = "S3Storage"
    network = True

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint

    def describe(self) -> str:
        return str(self.endpoint)

    @property
    def timeout_setting(self) -> str | None:
        return "S3Config.connect_timeout + read_timeout"

    def _settings(self) -> dict[str, Any]:
        settings = self.endpoint.settings
        options: dict[str, Any] = {}
        if settings.get("endpoint_url"):
            options["endpoint_url"] = settings["endpoint_url"]
        if settings.get("region"):
            options["region"] = settings["region"]
        if settings.get("access_key"):
            options["access_key_id"] = settings["access_key"]
            options["secret_access_key"] = settings["secret_key"]
        return options

    async def open(
        self,
        namespace: str,
        *,
        endpoint: str | None = None,
        retry: RetryConfig | None = None,
        timeout: float | None = None,
    ) -> BaseStorage:
        from litestar_storages.backends.s3 import S3Config, S3Storage

        options = self._settings()
        if endpoint is not None:
            options["endpoint_url"] = endpoint
        if retry is not None:
            options["retry"] = retry
        if timeout is not None:
            options["connect_timeout"] = timeout
            options["read_timeout"] = timeout
        if not self.endpoint.cloud:
            options["addressing_style"] = "path"  # emulators serve no bucket subdomains
        # 5 MiB parts (S3's minimum) so the kit's large objects go through multipart.
        options.update(multipart_threshold=5 * MIB, part_size=5 * MIB)
        return S3Storage(S3Config(bucket=self.endpoint.bucket, prefix=namespace, **options))

    def _client(self) -> Any:
        from aiobotocore.session import get_session

        settings = self._settings()
        return get_session().create_client(
            "s3",
            endpoint_url=settings.get("endpoint_url"),
            region_name=settings.get("region") or None,
            aws_access_key_id=settings.get("access_key_id"),
            aws_secret_access_key=settings.get("secret_access_key"),
        )

    async def names(self) -> list[str]:
        return await self._list("")

    async def _list(self, prefix: str) -> list[str]:
        names: list[str] = []
        async with self._client() as client:
            paginator = client.get_paginator("list_objects_v2")
            async for page in paginator.paginate(Bucket=self.endpoint.bucket, Prefix=prefix):
                names.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(names)

    def part_request(self) -> Match:
        return {"method": "PUT", "path": "partNumber="}

    def start_request(self) -> Match:
        return {"method": "POST", "path": "?uploads"}

    async def leftovers(self, namespace: str) -> list[str]:
        async with self._client() as client:
            page = await client.list_multipart_uploads(Bucket=self.endpoint.bucket, Prefix=f"{namespace}/")
        return [f"{upload['Key']} ({upload['UploadId']})" for upload in page.get("Uploads", [])]

    async def purge(self, namespace: str) -> None:
        async with self._client() as client:
            page = await client.list_multipart_uploads(Bucket=self.endpoint.bucket, Prefix=f"{namespace}/")
            for upload in page.get("Uploads", []):
                await client.abort_multipart_upload(
                    Bucket=self.endpoint.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                )
        names = await self._list(f"{namespace}/")
        async with self._client() as client:
            for start in range(0, len(names), 1000):
                batch = [{"Key": name} for name in names[start : start + 1000]]
                await client.delete_objects(Bucket=self.endpoint.bucket, Delete={"Objects": batch, "Quiet": True})

    def error_fault(self, status: int, **match: Any) -> Fault:
        code = b"SlowDown" if status == 503 else b"InternalError"
        body = b"<Error><Code>" + code + b"</Code><Message>Please retry.</Message></Error>"
        return respond(status, body=body, headers=[("Content-Type", "application/xml")], **match)


class AzureBackend(Backend):
    id = "azure"
    attribute_samples = ObjectAttributes(
        cache_control="public, max-age=3600",
        content_disposition='attachment; filename="report.txt"',
        content_encoding="gzip",
        content_language="de-CH",
        storage_class="Cool",
        encryption=Encryption.scope("kit-scope"),
        acl="private",
        tags={"project": "alpha", "team": "data-eng"},
    )
    # Azurite ignores encryption scopes (the Azure package's tests check the header sent).
    unreported_attributes = frozenset({"acl", "encryption"})
    unlisted_attributes = frozenset({"tags"})  # at a cost per listed blob: docs/attributes.md
    module = "litestar_storages.backends.azure"
    storage_class = "AzureStorage"
    network = True

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint

    def describe(self) -> str:
        return str(self.endpoint)

    @property
    def timeout_setting(self) -> str | None:
        from litestar_storages.backends.azure import AzureConfig

        fields = getattr(AzureConfig, "__dataclass_fields__", {})
        names = [name for name in fields if "timeout" in name]
        return " + ".join(f"AzureConfig.{name}" for name in names) or None

    def _connection_string(self, endpoint: str | None) -> str:
        connection_string = self.endpoint.settings["connection_string"]
        if endpoint is None:
            return connection_string
        account_url = f"{endpoint}/{self.endpoint.settings['account_name']}"
        return connection_string.replace(self.endpoint.settings["account_url"], account_url)

    async def open(
        self,
        namespace: str,
        *,
        endpoint: str | None = None,
        retry: RetryConfig | None = None,
        timeout: float | None = None,
    ) -> BaseStorage:
        from litestar_storages.backends.azure import AzureConfig, AzureStorage

        options: dict[str, Any] = {}
        if retry is not None:
            options["retry"] = retry
        if timeout is not None:
            fields = getattr(AzureConfig, "__dataclass_fields__", {})
            options.update({name: timeout for name in fields if "timeout" in name})
        # Small blocks so the kit's large objects go through staged blocks.
        return AzureStorage(
            AzureConfig(
                container=self.endpoint.bucket,
                connection_string=self._connection_string(endpoint),
                prefix=namespace,
                block_size=4 * MIB,
                **options,
            )
        )

    def _container(self) -> Any:
        from azure.storage.blob.aio import ContainerClient

        return ContainerClient.from_connection_string(self.endpoint.settings["connection_string"], self.endpoint.bucket)

    async def names(self) -> list[str]:
        async with self._container() as container:
            return sorted([blob.name async for blob in container.list_blobs()])

    def part_request(self) -> Match:
        return {"method": "PUT", "path": "blockid="}

    # leftovers(): staged blocks never committed cannot be removed through the API
    # (they expire after a week) and are no object: only committed blobs count.

    async def purge(self, namespace: str) -> None:
        async with self._container() as container:
            names = [blob.name async for blob in container.list_blobs(name_starts_with=f"{namespace}/")]
            for name in names:
                await container.delete_blob(name)

    def error_fault(self, status: int, **match: Any) -> Fault:
        code = "ServerBusy" if status == 503 else "InternalError"
        body = (
            f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>Please retry.</Message></Error>'
        ).encode()
        headers = [("Content-Type", "application/xml"), ("x-ms-error-code", code)]
        return respond(status, body=body, headers=headers, **match)


class GCSBackend(Backend):
    id = "gcs"
    attribute_samples = ObjectAttributes(
        cache_control="public, max-age=3600",
        content_disposition='attachment; filename="report.txt"',
        content_encoding="gzip",
        content_language="de-CH",
        storage_class="NEARLINE",
        encryption=Encryption.managed(),
        acl="publicRead",
        tags={"project": "alpha"},
    )
    # fake-gcs-server ignores storageClass on resumable uploads and rewrites (the GCS
    # package's tests check those requests against recorded GCS answers).
    unreported_attributes = frozenset({"acl", "storage_class"})
    module = "litestar_storages.backends.gcs"
    storage_class = "GCSStorage"
    network = True

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint

    def describe(self) -> str:
        return str(self.endpoint)

    @property
    def timeout_setting(self) -> str | None:
        return "GCSConfig.timeout"

    async def open(
        self,
        namespace: str,
        *,
        endpoint: str | None = None,
        retry: RetryConfig | None = None,
        timeout: float | None = None,
    ) -> BaseStorage:
        from litestar_storages.backends.gcs import GCSConfig, GCSStorage

        options: dict[str, Any] = {"service_file": self.endpoint.settings["service_file"]}
        if not self.endpoint.cloud:
            options["api_root"] = endpoint or self.endpoint.settings["api_root"]
        if retry is not None:
            options["retry"] = retry
        if timeout is not None:
            options["timeout"] = timeout
        # 256 KiB chunks (GCS's unit) so the kit's large objects go through resumable uploads.
        return GCSStorage(GCSConfig(bucket=self.endpoint.bucket, prefix=namespace, chunk_size=256 * 1024, **options))

    def upload_request(self, name: str) -> Match:
        return {"method": "POST", "path": "/upload/"}

    def abandoned_sessions(self, requests: list[RecordedRequest]) -> list[str]:
        def session(target: str) -> str | None:
            query = parse_qs(urlsplit(target).query)
            return query.get("upload_id", [None])[0]

        used = {session(r.target) for r in requests if r.method == "PUT"} - {None}
        cancelled = {session(r.target) for r in requests if r.method == "DELETE"}
        return sorted(name for name in used - cancelled if name is not None)

    def part_request(self) -> Match:
        return {"method": "PUT", "path": "upload_id="}

    def start_request(self) -> Match:
        return {"method": "POST", "path": "uploadType=resumable"}

    def _client(self) -> Any:
        # gcloud-aio-storage: with api_root (the emulator) it sends no credentials, with
        # a service file (a real account) it signs requests.
        from gcloud.aio.storage import Storage

        if self.endpoint.cloud:
            return Storage(service_file=self.endpoint.settings["service_file"])
        return Storage(api_root=self.endpoint.settings["api_root"])

    async def _objects(self, prefix: str) -> list[str]:
        names: list[str] = []
        params = {"prefix": prefix, "maxResults": "1000"}
        async with self._client() as client:
            while True:
                page = await client.list_objects(self.endpoint.bucket, params=params)
                names.extend(item["name"] for item in page.get("items", []))
                token = page.get("nextPageToken")
                if not token:
                    return sorted(names)
                params["pageToken"] = token

    async def names(self) -> list[str]:
        return await self._objects("")

    async def purge(self, namespace: str) -> None:
        names = await self._objects(f"{namespace}/")
        async with self._client() as client:
            for name in names:
                await client.delete(self.endpoint.bucket, name)

    def error_fault(self, status: int, **match: Any) -> Fault:
        body = (
            f'{{"error": {{"code": {status}, "message": "Backend Error", "errors": [{{"reason": "backendError"}}]}}}}'
        )
        return respond(status, body=body.encode(), headers=[("Content-Type", "application/json")], **match)


_CLASSES: dict[str, type[Backend]] = {
    "memory": MemoryBackend,
    "filesystem": FileSystemBackend,
    "s3": S3Backend,
    "azure": AzureBackend,
    "gcs": GCSBackend,
}


def make_backend(backend_id: str, services: ServiceManager, workdir: Path) -> Backend:
    """Build the adapter for ``backend_id``, starting its service if it needs one.

    Raises:
        BackendUnavailable: For a cloud backend without credentials (a skip reason).
        RuntimeError: If an emulator failed to start.
    """
    kind_id = backend_id.removesuffix("-cloud")
    cls = _CLASSES[kind_id]
    if backend_id == "memory":
        return MemoryBackend()
    if backend_id == "filesystem":
        return FileSystemBackend(workdir)
    kind: ServiceKind = kind_id  # type: ignore[assignment]
    if backend_id.endswith("-cloud"):
        endpoint = cloud_endpoint(kind)
        if isinstance(endpoint, str):
            raise BackendUnavailable(endpoint)
    else:
        endpoint = services.get(kind)
    return cls(endpoint)  # type: ignore[call-arg]
