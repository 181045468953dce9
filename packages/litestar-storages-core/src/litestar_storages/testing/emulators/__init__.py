"""Emulators of the cloud services, run as local processes for tests and benchmarks.

Each emulator is a context manager that starts the service on a free loopback port,
waits until it answers and stops it on exit. The Python packages (moto, the GCS
emulator) and the npm package (Azurite) they need are test dependencies, imported only
when an emulator starts.
"""

from litestar_storages.testing.emulators.process import EmulatorProcess, free_port, http_ready, wait_until

__all__ = ("EmulatorProcess", "free_port", "http_ready", "wait_until")
