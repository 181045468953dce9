"""Dependency providers for wiring storages into handlers by hand (the plugin uses them too)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

from litestar.connection import Request
from litestar.di import Provide

from litestar_storages.contrib.uploads import upload_limit
from litestar_storages.protocol import Storage

__all__ = (
    "UPLOAD_LIMIT_DEPENDENCY",
    "StorageDependency",
    "dependency_name",
    "provide_storage",
    "provide_upload_limit",
)

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


StorageDependency: TypeAlias = Storage
"""Annotation for a handler parameter that receives a storage: ``storage: StorageDependency``.

The value is whatever the ``storage`` (or ``{name}_storage``) dependency provides, passed
as it is (duck-typed storages arrive untouched).
"""


def provide_storage(storage: Storage) -> Callable[[], Storage]:
    """Make a dependency callable returning ``storage``, as in 0.2.x.

    Wrap it in ``Provide`` yourself; it is synchronous and returns at once, so tell
    Litestar not to run it in a thread.

    Example:
        >>> dependencies = {"storage": Provide(provide_storage(storage), sync_to_thread=False)}
        >>> app = Litestar(route_handlers=[...], dependencies=dependencies)  # doctest: +SKIP

    Args:
        storage: The storage handlers receive.

    Returns:
        A callable that returns ``storage`` (the same instance on every request).
    """

    def provide() -> Storage:
        return storage

    return provide


def _provide_upload_limit(request: Request[Any, Any, Any]) -> int | None:
    return upload_limit(request)


def provide_upload_limit() -> Provide:
    """Return a dependency giving the upload limit of the handler being called.

    Returns:
        A ``Provide`` resolving to the layered ``storage_max_upload_size`` opt.
    """
    return Provide(_provide_upload_limit, sync_to_thread=False)
