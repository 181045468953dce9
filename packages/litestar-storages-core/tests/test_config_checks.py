"""The shared checks of configuration values: message names the setting, ``field`` its attribute."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from litestar_storages.config_checks import check_expiry, check_int, check_prefix, check_seconds, check_type
from litestar_storages.exceptions import ConfigurationError
from litestar_storages.retry import RetryConfig


@pytest.mark.parametrize(
    ("check", "value", "arguments"),
    [
        (check_prefix, "../up", ()),
        (check_prefix, "/abs/../x", ()),
        (check_prefix, 3, ()),
        (check_expiry, timedelta(days=8), ()),
        (check_expiry, timedelta(0), ()),
        (check_expiry, 3600, ()),
        (check_int, 0, (1, 1000)),
        (check_int, 1001, (1, 1000)),
        (check_int, True, (0, 1000)),
        (check_int, 2.0, (1, 1000)),
        (check_seconds, 0, ()),
        (check_seconds, -1.5, ()),
        (check_seconds, True, ()),
        (check_seconds, "5", ()),
        (check_seconds, float("nan"), ()),
        (check_type, 3, (RetryConfig,)),
    ],
)
def test_bad_values_name_the_setting(check: Any, value: object, arguments: tuple[Any, ...]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        check(value, *arguments, setting="DemoConfig.option")
    assert caught.value.field == "option"
    assert str(caught.value).startswith("DemoConfig.option ")


@pytest.mark.parametrize(
    ("check", "value", "arguments"),
    [
        (check_prefix, "", ()),
        (check_prefix, "/media/", ()),
        (check_expiry, timedelta(days=7), ()),
        (check_expiry, timedelta(seconds=1), ()),
        (check_int, 1, (1, 1000)),
        (check_int, 1000, (1, 1000)),
        (check_seconds, 0.001, ()),
        (check_seconds, 60, ()),
        (check_type, RetryConfig(), (RetryConfig,)),
    ],
)
def test_good_values_pass(check: Any, value: object, arguments: tuple[Any, ...]) -> None:
    check(value, *arguments, setting="DemoConfig.option")
