"""The core conformance kit, unchanged, against S3Storage on moto."""

from __future__ import annotations

from litestar_storages.testing import StorageConformance


class TestS3Conformance(StorageConformance):
    """Every Storage behaviour; the ``storage`` fixture comes from conftest.py."""
