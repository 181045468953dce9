"""The demo's browser libraries (tus-js-client), installed from npm, served from a local folder.

The page never loads code from a CDN. The versions are pinned by ``package.json`` and
``package-lock.json`` beside this file; :func:`install` runs ``npm ci`` with them into a
per-user cache folder (``$XDG_CACHE_HOME/litestar-storages/demo-js-<lock digest>``, or
``DEMO_JS_DIR``), once, and the app serves ``tus-js-client``'s ``dist`` folder from there.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

HERE = Path(__file__).resolve().parent
PIN_FILES = ("package.json", "package-lock.json")
DIST = Path("node_modules") / "tus-js-client" / "dist"
SCRIPT = "tus.min.js"


def install_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """The folder holding (or to hold) the demo's ``node_modules``."""
    configured = environ.get("DEMO_JS_DIR")
    if configured:
        return Path(configured)
    # A new lock file means a new folder: an old install is never served for new pins.
    digest = hashlib.sha256(b"".join((HERE / name).read_bytes() for name in PIN_FILES)).hexdigest()[:12]
    cache = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "litestar-storages" / f"demo-js-{digest}"


def installed(environ: Mapping[str, str] = os.environ) -> Path | None:
    """The folder to serve at ``/vendor`` when the libraries are installed, else ``None``."""
    dist = install_dir(environ) / DIST
    return dist if (dist / SCRIPT).is_file() else None


def install(environ: Mapping[str, str] = os.environ) -> Path:
    """Install the pinned libraries unless they are installed; return the folder to serve.

    ``npm ci`` runs in a temporary folder beside the target, renamed into place when
    complete, under an exclusive lock: parallel test sessions install once, and an
    interrupted install leaves nothing half-made.

    Raises:
        RuntimeError: If ``node``/``npm`` are not on ``PATH`` or ``npm ci`` fails.
    """
    found = installed(environ)
    if found is not None:
        return found
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise RuntimeError(
            "the demo's browser libraries (tus-js-client) come from npm: put `node` and `npm` on PATH "
            "(Debian/Ubuntu: apt-get install -y nodejs npm)"
        )
    target = install_dir(environ)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / DIST / SCRIPT).is_file():  # installed by another process while we waited
            return target / DIST
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
        try:
            for name in PIN_FILES:
                shutil.copyfile(HERE / name, staging / name)
            result = subprocess.run(  # noqa: S603 - fixed command in our own folder
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=staging,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0 or not (staging / DIST / SCRIPT).is_file():
                raise RuntimeError(f"npm ci failed in {staging}:\n{result.stdout}\n{result.stderr}")
            try:
                staging.rename(target)  # replaces an empty folder, never a non-empty one
            except OSError as error:
                raise RuntimeError(f"cannot install into {target}: it exists and holds no {DIST / SCRIPT}") from error
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target / DIST


if __name__ == "__main__":
    # `python docs/examples/demo/browser_libs.py`: install now (CI does, before the tests).
    print(install())
