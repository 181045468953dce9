"""Public base URLs: the one check of the setting and the one way to join a name to it."""

import pytest

from litestar_storages.exceptions import ConfigurationError
from litestar_storages.public_urls import check_base_url, public_url


@pytest.mark.parametrize("value", [None, "http://cdn", "https://cdn.example.com/media/"])
def test_accepted_base_urls(value: object) -> None:
    check_base_url(value, setting="S3Config.public_base_url")


@pytest.mark.parametrize("value", ["", "cdn.example.com", "ftp://cdn", "https://", "http://", b"https://x", 3])
def test_refused_base_urls_name_the_setting(value: object) -> None:
    with pytest.raises(ConfigurationError, match=r"S3Config\.public_base_url must be an http\(s\) URL") as caught:
        check_base_url(value, setting="S3Config.public_base_url")
    assert caught.value.field == "public_base_url"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a/b.txt", "https://cdn/a/b.txt"),
        ("dir/r\u00e9sum\u00e9 final.pdf", "https://cdn/dir/r%C3%A9sum%C3%A9%20final.pdf"),
        ("q?x#y%z~_.-", "https://cdn/q%3Fx%23y%25z~_.-"),
    ],
)
def test_names_are_joined_percent_encoded(name: str, expected: str) -> None:
    assert public_url("https://cdn/", name) == expected
    assert public_url("https://cdn", name) == expected
