"""``litestar storages ...``: list, inspect, link, delete and copy files from the command line.

Storages are the ones given to the application's
:class:`~litestar_storages.contrib.plugin.StoragePlugin`. A file is named
``NAME:KEY`` (``images:cats/tom.jpg``); a bare key means the default storage. ``cp``
also takes local paths on either side and streams between any two backends.

Errors print one line on stderr and exit with status 1, without a traceback.
"""

from __future__ import annotations

import asyncio
import posixpath
import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import anyio
import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

# Through calls: a storage written for 0.2.x lacks missing_ok and progress.
from litestar_storages.calls import delete_object, open_read, write
from litestar_storages.exceptions import StorageError
from litestar_storages.types import ProgressInfo

if TYPE_CHECKING:
    from litestar import Litestar

    from litestar_storages.contrib.plugin import StoragePlugin
    from litestar_storages.protocol import Storage

__all__ = ("parse_duration", "storages_group")

T = TypeVar("T")

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class _CommandError(Exception):
    """A user mistake the CLI reports in one line."""


def parse_duration(text: str) -> timedelta:
    """Parse ``90``, ``90s``, ``15m``, ``2h`` or ``7d`` into a duration.

    Args:
        text: The duration; a bare number is seconds.

    Returns:
        The duration.

    Raises:
        click.BadParameter: If the text is not such a duration or is zero.
    """
    match = _DURATION.match(text)
    if match is None or int(match.group(1)) == 0:
        raise click.BadParameter(f"{text!r} is not a duration like 3600, 90s, 15m, 2h or 7d")
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def _app(ctx: click.Context) -> Litestar:
    # Litestar's root group keeps its environment (or a factory of it) in ctx.obj.
    root = ctx.find_root()
    env = root.obj
    if env is not None and not hasattr(env, "app") and callable(env):
        env = root.obj = env()
    app = getattr(env, "app", None)
    if app is None:
        raise _CommandError("No Litestar application found: pass --app module:app or set LITESTAR_APP")
    return app  # type: ignore[no-any-return]


def _plugin(ctx: click.Context) -> StoragePlugin:
    from litestar_storages.contrib.plugin import StoragePlugin  # noqa: PLC0415 - only the CLI needs the plugin class

    for plugin in _app(ctx).plugins:
        if isinstance(plugin, StoragePlugin):
            return plugin
    raise _CommandError("The application has no StoragePlugin")


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(1)


def _run(ctx: click.Context, work: Callable[[StoragePlugin], Awaitable[T]]) -> T:
    try:
        plugin = _plugin(ctx)
    except _CommandError as error:
        _fail(str(error))

    async def main() -> T:
        try:
            return await work(plugin)
        finally:
            # The event loop ends with the command: release SDK sessions bound to it.
            await plugin.close_all()

    try:
        return asyncio.run(main())
    except (StorageError, OSError, _CommandError) as error:
        _fail(str(error))


def _storage_and_key(plugin: StoragePlugin, spec: str) -> tuple[Storage, str]:
    name, separator, key = spec.partition(":")
    if separator and name in plugin.storages:
        return plugin.storages[name], key
    if plugin.default is None:
        known = ", ".join(sorted(plugin.storages)) or "none"
        raise _CommandError(f"{spec!r} names no storage and there is no default one (storages: {known})")
    return plugin.default, spec


def _location(plugin: StoragePlugin, spec: str) -> tuple[Storage, str] | Path:
    name, separator, key = spec.partition(":")
    if separator and name in plugin.storages:
        return plugin.storages[name], key
    return Path(spec)


@click.group("storages")
def storages_group() -> None:
    """List, inspect, link, delete and copy files in the app's storages."""


@storages_group.command("list")
@click.argument("name", required=False)
@click.argument("prefix", required=False, default="")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="Stop after this many files.")
@click.pass_context
def list_command(ctx: click.Context, name: str | None, prefix: str, limit: int | None) -> None:
    """List files: size, last modified, content type and key.

    NAME is a storage name (the default storage when omitted or when it is not one);
    PREFIX filters keys.
    """

    async def work(plugin: StoragePlugin) -> None:
        storage_name, wanted_prefix = name, prefix
        if storage_name is not None and storage_name not in plugin.storages:
            if prefix:
                raise _CommandError(f"No storage named {storage_name!r}")
            storage_name, wanted_prefix = None, name or ""
        storage = plugin.get(storage_name)
        count = 0
        async for stored in storage.list(wanted_prefix, limit=limit):
            modified = stored.last_modified.strftime("%Y-%m-%d %H:%M:%S") if stored.last_modified else "-"
            click.echo(f"{stored.size:>12}  {modified:<19}  {stored.content_type or '-':<24}  {stored.key}")
            count += 1
        click.echo(f"{count} file(s)", err=True)

    _run(ctx, work)


@storages_group.command("info")
@click.argument("file")
@click.pass_context
def info_command(ctx: click.Context, file: str) -> None:
    """Show a file's metadata. FILE is NAME:KEY or a key of the default storage."""

    async def work(plugin: StoragePlugin) -> None:
        storage, key = _storage_and_key(plugin, file)
        stored = await storage.info(key)
        click.echo(f"key:           {stored.key}")
        click.echo(f"size:          {stored.size}")
        click.echo(f"content type:  {stored.content_type or '-'}")
        click.echo(f"etag:          {stored.etag or '-'}")
        click.echo(f"last modified: {stored.last_modified.isoformat() if stored.last_modified else '-'}")
        for meta_name, value in sorted(stored.metadata.items()):
            click.echo(f"metadata:      {meta_name}={value}")

    _run(ctx, work)


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
        storage, key = _storage_and_key(plugin, file)
        url = await storage.url(
            key,
            expires_in=expires_in,
            method="PUT" if method == "PUT" else "GET",
            filename=filename,
        )
        click.echo(url)

    _run(ctx, work)


@storages_group.command("rm")
@click.argument("files", nargs=-1, required=True)
@click.option("--missing-ok", is_flag=True, help="Do not fail on files that do not exist.")
@click.pass_context
def rm_command(ctx: click.Context, files: tuple[str, ...], missing_ok: bool) -> None:
    """Delete FILES (each NAME:KEY or a key of the default storage)."""

    async def work(plugin: StoragePlugin) -> None:
        for spec in files:
            storage, key = _storage_and_key(plugin, spec)
            await delete_object(storage, key, missing_ok=missing_ok)
            click.echo(f"deleted {spec}")

    _run(ctx, work)


@storages_group.command("cp")
@click.argument("source")
@click.argument("destination")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.pass_context
def cp_command(ctx: click.Context, source: str, destination: str, quiet: bool) -> None:
    """Copy SOURCE to DESTINATION, streaming; each is NAME:KEY or a local path.

    A destination key that is empty or ends with '/' (or a local folder) receives the
    source's file name.
    """

    async def work(plugin: StoragePlugin) -> None:
        src, dst = _location(plugin, source), _location(plugin, destination)
        if isinstance(src, Path) and isinstance(dst, Path):
            raise _CommandError("cp needs a storage on at least one side (NAME:KEY)")
        with _progress_bar(quiet) as report:
            if isinstance(src, Path):
                assert isinstance(dst, tuple)  # noqa: S101 - both-local was refused above
                await _upload(src, *dst, report)
            elif isinstance(dst, Path):
                await _download(*src, dst, report)
            else:
                await _transfer(*src, *dst, report)
        click.echo(f"copied {source} -> {destination}", err=True)

    _run(ctx, work)


class _ProgressReport:
    """Feeds a rich progress bar from storage progress callbacks (or does nothing)."""

    __slots__ = ("_progress", "_task")

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._task: Any = None

    def start(self, label: str, total: int | None) -> None:
        if self._progress is not None:
            self._task = self._progress.add_task(label, total=total)

    def __call__(self, info: ProgressInfo) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=info.bytes_transferred)


@contextmanager
def _progress_bar(quiet: bool) -> Iterator[_ProgressReport]:
    if quiet:
        yield _ProgressReport(None)
        return
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with progress:
        yield _ProgressReport(progress)


def _target_key(key: str, source_name: str) -> str:
    return key + source_name if key == "" or key.endswith("/") else key


async def _upload(path: Path, storage: Storage, key: str, report: _ProgressReport) -> None:
    target = _target_key(key, path.name)
    size = (await anyio.Path(path).stat()).st_size
    report.start(target, size)
    async with await anyio.open_file(path, "rb") as file:
        await write(storage, target, file, progress=report)


async def _download(storage: Storage, key: str, path: Path, report: _ProgressReport) -> None:
    stored = await storage.info(key)
    target = path / posixpath.basename(key) if await anyio.Path(path).is_dir() else path
    report.start(str(target), stored.size)
    partial = target.with_name(target.name + ".part")
    try:
        async with await anyio.open_file(partial, "wb") as file:
            async for chunk in open_read(storage, key, progress=report):
                await file.write(chunk)
        # Only a complete download replaces the destination.
        await anyio.Path(partial).replace(target)
    except BaseException:
        if await anyio.Path(partial).exists():
            await anyio.Path(partial).unlink()
        raise


async def _transfer(
    source: Storage, source_key: str, destination: Storage, destination_key: str, report: _ProgressReport
) -> None:
    stored = await source.info(source_key)
    target = _target_key(destination_key, posixpath.basename(source_key))
    report.start(target, stored.size)
    await write(
        destination,
        target,
        open_read(source, source_key),
        content_type=stored.content_type,
        metadata=stored.metadata,
        progress=report,
    )
