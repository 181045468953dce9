"""Checks of the configuration values every backend's config has: one rule and one message each.

Each check takes the value and its ``setting`` as users write it (``"AzureConfig.block_size"``)
and raises :class:`~litestar_storages.exceptions.ConfigurationError` naming it, with
``field`` set to the attribute's name, as :func:`~litestar_storages.public_urls.check_base_url` does.
"""

from __future__ import annotations

import os

from litestar_storages.exceptions import ConfigurationError, InvalidKeyError
from litestar_storages.keys import normalize_prefix
from litestar_storages.retry import RetryConfig
from litestar_storages.url_arguments import expiry_problem

__all__ = (
    "check_bucket",
    "check_choice",
    "check_expiry",
    "check_file",
    "check_flag",
    "check_int",
    "check_prefix",
    "check_retry",
    "check_seconds",
    "check_text",
    "check_type",
)


def _fail(setting: str, problem: str) -> ConfigurationError:
    return ConfigurationError(f"{setting} {problem}", field=setting.rpartition(".")[2])


def check_bucket(value: object, *, setting: str) -> None:
    """Check a bucket (or container) name: a non-empty ``str``, no surrounding spaces, no ``/``.

    The service checks the rest of its own naming rules on the first request.

    Args:
        value: The configured value.
        setting: Its name as users write it, for the message.

    Raises:
        ConfigurationError: If it is missing, padded or a path.
    """
    if not isinstance(value, str) or not value.strip():
        raise _fail(setting, "is required: the name of the bucket")
    if value != value.strip() or "/" in value:
        raise _fail(setting, f"must be a bucket name, not a path: {value!r} (use prefix for folders)")


def check_text(value: object, *, setting: str, optional: bool = True) -> None:
    """Check a non-empty ``str`` (a region, a key id...), or ``None`` when ``optional``.

    Args:
        value: The configured value.
        setting: Its name as users write it, for the message.
        optional: Whether ``None`` (left to a default or an environment variable) is allowed.

    Raises:
        ConfigurationError: If it is anything else, the empty string included.
    """
    if not (isinstance(value, str) and value) and not (optional and value is None):
        raise _fail(setting, f"must be {'None or ' if optional else ''}a non-empty str, got {value!r}")


def check_choice(value: object, choices: tuple[str, ...], *, setting: str) -> None:
    """Check one of a few fixed strings (``typing.get_args`` of a ``Literal`` gives them).

    Args:
        value: The configured value.
        choices: The strings allowed.
        setting: Its name as users write it, for the message.

    Raises:
        ConfigurationError: If it is anything else.
    """
    if not isinstance(value, str) or value not in choices:
        raise _fail(setting, f"must be one of {', '.join(map(repr, choices))}, got {value!r}")


def check_int(value: object, *, setting: str, low: int, high: int | None = None, multiple_of: int = 1) -> None:
    """Check an ``int`` (not a ``bool``) from ``low`` to ``high``, a multiple of ``multiple_of``.

    Args:
        value: The configured value.
        setting: Its name as users write it, for the message.
        low: Smallest value allowed.
        high: Largest value allowed, or ``None`` for no upper bound.
        multiple_of: What the value must be a multiple of (a service's chunk granularity).

    Raises:
        ConfigurationError: If it is anything else.
    """
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or value < low
        or (high is not None and value > high)
        or value % multiple_of
    ):
        bounds = f">= {low}" if high is None else f"from {low} to {high}"
        multiple = f", a multiple of {multiple_of}" if multiple_of > 1 else ""
        raise _fail(setting, f"must be an int {bounds}{multiple}, got {value!r}")


def check_file(value: object, *, setting: str) -> None:
    """Check an optional path (``str`` or ``os.PathLike``) of an existing file.

    Args:
        value: The configured value (``None``: no file).
        setting: Its name as users write it, for the message.

    Raises:
        ConfigurationError: If it is anything else.
    """
    if value is None:
        return
    if not isinstance(value, (str, os.PathLike)):
        raise _fail(setting, f"must be a path, got {type(value).__name__}")
    if not os.path.isfile(os.fspath(value)):
        raise _fail(setting, f"{os.fspath(value)!r} is not a readable file")


def check_seconds(value: object, *, setting: str) -> None:
    """Check a duration in seconds: a positive ``int`` or ``float`` (not a ``bool``).

    Args:
        value: The configured value.
        setting: Its name as users write it, for the message.

    Raises:
        ConfigurationError: If it is anything else.
    """
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
        raise _fail(setting, f"must be a positive number of seconds, got {value!r}")


def check_flag(value: object, *, setting: str) -> None:
    """Check a ``bool``.

    Args:
        value: The configured value.
        setting: Its name as users write it, for the message.

    Raises:
        ConfigurationError: If it is anything else.
    """
    if not isinstance(value, bool):
        raise _fail(setting, f"must be a bool, got {value!r}")


def check_prefix(value: object, *, setting: str) -> None:
    """Check a storage prefix: a ``str`` that :func:`~litestar_storages.keys.normalize_prefix` accepts.

    Args:
        value: The configured value.
        setting: Its name as users write it, for the message.

    Raises:
        ConfigurationError: If it is anything else.
    """
    if not isinstance(value, str):
        raise _fail(setting, f"must be a str, got {value!r}")
    try:
        normalize_prefix(value)
    except InvalidKeyError as error:
        raise _fail(setting, f"is invalid: {error}") from None


def check_expiry(value: object, *, setting: str) -> None:
    """Check a default URL validity: a ``timedelta`` from 1 second to 7 days.

    Args:
        value: The configured value.
        setting: Its name as users write it, for the message.

    Raises:
        ConfigurationError: If it is anything else.
    """
    problem = expiry_problem(value)
    if problem is not None:
        raise _fail(setting, f"{problem} ({value!r})")


def check_retry(value: object, *, setting: str, optional: bool = True) -> None:
    """Check a retry policy: a :class:`~litestar_storages.retry.RetryConfig` (or ``None`` when ``optional``).

    Args:
        value: The configured value.
        setting: Its name as users write it, for the message.
        optional: Whether ``None`` (the backend's default policy) is allowed.

    Raises:
        ConfigurationError: If it is anything else.
    """
    if not isinstance(value, RetryConfig) and not (optional and value is None):
        raise _fail(setting, f"must be a RetryConfig, got {type(value).__name__}")


def check_type(value: object, kind: type, *, setting: str) -> None:
    """Check that a setting holds an instance of ``kind`` (a ``RetryConfig``...).

    Args:
        value: The configured value.
        kind: The class it must be an instance of.
        setting: Its name as users write it, for the message.

    Raises:
        ConfigurationError: If it does not.
    """
    if not isinstance(value, kind):
        raise _fail(setting, f"must be a {kind.__name__}, got {type(value).__name__}")
