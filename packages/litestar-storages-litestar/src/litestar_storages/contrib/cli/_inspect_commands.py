"""``list``, ``du``, ``info``, ``url`` and ``rm``: looking at files and deleting them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import click

from litestar_storages.calls import delete_object, list_folder
from litestar_storages.contrib.cli._durations import parse_duration
from litestar_storages.contrib.cli._group import storages_group
from litestar_storages.contrib.cli._locations import Listing, file_ref, listing, unknown_storage
from litestar_storages.contrib.cli._output import (
    dumps,
    entry_json,
    human_bytes,
    info_lines,
    listing_row,
    stored_file_json,
)
from litestar_storages.contrib.cli._running import run
from litestar_storages.exceptions import StorageFileNotFoundError
from litestar_storages.types import StoredFile, StoredFolder

if TYPE_CHECKING:
    from litestar_storages.contrib.plugin import StoragePlugin

__all__ = ("du_command", "info_command", "list_command", "rm_command", "url_command")

_JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON document (fields as in StoredFile).")


def _nothing_found(plugin: StoragePlugin, where: Listing) -> None:
    # One bare word that matched nothing is far likelier a mistyped storage name than
    # an empty folder: say so, with the names that exist.
    if where.guessed:
        error = unknown_storage(plugin, where.ref.key)
        raise type(error)(f"{error} and no key of the default storage starts with {where.ref.key!r}")


@storages_group.command("list")
@click.argument("name", required=False)
@click.argument("prefix", required=False, default="")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="Stop after this many entries.")
@click.option(
    "--dirs",
    "-d",
    "folders",
    is_flag=True,
    help="List one folder: the files directly in PREFIX and its sub-folders (ending in /), not the whole tree.",
)
@_JSON
@click.pass_context
def list_command(
    ctx: click.Context, *, name: str | None, prefix: str, limit: int | None, folders: bool, as_json: bool
) -> None:
    """List files: size, last modified, content type and key.

    NAME is a storage name, NAME:PREFIX, or a prefix of the default storage;
    PREFIX filters keys. An unknown storage name is an error. With --dirs, PREFIX
    is a folder ("photos" and "photos/" are the same) and its sub-folders are
    listed once each, as "DIR" rows (with --json: objects with "kind": "folder").
    """

    async def work(plugin: StoragePlugin) -> None:
        where = listing(plugin, name, prefix)
        storage, key = where.ref.storage, where.ref.key
        entries: AsyncIterator[StoredFile | StoredFolder]
        entries = list_folder(storage, key, limit=limit) if folders else storage.list(key, limit=limit)
        counts = {"file": 0, "folder": 0}
        async for entry in entries:
            kind = "folder" if isinstance(entry, StoredFolder) else "file"
            if as_json:
                # Streamed: a listing of a million files is printed in flat memory.
                document = entry_json(entry) if folders or isinstance(entry, StoredFolder) else stored_file_json(entry)
                click.echo(("[" if sum(counts.values()) == 0 else ",") + dumps(document))
            else:
                click.echo(listing_row(entry))
            counts[kind] += 1
        count = sum(counts.values())
        if count == 0:
            _nothing_found(plugin, where)
        if as_json:
            click.echo("[]" if count == 0 else "]")
        elif folders:
            click.echo(f"{counts['file']} file(s), {counts['folder']} folder(s)", err=True)
        else:
            click.echo(f"{count} file(s)", err=True)

    run(ctx, work)


@storages_group.command("du")
@click.argument("name", required=False)
@click.argument("prefix", required=False, default="")
@_JSON
@click.pass_context
def du_command(ctx: click.Context, name: str | None, prefix: str, as_json: bool) -> None:
    """Count the files under a prefix and their total size.

    Arguments as for list: NAME, NAME:PREFIX or a prefix of the default storage.
    """

    async def work(plugin: StoragePlugin) -> None:
        where = listing(plugin, name, prefix)
        count = total = 0
        async for stored in where.ref.storage.list(where.ref.key):
            count += 1
            total += stored.size
        if count == 0:
            _nothing_found(plugin, where)
        if as_json:
            click.echo(dumps({"storage": where.ref.name, "prefix": where.ref.key, "count": count, "bytes": total}))
        else:
            click.echo(f"{human_bytes(total):>10}  {count} file(s)  {total} bytes  {where.ref}")

    run(ctx, work)


@storages_group.command("info")
@click.argument("file")
@_JSON
@click.pass_context
def info_command(ctx: click.Context, file: str, as_json: bool) -> None:
    """Show a file's metadata. FILE is NAME:KEY or a key of the default storage."""

    async def work(plugin: StoragePlugin) -> None:
        ref = file_ref(plugin, file)
        stored = await ref.storage.info(ref.key)
        if as_json:
            click.echo(dumps(stored_file_json(stored)))
        else:
            for line in info_lines(stored):
                click.echo(line)

    run(ctx, work)


@storages_group.command("url")
@click.argument("file")
@click.option("--expires", "expires", default=None, help="Validity: seconds, or 15m, 2h, 7d.")
@click.option("--method", type=click.Choice(["GET", "PUT"]), default="GET", help="Download or upload URL.")
@click.option("--filename", default=None, help="Download name (where the backend can sign it).")
@click.pass_context
def url_command(ctx: click.Context, file: str, expires: str | None, method: str, filename: str | None) -> None:
    """Print a (presigned) URL for FILE (NAME:KEY or a key of the default storage)."""
    expires_in = parse_duration(expires) if expires else None

    async def work(plugin: StoragePlugin) -> None:
        ref = file_ref(plugin, file)
        url = await ref.storage.url(
            ref.key,
            expires_in=expires_in,
            method="PUT" if method == "PUT" else "GET",
            filename=filename,
        )
        click.echo(url)

    run(ctx, work)


@storages_group.command("rm")
@click.argument("files", nargs=-1, required=True)
@click.option("--missing-ok", is_flag=True, help="Do not fail on files that do not exist.")
@click.pass_context
def rm_command(ctx: click.Context, files: tuple[str, ...], missing_ok: bool) -> None:
    """Delete FILES (each NAME:KEY or a key of the default storage)."""

    async def work(plugin: StoragePlugin) -> None:
        refs = [file_ref(plugin, spec) for spec in files]  # every name checked before any delete
        for spec, ref in zip(files, refs, strict=True):
            try:
                # Asked to fail when missing, so the output tells what really happened.
                await delete_object(ref.storage, ref.key)
            except StorageFileNotFoundError:
                if not missing_ok:
                    raise
                click.echo(f"missing {spec} (nothing to delete)")
            else:
                click.echo(f"deleted {spec}")

    run(ctx, work)
