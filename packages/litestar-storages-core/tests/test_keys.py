import pytest

from litestar_storages.exceptions import InvalidKeyError
from litestar_storages.keys import (
    MAX_KEY_BYTES,
    join_key,
    normalize_prefix,
    strip_prefix,
    validate_key,
    validate_prefix,
)
from litestar_storages.testing.conformance import BAD_KEYS, ODD_KEYS


@pytest.mark.parametrize("key", ["a", "a/b", "a/b/c.txt", ".hidden", "a..b", "x" * MAX_KEY_BYTES, *ODD_KEYS])
def test_valid_keys_pass_unchanged(key: str) -> None:
    assert validate_key(key) == key


@pytest.mark.parametrize("key", BAD_KEYS)
def test_bad_keys_rejected(key: str) -> None:
    with pytest.raises(InvalidKeyError) as caught:
        validate_key(key)
    assert caught.value.key == key or caught.value.key is None


@pytest.mark.parametrize(
    ("key", "rule"),
    [
        ("", "empty"),
        ("/a", "relative"),
        ("a//b", "empty path segment"),
        ("a/../b", "'..'"),
        ("a\\b", "backslash"),
        ("a\x00b", "control character"),
        ("a\x7fb", "control character"),
        ("a" * 1025, "1024-byte limit"),
        ("\ud800", "surrogate"),
    ],
)
def test_message_names_key_and_rule(key: str, rule: str) -> None:
    with pytest.raises(InvalidKeyError, match=rule) as caught:
        validate_key(key)
    assert repr(key[:10])[:-1] in str(caught.value) or key == ""


@pytest.mark.parametrize("key", [None, 1, b"bytes"])
def test_non_str_keys_rejected(key: object) -> None:
    with pytest.raises(InvalidKeyError, match="must be str"):
        validate_key(key)  # type: ignore[arg-type]


def test_multibyte_length_counted_in_utf8_bytes() -> None:
    assert validate_key("é" * 512) == "é" * 512
    with pytest.raises(InvalidKeyError):
        validate_key("é" * 513)


@pytest.mark.parametrize("prefix", ["", "a", "a/", "a/b", "photos/ca", "a/b/"])
def test_valid_prefixes(prefix: str) -> None:
    assert validate_prefix(prefix) == prefix


@pytest.mark.parametrize("prefix", ["/a", "a//b", "../a", "a/../", "./a", "a\\b", "a\nb"])
def test_bad_prefixes(prefix: str) -> None:
    with pytest.raises(InvalidKeyError):
        validate_prefix(prefix)


@pytest.mark.parametrize(
    ("raw", "normalized"), [("", ""), ("/", ""), ("uploads", "uploads/"), ("/uploads/", "uploads/"), ("a/b", "a/b/")]
)
def test_normalize_prefix(raw: str, normalized: str) -> None:
    assert normalize_prefix(raw) == normalized


def test_normalize_prefix_rejects_traversal() -> None:
    with pytest.raises(InvalidKeyError):
        normalize_prefix("a/../b")


def test_join_and_strip_are_inverse() -> None:
    prefix = normalize_prefix("tenant-1")
    name = join_key(prefix, "photos/cat.jpg")
    assert name == "tenant-1/photos/cat.jpg"
    assert strip_prefix(prefix, name) == "photos/cat.jpg"
    assert strip_prefix("", "x/y") == "x/y"
