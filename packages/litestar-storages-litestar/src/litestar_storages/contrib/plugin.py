"""``StoragePlugin``: storages as dependencies, closed on shutdown, with a CLI group."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from litestar.di import Provide
from litestar.plugins import CLIPlugin, InitPlugin, ReceiveRoutePlugin
from litestar.routes import HTTPRoute

from litestar_storages.content import DEFAULT_CONTENT_TYPE
from litestar_storages.contrib.config import StoragePluginConfig
from litestar_storages.contrib.dependencies import (
    UPLOAD_LIMIT_DEPENDENCY,
    StorageDependency,
    dependency_name,
    provide_storage,
    provide_upload_limit,
)
from litestar_storages.contrib.error_handlers import storage_exception_handlers
from litestar_storages.contrib.openapi import RAW_UPLOAD_OPT, operation_class_for
from litestar_storages.contrib.responses import StorageResponse
from litestar_storages.contrib.serving_policy import ACTIVE_CONTENT_OPT
from litestar_storages.contrib.signed_routes import signed_route_handlers
from litestar_storages.contrib.tus.routes import tus_router
from litestar_storages.contrib.tus.service import TusUploads
from litestar_storages.contrib.uploads import MAX_UPLOAD_SIZE_OPT
from litestar_storages.exceptions import ConfigurationError
from litestar_storages.protocol import Storage
from litestar_storages.types import StoredFile

if TYPE_CHECKING:
    from click import Group
    from litestar.config.app import AppConfig
    from litestar.routes import BaseRoute

__all__ = ("DEFAULT_NAME", "StoragePlugin")

DEFAULT_NAME = "default"
"""Name of the default storage (injected as ``storage``) in :attr:`StoragePlugin.storages`."""

logger = logging.getLogger("litestar_storages.contrib")


class StoragePlugin(InitPlugin, CLIPlugin, ReceiveRoutePlugin):
    """Registers storages with a Litestar application.

    The default storage is injected as ``storage`` and each named one as
    ``{name}_storage``; every storage is closed on shutdown; ``litestar storages ...``
    commands work on them; handlers returning a ``StorageResponse`` (or marked with
    :data:`~litestar_storages.contrib.openapi.RAW_UPLOAD_OPT`) are documented in the
    OpenAPI schema as file downloads (or raw uploads).

    Example:
        >>> app = Litestar(
        ...     route_handlers=[upload],
        ...     plugins=[StoragePlugin(MemoryStorage(), images=MemoryStorage())],
        ... )  # doctest: +SKIP
    """

    __slots__ = ("config", "storages", "tus")

    def __init__(
        self,
        default: Storage | None = None,
        *,
        config: StoragePluginConfig | None = None,
        **named_storages: Storage,
    ) -> None:
        """Register storages.

        Args:
            default: The storage injected as ``storage``.
            config: How the plugin wires things; defaults apply when omitted.
            **named_storages: Storages injected as ``{name}_storage``.

        Raises:
            ConfigurationError: If a name is not an identifier, is ``default``, or a value
                is not a storage.
        """
        self.config = config or StoragePluginConfig()
        self.storages: dict[str, Storage] = {}
        """Every storage by name; the default one under :data:`DEFAULT_NAME`."""
        if default is not None:
            self._check(DEFAULT_NAME, default)
            self.storages[DEFAULT_NAME] = default
        for name, storage in named_storages.items():
            if name == DEFAULT_NAME or not name.isidentifier():
                raise ConfigurationError(
                    f"StoragePlugin: invalid storage name {name!r}; use a Python identifier other than 'default'",
                    field=name,
                )
            self._check(name, storage)
            self.storages[name] = storage
        self.tus: dict[str, TusUploads] = {
            tus.route_path: TusUploads(self.get(tus.storage), tus) for tus in self.config.tus
        }
        """The tus uploads mounted, by route path (call ``cleanup_expired()`` on them)."""

    @staticmethod
    def _check(name: str, storage: object) -> None:
        if not isinstance(storage, Storage):
            raise ConfigurationError(
                f"StoragePlugin: {name!r} must be a Storage, got {type(storage).__name__}", field=name
            )

    @property
    def default(self) -> Storage | None:
        """The default storage, if one was given."""
        return self.storages.get(DEFAULT_NAME)

    def get(self, name: str | None = None) -> Storage:
        """Return a storage by name.

        Args:
            name: A name given to the plugin; ``None`` or ``"default"`` for the default.

        Returns:
            The storage.

        Raises:
            ConfigurationError: If no storage has that name.
        """
        wanted = name or DEFAULT_NAME
        storage = self.storages.get(wanted)
        if storage is None:
            known = ", ".join(sorted(self.storages)) or "none"
            raise ConfigurationError(f"No storage named {wanted!r} (known: {known})", field=wanted)
        return storage

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        """Add the dependencies, shutdown hook, error handlers and signed routes.

        Args:
            app_config: The application's configuration.

        Returns:
            The same configuration, extended.
        """
        provided: dict[str, Any] = {
            dependency_name(None if name == DEFAULT_NAME else name): Provide(
                provide_storage(storage), use_cache=True, sync_to_thread=False
            )
            for name, storage in self.storages.items()
        }
        provided[UPLOAD_LIMIT_DEPENDENCY] = provide_upload_limit()
        for key, provider in provided.items():
            if key in app_config.dependencies:
                # The application's own dependency wins: existing handlers keep working.
                logger.warning("StoragePlugin: keeping the application's own %r dependency", key)
                continue
            app_config.dependencies[key] = provider

        if self.config.max_upload_size is not None:
            app_config.opt.setdefault(MAX_UPLOAD_SIZE_OPT, self.config.max_upload_size)
        app_config.opt.setdefault(ACTIVE_CONTENT_OPT, self.config.active_content)

        # Lets handlers written with `from __future__ import annotations` name these types.
        for type_ in (Storage, StoredFile, StorageResponse):
            app_config.signature_namespace.setdefault(type_.__name__, type_)
        app_config.signature_namespace.setdefault("StorageDependency", StorageDependency)

        if self.config.exception_handlers:
            for error_type, handler in storage_exception_handlers().items():
                app_config.exception_handlers.setdefault(error_type, handler)

        if self.config.signed_routes:
            app_config.route_handlers.extend(signed_route_handlers(self.storages.values()))

        for uploads in self.tus.values():
            app_config.route_handlers.append(tus_router(uploads))
            if uploads.config.cleanup_interval is not None:
                app_config.lifespan.append(uploads.cleanup_lifespan)

        if self.config.close_on_shutdown:
            app_config.on_shutdown.append(self.close_all)
        return app_config

    def receive_route(self, route: BaseRoute) -> None:
        """Document the route's file downloads and raw uploads in the OpenAPI schema.

        Args:
            route: A route being registered on the application.
        """
        if not isinstance(route, HTTPRoute):
            return
        for handler in route.route_handlers:
            download = handler.parsed_fn_signature.return_type.is_subclass_of(StorageResponse)
            marker = handler.opt.get(RAW_UPLOAD_OPT)
            media_type = marker if isinstance(marker, str) else (DEFAULT_CONTENT_TYPE if marker else None)
            handler.operation_class = operation_class_for(
                handler.operation_class, download=download, raw_body_media_type=media_type
            )

    def on_cli_init(self, cli: Group) -> None:
        """Add the ``storages`` command group to the ``litestar`` CLI.

        Args:
            cli: Litestar's root command group.
        """
        # Imported here: cli.py imports this module, and an app that never starts the CLI
        # need not load click's command tree.
        from litestar_storages.contrib.cli import storages_group  # noqa: PLC0415

        cli.add_command(storages_group)

    async def close_all(self) -> None:
        """Close every storage once; a failing close is logged and the rest still close."""
        seen: set[int] = set()
        for name, storage in self.storages.items():
            if id(storage) in seen:
                continue
            seen.add(id(storage))
            try:
                await storage.close()
            except Exception:
                logger.exception("StoragePlugin: closing storage %r failed", name)
