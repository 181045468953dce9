"""Every use of gcloud-aio-storage's private API, in one place.

Why private access at all: resumable uploads in chunks, their cancellation and a few other
requests have no method in gcloud-aio-storage, so :class:`~.transport.Transport` sends them
through the SDK's session itself, to the endpoint the SDK uses. The SDK resolves that
endpoint (its ``api_root`` argument, else ``STORAGE_EMULATOR_HOST``, else Google) and
whether it is an emulator (no authentication then) into two attributes it exposes no
accessor for. Reading them keeps one source of truth for the SDK's requests and ours,
including for a client the application built and passed in (then ``GCSConfig.api_root``
is ignored, so the configuration cannot answer instead).

What is relied on (checked against the installed SDK by the package's
``tests/test_sdk_contract.py``, which names the SDK version and the private name that
changed): ``Storage._api_root`` (a URL ``str``) and ``Storage._api_is_dev`` (a ``bool``),
set by ``Storage.__init__``.

Version bound (pyproject.toml): ``gcloud-aio-storage>=9.0,<10``. The gcloud-aio projects
follow semantic versioning and ship features in frequent minor releases; both attributes
are declared (annotated) on the ``Storage`` class and read by every one of its request
methods, unchanged through the 9.x line, so a rename is unlikely inside a major. A bound
below the next minor would block users' resolvers on each of those releases for little
safety; the contract test runs against the newest 9.x the test environment resolves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gcloud.aio.storage import Storage

__all__ = ("endpoint",)


def endpoint(client: Storage) -> tuple[str, bool]:
    """Return the root URL the SDK client sends its requests to, and whether it is an emulator.

    Args:
        client: The gcloud-aio-storage client.

    Returns:
        ``(api_root, emulated)``; ``api_root`` has no trailing slash.
    """
    return client._api_root.rstrip("/"), bool(client._api_is_dev)
