"""The core conformance kit, unchanged, against S3Storage on moto."""

from __future__ import annotations

from typing import ClassVar

from litestar_storages.testing import StorageConformance


class TestS3Conformance(StorageConformance):
    """Every Storage behaviour; the ``storage`` fixture comes from conftest.py."""

    signs_download_names: ClassVar[bool] = True
