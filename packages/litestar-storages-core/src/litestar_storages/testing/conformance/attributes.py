"""Object attributes: each one stored and reported where the backend declares it, refused where not.

Every test runs for every field of :class:`~litestar_storages.attributes.ObjectAttributes`
and takes the branch the storage declares (``storage.attribute_names``): a declared
attribute must round-trip through every way of writing, survive ``copy`` and ``move``
and be replaced by an overwrite; an undeclared one must raise
:class:`~litestar_storages.exceptions.ConfigurationError` naming the backend and the
attribute, with nothing written. A backend whose service needs its own values (storage
class names, a KMS key, an encryption scope) sets :attr:`AttributeTests.attribute_samples`.
"""

from __future__ import annotations

import gzip
from typing import Any, ClassVar

import pytest

from litestar_storages.attribute_rules import validate_attributes
from litestar_storages.attributes import ATTRIBUTE_NAMES, NO_ATTRIBUTES, Encryption, ObjectAttributes
from litestar_storages.base import BaseStorage
from litestar_storages.exceptions import (
    ConfigurationError,
    StorageFileExistsError,
    StorageValidationError,
    UnsupportedOperationError,
)
from litestar_storages.protocol import Storage
from litestar_storages.testing.conformance.data import ConformanceBase, _chunks, _pattern

__all__ = ("AttributeTests", "declared_attributes")

_HEADER_NAMES = ("cache_control", "content_disposition", "content_encoding", "content_language")
_NAMES = sorted(ATTRIBUTE_NAMES)


def declared_attributes(storage: object) -> frozenset[str]:
    """Return the attributes a storage honours (none for a storage that does not say).

    Args:
        storage: Any storage.

    Returns:
        Its ``attribute_names``, or an empty set.
    """
    names: object = getattr(storage, "attribute_names", None)
    return frozenset(names) if isinstance(names, (set, frozenset)) else frozenset()


def _only(attributes: ObjectAttributes, name: str, value: object = None) -> ObjectAttributes:
    # The one attribute ``name`` of ``attributes`` (or ``value``, when given).
    chosen: dict[str, Any] = {name: getattr(attributes, name) if value is None else value}
    return ObjectAttributes(**chosen)


class AttributeTests(ConformanceBase):
    """Object attributes, per attribute, following what the storage declares."""

    attribute_samples: ClassVar[ObjectAttributes] = ObjectAttributes(
        cache_control="public, max-age=3600",
        content_disposition='attachment; filename="report.txt"',
        content_encoding="gzip",
        content_language="de-CH",
        storage_class="STANDARD_IA",
        encryption=Encryption.managed(),
        acl="private",
        tags={"project": "alpha", "team": "data-eng"},
    )
    """A value of every attribute the service accepts (S3's names by default)."""

    other_attribute_samples: ClassVar[ObjectAttributes] = ObjectAttributes(
        cache_control="no-store",
        content_disposition="inline",
        content_encoding="identity",
        content_language="fr",
        tags={"project": "beta"},
    )
    """Different values of the attributes without a service default (for the overwrite and copy tests)."""

    unreported_attributes: ClassVar[frozenset[str]] = frozenset({"acl"})
    """Declared attributes that ``info`` cannot report (``acl`` is write only everywhere)."""

    unlisted_attributes: ClassVar[frozenset[str]] = frozenset()
    """Attributes ``info`` reports but listings leave out (Azure: ``tags``, at a cost per blob)."""

    def _check_reported(
        self, reported: ObjectAttributes, expected: ObjectAttributes, names: frozenset[str], *, listed: bool = False
    ) -> None:
        left_out = self.unreported_attributes | (self.unlisted_attributes if listed else frozenset())
        for name in sorted(names - left_out):
            value = getattr(expected, name)
            got = getattr(reported, name)
            assert (dict(got) if name == "tags" else got) == (dict(value) if name == "tags" else value), name

    async def _refused(self, storage: Storage, key: str, name: str, write: Any) -> None:
        with pytest.raises(ConfigurationError) as caught:
            await write()
        message = str(caught.value)
        assert repr(name) in message, message
        backend = getattr(storage, "backend_name", None)
        if isinstance(backend, str):
            assert backend in message, message
        assert not await storage.exists(key)

    # -- each attribute, alone ------------------------------------------------------------

    @pytest.mark.asyncio
    @pytest.mark.parametrize("name", _NAMES)
    async def test_attribute_is_stored_or_refused(self, storage: Storage, name: str) -> None:
        attributes = _only(self.attribute_samples, name)
        key = f"attributes/{name}.txt"
        if name not in declared_attributes(storage):
            await self._refused(storage, key, name, lambda: storage.put(key, b"data", attributes=attributes))
            return
        stored = await storage.put(key, b"data", attributes=attributes)
        self._check_reported(stored.attributes, attributes, frozenset({name}))
        self._check_reported((await storage.info(key)).attributes, attributes, frozenset({name}))
        assert await storage.get_bytes(key) == b"data"

    @pytest.mark.asyncio
    @pytest.mark.parametrize("name", _NAMES)
    async def test_attribute_on_a_stream_is_stored_or_refused(self, storage: Storage, name: str) -> None:
        # Streamed, longer than the multipart threshold: refused before the first part,
        # or stored through the backend's part or streamed-upload path.
        attributes = _only(self.attribute_samples, name)
        key = f"attributes/large-{name}.bin"
        data = _pattern(self.large_size)
        if name not in declared_attributes(storage):
            await self._refused(storage, key, name, lambda: storage.put(key, _chunks(data), attributes=attributes))
            return
        await storage.put(key, _chunks(data), attributes=attributes)
        self._check_reported((await storage.info(key)).attributes, attributes, frozenset({name}))
        assert await storage.get_bytes(key) == data

    @pytest.mark.asyncio
    @pytest.mark.parametrize("name", _NAMES)
    async def test_attribute_on_a_manual_multipart_upload(self, storage: Storage, name: str) -> None:
        assert isinstance(storage, BaseStorage)
        attributes = _only(self.attribute_samples, name)
        key = f"attributes/parts-{name}.bin"
        if name not in declared_attributes(storage):
            await self._refused(storage, key, name, lambda: storage.start_multipart_upload(key, attributes=attributes))
            return
        try:
            upload = await storage.start_multipart_upload(key, attributes=attributes)
        except UnsupportedOperationError:
            return  # no manual multipart uploads on this backend at all
        await storage.upload_part(upload, 1, b"one part")
        await storage.complete_multipart_upload(upload)
        self._check_reported((await storage.info(key)).attributes, attributes, frozenset({name}))

    # -- all of them at once ------------------------------------------------------------------

    def _declared_samples(self, storage: Storage) -> tuple[ObjectAttributes, frozenset[str]]:
        names = declared_attributes(storage)
        values = {name: getattr(self.attribute_samples, name) for name in names}
        return ObjectAttributes(**values), names

    @pytest.mark.asyncio
    async def test_every_declared_attribute_together(self, storage: Storage) -> None:
        attributes, names = self._declared_samples(storage)
        await storage.put("attributes/all.txt", b"all", attributes=attributes)
        self._check_reported((await storage.info("attributes/all.txt")).attributes, attributes, names)

    @pytest.mark.asyncio
    async def test_gzip_bytes_come_back_as_stored(self, storage: Storage) -> None:
        # Content-Encoding describes the stored bytes: never decoded on the way back.
        body = gzip.compress(b"hello " * 1000, mtime=0)
        attributes = ObjectAttributes(content_encoding="gzip")
        if "content_encoding" not in declared_attributes(storage):
            await self._refused(
                storage, "gz.txt", "content_encoding", lambda: storage.put("gz.txt", body, attributes=attributes)
            )
            return
        await storage.put("gz.txt", body, content_type="text/plain", attributes=attributes)
        assert await storage.get_bytes("gz.txt") == body
        assert b"".join([chunk async for chunk in storage.get("gz.txt")]) == body
        assert await storage.get_bytes("gz.txt", start=0, end=2) == body[:2]
        assert (await storage.info("gz.txt")).size == len(body)

    # -- overwrites, copies and moves ---------------------------------------------------------

    def _plain(self, storage: Storage) -> tuple[ObjectAttributes, ObjectAttributes, frozenset[str]]:
        # The attributes without a service default, as two different sets of values.
        names = declared_attributes(storage) & frozenset((*_HEADER_NAMES, "tags"))
        first = ObjectAttributes(**{name: getattr(self.attribute_samples, name) for name in names})
        second = ObjectAttributes(**{name: getattr(self.other_attribute_samples, name) for name in names})
        return first, second, names

    @pytest.mark.asyncio
    async def test_overwrite_replaces_the_attributes(self, storage: Storage) -> None:
        first, second, names = self._plain(storage)
        await storage.put("attributes/over.txt", b"one", attributes=first)
        await storage.put("attributes/over.txt", b"two", attributes=second)
        self._check_reported((await storage.info("attributes/over.txt")).attributes, second, names)
        await storage.put("attributes/over.txt", b"three")
        reported = (await storage.info("attributes/over.txt")).attributes
        self._check_reported(reported, NO_ATTRIBUTES, names)

    @pytest.mark.asyncio
    async def test_overwrite_false_with_attributes_keeps_the_original(self, storage: Storage) -> None:
        first, second, names = self._plain(storage)
        await storage.put("attributes/keep.txt", b"original", attributes=first)
        with pytest.raises(StorageFileExistsError):
            await storage.put("attributes/keep.txt", b"other", attributes=second, overwrite=False)
        with pytest.raises(StorageFileExistsError):
            await storage.put("attributes/keep.txt", _chunks(b"other"), attributes=second, overwrite=False)
        assert await storage.get_bytes("attributes/keep.txt") == b"original"
        self._check_reported((await storage.info("attributes/keep.txt")).attributes, first, names)
        await storage.put("attributes/new.txt", b"new", attributes=second, overwrite=False)
        self._check_reported((await storage.info("attributes/new.txt")).attributes, second, names)

    @pytest.mark.asyncio
    async def test_copy_keeps_every_attribute(self, storage: Storage) -> None:
        attributes, names = self._declared_samples(storage)
        await storage.put("attributes/source.txt", b"copied", metadata={"m": "1"}, attributes=attributes)
        copied = await storage.copy("attributes/source.txt", "attributes/copy.txt")
        self._check_reported(copied.attributes, attributes, names)
        info = await storage.info("attributes/copy.txt")
        self._check_reported(info.attributes, attributes, names)
        assert info.metadata == {"m": "1"}
        self._check_reported((await storage.info("attributes/source.txt")).attributes, attributes, names)

    @pytest.mark.asyncio
    async def test_copy_over_an_object_with_other_attributes(self, storage: Storage) -> None:
        # The destination takes the source's attributes, whole: nothing of its own is kept.
        first, second, names = self._plain(storage)
        await storage.put("attributes/from.txt", b"source", attributes=first)
        await storage.put("attributes/to.txt", b"destination", attributes=second)
        await storage.copy("attributes/from.txt", "attributes/to.txt")
        self._check_reported((await storage.info("attributes/to.txt")).attributes, first, names)
        await storage.put("attributes/bare.txt", b"no attributes")
        await storage.copy("attributes/bare.txt", "attributes/to.txt")
        self._check_reported((await storage.info("attributes/to.txt")).attributes, NO_ATTRIBUTES, names)

    @pytest.mark.asyncio
    async def test_move_keeps_every_attribute(self, storage: Storage) -> None:
        attributes, names = self._declared_samples(storage)
        await storage.put("attributes/moving.txt", b"moved", attributes=attributes)
        await storage.put("attributes/moved.txt", b"old", attributes=self._plain(storage)[1])
        moved = await storage.move("attributes/moving.txt", "attributes/moved.txt")
        self._check_reported(moved.attributes, attributes, names)
        self._check_reported((await storage.info("attributes/moved.txt")).attributes, attributes, names)
        assert not await storage.exists("attributes/moving.txt")

    @pytest.mark.asyncio
    async def test_listings_report_attributes_or_none(self, storage: Storage) -> None:
        # A listing may leave attributes out (S3, obstore); it never reports wrong ones.
        first, _, names = self._plain(storage)
        await storage.put("attributes/listed/a.txt", b"a", attributes=first)
        [listed] = [item async for item in storage.list("attributes/listed/")]
        if listed.attributes.set_names() & names:
            self._check_reported(listed.attributes, first, names, listed=True)

    # -- values refused everywhere, before any request ------------------------------------------

    @pytest.mark.asyncio
    @pytest.mark.parametrize("name", _HEADER_NAMES)
    @pytest.mark.parametrize("value", ["max-age=1\r\nSet-Cookie: a=b", "a\nb", "a\rb", "a\x00b", "a\x7fb", ""])
    async def test_header_injection_is_refused(self, storage: Storage, name: str, value: str) -> None:
        with pytest.raises(StorageValidationError):
            await storage.put("attributes/crlf.txt", b"x", attributes=_only(ObjectAttributes(), name, value))
        assert not await storage.exists("attributes/crlf.txt")

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        "tags",
        [
            {f"tag{index}": "v" for index in range(10_000)},
            {"key\r\n": "v"},
            {"k": "v\nX-Injected: 1"},
            {"": "v"},
            {"k": "x" * 100_000},
        ],
        ids=["10000-tags", "crlf-key", "lf-value", "empty-key", "huge-value"],
    )
    async def test_bad_tags_are_refused(self, storage: Storage, tags: dict[str, str]) -> None:
        with pytest.raises(StorageValidationError):
            await storage.put("attributes/tags.txt", b"x", attributes=ObjectAttributes(tags=tags))
        assert not await storage.exists("attributes/tags.txt")

    @pytest.mark.asyncio
    async def test_unicode_tags_are_stored_or_refused(self, storage: Storage) -> None:
        # Refused by the common limits (Azure's characters); a backend whose own limits
        # take them must store them unchanged.
        tags = {"projekt": "\u00fcber", "\u6587\u4ef6": "x"}
        attributes = ObjectAttributes(tags=tags)
        try:
            await storage.put("attributes/unicode.txt", b"x", attributes=attributes)
        except (StorageValidationError, ConfigurationError):
            assert not await storage.exists("attributes/unicode.txt")
            return
        self._check_reported((await storage.info("attributes/unicode.txt")).attributes, attributes, frozenset({"tags"}))

    def test_samples_are_valid(self) -> None:
        # A backend's own samples must pass the common checks (else every test above fails oddly).
        assert validate_attributes(self.attribute_samples) == self.attribute_samples
        assert validate_attributes(self.other_attribute_samples) == self.other_attribute_samples
