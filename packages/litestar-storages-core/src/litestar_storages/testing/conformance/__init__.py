"""The conformance suite: every behaviour of the ``Storage`` protocol, written once.

Each backend's tests subclass :class:`StorageConformance` and provide a ``storage``
fixture; nothing else changes per backend. The fixture must yield an *empty* storage
(a fresh folder, bucket or prefix per test).
"""

from litestar_storages.testing.conformance.data import BAD_CONTENT_TYPES, BAD_KEYS, ODD_CONTENT_TYPES, ODD_KEYS
from litestar_storages.testing.conformance.folders import FolderListingTests
from litestar_storages.testing.conformance.lifecycle import LifecycleTests
from litestar_storages.testing.conformance.listing import ListingTests
from litestar_storages.testing.conformance.metadata import MetadataTests
from litestar_storages.testing.conformance.operations import KeyOperationTests
from litestar_storages.testing.conformance.ranges import RangeTests
from litestar_storages.testing.conformance.roundtrip import RoundTripTests
from litestar_storages.testing.conformance.transfers import TransferTests
from litestar_storages.testing.conformance.urls import UrlTests
from litestar_storages.testing.conformance.writes import WriteTests

__all__ = ("BAD_CONTENT_TYPES", "BAD_KEYS", "ODD_CONTENT_TYPES", "ODD_KEYS", "StorageConformance")


class StorageConformance(
    RoundTripTests,
    MetadataTests,
    WriteTests,
    RangeTests,
    ListingTests,
    FolderListingTests,
    KeyOperationTests,
    TransferTests,
    UrlTests,
    LifecycleTests,
):
    """Every behaviour of the ``Storage`` protocol, as pytest tests.

    Subclasses define a ``storage`` fixture (a method, or a fixture in conftest.py)
    yielding an empty storage; pytest reports "fixture 'storage' not found" otherwise.
    Set :attr:`large_size` above the backend's multipart threshold so the kit's large
    transfers exercise that path. Each group of tests is also available as a mixin
    (``RoundTripTests``, ``ListingTests``, ...) in the modules of this package.
    """
