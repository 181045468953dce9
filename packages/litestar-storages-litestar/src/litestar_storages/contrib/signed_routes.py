"""Routes serving signed filesystem URLs (placeholder until the filesystem backend lands)."""

from __future__ import annotations

from collections.abc import Iterable

from litestar.handlers import HTTPRouteHandler

from litestar_storages.protocol import Storage

__all__ = ("signed_route_handlers",)


def signed_route_handlers(storages: Iterable[Storage]) -> list[HTTPRouteHandler]:
    """Return route handlers serving the signed URLs of the given storages.

    Args:
        storages: The plugin's storages.

    Returns:
        One handler per storage that signs URLs.
    """
    del storages
    return []
