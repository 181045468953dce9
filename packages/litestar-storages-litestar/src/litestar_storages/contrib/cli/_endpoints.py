"""From ``cp``/``mv``/``sync`` arguments to the two ends of a transfer and the plan.

One file: ``cp images:a.jpg ./restore/`` writes ``./restore/a.jpg``; a destination
ending in ``/`` (or an existing local folder) receives the source's name, and missing
local folders are created. Recursive (``-r``, and always for ``sync``): both sides are
folders (``images:photos`` means ``images:photos/``).
"""

from __future__ import annotations

import os
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
import anyio.to_thread

from litestar_storages.contrib.cli._locations import StorageRef, transfer_location
from litestar_storages.contrib.cli._planning import Copy, Plan, folder_prefix, plan_copies, plan_sync, target_name
from litestar_storages.contrib.cli._running import CommandError
from litestar_storages.contrib.cli._sides import LocalSide, Side, StorageSide
from litestar_storages.contrib.cli._transfers import Route
from litestar_storages.exceptions import StorageFileNotFoundError
from litestar_storages.keys import validate_key

if TYPE_CHECKING:
    from litestar_storages.contrib.plugin import StoragePlugin

__all__ = ("folders", "single_file")


def _locations(plugin: StoragePlugin, source: str, destination: str) -> tuple[StorageRef | Path, StorageRef | Path]:
    src, dst = transfer_location(plugin, source), transfer_location(plugin, destination)
    if isinstance(src, Path) and isinstance(dst, Path):
        raise CommandError("cp, mv and sync need a storage on at least one side (NAME:KEY)")
    return src, dst


def _names_folder(spec: str) -> bool:
    return spec.endswith(("/", os.sep)) or (os.altsep is not None and spec.endswith(os.altsep))


async def _local(stack: AsyncExitStack, path: Path, *, create: bool) -> tuple[LocalSide, bool]:
    side = LocalSide(path)
    exists = await side.folder.open(create=create)
    stack.callback(side.folder.close)
    return side, exists


async def _single_source(stack: AsyncExitStack, spec: str, src: StorageRef | Path) -> tuple[Side, Copy]:
    if isinstance(src, StorageRef):
        if src.key == "" or src.key.endswith("/"):
            raise CommandError(f"{spec!r} is a folder: add -r to copy what is below it")
        side = StorageSide(StorageRef(src.name, src.storage, ""))
        return side, Copy(await side.entry(src.key), src.key)
    # A file the user named: a link to it is followed (realpath), unlike links met in folders.
    real = Path(await anyio.to_thread.run_sync(os.path.realpath, src))
    if await anyio.Path(real).is_dir():
        raise CommandError(f"{spec!r} is a folder: add -r to copy what is in it")
    local, exists = await _local(stack, real.parent, create=False)
    if not exists:
        raise StorageFileNotFoundError(spec, message=f"No such file: {spec!r}")
    return local, Copy(await local.entry(real.name), real.name)


async def single_file(
    stack: AsyncExitStack, plugin: StoragePlugin, source: str, destination: str, *, move: bool, dry_run: bool
) -> tuple[Route, Plan]:
    """Resolve a one-file ``cp`` or ``mv``.

    Args:
        stack: Closes the local folders opened.
        plugin: The application's plugin.
        source: ``NAME:KEY`` or a local file.
        destination: ``NAME:KEY`` or a local path; see the module docstring for names.
        move: Delete the source once copied.
        dry_run: Create no local folder.

    Returns:
        The route and a plan of one copy.
    """
    src, dst = _locations(plugin, source, destination)
    source_side, item = await _single_source(stack, source, src)
    destination_side: Side
    if isinstance(dst, StorageRef):
        destination_side = StorageSide(StorageRef(dst.name, dst.storage, ""))
        target = target_name(dst.key, item.target)
        if source_side.shares_storage(destination_side) and target == item.target:
            raise CommandError(f"{source!r} and {destination!r} are the same file")
    elif _names_folder(destination) or await anyio.Path(dst).is_dir():
        destination_side, _ = await _local(stack, dst, create=not dry_run)
        target = target_name("", item.target)
    else:
        target = validate_key(dst.name)  # before any folder is created for it
        destination_side, _ = await _local(stack, dst.parent, create=not dry_run)
    return Route(source_side, destination_side, move), Plan(copies=[Copy(item.source, target)])


async def _folder(
    stack: AsyncExitStack, spec: str, location: StorageRef | Path, *, source: bool, dry_run: bool
) -> Side:
    if isinstance(location, StorageRef):
        return StorageSide(StorageRef(location.name, location.storage, folder_prefix(location.key)))
    if source and not await anyio.Path(location).is_dir():
        raise CommandError(f"{spec!r} is not a local folder")
    side, _ = await _local(stack, location, create=not source and not dry_run)
    return side


def _check_overlap(source: Side, destination: Side, *, same_allowed: bool) -> None:
    if not (isinstance(source, StorageSide) and isinstance(destination, StorageSide)):
        return
    if not source.shares_storage(destination):
        return
    a, b = source.prefix, destination.prefix
    if a == b and same_allowed:
        return
    if a.startswith(b) or b.startswith(a):
        # Copying a folder into itself (or onto its own parent) would read what it writes.
        raise CommandError(f"{source.label('')!r} and {destination.label('')!r} overlap in one storage")


async def folders(
    stack: AsyncExitStack,
    plugin: StoragePlugin,
    source: str,
    destination: str,
    *,
    move: bool = False,
    sync: bool = False,
    delete: bool = False,
    dry_run: bool = False,
) -> tuple[Route, Plan]:
    """Resolve ``cp -r``, ``mv -r`` or ``sync`` and plan it.

    Args:
        stack: Closes the local folders opened.
        plugin: The application's plugin.
        source: ``NAME:PREFIX`` or a local folder.
        destination: ``NAME:PREFIX`` or a local folder (created when missing).
        move: Delete each source file once copied.
        sync: Copy only what is missing or out of date.
        delete: With ``sync``, delete destination files the source lacks.
        dry_run: Create no local folder.

    Returns:
        The route and the plan.
    """
    src, dst = _locations(plugin, source, destination)
    source_side = await _folder(stack, source, src, source=True, dry_run=dry_run)
    destination_side = await _folder(stack, destination, dst, source=False, dry_run=dry_run)
    _check_overlap(source_side, destination_side, same_allowed=sync)
    entries = await source_side.entries()
    if not sync:
        return Route(source_side, destination_side, move), plan_copies(entries)
    existing = await destination_side.entries()
    return Route(source_side, destination_side), plan_sync(entries, existing, delete=delete)
