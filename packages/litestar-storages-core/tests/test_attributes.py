"""Object attributes in the engine: values checked once, undeclared ones refused, every write path passing them.

``RecordingDriver`` declares the attributes it is built with and records what each write
primitive received, so each test can tell that the engine checked the attributes before
any request and handed the same checked value to whichever path the write took.
"""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime, timezone

import pytest

from litestar_storages import NO_ATTRIBUTES, ConfigurationError, Encryption, ObjectAttributes, StoredFile
from litestar_storages.attribute_rules import COMMON_TAG_LIMITS, MAX_HEADER_VALUE_LENGTH, TagLimits
from litestar_storages.attributes import ATTRIBUTE_NAMES, attributes_from_dict, attributes_to_dict
from litestar_storages.backends.memory import MemoryStorage
from litestar_storages.engine import DriverStorage, ListPage, RangeBody, SupportsAttributes
from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import StorageError, StorageValidationError
from litestar_storages.types import MultipartUpload

PART = 64 * 1024


def _not_translated(error: Exception, key: str | None) -> StorageError | None:
    return None


class PlainDriver:
    """Objects in a dict; each write primitive records ``(primitive, attributes)``; no attributes declared."""

    name = "RecordingDriver"
    retry = None
    errors = ErrorMapper(_not_translated, backend="RecordingDriver", owns=())
    part_size = PART
    max_concurrency = 2
    max_part_size = 4 * PART
    max_parts = 100

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, ObjectAttributes]] = {}
        self.received: list[tuple[str, ObjectAttributes]] = []
        self.uploads: dict[str, dict[int, bytes]] = {}

    def _file(self, name: str) -> StoredFile:
        data, attributes = self.objects[name]
        return StoredFile(name, len(data), "application/octet-stream", "e", datetime.now(timezone.utc), {}, attributes)

    async def head(self, name: str) -> StoredFile | None:
        return self._file(name) if name in self.objects else None

    async def open_range(self, name: str, start: int, end: int | None) -> RangeBody:
        data = self.objects[name][0]
        stop = len(data) if end is None else min(end, len(data))

        async def chunks() -> AsyncIterator[bytes]:
            yield data[start:stop]

        return RangeBody(self._file(name), start, stop, chunks())

    async def write(
        self,
        name: str,
        body: bytes | bytearray | memoryview,
        *,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> StoredFile:
        self.received.append(("write", attributes))
        self.objects[name] = (bytes(body), attributes)
        return self._file(name)

    async def delete(self, name: str, *, check: bool) -> bool:
        return self.objects.pop(name, None) is not None

    async def list_page(self, prefix: str, token: str | None, page_size: int) -> ListPage:
        return ListPage([self._file(name) for name in sorted(self.objects) if name.startswith(prefix)], None)

    async def copy(self, source: str, destination: str) -> StoredFile:
        self.objects[destination] = self.objects[source]
        return self._file(destination)

    async def close(self) -> None:
        return

    async def begin_parts(
        self, name: str, *, content_type: str, metadata: Mapping[str, str], attributes: ObjectAttributes = NO_ATTRIBUTES
    ) -> str:
        self.received.append(("begin_parts", attributes))
        upload_id = uuid.uuid4().hex
        self.uploads[upload_id] = {}
        return upload_id

    async def put_part(self, name: str, upload_id: str, number: int, body: bytes | bytearray | memoryview) -> str:
        self.uploads[upload_id][number] = bytes(body)
        return str(number)

    async def commit_parts(
        self,
        name: str,
        upload_id: str,
        parts: Sequence[tuple[int, str]],
        *,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> StoredFile:
        self.received.append(("commit_parts", attributes))
        staged = self.uploads.pop(upload_id)
        self.objects[name] = (b"".join(staged[number] for number, _ in parts), attributes)
        return self._file(name)

    async def abort_parts(self, name: str, upload_id: str) -> None:
        self.uploads.pop(upload_id, None)


class RecordingDriver(PlainDriver):
    """The same, declaring the attributes it is built with."""

    def __init__(self, names: frozenset[str] = ATTRIBUTE_NAMES) -> None:
        super().__init__()
        self._names = names

    @property
    def attribute_names(self) -> frozenset[str]:
        return self._names


FULL = ObjectAttributes(
    cache_control="public, max-age=3600",
    content_disposition='attachment; filename="report.pdf"',
    content_encoding="gzip",
    content_language="de-CH",
    storage_class="STANDARD_IA",
    encryption=Encryption.kms("arn:aws:kms:eu-west-1:111122223333:key/1234abcd"),
    acl="public-read",
    tags={"project": "alpha", "team": "data-eng"},
)


def test_the_driver_is_seen_as_supporting_attributes() -> None:
    assert isinstance(RecordingDriver(), SupportsAttributes)


def test_set_names_names_the_fields_that_are_set() -> None:
    assert NO_ATTRIBUTES.set_names() == frozenset()
    assert ObjectAttributes(tags={}).set_names() == frozenset()
    assert ObjectAttributes(cache_control="no-cache", tags={"a": "b"}).set_names() == {"cache_control", "tags"}
    assert FULL.set_names() == ATTRIBUTE_NAMES


def test_encryption_constructors() -> None:
    assert Encryption.managed() == Encryption("managed", None)
    assert Encryption.kms("key-1") == Encryption("kms", "key-1")
    assert Encryption.scope("scope-1") == Encryption("scope", "scope-1")


def test_stored_file_keeps_its_positional_0_2_shape() -> None:
    stored = StoredFile("a", 1, "text/plain", "e", None, {"k": "v"})
    assert stored.attributes is NO_ATTRIBUTES


async def test_put_hands_the_checked_attributes_to_write() -> None:
    driver = RecordingDriver()
    storage = DriverStorage(driver)
    stored = await storage.put("a.txt", b"data", attributes=FULL)
    assert driver.received == [("write", FULL)]
    assert stored.attributes == FULL
    assert (await storage.info("a.txt")).attributes == FULL


async def test_tags_are_copied_so_a_later_change_of_the_callers_dict_changes_nothing() -> None:
    driver = RecordingDriver()
    storage = DriverStorage(driver)
    tags = {"a": "1"}
    await storage.put("a.txt", b"data", attributes=ObjectAttributes(tags=tags))
    tags["b"] = "2"
    assert dict((await storage.info("a.txt")).attributes.tags) == {"a": "1"}


async def test_a_put_in_parts_hands_them_to_begin_and_commit() -> None:
    driver = RecordingDriver()
    storage = DriverStorage(driver)
    await storage.put("big.bin", b"x" * (3 * PART), attributes=FULL)
    assert [primitive for primitive, _ in driver.received] == ["begin_parts", "commit_parts"]
    assert all(attributes == FULL for _, attributes in driver.received)


async def test_the_manual_multipart_api_carries_them_to_the_commit() -> None:
    driver = RecordingDriver()
    storage = DriverStorage(driver)
    upload = await storage.start_multipart_upload("m.bin", attributes=FULL)
    assert upload.attributes == FULL
    # Saved and rebuilt from another process: the state carries the attributes.
    resumed = MultipartUpload(
        upload.upload_id,
        upload.key,
        part_size=upload.part_size,
        content_type=upload.content_type,
        attributes=upload.attributes,
    )
    await storage.upload_part(resumed, 1, b"part")
    stored = await storage.complete_multipart_upload(resumed)
    assert stored.attributes == FULL
    assert [primitive for primitive, _ in driver.received] == ["begin_parts", "commit_parts"]


async def test_put_large_passes_them() -> None:
    driver = RecordingDriver()
    storage = DriverStorage(driver)
    stored = await storage.put_large("l.bin", b"y" * 10, attributes=ObjectAttributes(cache_control="no-store"))
    assert stored.attributes.cache_control == "no-store"


async def test_no_attributes_sends_the_shared_empty_value() -> None:
    driver = RecordingDriver()
    await DriverStorage(driver).put("a.txt", b"data")
    assert driver.received == [("write", NO_ATTRIBUTES)]
    assert driver.received[0][1] is NO_ATTRIBUTES


@pytest.mark.parametrize("name", sorted(ATTRIBUTE_NAMES))
async def test_an_undeclared_attribute_is_refused_before_any_request(name: str) -> None:
    driver = RecordingDriver(names=ATTRIBUTE_NAMES - {name})
    storage = DriverStorage(driver)
    attributes = ObjectAttributes(**{name: getattr(FULL, name)})
    for write in (
        lambda: storage.put("a.txt", b"data", attributes=attributes),
        lambda: storage.put("a.txt", b"x" * (3 * PART), attributes=attributes),
        lambda: storage.put_large("a.txt", b"data", attributes=attributes),
        lambda: storage.start_multipart_upload("a.txt", attributes=attributes),
    ):
        with pytest.raises(ConfigurationError) as caught:
            await write()
        assert "RecordingDriver" in str(caught.value)
        assert repr(name) in str(caught.value)
        assert caught.value.key == "a.txt"
    assert driver.received == []
    assert driver.objects == {}


async def test_a_driver_without_the_ability_supports_none() -> None:
    driver = PlainDriver()
    assert not isinstance(driver, SupportsAttributes)
    storage = DriverStorage(driver)
    assert storage.attribute_names == frozenset()
    with pytest.raises(ConfigurationError, match=r"RecordingDriver cannot store the attribute 'cache_control'"):
        await storage.put("a.txt", b"data", attributes=ObjectAttributes(cache_control="no-cache"))
    assert driver.objects == {}
    # Empty attributes are no attributes: accepted everywhere.
    await storage.put("a.txt", b"data", attributes=ObjectAttributes())
    assert driver.received == [("write", NO_ATTRIBUTES)]


async def test_memory_refuses_what_it_cannot_keep() -> None:
    storage = MemoryStorage()
    assert storage.attribute_names == {
        "cache_control",
        "content_disposition",
        "content_encoding",
        "content_language",
        "tags",
    }
    for attributes in (
        ObjectAttributes(acl="private"),
        ObjectAttributes(storage_class="STANDARD_IA"),
        ObjectAttributes(encryption=Encryption.managed()),
    ):
        with pytest.raises(ConfigurationError, match=r"MemoryStorage cannot store the attribute"):
            await storage.put("a.txt", b"data", attributes=attributes)
    assert not await storage.exists("a.txt")


async def test_memory_hands_out_copies_of_its_tags() -> None:
    storage = MemoryStorage()
    stored = await storage.put("a.txt", b"data", attributes=ObjectAttributes(tags={"a": "1"}))
    stored.attributes.tags["b"] = "2"  # type: ignore[index] # a caller changing what it was handed
    info = await storage.info("a.txt")
    info.attributes.tags["c"] = "3"  # type: ignore[index]
    assert dict((await storage.info("a.txt")).attributes.tags) == {"a": "1"}


def test_attributes_survive_json() -> None:
    document = attributes_to_dict(FULL)
    assert json.loads(json.dumps(document)) == document
    assert attributes_from_dict(document) == FULL
    assert attributes_to_dict(NO_ATTRIBUTES) == {}
    assert attributes_from_dict({}) is NO_ATTRIBUTES
    assert attributes_from_dict({"later_field": "x"}) is NO_ATTRIBUTES  # written by a later version


@pytest.mark.parametrize(
    "document",
    [
        None,
        [],
        {"cache_control": 1},
        {"encryption": "AES256"},
        {"encryption": {"mode": "customer"}},
        {"encryption": {"mode": "kms", "key": 1}},
        {"tags": ["a"]},
        {"tags": {"a": 1}},
    ],
)
def test_malformed_json_attributes_are_refused(document: object) -> None:
    assert attributes_from_dict(document) is None


@pytest.mark.parametrize(
    "value",
    [
        "max-age=60\r\nSet-Cookie: a=b",
        "max-age=60\nX: y",
        "max-age=60\r",
        "a\x00b",
        "a\tb",
        "a\x7fb",
        "a\x85b",
        "a\u2028b",
        "",
        " leading",
        "trailing ",
        "caf\u00e9",
        "x" * (MAX_HEADER_VALUE_LENGTH + 1),
    ],
)
@pytest.mark.parametrize("field", ["cache_control", "content_disposition", "content_encoding", "content_language"])
async def test_header_values_with_control_characters_are_refused(field: str, value: str) -> None:
    driver = RecordingDriver()
    storage = DriverStorage(driver)
    with pytest.raises(StorageValidationError, match=field) as caught:
        await storage.put("a.txt", b"data", attributes=ObjectAttributes(**{field: value}))  # type: ignore[arg-type]
    assert caught.value.key == "a.txt"
    assert driver.objects == {}


async def test_the_longest_header_value_is_accepted() -> None:
    driver = RecordingDriver()
    value = "x" * MAX_HEADER_VALUE_LENGTH
    stored = await DriverStorage(driver).put("a.txt", b"", attributes=ObjectAttributes(cache_control=value))
    assert stored.attributes.cache_control == value


@pytest.mark.parametrize(
    "attributes",
    [
        ObjectAttributes(storage_class=""),
        ObjectAttributes(storage_class="STANDARD IA"),
        ObjectAttributes(storage_class="COLD\n"),
        ObjectAttributes(acl="public read"),
        ObjectAttributes(acl=3),  # type: ignore[arg-type]
        ObjectAttributes(encryption=Encryption.kms("")),
        ObjectAttributes(encryption=Encryption.kms("key\r\nx")),
        ObjectAttributes(encryption=Encryption.scope(" ")),
        ObjectAttributes(encryption=Encryption("managed", "key")),
        ObjectAttributes(encryption=Encryption("customer", "key")),  # type: ignore[arg-type]
        ObjectAttributes(encryption="AES256"),  # type: ignore[arg-type]
        ObjectAttributes(cache_control=b"no-cache"),  # type: ignore[arg-type]
    ],
)
async def test_invalid_values_are_refused(attributes: ObjectAttributes) -> None:
    driver = RecordingDriver()
    with pytest.raises(StorageValidationError):
        await DriverStorage(driver).put("a.txt", b"data", attributes=attributes)
    assert driver.objects == {}


async def test_attributes_must_be_object_attributes() -> None:
    with pytest.raises(StorageValidationError, match="ObjectAttributes"):
        await DriverStorage(RecordingDriver()).put("a", b"", attributes={"cache_control": "x"})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "tags",
    [
        {f"k{index}": "v" for index in range(11)},
        {f"k{index}": "v" for index in range(100_000)},
        {"": "v"},
        {"k": ""},
        {"k" * 129: "v"},
        {"k": "v" * 257},
        {"k\r\n": "v"},
        {"k": "v\x00"},
        {"caf\u00e9": "v"},
        {"k": "\u65e5\u672c"},
        {"k": "a@b"},
        {1: "v"},
        {"k": 1},
        "k=v",
    ],
    ids=lambda tags: repr(tags)[:40],
)
async def test_tags_beyond_the_common_limits_are_refused(tags: object) -> None:
    driver = RecordingDriver()
    with pytest.raises(StorageValidationError):
        await DriverStorage(driver).put("a.txt", b"data", attributes=ObjectAttributes(tags=tags))  # type: ignore[arg-type]
    assert driver.objects == {}


async def test_tags_at_the_common_limits_are_accepted() -> None:
    tags = {f"{index}" + "k" * 127: "v" * 256 for index in range(10)}
    tags["0" + "k" * 127] = "a-z A-Z 0-9 + - . / : = _"
    stored = await DriverStorage(RecordingDriver()).put("a", b"", attributes=ObjectAttributes(tags=tags))
    assert dict(stored.attributes.tags) == tags


class UnicodeTagsDriver(RecordingDriver):
    """A driver declaring looser tag limits of its own."""

    tag_limits = dataclasses.replace(COMMON_TAG_LIMITS, characters=re.compile(r"[^\x00-\x1f\x7f]+"), description="text")


async def test_a_driver_may_declare_its_own_tag_limits() -> None:
    assert isinstance(UnicodeTagsDriver.tag_limits, TagLimits)
    storage = DriverStorage(UnicodeTagsDriver())
    stored = await storage.put("a", b"", attributes=ObjectAttributes(tags={"caf\u00e9": "\u65e5\u672c"}))
    assert dict(stored.attributes.tags) == {"caf\u00e9": "\u65e5\u672c"}
    with pytest.raises(StorageValidationError):
        await storage.put("a", b"", attributes=ObjectAttributes(tags={"k": "v\n"}))


async def test_a_refused_attribute_reads_no_byte_of_the_input() -> None:
    started: list[bool] = []

    async def body() -> AsyncIterator[bytes]:
        started.append(True)
        yield b"x" * (3 * PART)

    driver = RecordingDriver(names=frozenset({"cache_control"}))
    with pytest.raises(ConfigurationError, match="'tags'"):
        await DriverStorage(driver).put("a.bin", body(), attributes=ObjectAttributes(tags={"a": "b"}))
    with pytest.raises(StorageValidationError):
        await DriverStorage(driver).put("a.bin", body(), attributes=ObjectAttributes(cache_control="a\r\nb"))
    assert started == []
    assert driver.received == []


def test_attributes_are_hashable_despite_their_tags() -> None:
    # Litestar's OpenAPI schema of StoredFile hashes the field's default (NO_ATTRIBUTES).
    same = ObjectAttributes(cache_control="a", tags={"x": "1", "y": "2"})
    assert hash(same) == hash(ObjectAttributes(cache_control="a", tags={"y": "2", "x": "1"}))
    assert NO_ATTRIBUTES in {NO_ATTRIBUTES, FULL}
    assert len({same, ObjectAttributes(cache_control="a", tags={"x": "1", "y": "2"})}) == 1


def test_service_names_are_refused_by_name() -> None:
    from litestar_storages.attribute_rules import check_service_names
    from litestar_storages.driver_errors import RefusedArgument

    classes, acls = {"STANDARD", "COLD"}, {"private"}
    check_service_names(ObjectAttributes(storage_class="COLD", acl="private"), backend="X", storage_classes=classes)
    check_service_names(ObjectAttributes(storage_class="ANY", acl="any"), backend="X")  # no lists: any name
    with pytest.raises(RefusedArgument, match="storage_class 'HOT' is not a storage class of X: COLD, STANDARD"):
        check_service_names(ObjectAttributes(storage_class="HOT"), backend="X", storage_classes=classes)
    with pytest.raises(RefusedArgument, match="acl 'public' is not a predefined ACL of X: private"):
        check_service_names(ObjectAttributes(acl="public"), backend="X", acls=acls)
    scoped = ObjectAttributes(encryption=Encryption.scope("s"))
    check_service_names(scoped, backend="X")
    with pytest.raises(ConfigurationError, match=r"X cannot store the attribute 'encryption' in mode") as caught:
        check_service_names(scoped, backend="X", encryption_modes=("managed", "kms"))
    assert caught.value.field == "encryption"
    assert "Encryption.kms(key) or Encryption.managed()" in str(caught.value)
