"""What a command-line argument names: a storage and a key or prefix, or a local path.

``NAME:KEY`` names a storage of the plugin (``images:cats/tom.jpg``); ``NAME`` is a
Python identifier, as every storage name is. A name before ``:`` that is no configured
storage is an error listing the configured ones, never a silent fallback: write a local
path holding a colon as ``./name:rest``. ``info``, ``url`` and ``rm`` take a bare key
of the default storage; ``cp``, ``mv`` and ``sync`` a local path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from litestar_storages.contrib.cli._running import CommandError

if TYPE_CHECKING:
    from litestar_storages.contrib.plugin import StoragePlugin
    from litestar_storages.protocol import Storage

__all__ = (
    "Listing",
    "StorageRef",
    "file_ref",
    "listing",
    "transfer_location",
    "unknown_storage",
)

_DEFAULT = "default"


@dataclass(frozen=True)
class StorageRef:
    """A storage of the plugin and a key (or prefix) in it."""

    name: str
    storage: Storage
    key: str

    def __str__(self) -> str:
        return f"{self.name}:{self.key}"


@dataclass(frozen=True)
class Listing:
    """Where ``list`` and ``du`` look.

    Attributes:
        ref: The storage and prefix.
        guessed: The prefix came from one bare word that may be a mistyped storage
            name: finding nothing under it is then an error, not an empty answer.
    """

    ref: StorageRef
    guessed: bool = False


def unknown_storage(plugin: StoragePlugin, name: str) -> CommandError:
    """Return the error for a storage name the plugin does not have.

    Args:
        plugin: The application's plugin.
        name: The name asked for.

    Returns:
        The error, naming the configured storages.
    """
    known = ", ".join(sorted(plugin.storages)) or "none"
    return CommandError(f"No storage named {name!r} (configured storages: {known})")


def _named(plugin: StoragePlugin, spec: str) -> StorageRef | None:
    name, separator, rest = spec.partition(":")
    if not separator or not name.isidentifier():
        return None
    if name not in plugin.storages and os.name == "nt" and len(name) == 1:
        return None  # a drive letter: C:\photos
    storage = plugin.storages.get(name)
    if storage is None:
        raise unknown_storage(plugin, name)
    return StorageRef(name, storage, rest)


def _default(plugin: StoragePlugin, key: str, spec: str) -> StorageRef:
    storage = plugin.default
    if storage is None:
        known = ", ".join(sorted(plugin.storages)) or "none"
        raise CommandError(f"{spec!r} names no storage and there is no default one (configured storages: {known})")
    return StorageRef(_DEFAULT, storage, key)


def file_ref(plugin: StoragePlugin, spec: str) -> StorageRef:
    """Resolve ``NAME:KEY`` or a bare key of the default storage.

    Args:
        plugin: The application's plugin.
        spec: The argument.

    Returns:
        The storage and key.

    Raises:
        CommandError: If ``NAME`` is no storage, or the key is bare and there is no
            default storage.
    """
    return _named(plugin, spec) or _default(plugin, spec, spec)


def transfer_location(plugin: StoragePlugin, spec: str) -> StorageRef | Path:
    """Resolve ``NAME:KEY`` or a local path.

    Args:
        plugin: The application's plugin.
        spec: The argument.

    Returns:
        The storage and key, or the local path.

    Raises:
        CommandError: If ``NAME`` is no storage.
    """
    return _named(plugin, spec) or Path(spec)


def listing(plugin: StoragePlugin, first: str | None, prefix: str) -> Listing:
    """Resolve the arguments of ``list`` and ``du``: ``[NAME] [PREFIX]`` or ``NAME:PREFIX``.

    Args:
        plugin: The application's plugin.
        first: A storage name, ``NAME:PREFIX``, or a prefix of the default storage.
        prefix: The prefix when ``first`` is a storage name.

    Returns:
        Where to look.

    Raises:
        CommandError: If a storage name is unknown.
    """
    if first is None:
        return Listing(_default(plugin, prefix, prefix))
    named = _named(plugin, first)
    if named is not None:
        if prefix:
            raise CommandError(f"Give the prefix once: {first!r} already names one")
        return Listing(named)
    if first in plugin.storages:
        return Listing(StorageRef(first, plugin.storages[first], prefix))
    if prefix or plugin.default is None:
        raise unknown_storage(plugin, first)
    # One bare word: a prefix of the default storage, or a mistyped storage name.
    return Listing(StorageRef(_DEFAULT, plugin.default, first), guessed="/" not in first)
