import pytest

from litestar_storages.content import DEFAULT_CONTENT_TYPE, guess_content_type, resolve_content_type, validate_metadata
from litestar_storages.exceptions import InvalidMetadataError


@pytest.mark.parametrize(
    ("key", "expected"),
    [("a.png", "image/png"), ("dir/b.txt", "text/plain"), ("c", DEFAULT_CONTENT_TYPE), ("d.zzz", DEFAULT_CONTENT_TYPE)],
)
def test_guess_content_type(key: str, expected: str) -> None:
    assert guess_content_type(key) == expected


def test_given_content_type_wins() -> None:
    assert resolve_content_type("a.png", "application/x-custom") == "application/x-custom"
    assert resolve_content_type("a.png", None) == "image/png"


def test_content_type_with_newline_rejected() -> None:
    with pytest.raises(InvalidMetadataError):
        resolve_content_type("a.png", "image/png\r\nSet-Cookie: x")


def test_metadata_is_copied_and_lowercased() -> None:
    original = {"Author": "Ada", "x-id": "1"}
    checked = validate_metadata(original)
    assert checked == {"author": "Ada", "x-id": "1"}
    assert checked is not original


def test_metadata_none_is_empty() -> None:
    assert validate_metadata(None) == {}


@pytest.mark.parametrize(
    "metadata",
    [
        {"a": "b\nc"},
        {"a": "b\rc"},
        {"a": "b\x00"},
        {"a": "lone \ud800 surrogate"},
        {"bad name": "x"},
        {"nämé": "x"},
        {"": "x"},
        {"a:b": "x"},
        {"A": "1", "a": "2"},
        {"a": 1},
        {1: "a"},
    ],
)
def test_bad_metadata(metadata: dict[object, object]) -> None:
    with pytest.raises(InvalidMetadataError):
        validate_metadata(metadata)  # type: ignore[arg-type]


def test_metadata_must_be_a_mapping() -> None:
    with pytest.raises(InvalidMetadataError):
        validate_metadata([("a", "b")])  # type: ignore[arg-type]


def test_unicode_values_allowed() -> None:
    assert validate_metadata({"title": "Zoë's café ☕"}) == {"title": "Zoë's café ☕"}
