"""Azurite, Microsoft's Azure Storage emulator, run as a local process (blob service only).

Azurite comes from the npm registry. Its version is pinned in
``tests-integration/package.json`` and ``package-lock.json``; :class:`Azurite` runs
``npm ci`` there (or in the folder you give it) the first time it is needed, so a fresh
checkout needs nothing but Node.js and npm::

    with Azurite() as azurite:
        storage = AzureStorage(AzureConfig(container="c", connection_string=azurite.connection_string))
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

from litestar_storages.testing.emulators.process import EmulatorProcess, free_port, http_ready

__all__ = ("ACCOUNT_KEY", "ACCOUNT_NAME", "Azurite", "find_package_dir", "install_azurite")

ACCOUNT_NAME = "devstoreaccount1"
"""Azurite's well-known development account."""

ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
"""The published key of :data:`ACCOUNT_NAME` (not a secret: every Azurite uses it)."""

PACKAGE_DIR_ENV = "LITESTAR_STORAGES_AZURITE_DIR"
"""Environment variable naming the folder holding Azurite's ``package.json`` (and ``node_modules``)."""

_LOCK_FILES = ("package.json", "package-lock.json")


def find_package_dir() -> Path:
    """Locate the folder with the ``package.json`` that pins Azurite.

    Looks at :data:`PACKAGE_DIR_ENV`, then for ``tests-integration/package.json`` in the
    current directory, this file's folders and their parents (a source checkout).

    Returns:
        The folder.

    Raises:
        FileNotFoundError: If no such folder exists.
    """
    configured = os.environ.get(PACKAGE_DIR_ENV)
    if configured:
        return Path(configured)
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            candidate = folder / "tests-integration"
            if (candidate / "package.json").is_file():
                return candidate
    raise FileNotFoundError(
        f"No tests-integration/package.json pinning azurite found; set {PACKAGE_DIR_ENV} to a folder holding one"
    )


def install_azurite(install_dir: Path, *, package_dir: Path | None = None) -> Path:
    """Install the pinned Azurite into ``install_dir`` with ``npm ci`` unless it is there.

    Concurrent test sessions may call this at once: an exclusive file lock makes the
    second wait for the first install instead of racing it.

    Args:
        install_dir: Folder receiving ``node_modules``.
        package_dir: Folder with ``package.json`` and ``package-lock.json``, copied into
            ``install_dir`` when they differ; defaults to :func:`find_package_dir`.

    Returns:
        Path of the ``azurite-blob`` executable.

    Raises:
        RuntimeError: If npm is missing or ``npm ci`` fails.
    """
    install_dir.mkdir(parents=True, exist_ok=True)
    executable = install_dir / "node_modules" / ".bin" / "azurite-blob"
    if executable.exists():
        return executable
    source = package_dir or find_package_dir()
    with open(install_dir / ".azurite-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if executable.exists():  # installed by another session while we waited
            return executable
        if source.resolve() != install_dir.resolve():
            for name in _LOCK_FILES:
                shutil.copyfile(source / name, install_dir / name)
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("Azurite needs Node.js and npm on PATH (apt-get install -y nodejs npm)")
        result = subprocess.run(  # noqa: S603 - fixed command, our own folder
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=install_dir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not executable.exists():
            raise RuntimeError(f"npm ci of azurite failed in {install_dir}:\n{result.stdout}\n{result.stderr}")
    return executable


class Azurite:
    """Azurite's blob service on a free loopback port, with in-memory persistence.

    A context manager: entering installs Azurite when needed, starts it and waits until
    it answers; leaving stops it and removes its work folder. :meth:`stop` and
    :meth:`start` may also be called directly (tests of an unreachable service).

    Attributes:
        account_name: The account Azurite serves (:data:`ACCOUNT_NAME`).
        account_key: Its key (:data:`ACCOUNT_KEY`).
    """

    account_name = ACCOUNT_NAME
    account_key = ACCOUNT_KEY

    def __init__(
        self,
        *,
        install_dir: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        startup_timeout: float = 60.0,
        log_path: str | None = None,
    ) -> None:
        """Describe the emulator; nothing starts before :meth:`start` or ``with``.

        Args:
            install_dir: Folder holding (or receiving) ``node_modules`` with Azurite;
                defaults to the folder of the pinning ``package.json``.
            host: Loopback address to listen on.
            port: Port to listen on; a free one when omitted.
            startup_timeout: Seconds to wait for Azurite to answer.
            log_path: File receiving Azurite's output, else it is discarded.
        """
        self.install_dir = Path(install_dir) if install_dir is not None else None
        self.host = host
        self.port = port or free_port(host)
        self.startup_timeout = startup_timeout
        self.log_path = log_path
        self._process: EmulatorProcess | None = None
        self._workdir: str | None = None

    @property
    def account_url(self) -> str:
        """Blob endpoint of the account, ``http://127.0.0.1:PORT/devstoreaccount1``."""
        return f"http://{self.host}:{self.port}/{self.account_name}"

    @property
    def connection_string(self) -> str:
        """A connection string for the account (protocol, name, key and blob endpoint)."""
        return (
            f"DefaultEndpointsProtocol=http;AccountName={self.account_name};"
            f"AccountKey={self.account_key};BlobEndpoint={self.account_url};"
        )

    def start(self) -> None:
        """Install Azurite if needed, start it and wait until it answers.

        Raises:
            RuntimeError: If the install fails or Azurite exits early.
            TimeoutError: If Azurite does not answer in time.
        """
        if self._process is not None:
            return
        install_dir = self.install_dir or find_package_dir()
        executable = install_azurite(install_dir)
        self._workdir = tempfile.mkdtemp(prefix="azurite-")
        command = [
            str(executable),
            "--blobHost",
            self.host,
            "--blobPort",
            str(self.port),
            # Azurite refuses --location together with --inMemoryPersistence; the
            # temporary folder is its working directory instead, for anything it writes.
            "--inMemoryPersistence",
            "--skipApiVersionCheck",
            "--disableTelemetry",
            "--silent",
        ]
        url = f"http://{self.host}:{self.port}/{self.account_name}?comp=list"
        process = EmulatorProcess(
            command,
            ready=lambda: http_ready(url),
            name="Azurite",
            startup_timeout=self.startup_timeout,
            log_path=self.log_path,
            cwd=self._workdir,
        )
        try:
            process.start()
        except BaseException:
            self._remove_workdir()
            raise
        self._process = process

    def stop(self) -> None:
        """Stop Azurite (its data is lost); safe to call more than once."""
        process, self._process = self._process, None
        if process is not None:
            process.stop()
        self._remove_workdir()

    def _remove_workdir(self) -> None:
        workdir, self._workdir = self._workdir, None
        if workdir is not None:
            with contextlib.suppress(OSError):
                shutil.rmtree(workdir)

    def __enter__(self) -> Azurite:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
