"""moto's S3 server, run in a background thread of the test process (or as a child process).

``moto[server]`` (a test dependency, imported only when the server starts) answers the
S3 REST API over real HTTP: SigV4 requests, ranges, multipart uploads, conditional
writes and presigned URLs. It accepts any credentials unless its IAM checks are turned
on, and it does not enforce a presigned URL's expiry or a POST policy's conditions.
"""

from __future__ import annotations

import logging
import sys
import urllib.error
import urllib.request
from types import TracebackType
from typing import Any

from litestar_storages.testing.emulators.process import EmulatorProcess, free_port, http_ready

__all__ = ("MotoServer",)


class MotoServer:
    """An S3 endpoint on a free loopback port, served by moto's ``ThreadedMotoServer``.

    Example:
        >>> with MotoServer() as server:  # doctest: +SKIP
        ...     server.create_bucket("uploads")
        ...     config = S3Config(bucket="uploads", endpoint_url=server.endpoint_url, region="us-east-1")

    Attributes:
        host: The loopback address the server listens on.
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, quiet: bool = True, subprocess: bool = False) -> None:
        """Describe the server; nothing starts until :meth:`start` (or ``with``).

        Args:
            host: The loopback address to listen on.
            port: The port; ``0`` lets the system pick a free one when the server starts.
            quiet: Silence werkzeug's line per request (it logs every request at INFO).
            subprocess: Run ``python -m moto.server`` as a child process instead of a
                thread, so the server's memory and CPU stay out of the test process
                (for memory measurements and benchmarks).
        """
        self.host = host
        self.quiet = quiet
        self.subprocess = subprocess
        self._requested_port = port
        self._port: int | None = None
        self._server: Any = None

    @property
    def port(self) -> int:
        """The TCP port the running server listens on.

        Raises:
            RuntimeError: If the server is not running.
        """
        if self._port is None:
            raise RuntimeError("MotoServer is not running: call start() or use it in a with block")
        return self._port

    @property
    def endpoint_url(self) -> str:
        """What ``S3Config(endpoint_url=...)`` takes: ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        """Start serving in a daemon thread; returns once the socket listens.

        Raises:
            RuntimeError: If ``moto[server]`` is not installed.
        """
        try:
            from moto.server import ThreadedMotoServer  # noqa: PLC0415 - test-only dependency
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise RuntimeError("MotoServer needs moto's server extra: pip install 'moto[server]'") from error
        if self._server is not None:
            return
        if self.subprocess:
            port = self._requested_port or free_port(self.host)
            url = f"http://{self.host}:{port}"
            process = EmulatorProcess(
                [sys.executable, "-m", "moto.server", "-H", self.host, "-p", str(port)],
                ready=lambda: http_ready(f"{url}/moto-api/"),
                name="moto server",
            )
            process.start()
            self._server, self._port = process, port
            return
        if self.quiet:
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = ThreadedMotoServer(ip_address=self.host, port=self._requested_port, verbose=False)
        server.start()
        self._server = server
        self._port = int(server.get_host_and_port()[1])

    def stop(self) -> None:
        """Stop the server and close its socket (all data is lost); safe to call more than once."""
        server, self._server = self._server, None
        self._port = None
        if server is None:
            return
        server.stop()
        if isinstance(server, EmulatorProcess):
            return
        # ThreadedMotoServer.stop() only ends the serve loop: the listening socket stays
        # open and would accept connections nobody answers. Close it so clients of a
        # stopped server get "connection refused", as with a real outage.
        werkzeug_server = getattr(server, "_server", None)
        if werkzeug_server is not None:
            werkzeug_server.server_close()

    def _request(self, method: str, path: str, data: bytes | None = None) -> int:
        request = urllib.request.Request(f"{self.endpoint_url}{path}", data=data, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback URL we built
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def create_bucket(self, name: str) -> None:
        """Create a bucket in ``us-east-1`` (an existing bucket is fine).

        Args:
            name: The bucket's name.

        Raises:
            RuntimeError: If moto refused to create it.
        """
        status = self._request("PUT", f"/{name}")
        if status not in {200, 409}:
            raise RuntimeError(f"moto refused to create bucket {name!r} (HTTP {status})")

    def reset(self) -> None:
        """Forget every bucket and object (moto's ``/moto-api/reset``)."""
        self._request("POST", "/moto-api/reset")

    def __enter__(self) -> MotoServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
