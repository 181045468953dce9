"""``cp``, ``mv`` and ``sync``: streaming files between storages and local folders.

Every transfer is planned first (``--dry-run`` prints the plan and changes nothing),
then run with at most ``--jobs`` files at once. Each completed file is printed on stdout
as it completes (``download: images:a.jpg -> restore/a.jpg``), each failure on stderr;
the other files go on, and the command ends with a summary and exit status 1 if any
file failed.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from litestar_storages.contrib.cli._endpoints import folders, single_file
from litestar_storages.contrib.cli._execution import run_bounded
from litestar_storages.contrib.cli._group import storages_group
from litestar_storages.contrib.cli._progress import TransferProgress
from litestar_storages.contrib.cli._running import PartialFailure, run
from litestar_storages.contrib.cli._sides import LocalSide

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from litestar_storages.contrib.cli._planning import Copy, Plan
    from litestar_storages.contrib.cli._sides import Entry
    from litestar_storages.contrib.cli._transfers import Route
    from litestar_storages.contrib.plugin import StoragePlugin

__all__ = ("cp_command", "mv_command", "sync_command")


@dataclass(frozen=True)
class _Options:
    quiet: bool
    jobs: int
    dry_run: bool
    single: bool


def _transfer_options(function: Callable[..., Any]) -> Callable[..., Any]:
    for option in (
        click.option("--quiet", "-q", is_flag=True, help="No progress bar."),
        click.option(
            "--jobs", "-j", type=click.IntRange(1, 64), default=4, show_default=True, help="Files transferred at once."
        ),
        click.option("--dry-run", is_flag=True, help="Print what would be done; change nothing."),
    ):
        function = option(function)
    return function


async def _execute(route: Route, plan: Plan, options: _Options) -> None:
    verb = route.verb
    if options.dry_run:
        for item in plan.copies:
            click.echo(f"(dry run) {route.describe(item)}")
        for entry in plan.deletes:
            click.echo(f"(dry run) delete: {route.destination.label(entry.name)}")
        _summary(route, plan, [], [], dry_run=True)
        return

    async def transfer(item: Copy) -> None:
        lost = await route.transfer(item, progress)
        click.echo(route.describe(item))
        if lost:
            # Never silent: the copy is there, but without what its destination cannot store.
            click.echo(
                f"attributes not kept: {route.destination.label(item.target)}: {', '.join(sorted(lost))}", err=True
            )

    async def delete(entry: Entry) -> None:
        await route.destination.delete(entry.name)
        click.echo(f"delete: {route.destination.label(entry.name)}")

    with TransferProgress(quiet=options.quiet, total_bytes=plan.total_bytes, files=len(plan.copies)) as progress:
        failed = await run_bounded(plan.copies, options.jobs, transfer)
        if options.single and failed:
            raise failed[0][1]  # one file: its error is the command's error
        for item, error in failed:
            click.echo(f"failed: {route.describe(item)}: {error}", err=True)
        failed_deletes = await run_bounded(plan.deletes, options.jobs, delete)
    for entry, error in failed_deletes:
        click.echo(f"failed: delete {route.destination.label(entry.name)}: {error}", err=True)
    _summary(route, plan, failed, failed_deletes, dry_run=False)
    if failed or failed_deletes:
        raise PartialFailure(f"{verb}: {len(failed) + len(failed_deletes)} failed")


def _summary(route: Route, plan: Plan, failed: list[Any], failed_deletes: list[Any], *, dry_run: bool) -> None:
    done = len(plan.copies) - len(failed)
    parts = [f"{done} file(s) {'to ' + route.verb if dry_run else route.done}"]
    if plan.deletes:
        parts.append(f"{len(plan.deletes) - len(failed_deletes)} {'to delete' if dry_run else 'deleted'}")
    if plan.unchanged:
        parts.append(f"{plan.unchanged} unchanged")
    if failed or failed_deletes:
        parts.append(f"{len(failed) + len(failed_deletes)} failed")
    skipped = route.source.skipped if isinstance(route.source, LocalSide) else []
    for name in skipped:
        click.echo(f"skipped: {name}", err=True)
    if skipped:
        parts.append(f"{len(skipped)} skipped")
    click.echo(", ".join(parts), err=True)


def _copy_or_move(
    ctx: click.Context, source: str, destination: str, *, recursive: bool, move: bool, options: _Options
) -> None:
    async def work(plugin: StoragePlugin) -> None:
        async with AsyncExitStack() as stack:
            if recursive:
                route, plan = await folders(stack, plugin, source, destination, move=move, dry_run=options.dry_run)
            else:
                route, plan = await single_file(stack, plugin, source, destination, move=move, dry_run=options.dry_run)
            await _execute(route, plan, options)

    run(ctx, work)


@storages_group.command("cp")
@click.argument("source")
@click.argument("destination")
@click.option("--recursive", "-r", is_flag=True, help="Copy every file below SOURCE (a prefix or local folder).")
@_transfer_options
@click.pass_context
def cp_command(
    ctx: click.Context, *, source: str, destination: str, recursive: bool, quiet: bool, jobs: int, dry_run: bool
) -> None:
    """Copy SOURCE to DESTINATION, streaming; each is NAME:KEY or a local path.

    A destination ending with '/' (or an existing local folder) receives the source's
    name; missing local folders are created. With -r, both are folders and every file
    below SOURCE keeps its relative name.
    """
    options = _Options(quiet, jobs, dry_run, single=not recursive)
    _copy_or_move(ctx, source, destination, recursive=recursive, move=False, options=options)


@storages_group.command("mv")
@click.argument("source")
@click.argument("destination")
@click.option("--recursive", "-r", is_flag=True, help="Move every file below SOURCE (a prefix or local folder).")
@_transfer_options
@click.pass_context
def mv_command(
    ctx: click.Context, *, source: str, destination: str, recursive: bool, quiet: bool, jobs: int, dry_run: bool
) -> None:
    """Move SOURCE to DESTINATION: copy, then delete the source once the copy is complete.

    Within one storage the storage's own move runs (server-side where it can). Names
    as for cp.
    """
    options = _Options(quiet, jobs, dry_run, single=not recursive)
    _copy_or_move(ctx, source, destination, recursive=recursive, move=True, options=options)


@storages_group.command("sync")
@click.argument("source")
@click.argument("destination")
@click.option("--delete", is_flag=True, help="Delete destination files that are not in SOURCE.")
@_transfer_options
@click.pass_context
def sync_command(
    ctx: click.Context, *, source: str, destination: str, delete: bool, quiet: bool, jobs: int, dry_run: bool
) -> None:
    """Make DESTINATION hold what SOURCE holds: copy new and changed files.

    Each is NAME:PREFIX or a local folder. A file is copied when the destination lacks
    it, its size differs, or (same size, different etag) the source is newer.
    """
    options = _Options(quiet, jobs, dry_run, single=False)

    async def work(plugin: StoragePlugin) -> None:
        async with AsyncExitStack() as stack:
            route, plan = await folders(
                stack, plugin, source, destination, sync=True, delete=delete, dry_run=options.dry_run
            )
            await _execute(route, plan, options)

    run(ctx, work)
