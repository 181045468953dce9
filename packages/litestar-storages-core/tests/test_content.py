import pytest

from litestar_storages.content import (
    DEFAULT_CONTENT_TYPE,
    MAX_METADATA_BYTES,
    MAX_METADATA_ITEMS,
    guess_content_type,
    metadata_size,
    resolve_content_type,
    validate_content_type,
    validate_metadata,
)
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


def test_empty_content_type_refused_not_guessed() -> None:
    # It used to be replaced by the guess from the key, silently.
    with pytest.raises(InvalidMetadataError, match="media type"):
        resolve_content_type("a.png", "")


def test_content_type_error_names_the_key() -> None:
    with pytest.raises(InvalidMetadataError) as caught:
        resolve_content_type("a.txt", "text/é")
    assert caught.value.key == "a.txt"


def test_content_type_must_be_str() -> None:
    with pytest.raises(InvalidMetadataError, match="must be str"):
        validate_content_type(b"text/plain")  # type: ignore[call-overload]


def test_validate_content_type_passes_none_and_keeps_the_case() -> None:
    assert validate_content_type(None) is None
    assert validate_content_type("Text/HTML; Charset=UTF-8") == "Text/HTML; Charset=UTF-8"


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
        {"a": "tab\there"},
        {"a": "next line \x85"},
        {"a": "csi \x9b"},
        {"a": "line\u2028separator"},
        {"a": "paragraph\u2029separator"},
        {"a": "del\x7f"},
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


def test_unicode_format_characters_allowed() -> None:
    # Zero-width joiner (emoji sequences), ZWNJ (Persian), BOM, soft hyphen: not line breaks.
    value = "👩\u200d💻 \u200c \ufeff \u00ad"
    assert validate_metadata({"a": value}) == {"a": value}


def test_metadata_at_the_byte_limit_accepted() -> None:
    # Names count too, in UTF-8 bytes like the values: 2 + 2 * 1023 = 2048.
    metadata = {"ab": "é" * 1023}
    assert metadata_size(metadata) == MAX_METADATA_BYTES
    assert validate_metadata(metadata) == metadata


def test_metadata_one_byte_over_refused_with_the_figures() -> None:
    with pytest.raises(InvalidMetadataError) as caught:
        validate_metadata({"ab": "é" * 1023 + "x"}, key="k")
    assert "2049 bytes" in str(caught.value)
    assert str(MAX_METADATA_BYTES) in str(caught.value)
    assert caught.value.key == "k"


def test_metadata_size_is_measured_on_lowercased_names() -> None:
    assert metadata_size({"abc": "xyz", "d": ""}) == 7
    assert validate_metadata({"A" * 2000: "x" * 48}) == {"a" * 2000: "x" * 48}


def test_metadata_pair_count_limit() -> None:
    at_limit = {f"m{i}": "v" for i in range(MAX_METADATA_ITEMS)}
    assert validate_metadata(at_limit) == at_limit
    with pytest.raises(InvalidMetadataError, match=f"{MAX_METADATA_ITEMS + 1} pairs"):
        validate_metadata({**at_limit, "one-more": "v"})
