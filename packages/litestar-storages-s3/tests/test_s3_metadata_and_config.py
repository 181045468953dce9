"""Metadata encoding for ASCII-only headers, configuration checks, client settings."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from s3_helpers import MIB, make_config

import litestar_storages
from litestar_storages.backends import s3 as s3_package
from litestar_storages.backends.s3 import S3Config, S3Storage
from litestar_storages.backends.s3.context import client_config
from litestar_storages.exceptions import ConfigurationError, StorageValidationError
from litestar_storages.header_metadata import decode_header_value as decode_value
from litestar_storages.header_metadata import encode_header_value as encode_value
from litestar_storages.retry import RetryConfig
from litestar_storages.testing.emulators.moto import MotoServer

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

# Any text (validate_metadata lets through less: no Cc, Zl, Zp; the encoding takes all).
header_safe_text = st.text(st.characters(blacklist_categories=["Cc", "Cs"]) | st.just("\t"))


@given(header_safe_text)
def test_encoded_values_are_ascii_and_round_trip(value: str) -> None:
    encoded = encode_value(value)
    assert encoded.isascii()
    assert encoded == encoded.strip()
    assert all(0x20 <= ord(char) < 0x7F for char in encoded)
    assert decode_value(encoded) == value


@pytest.mark.parametrize("value", ["plain", "a=b; c", "x-trace-id:abc", "100%"])
def test_plain_ascii_is_sent_unchanged(value: str) -> None:
    assert encode_value(value) == value


def test_s3_style_encoded_words_are_decoded() -> None:
    # What AWS returns for a non-ASCII value it stored: one or more RFC 2047 words.
    assert decode_value("=?UTF-8?B?w7xuw69jw7Zkw6k=?=") == "ünïcödé"
    assert decode_value("=?UTF-8?Q?caf=C3=A9?= =?UTF-8?Q?_cr=C3=A8me?=") == "café crème"
    assert decode_value("=?bogus-charset?B?AAAA?=") == "=?bogus-charset?B?AAAA?="


@pytest.mark.parametrize(
    "value",
    ["ünïcödé", "emoji 😀", "  padded  ", "", "double  spaces", "=?UTF-8?B?w7w=?=", "looks =? encoded ?="],
)
async def test_metadata_values_round_trip_through_s3(
    storage: S3Storage, bucket: str, raw_client: S3Client, value: str
) -> None:
    await storage.put("meta.bin", b"x", metadata={"Note": value})
    assert (await storage.info("meta.bin")).metadata == {"note": value}
    raw = await raw_client.head_object(Bucket=bucket, Key="meta.bin")
    assert raw["Metadata"]["note"].isascii()
    copied = await storage.copy("meta.bin", "copy.bin")
    assert copied.metadata == {"note": value}
    assert (await storage.info("copy.bin")).metadata == {"note": value}


# -- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"bucket": ""}, "bucket"),
        ({"bucket": "with/slash"}, "bucket"),
        ({"region": ""}, "region"),
        ({"endpoint_url": "localhost:9000"}, "endpoint_url"),
        ({"access_key_id": "AKIA"}, "secret_access_key"),
        ({"secret_access_key": "s"}, "access_key_id"),
        ({"session_token": "t"}, "session_token"),
        ({"prefix": "a/../b"}, "prefix"),
        ({"presigned_expiry": timedelta(days=8)}, "presigned_expiry"),
        ({"presigned_expiry": 3600}, "presigned_expiry"),
        ({"max_pool_connections": 0}, "max_pool_connections"),
        ({"max_concurrency": 0}, "max_concurrency"),
        ({"addressing_style": "sideways"}, "addressing_style"),
        ({"part_size": 4 * MIB}, "part_size"),
        ({"part_size": 6 * 1024 * MIB}, "part_size"),
        ({"multipart_threshold": 1024}, "multipart_threshold"),
        ({"multipart_copy_threshold": 1}, "multipart_copy_threshold"),
        ({"public_base_url": "cdn.example.com"}, "public_base_url"),
        ({"retry": 3}, "retry"),
        ({"connect_timeout": 0}, "connect_timeout"),
        ({"use_ssl": "yes"}, "use_ssl"),
        ({"request_checksum_calculation": "always"}, "request_checksum_calculation"),
        ({"client_options": []}, "client_options"),
    ],
)
def test_bad_config_names_the_field(overrides: dict[str, Any], field: str) -> None:
    settings: dict[str, Any] = {"bucket": "uploads", **overrides}
    with pytest.raises(ConfigurationError) as caught:
        S3Config(**settings)
    assert caught.value.field == field
    assert field in str(caught.value)


def test_missing_bucket_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        S3Config()
    assert caught.value.field == "bucket"


def test_defaults_match_the_documented_api() -> None:
    config = S3Config(bucket="uploads")
    assert config.region is None
    assert config.endpoint_url is None
    assert config.presigned_expiry == timedelta(hours=1)
    assert (config.use_ssl, config.verify_ssl, config.max_pool_connections) == (True, True, 10)
    assert (config.multipart_threshold, config.part_size, config.max_concurrency) == (8 * MIB, 8 * MIB, 4)
    assert config.addressing_style == "auto"
    assert config.key_prefix == ""
    assert S3Config(bucket="b", prefix="/a/b/").key_prefix == "a/b/"


def test_client_config_turns_botocore_retries_off() -> None:
    config = S3Config(
        bucket="b",
        addressing_style="path",
        max_pool_connections=33,
        client_options={"user_agent_extra": "app/1", "s3": {"payload_signing_enabled": False}},
    )
    built: Any = client_config(config)  # botocore's Config sets its options as attributes
    assert built.retries == {"total_max_attempts": 1, "mode": "standard"}
    assert built.max_pool_connections == 33
    assert built.s3 == {"payload_signing_enabled": False, "addressing_style": "path"}
    assert built.user_agent_extra == "app/1"
    assert built.signature_version == "s3v4"
    assert built.request_checksum_calculation == "when_required"


@pytest.mark.parametrize("part_size", [1024, 5 * MIB - 1, 6 * 1024 * MIB, 0, True, "8"])
async def test_put_large_rejects_bad_part_size(storage: S3Storage, part_size: Any) -> None:
    with pytest.raises(StorageValidationError):
        await storage.put_large("a.bin", b"x", part_size=part_size)
    assert not await storage.exists("a.bin")


def test_names_are_exported() -> None:
    assert litestar_storages.S3Storage is S3Storage
    assert litestar_storages.S3Config is S3Config
    assert set(s3_package.__all__) == {"S3Config", "S3Storage", "UploadForm", "__version__"}
    for name in s3_package.__all__:
        assert getattr(s3_package, name) is not None
    # The form type lives in core, shared with GCS; the old import path keeps working.
    assert s3_package.UploadForm is litestar_storages.UploadForm


async def test_close_is_idempotent_and_reopens(moto_server: MotoServer, bucket: str) -> None:
    storage = S3Storage(make_config(moto_server, bucket, retry=RetryConfig(max_attempts=1)))
    await storage.close()  # never opened
    await storage.put("a.txt", b"1")
    await storage.close()
    await storage.close()
    assert await storage.get_bytes("a.txt") == b"1"
    await storage.close()
    assert repr(storage) == f"S3Storage(bucket={bucket!r}, prefix='')"
