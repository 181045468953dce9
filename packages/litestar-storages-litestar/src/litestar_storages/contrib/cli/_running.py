"""Running one command: find the app's StoragePlugin, run the work on an event loop, report errors.

Errors print one line on stderr and exit with status 1, without a traceback; Ctrl-C
exits with status 130 once every transfer in flight has removed its partial file.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, NoReturn, TypeVar

import click

from litestar_storages.exceptions import StorageError

if TYPE_CHECKING:
    from litestar import Litestar

    from litestar_storages.contrib.plugin import StoragePlugin

__all__ = ("CommandError", "PartialFailure", "fail", "run")

T = TypeVar("T")

INTERRUPTED = 130
"""Exit status after Ctrl-C, as shells report a process ended by SIGINT."""


class CommandError(Exception):
    """A user mistake the CLI reports in one line."""


class PartialFailure(Exception):
    """Some files of a multi-file command failed; each was already reported."""


def fail(message: str, status: int = 1) -> NoReturn:
    """Print ``Error: message`` on stderr and exit.

    Args:
        message: What went wrong, in one line.
        status: The exit status.

    Raises:
        SystemExit: Always.
    """
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(status)


def _app(ctx: click.Context) -> Litestar:
    # Litestar's root group keeps its environment (or a factory of it) in ctx.obj.
    root = ctx.find_root()
    env = root.obj
    if env is not None and not hasattr(env, "app") and callable(env):
        env = root.obj = env()
    app = getattr(env, "app", None)
    if app is None:
        raise CommandError("No Litestar application found: pass --app module:app or set LITESTAR_APP")
    return app  # type: ignore[no-any-return]


def _plugin(ctx: click.Context) -> StoragePlugin:
    from litestar_storages.contrib.plugin import StoragePlugin  # noqa: PLC0415 - only the CLI needs the plugin class

    for plugin in _app(ctx).plugins:
        if isinstance(plugin, StoragePlugin):
            return plugin
    raise CommandError("The application has no StoragePlugin")


def run(ctx: click.Context, work: Callable[[StoragePlugin], Awaitable[T]]) -> T:
    """Run ``work(plugin)`` on a new event loop, closing the storages afterwards.

    Args:
        ctx: The command's click context.
        work: The command's body.

    Returns:
        What ``work`` returned.
    """
    try:
        plugin = _plugin(ctx)
    except CommandError as error:
        fail(str(error))

    async def main() -> T:
        try:
            return await work(plugin)
        finally:
            # The event loop ends with the command: release SDK sessions bound to it.
            await plugin.close_all()

    try:
        return asyncio.run(main())
    except (StorageError, OSError, CommandError) as error:
        fail(str(error))
    except PartialFailure as error:
        raise SystemExit(1) from error
    except KeyboardInterrupt:
        # asyncio.run cancelled the transfers first: their partial files are gone.
        fail("interrupted; the files reported above were transferred, nothing else was written", INTERRUPTED)
