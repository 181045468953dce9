"""The services the cloud backends talk to, started once per test session.

By default each service is a local process on a free loopback port, started by the
launchers of :mod:`litestar_storages.testing.emulators` (moto for S3, Azurite, the GCS
emulator). With ``STORAGES_TEST_DOCKER=1`` and a Docker engine that answers, the
services come from testcontainers instead (MinIO, Azurite and fake-gcs-server images);
with the flag set and no engine, the manager says so and falls back to processes.

Real cloud accounts are opt-in: the ``*-cloud`` backends read a bucket (or container)
name and credentials from the environment variables in :data:`CLOUD_VARIABLES`; without
them, their tests are skipped with that reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from litestar_storages.testing.emulators import free_port, http_ready, wait_until

__all__ = (
    "CLOUD_VARIABLES",
    "DOCKER_FLAG",
    "Endpoint",
    "ServiceKind",
    "ServiceManager",
    "cloud_endpoint",
    "docker_status",
)

ServiceKind = Literal["s3", "azure", "gcs"]

DOCKER_FLAG = "STORAGES_TEST_DOCKER"
"""Set to ``1`` to run the services in containers (testcontainers) when Docker answers."""

CLOUD_VARIABLES: dict[str, tuple[str, ...]] = {
    "s3": ("STORAGES_TEST_AWS_S3_BUCKET",),
    "azure": ("STORAGES_TEST_AZURE_CONTAINER", "STORAGES_TEST_AZURE_CONNECTION_STRING"),
    "gcs": ("STORAGES_TEST_GCS_BUCKET", "GOOGLE_APPLICATION_CREDENTIALS"),
}
"""Variables that must all be set to run a backend against the real cloud service.

Credentials otherwise come from each SDK's usual chain (``AWS_ACCESS_KEY_ID``/profile
for S3; optional ``STORAGES_TEST_AWS_S3_REGION`` and ``STORAGES_TEST_AWS_S3_ENDPOINT_URL``
for S3-compatible services such as R2).
"""

AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

IMAGES = {
    "s3": "minio/minio:RELEASE.2025-04-22T22-12-26Z",
    "azure": "mcr.microsoft.com/azure-storage/azurite:3.35.0",
    "gcs": "fsouza/fake-gcs-server:1.52.2",
}
"""Container images used with ``STORAGES_TEST_DOCKER=1`` (pinned for repeatable runs)."""


@dataclass
class Endpoint:
    """Where one service answers, and the bucket (or container) made for this session.

    Attributes:
        kind: Which service: ``"s3"``, ``"azure"`` or ``"gcs"``.
        provider: What serves it, for the summary ("moto server, in-process thread").
        bucket: The bucket or container the session's tests use.
        host: Host of a local service (the fault proxy forwards there).
        port: Port of a local service.
        settings: Service-specific values: ``endpoint_url``, ``access_key``,
            ``secret_key`` and ``region`` (S3); ``connection_string``, ``account_url``,
            ``account_name`` and ``account_key`` (Azure); ``api_root`` (GCS).
        cloud: Whether this is a real cloud account (no proxy, no emulator quirks).
    """

    kind: ServiceKind
    provider: str
    bucket: str
    host: str | None = None
    port: int | None = None
    settings: dict[str, str] = field(default_factory=dict)
    cloud: bool = False

    def __str__(self) -> str:
        where = f" on {self.host}:{self.port}" if self.host else ""
        return f"{self.provider}{where}, bucket {self.bucket!r}"


def docker_status() -> tuple[bool, str]:
    """Tell whether to use testcontainers, with the reason.

    Returns:
        ``(True, engine description)`` when ``STORAGES_TEST_DOCKER=1`` and Docker answers;
        otherwise ``False`` and why the services run as local processes.
    """
    if os.environ.get(DOCKER_FLAG) != "1":
        return False, f"local processes ({DOCKER_FLAG} is not set)"
    try:
        import docker  # type: ignore[import-untyped]

        client = docker.from_env(timeout=5)
        try:
            version = client.version().get("Version", "?")
        finally:
            client.close()
    except Exception as error:  # any failure means: no usable engine
        return False, (
            f"{DOCKER_FLAG}=1 but no Docker engine answered ({type(error).__name__}: {error}); "
            "falling back to local processes"
        )
    return True, f"testcontainers on Docker {version}"


def _bucket_name() -> str:
    # Lowercase letters and digits fit S3, GCS and Azure naming rules alike.
    return f"it{secrets.token_hex(6)}"


def _http(method: str, url: str, body: dict[str, Any] | None = None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback URL we built
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _create_s3_bucket(settings: dict[str, str], bucket: str) -> None:
    import botocore.session

    client: Any = botocore.session.get_session().create_client(
        "s3",
        endpoint_url=settings["endpoint_url"],
        region_name=settings["region"],
        aws_access_key_id=settings["access_key"],
        aws_secret_access_key=settings["secret_key"],
    )
    client.create_bucket(Bucket=bucket)


def _create_azure_container(settings: dict[str, str], container: str) -> None:
    from azure.storage.blob import BlobServiceClient

    with BlobServiceClient.from_connection_string(settings["connection_string"]) as client:
        client.create_container(container)


def _create_gcs_bucket(settings: dict[str, str], bucket: str) -> None:
    status = _http("POST", f"{settings['api_root']}/storage/v1/b?project=test", {"name": bucket})
    if status not in {200, 409}:
        raise RuntimeError(f"the GCS emulator refused to create bucket {bucket!r} (HTTP {status})")


def cloud_endpoint(kind: ServiceKind) -> Endpoint | str:
    """Return the real cloud account configured for ``kind``, or why there is none.

    Args:
        kind: The service.

    Returns:
        The endpoint, or the reason (naming the missing variables) to skip.
    """
    missing = [name for name in CLOUD_VARIABLES[kind] if not os.environ.get(name)]
    if missing:
        return f"real {kind} account not configured: set {', '.join(missing)} to run these tests against it"
    if kind == "s3":
        settings = {
            "region": os.environ.get("STORAGES_TEST_AWS_S3_REGION", ""),
            "endpoint_url": os.environ.get("STORAGES_TEST_AWS_S3_ENDPOINT_URL", ""),
        }
        return Endpoint("s3", "AWS S3", os.environ["STORAGES_TEST_AWS_S3_BUCKET"], settings=settings, cloud=True)
    if kind == "azure":
        settings = {"connection_string": os.environ["STORAGES_TEST_AZURE_CONNECTION_STRING"]}
        return Endpoint(
            "azure", "Azure Blob Storage", os.environ["STORAGES_TEST_AZURE_CONTAINER"], settings=settings, cloud=True
        )
    settings = {"service_file": os.environ["GOOGLE_APPLICATION_CREDENTIALS"]}
    return Endpoint(
        "gcs", "Google Cloud Storage", os.environ["STORAGES_TEST_GCS_BUCKET"], settings=settings, cloud=True
    )


class ServiceManager:
    """Starts each service on first use and stops them all at :meth:`close`."""

    def __init__(self) -> None:
        """Decide between containers and processes; nothing starts yet."""
        self.use_docker, self.mode = docker_status()
        self.started: dict[ServiceKind, Endpoint] = {}
        self.failures: dict[str, str] = {}
        self._stack = contextlib.ExitStack()

    def get(self, kind: ServiceKind) -> Endpoint:
        """Return the running service ``kind``, starting it (and its bucket) if needed.

        Raises:
            RuntimeError: If the service failed to start (now or earlier this session).
        """
        if kind in self.started:
            return self.started[kind]
        if kind in self.failures:
            raise RuntimeError(self.failures[kind])
        try:
            endpoint = self._start_container(kind) if self.use_docker else self._start_process(kind)
            creators: dict[ServiceKind, Callable[[dict[str, str], str], None]] = {
                "s3": _create_s3_bucket,
                "azure": _create_azure_container,
                "gcs": _create_gcs_bucket,
            }
            creators[kind](endpoint.settings, endpoint.bucket)
        except Exception as error:
            self.failures[kind] = f"could not start the {kind} service: {type(error).__name__}: {error}"
            raise
        self.started[kind] = endpoint
        return endpoint

    def close(self) -> None:
        """Stop every service started (also when tests failed)."""
        self._stack.close()
        self.started.clear()

    # -- local processes ---------------------------------------------------------------

    def _start_process(self, kind: ServiceKind) -> Endpoint:
        bucket = _bucket_name()
        if kind == "s3":
            from litestar_storages.testing.emulators.moto import MotoServer

            moto = self._stack.enter_context(MotoServer())
            settings = {
                "endpoint_url": moto.endpoint_url,
                "access_key": "testing",
                "secret_key": "testing",
                "region": "us-east-1",
            }
            return Endpoint("s3", "moto server (in-process thread)", bucket, moto.host, moto.port, settings)
        if kind == "azure":
            from litestar_storages.testing.emulators.azurite import Azurite

            azurite = self._stack.enter_context(Azurite())
            settings = {
                "connection_string": azurite.connection_string,
                "account_url": azurite.account_url,
                "account_name": azurite.account_name,
                "account_key": azurite.account_key,
            }
            return Endpoint("azure", "Azurite (node process)", bucket, azurite.host, azurite.port, settings)
        from litestar_storages.testing.emulators.fake_gcs import FakeGCSServer

        gcs = self._stack.enter_context(FakeGCSServer())
        host, port = _host_port(gcs.api_root)
        settings = {"api_root": gcs.api_root, "service_file": self._signing_key()}
        return Endpoint("gcs", "fake-gcs-server (process)", bucket, host, port, settings)

    def _signing_key(self) -> str:
        # The emulator checks no signature, but GCSStorage needs a service-account key
        # to sign URLs at all: a throwaway one, made for this session.
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        folder = tempfile.mkdtemp(prefix="storages-it-gcs-")
        self._stack.callback(shutil.rmtree, folder, ignore_errors=True)
        path = os.path.join(folder, "service-account.json")
        with open(path, "w", encoding="utf-8") as file:
            json.dump(
                {
                    "type": "service_account",
                    "project_id": "integration",
                    "private_key_id": secrets.token_hex(8),
                    "private_key": pem,
                    "client_email": "signer@integration.iam.gserviceaccount.com",
                    "client_id": "1",
                    "token_uri": "https://oauth2.googleapis.com/token",
                },
                file,
            )
        return path

    # -- testcontainers ----------------------------------------------------------------

    def _start_container(self, kind: ServiceKind) -> Endpoint:
        from testcontainers.core.container import DockerContainer

        bucket = _bucket_name()
        if kind == "s3":
            container = (
                DockerContainer(IMAGES["s3"])
                .with_env("MINIO_ROOT_USER", "minioadmin")
                .with_env("MINIO_ROOT_PASSWORD", "minioadmin")
                .with_command("server /data --address :9000")
                .with_exposed_ports(9000)
            )
            host, port = self._run(container, 9000, "/minio/health/live")
            settings = {
                "endpoint_url": f"http://{host}:{port}",
                "access_key": "minioadmin",
                "secret_key": "minioadmin",
                "region": "us-east-1",
            }
            return Endpoint("s3", "MinIO container", bucket, host, port, settings)
        if kind == "azure":
            container = (
                DockerContainer(IMAGES["azure"])
                .with_command("azurite-blob --blobHost 0.0.0.0 --blobPort 10000 --skipApiVersionCheck --loose")
                .with_exposed_ports(10000)
            )
            host, port = self._run(container, 10000, f"/{AZURITE_ACCOUNT}?comp=list")
            account_url = f"http://{host}:{port}/{AZURITE_ACCOUNT}"
            settings = {
                "connection_string": (
                    f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};"
                    f"AccountKey={AZURITE_KEY};BlobEndpoint={account_url};"
                ),
                "account_url": account_url,
                "account_name": AZURITE_ACCOUNT,
                "account_key": AZURITE_KEY,
            }
            return Endpoint("azure", "Azurite container", bucket, host, port, settings)
        # fake-gcs-server puts its external URL in resumable-upload Locations, so the
        # host port must be known before it starts: bind a free one explicitly.
        host_port = free_port()
        container = (
            DockerContainer(IMAGES["gcs"])
            .with_command(
                f"-scheme http -port 4443 -backend memory -external-url http://127.0.0.1:{host_port} "
                f"-public-host 127.0.0.1:{host_port} -log-level warn"
            )
            .with_bind_ports(4443, host_port)
        )
        host, port = self._run(container, 4443, "/_internal/healthcheck", host_port=host_port)
        settings = {"api_root": f"http://{host}:{port}", "service_file": self._signing_key()}
        return Endpoint("gcs", "fake-gcs-server container", bucket, host, port, settings)

    def _run(self, container: Any, port: int, ready_path: str, *, host_port: int | None = None) -> tuple[str, int]:
        container.start()
        self._stack.callback(container.stop)
        host = container.get_container_host_ip()
        if host == "localhost":
            host = "127.0.0.1"
        mapped = host_port or int(container.get_exposed_port(port))
        wait_until(lambda: http_ready(f"http://{host}:{mapped}{ready_path}"), timeout=120, what=container.image)
        time.sleep(0.2)
        return host, mapped


def _host_port(url: str) -> tuple[str, int]:
    netloc = url.split("://", 1)[-1].split("/", 1)[0]
    host, _, port = netloc.rpartition(":")
    return host, int(port)
