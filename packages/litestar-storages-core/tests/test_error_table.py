"""The shared error table: statuses, codes, types and fallback decide one storage error."""

from __future__ import annotations

import pytest

from litestar_storages.driver_errors import BrokenTransfer, DriverError, RefusedArgument
from litestar_storages.error_table import STATUS_ERRORS, Answer, ErrorTable, Misconfigured, status_error
from litestar_storages.exceptions import (
    ConfigurationError,
    InvalidRangeError,
    StorageConnectionError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StoragePermissionError,
    StorageValidationError,
)
from litestar_storages.retry import RetryConfig


class ServiceError(Exception):
    """An SDK's error answer."""

    def __init__(self, status: int | None, code: str = "", message: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.text = status, code, message


class TypedMissing(ServiceError):
    """An SDK type that already says "not found", with or without a status."""


class Socket(Exception):
    """A transport error without an answer."""


class Unknown(Exception):
    """An owned error the table does not know."""


def read(error: Exception) -> Answer | None:
    return Answer(error.status, error.code, error.text) if isinstance(error, ServiceError) else None


def words(error: Exception, answer: Answer | None) -> type[StorageError] | None:
    return StorageConnectionError if "timed out" in str(error) else None


TABLE = ErrorTable(
    "TestStorage",
    read=read,
    codes={
        "SlowDown": StorageConnectionError,
        "NoSuchBucket": Misconfigured("bucket", "create it"),
        "Gone": StorageError,
    },
    types={TypedMissing: StorageFileNotFoundError, Socket: StorageConnectionError},
    fallback=words,
)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (401, StoragePermissionError),
        (403, StoragePermissionError),
        (404, StorageFileNotFoundError),
        (408, StorageConnectionError),
        (412, StorageFileExistsError),
        (416, InvalidRangeError),
        (429, StorageConnectionError),
        (500, StorageConnectionError),
        (503, StorageConnectionError),
        (599, StorageConnectionError),
        (400, StorageError),
        (409, StorageError),
    ],
)
def test_statuses_mean_the_same_on_every_service(status: int, expected: type[StorageError]) -> None:
    error = TABLE.translate(ServiceError(status, "", "m"), "k.txt")
    assert type(error) is expected
    assert error is not None
    assert error.key == "k.txt"


def test_status_error_covers_the_table_and_every_5xx() -> None:
    assert all(status_error(status) is kind for status, kind in STATUS_ERRORS.items())
    assert status_error(None) is None
    assert status_error(400) is None
    assert status_error(502) is StorageConnectionError


def test_retryability_follows_the_class() -> None:
    policy = RetryConfig()
    assert policy.should_retry(TABLE.translate(ServiceError(503), "k"))  # type: ignore[arg-type]
    assert policy.should_retry(TABLE.translate(ServiceError(403, "SlowDown"), "k"))  # type: ignore[arg-type]
    assert not policy.should_retry(TABLE.translate(ServiceError(404), "k"))  # type: ignore[arg-type]
    assert not policy.should_retry(TABLE.translate(ServiceError(400, "Gone"), "k"))  # type: ignore[arg-type]


def test_a_known_code_wins_over_the_status() -> None:
    assert type(TABLE.translate(ServiceError(403, "SlowDown"), None)) is StorageConnectionError
    assert type(TABLE.translate(ServiceError(404, "Gone"), "k")) is StorageError
    misconfigured = TABLE.translate(ServiceError(404, "NoSuchBucket", "The bucket does not exist"), "k")
    assert isinstance(misconfigured, ConfigurationError)
    assert misconfigured.field == "bucket"
    assert misconfigured.key == "k"
    assert "NoSuchBucket" in str(misconfigured)
    assert str(misconfigured).endswith(": create it")


def test_an_unknown_code_falls_back_to_the_status() -> None:
    assert type(TABLE.translate(ServiceError(404, "Whatever"), "k")) is StorageFileNotFoundError
    assert type(TABLE.translate(ServiceError(502, "Whatever"), "k")) is StorageConnectionError
    assert type(TABLE.translate(ServiceError(None, "Whatever"), "k")) is StorageError


def test_a_type_with_a_meaning_wins_over_the_status_and_needs_none() -> None:
    assert type(TABLE.translate(TypedMissing(None), "k")) is StorageFileNotFoundError
    assert type(TABLE.translate(TypedMissing(500), "k")) is StorageFileNotFoundError
    socket = TABLE.translate(Socket("reset by peer"), "k")
    assert type(socket) is StorageConnectionError
    assert "Socket: reset by peer" in str(socket)


def test_the_fallback_is_asked_last_and_may_not_know() -> None:
    assert type(TABLE.translate(Unknown("read timed out"), "k")) is StorageConnectionError
    assert TABLE.translate(Unknown("odd"), "k") is None
    assert TABLE.outcome(ServiceError(None, "", "words only")) is None  # an answer without status or code


def test_messages_name_backend_key_and_answer_but_keyed_errors_keep_their_0_2_text() -> None:
    denied = TABLE.translate(ServiceError(403, "AccessDenied", "Access Denied"), "a/b.txt")
    assert str(denied) == "TestStorage: access denied for 'a/b.txt' (403 AccessDenied: Access Denied)"
    failed = TABLE.translate(ServiceError(400), None)
    assert str(failed) == "TestStorage: request failed (400)"
    assert str(TABLE.translate(ServiceError(404, "NoSuchKey", "m"), "a.txt")) == "File not found: a.txt"
    assert str(TABLE.translate(ServiceError(412), "a.txt")) == "File already exists: a.txt"
    validation = TABLE.build(StorageValidationError, "k", "EntityTooSmall")
    assert str(validation) == "TestStorage: the request was refused for 'k' (EntityTooSmall)"


def test_the_mapper_translates_owned_types_only() -> None:
    mapper = TABLE.mapper((ServiceError, Socket, Unknown))
    assert mapper.backend == "TestStorage"
    with pytest.raises(StorageFileNotFoundError) as caught, mapper.guard("k"):
        raise ServiceError(404)
    assert isinstance(caught.value.__cause__, ServiceError)
    with pytest.raises(StorageError, match="TestStorage: unexpected Unknown") as plain, mapper.guard("k"):
        raise Unknown("odd")
    assert type(plain.value) is StorageError
    with pytest.raises(KeyError), mapper.guard("k"):
        raise KeyError("a bug")


def test_a_half_built_exception_still_translates() -> None:
    broken = Socket.__new__(Socket)
    broken.args = (object(),)

    class Unprintable(Socket):
        def __str__(self) -> str:
            raise RuntimeError

    unprintable = str(TABLE.translate(Unprintable(), None))
    assert unprintable == "TestStorage: the service could not be reached, failed or throttled (Unprintable)"
    assert isinstance(TABLE.translate(broken, None), StorageConnectionError)


@pytest.mark.parametrize(
    ("finding", "expected"),
    [
        (DriverError("the answer had no size"), StorageError),
        (BrokenTransfer("stalled"), StorageConnectionError),
        (RefusedArgument("no such class"), StorageValidationError),
    ],
)
def test_every_table_and_mapper_knows_the_drivers_own_findings(
    finding: DriverError, expected: type[StorageError]
) -> None:
    mapper = TABLE.mapper((ServiceError,))  # the findings need no entry and no owned type
    with pytest.raises(expected) as caught, mapper.guard("k"):
        raise finding
    assert type(caught.value) is expected
    assert caught.value.key == "k"
    assert str(finding) in str(caught.value)
    assert caught.value.__cause__ is finding
    assert ErrorTable("Bare").translate(finding, None).__class__ is expected


def test_a_table_entry_still_wins_over_a_findings_own_outcome() -> None:
    table = ErrorTable("T", types={BrokenTransfer: StorageValidationError})
    assert isinstance(table.translate(BrokenTransfer("x"), None), StorageValidationError)


def test_a_findings_message_is_its_words() -> None:
    error = TABLE.translate(RefusedArgument("acl 'x' is not a predefined ACL"), "k")
    assert str(error) == "TestStorage: the request was refused for 'k' (acl 'x' is not a predefined ACL)"


async def test_absent_answers_none_for_its_status_only() -> None:
    async def answer(error: Exception | None) -> str:
        if error is not None:
            raise error
        return "found"

    assert await TABLE.absent(answer(None)) == "found"
    assert await TABLE.absent(answer(ServiceError(404))) is None
    assert await TABLE.absent(answer(ServiceError(416)), 416) is None
    with pytest.raises(ServiceError):
        await TABLE.absent(answer(ServiceError(403)))
    with pytest.raises(Socket):  # no answer to read: not a "missing"
        await TABLE.absent(answer(Socket()))


def test_meaning_gives_one_status_a_call_sites_own_outcome() -> None:
    bucket = Misconfigured("bucket", "create it")
    with pytest.raises(ConfigurationError, match="configured bucket was refused") as caught, TABLE.meaning(404, bucket):
        raise ServiceError(404, "notFound", "gone")
    assert caught.value.field == "bucket"
    assert "create it" in str(caught.value)
    assert isinstance(caught.value.__cause__, ServiceError)
    with pytest.raises(ServiceError), TABLE.meaning(404, Misconfigured("bucket")):
        raise ServiceError(403)
    with pytest.raises(Socket), TABLE.meaning(404, Misconfigured("bucket")):
        raise Socket()
