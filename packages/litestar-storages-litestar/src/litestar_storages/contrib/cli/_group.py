"""The ``litestar storages`` command group; the commands add themselves to it."""

from __future__ import annotations

import click

__all__ = ("storages_group",)


@click.group("storages")
def storages_group() -> None:
    """List, inspect, link, delete, copy, move and sync files in the app's storages."""
