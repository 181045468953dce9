"""What a driver can do, read once per storage.

``isinstance`` against a runtime-checkable protocol inspects every member of the
protocol (about 10 to 15 microseconds each on CPython 3.11): asked on every request it
would cost more than a whole in-memory operation. The engine asks once, when the
storage is created, and keeps the answers here, typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from litestar_storages.attribute_rules import COMMON_TAG_LIMITS, TagLimits
from litestar_storages.engine.capabilities import (
    SupportsAddressUrls,
    SupportsAttributes,
    SupportsBatchDelete,
    SupportsDirectWrite,
    SupportsExists,
    SupportsListStream,
    SupportsMinPartSize,
    SupportsParts,
    SupportsPublicUrls,
    SupportsPutParts,
    SupportsRename,
    SupportsSignedUrls,
    SupportsSingleRequestLimit,
    SupportsStreamWrite,
    SupportsTagLimits,
    SupportsUploadForm,
)
from litestar_storages.engine.driver import Driver

__all__ = ("Abilities", "PartsDriver")


class PartsDriver(Driver, SupportsParts, Protocol):
    """A driver with parts: what the part pipeline needs."""


@dataclass(frozen=True)
class Abilities:
    """The driver seen through each optional protocol, or ``None`` where it lacks it.

    Attributes:
        parts: The driver, if it has parts.
        stream: The driver, if it streams uploads itself.
        signed: The driver, if it signs URLs.
        address: The driver, if its objects have plain addresses.
        form: The driver, if it signs upload forms.
        batch: The driver, if it deletes in batches.
        direct: The driver, if it takes every input as it comes (in-process stores).
        rename: The driver, if it renames objects in one step.
        single_limit: The driver's single-request limit, if it has parts and one of its own.
        put_parts: The driver, if it starts the parts of a ``put`` itself.
        lists: The driver, if it walks listings itself.
        exists: The driver, if it answers ``exists`` without reading metadata.
        attribute_names: The object attributes the driver honours (none without
            :class:`~litestar_storages.engine.capabilities.SupportsAttributes`).
        tag_limits: The tag limits its writes are checked against.
        min_part_size: The smallest part its service takes (1 without
            :class:`~litestar_storages.engine.capabilities.SupportsMinPartSize`).
        public_base_url: The base URL its objects are served under unsigned, if any
            (:class:`~litestar_storages.engine.capabilities.SupportsPublicUrls`).
    """

    parts: PartsDriver | None
    stream: SupportsStreamWrite | None
    signed: SupportsSignedUrls | None
    address: SupportsAddressUrls | None
    form: SupportsUploadForm | None
    batch: SupportsBatchDelete | None
    direct: SupportsDirectWrite | None = None
    rename: SupportsRename | None = None
    single_limit: int | None = None
    put_parts: SupportsPutParts | None = None
    lists: SupportsListStream | None = None
    exists: SupportsExists | None = None
    attribute_names: frozenset[str] = frozenset()
    tag_limits: TagLimits = COMMON_TAG_LIMITS
    min_part_size: int = 1
    public_base_url: str | None = None

    @classmethod
    def of(cls, driver: Driver) -> Abilities:
        """Check ``driver`` against every optional protocol.

        Args:
            driver: The driver.

        Returns:
            Its abilities.
        """
        return cls(
            parts=driver if isinstance(driver, SupportsParts) else None,
            stream=driver if isinstance(driver, SupportsStreamWrite) else None,
            signed=driver if isinstance(driver, SupportsSignedUrls) else None,
            address=driver if isinstance(driver, SupportsAddressUrls) else None,
            form=driver if isinstance(driver, SupportsUploadForm) else None,
            batch=driver if isinstance(driver, SupportsBatchDelete) else None,
            direct=driver if isinstance(driver, SupportsDirectWrite) else None,
            rename=driver if isinstance(driver, SupportsRename) else None,
            single_limit=(
                driver.single_request_limit
                if isinstance(driver, SupportsParts) and isinstance(driver, SupportsSingleRequestLimit)
                else None
            ),
            put_parts=driver if isinstance(driver, SupportsPutParts) else None,
            lists=driver if isinstance(driver, SupportsListStream) else None,
            exists=driver if isinstance(driver, SupportsExists) else None,
            attribute_names=frozenset(driver.attribute_names)
            if isinstance(driver, SupportsAttributes)
            else frozenset(),
            tag_limits=driver.tag_limits if isinstance(driver, SupportsTagLimits) else COMMON_TAG_LIMITS,
            min_part_size=driver.min_part_size if isinstance(driver, SupportsMinPartSize) else 1,
            public_base_url=driver.public_base_url if isinstance(driver, SupportsPublicUrls) else None,
        )
