"""Running an emulator as a local process on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from types import TracebackType

__all__ = ("EmulatorProcess", "free_port", "http_ready", "wait_until")


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port on ``host`` that nothing listens on right now.

    Args:
        host: The loopback address to bind.

    Returns:
        The port number.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def http_ready(url: str, *, accept_status: Callable[[int], bool] = lambda status: status < 500) -> bool:
    """Tell whether an HTTP server answers ``url``.

    Args:
        url: The URL to request with GET.
        accept_status: Which status codes count as "up".

    Returns:
        ``True`` when the server answered with an accepted status.
    """
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback URL we built
            return accept_status(response.status)
    except urllib.error.HTTPError as error:
        return accept_status(error.code)
    except (OSError, ValueError):
        return False


def wait_until(check: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.05) -> None:
    """Poll ``check`` until it returns ``True``.

    Args:
        check: The readiness check.
        timeout: Seconds to wait at most.
        what: Description for the error message.
        interval: Seconds between checks.

    Raises:
        TimeoutError: If ``check`` did not succeed in time.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise TimeoutError(f"{what} did not become ready within {timeout:.0f} s")


class EmulatorProcess:
    """A child process running an emulator, stopped (with its process group) on exit.

    Output goes to ``log_path`` (or is discarded): a pipe nobody reads would fill up
    and hang the emulator after a few hundred requests.
    """

    def __init__(
        self,
        command: Sequence[str],
        *,
        ready: Callable[[], bool],
        name: str,
        startup_timeout: float = 60.0,
        env: dict[str, str] | None = None,
        log_path: str | None = None,
        cwd: str | None = None,
    ) -> None:
        """Describe the process; nothing starts until :meth:`start`.

        Args:
            command: The program and its arguments.
            ready: Returns ``True`` once the emulator answers.
            name: Name for messages.
            startup_timeout: Seconds to wait for readiness.
            env: Extra environment variables.
            log_path: File receiving the emulator's output, else it is discarded.
            cwd: Working directory.
        """
        self.command = list(command)
        self.ready = ready
        self.name = name
        self.startup_timeout = startup_timeout
        self.env = env
        self.log_path = log_path
        self.cwd = cwd
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the process and wait until it is ready.

        Raises:
            RuntimeError: If the process exits before it becomes ready.
            TimeoutError: If it does not become ready in time.
        """
        output = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self._process = subprocess.Popen(  # noqa: S603 - the caller's own emulator command
                self.command,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(self.env or {})},
                cwd=self.cwd,
                start_new_session=True,
            )
        finally:
            if self.log_path:
                output.close()  # type: ignore[union-attr]
        process = self._process

        def check() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {process.returncode} before it was ready")
            return self.ready()

        try:
            wait_until(check, timeout=self.startup_timeout, what=self.name)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the process and its children; safe to call more than once."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def __enter__(self) -> EmulatorProcess:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
