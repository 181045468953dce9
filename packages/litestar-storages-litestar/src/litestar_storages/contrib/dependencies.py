"""Dependency providers for wiring storages into handlers by hand (the plugin uses them too)."""

from __future__ import annotations

from typing import Any

from litestar.connection import Request
from litestar.di import Provide

from litestar_storages.contrib.uploads import upload_limit
from litestar_storages.protocol import Storage

__all__ = ("UPLOAD_LIMIT_DEPENDENCY", "dependency_name", "provide_storage", "provide_upload_limit")

UPLOAD_LIMIT_DEPENDENCY = "storage_upload_limit"
"""Name under which the plugin injects the handler's upload limit (``int | None``)."""


def dependency_name(name: str | None) -> str:
    """Return the dependency key of a storage: ``storage`` or ``{name}_storage``.

    Args:
        name: The storage's name, ``None`` for the default one.

    Returns:
        The keyword a handler uses to receive it.
    """
    return "storage" if name is None else f"{name}_storage"


def provide_storage(storage: Storage) -> Provide:
    """Wrap a storage as a Litestar dependency.

    Example:
        >>> dependencies = {"storage": provide_storage(MemoryStorage())}
        >>> app = Litestar(route_handlers=[...], dependencies=dependencies)  # doctest: +SKIP

    Args:
        storage: The storage handlers receive.

    Returns:
        A ``Provide`` that returns ``storage`` (the same instance on every request).
    """

    def _provide() -> Storage:
        return storage

    return Provide(_provide, use_cache=True, sync_to_thread=False)


def _provide_upload_limit(request: Request[Any, Any, Any]) -> int | None:
    return upload_limit(request)


def provide_upload_limit() -> Provide:
    """Return a dependency giving the upload limit of the handler being called.

    Returns:
        A ``Provide`` resolving to the layered ``storage_max_upload_size`` opt.
    """
    return Provide(_provide_upload_limit, sync_to_thread=False)
