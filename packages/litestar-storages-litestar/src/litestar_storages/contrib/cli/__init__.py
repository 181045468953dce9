"""``litestar storages ...``: list, inspect, link, delete, copy, move and sync files from the command line.

Storages are the ones given to the application's
:class:`~litestar_storages.contrib.plugin.StoragePlugin`. A file is named
``NAME:KEY`` (``images:cats/tom.jpg``); a bare key means the default storage. ``cp``,
``mv`` and ``sync`` also take local paths on either side and stream between any two
backends.

Errors print one line on stderr and exit with status 1, without a traceback.

The modules below this package each hold one idea: naming (``_locations``), the local
folder kept confined (``_local_folder``), the two ends of a transfer (``_sides``), the
plan (``_planning``, ``_comparison``), running it (``_execution``, ``_transfers``,
``_progress``) and printing (``_output``).
"""

from __future__ import annotations

# The command modules register their commands on the group when imported.
from litestar_storages.contrib.cli import _inspect_commands, _transfer_commands  # noqa: F401
from litestar_storages.contrib.cli._durations import parse_duration
from litestar_storages.contrib.cli._group import storages_group

__all__ = ("parse_duration", "storages_group")
