"""Configuration of :class:`~litestar_storages.contrib.plugin.StoragePlugin`."""

from __future__ import annotations

from dataclasses import dataclass

from litestar_storages.contrib.serving_policy import ActiveContent, check_active_content
from litestar_storages.contrib.tus.config import TusConfig
from litestar_storages.exceptions import ConfigurationError

__all__ = ("StoragePluginConfig",)


@dataclass(frozen=True)
class StoragePluginConfig:
    """How the plugin wires storages into an application."""

    max_upload_size: int | None = None
    """Default upload limit in bytes for ``save_upload``/``save_request_body`` through the
    ``storage_upload_limit`` dependency (``None``: no limit). Stored in the app's ``opt``
    under ``storage_max_upload_size``, so a router or handler overrides it with its own
    ``opt``. Litestar's ``request_max_body_size`` (10 MB by default) still caps whole
    request bodies: raise it on upload handlers that accept more."""

    close_on_shutdown: bool = True
    """Close every storage when the application shuts down. A failing close is logged
    and the others are still closed."""

    exception_handlers: bool = True
    """Answer storage errors escaping handlers with HTTP statuses: missing file 404,
    existing file 409, invalid key or data 400, unreachable service 503. Handlers the
    application registered for the same types are kept."""

    signed_routes: bool = True
    """Mount a route serving signed URLs for each ``FileSystemStorage`` configured with a
    signing secret and a base URL, so ``await storage.url(key)`` links work."""

    active_content: ActiveContent = "attachment"
    """How ``storage_response`` and the signed routes send files of an active or unknown
    type (HTML, SVG, XML, JavaScript, ...): ``"attachment"`` (a download),
    ``"sandbox"`` (shown inline under ``Content-Security-Policy: sandbox``) or
    ``"inline"`` (as stored: only for files the application wrote itself). Stored in the
    app's ``opt`` under ``storage_active_content``, so a router or handler overrides it
    with its own ``opt``."""

    tus: tuple[TusConfig, ...] = ()
    """tus resumable uploads to mount, one :class:`~litestar_storages.contrib.tus.TusConfig`
    per storage and path (see :mod:`litestar_storages.contrib.tus`)."""

    def __post_init__(self) -> None:
        if not isinstance(self.tus, tuple) or not all(isinstance(item, TusConfig) for item in self.tus):
            raise ConfigurationError("StoragePluginConfig.tus must be a tuple of TusConfig", field="tus")
        paths = [item.route_path for item in self.tus]
        if len(set(paths)) != len(paths):
            raise ConfigurationError("StoragePluginConfig.tus: two TusConfig share a path", field="tus")
        if self.max_upload_size is not None and (
            not isinstance(self.max_upload_size, int)
            or isinstance(self.max_upload_size, bool)
            or self.max_upload_size < 0
        ):
            raise ConfigurationError(
                f"StoragePluginConfig.max_upload_size must be None or an int >= 0, got {self.max_upload_size!r}",
                field="max_upload_size",
            )
        for name in ("close_on_shutdown", "exception_handlers", "signed_routes"):
            value = getattr(self, name)
            if not isinstance(value, bool):
                raise ConfigurationError(
                    f"StoragePluginConfig.{name} must be a bool, got {value!r}",
                    field=name,
                )
        check_active_content(self.active_content, field="active_content")
