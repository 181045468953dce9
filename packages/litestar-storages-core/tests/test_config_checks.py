"""The shared checks of configuration values: what each accepts and how it names the setting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from litestar_storages.config_checks import (
    check_bucket,
    check_choice,
    check_expiry,
    check_file,
    check_flag,
    check_int,
    check_prefix,
    check_retry,
    check_seconds,
    check_text,
    check_type,
)
from litestar_storages.exceptions import ConfigurationError
from litestar_storages.retry import RetryConfig

Check = Callable[..., None]


@pytest.mark.parametrize(
    ("check", "value", "options"),
    [
        (check_int, 1, {"low": 1, "high": 3}),
        (check_int, 3, {"low": 1, "high": 3}),
        (check_int, 10**12, {"low": 1}),
        (check_int, 512, {"low": 256, "multiple_of": 256}),
        (check_bucket, "uploads", {}),
        (check_bucket, "my.bucket-1", {}),
        (check_file, None, {}),
        (check_file, __file__, {}),
        (check_file, Path(__file__), {}),
        (check_seconds, 0.5, {}),
        (check_seconds, 20, {}),
        (check_flag, False, {}),
        (check_prefix, "", {}),
        (check_prefix, "/a/b/", {}),
        (check_expiry, timedelta(seconds=1), {}),
        (check_expiry, timedelta(days=7), {}),
        (check_retry, None, {}),
        (check_retry, RetryConfig(max_attempts=1), {"optional": False}),
        (check_bucket, "my-bucket", {}),
        (check_text, None, {}),
        (check_text, "eu-west-1", {"optional": False}),
        (check_choice, "path", {"choices": ("auto", "path")}),
    ],
)
def test_accepted(check: Check, value: object, options: dict[str, Any]) -> None:
    check(value, setting="XConfig.value", **options)


@pytest.mark.parametrize(
    ("check", "value", "options"),
    [
        (check_int, 0, {"low": 1, "high": 3}),
        (check_int, 4, {"low": 1, "high": 3}),
        (check_int, True, {"low": 0}),
        (check_int, 2.0, {"low": 0}),
        (check_int, "2", {"low": 0}),
        (check_int, 1000, {"low": 256, "multiple_of": 256}),
        (check_int, 0, {"low": 256, "multiple_of": 256}),
        (check_file, "/no/such/file.json", {}),
        (check_file, str(Path(__file__).parent), {}),
        (check_file, 3, {}),
        (check_seconds, 0, {}),
        (check_seconds, -1.5, {}),
        (check_seconds, float("nan"), {}),
        (check_seconds, True, {}),
        (check_seconds, "5", {}),
        (check_flag, "yes", {}),
        (check_flag, 1, {}),
        (check_prefix, "a/../b", {}),
        (check_prefix, None, {}),
        (check_expiry, timedelta(0), {}),
        (check_expiry, timedelta(days=8), {}),
        (check_expiry, 3600, {}),
        (check_retry, {"max_attempts": 2}, {}),
        (check_retry, None, {"optional": False}),
        (check_bucket, "", {}),
        (check_bucket, "  ", {}),
        (check_bucket, None, {}),
        (check_bucket, " padded", {}),
        (check_bucket, "bucket/folder", {}),
        (check_text, "", {}),
        (check_text, None, {"optional": False}),
        (check_text, 3, {}),
        (check_choice, "Path", {"choices": ("auto", "path")}),
        (check_choice, ["path"], {"choices": ("auto", "path")}),
    ],
)
def test_refused_naming_the_setting(check: Check, value: object, options: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        check(value, setting="XConfig.value", **options)
    assert caught.value.field == "value"
    assert str(caught.value).startswith("XConfig.value ")


def test_check_type_names_the_setting_and_the_class() -> None:
    check_type(RetryConfig(), RetryConfig, setting="GCSConfig.retry")
    with pytest.raises(ConfigurationError, match=r"^GCSConfig\.retry must be a RetryConfig, got int") as raised:
        check_type(3, RetryConfig, setting="GCSConfig.retry")
    assert raised.value.field == "retry"
