"""Azurite, Microsoft's Azure Storage emulator, run as a local process (blob service only).

Azurite comes from the npm registry. The version this package was tested with is
pinned in the ``package.json`` and ``package-lock.json`` shipped inside it (folder
``azurite_npm``, :data:`AZURITE_VERSION`). The first time :class:`Azurite` starts, it
installs that version with ``npm ci`` into a per-user cache folder
(:func:`default_install_dir`: ``$XDG_CACHE_HOME/litestar-storages/azurite-<version>``)
and reuses it afterwards, so an installed package needs nothing but Node.js and npm::

    with Azurite() as azurite:
        storage = AzureStorage(AzureConfig(container="c", connection_string=azurite.connection_string))
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path
from types import TracebackType

from litestar_storages.testing.emulators.process import EmulatorProcess, free_port, http_ready

__all__ = (
    "ACCOUNT_KEY",
    "ACCOUNT_NAME",
    "AZURITE_VERSION",
    "INSTALL_DIR_ENV",
    "Azurite",
    "default_install_dir",
    "install_azurite",
)

ACCOUNT_NAME = "devstoreaccount1"
"""Azurite's well-known development account."""

ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
"""The published key of :data:`ACCOUNT_NAME` (not a secret: every Azurite uses it)."""

INSTALL_DIR_ENV = "LITESTAR_STORAGES_AZURITE_DIR"
"""Environment variable naming the folder Azurite is installed in (or is to be installed in)."""

_PACKAGE = "litestar_storages.testing.emulators"
_PINS = "azurite_npm"
_PIN_FILES = ("package.json", "package-lock.json")


def _pinned_version() -> str:
    pinned = resources.files(_PACKAGE).joinpath(_PINS).joinpath("package.json")
    manifest = json.loads(pinned.read_text(encoding="utf-8"))
    return str(manifest["dependencies"]["azurite"])


AZURITE_VERSION = _pinned_version()
"""The Azurite version :class:`Azurite` installs, as pinned in the shipped ``package.json``."""


def default_install_dir() -> Path:
    """Return the folder Azurite is installed in when none is given.

    :data:`INSTALL_DIR_ENV` when set, else
    ``$XDG_CACHE_HOME/litestar-storages/azurite-<version>`` (``~/.cache`` when
    ``XDG_CACHE_HOME`` is unset): one install per user and version, shared by every
    project and test session.

    Returns:
        The folder (it may not exist yet).
    """
    configured = os.environ.get(INSTALL_DIR_ENV)
    if configured:
        return Path(configured)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "litestar-storages" / f"azurite-{AZURITE_VERSION}"


def _executable(install_dir: Path) -> Path:
    return install_dir / "node_modules" / ".bin" / "azurite-blob"


def _tools() -> str:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise RuntimeError(
            f"Azurite {AZURITE_VERSION} is installed from npm on first use and runs on Node.js: "
            "put `node` and `npm` on PATH (Debian/Ubuntu: apt-get install -y nodejs npm), "
            f"or set {INSTALL_DIR_ENV} to a folder holding node_modules/.bin/azurite-blob"
        )
    return npm


def install_azurite(install_dir: Path | None = None) -> Path:
    """Install the pinned Azurite into ``install_dir`` unless it is there already.

    The install runs ``npm ci`` with the shipped ``package.json`` and
    ``package-lock.json`` in a temporary folder beside ``install_dir`` and renames it into
    place once complete, so an interrupted install leaves nothing half-made. Sessions
    installing at once (parallel test runs) take an exclusive lock on
    ``.<name>.lock`` beside it: the second waits and reuses the first one's install.

    Args:
        install_dir: Folder receiving ``node_modules``; :func:`default_install_dir`
            when omitted. A folder already holding ``node_modules/.bin/azurite-blob``
            is used as it is, whatever version it holds.

    Returns:
        Path of the ``azurite-blob`` executable.

    Raises:
        RuntimeError: If Node.js or npm is missing, ``npm ci`` fails, or ``install_dir``
            exists, is not empty and holds no Azurite.
    """
    target = install_dir if install_dir is not None else default_install_dir()
    executable = _executable(target)
    if executable.exists():
        return executable
    npm = _tools()
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if executable.exists():  # installed by another session while we waited
            return executable
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
        try:
            pins = resources.files(_PACKAGE).joinpath(_PINS)
            for name in _PIN_FILES:
                (staging / name).write_bytes(pins.joinpath(name).read_bytes())
            result = subprocess.run(  # noqa: S603 - fixed command, our own folder
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=staging,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0 or not _executable(staging).exists():
                raise RuntimeError(
                    f"npm ci of azurite {AZURITE_VERSION} failed in {staging}:\n{result.stdout}\n{result.stderr}"
                )
            try:
                # Atomic: the folder appears complete or not at all. Replaces an empty
                # folder (one made for INSTALL_DIR_ENV), never a non-empty one.
                staging.rename(target)
            except OSError as error:
                raise RuntimeError(
                    f"Cannot install azurite into {target}: it exists and holds no node_modules/.bin/azurite-blob"
                ) from error
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return executable


class Azurite:
    """Azurite's blob service on a free loopback port, with in-memory persistence.

    A context manager: entering installs Azurite when needed (:func:`install_azurite`:
    the pinned version, into a per-user cache folder on first use), starts it and waits until
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
                :func:`default_install_dir` when omitted.
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
            RuntimeError: If Node.js or npm is missing, the install fails or Azurite exits early.
            TimeoutError: If Azurite does not answer in time.
        """
        if self._process is not None:
            return
        executable = install_azurite(self.install_dir)
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
