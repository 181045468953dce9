"""Crash safety of FileSystemStorage: a writer SIGKILLed mid-put, 50 times.

After every kill the key holds a complete version (the previous one or a newer one,
with the metadata written for that version), never a torn file; the temporary files
the killed writers leave are never listed, and ``remove_stale_files()`` (the backend's
documented maintenance call) removes them.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from storages_harness.backends import Backend
from storages_harness.fs_writer import generation_of, version
from storages_harness.harness import Harness

from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage
from litestar_storages.backends.filesystem.names import is_temp

KILLS = 50
WRITER = Path(__file__).parent / "storages_harness" / "fs_writer.py"


def _start_writer(root: Path, generation: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, str(WRITER), str(root), "data/victim.bin", str(generation)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != "ready":
        process.kill()
        process.wait()
        pytest.fail(f"the writer did not start (said {line!r})")
    return process


@pytest.mark.backends("filesystem")
@pytest.mark.slow
async def test_sigkilled_writers_never_leave_a_torn_file(backend: Backend, harness: Harness, tmp_path: Path) -> None:
    root = tmp_path / "root"
    storage = FileSystemStorage(FileSystemConfig(path=root))
    rng = random.Random(20261125)
    newest = -1
    interrupted = 0
    seen_temp: set[str] = set()
    for kill in range(KILLS):
        writer = _start_writer(root, generation=kill * 1000)
        # Let it complete a few versions, or none, before the kill lands.
        await asyncio.sleep(rng.uniform(0.0, 0.25))
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()

        content = await storage.get_bytes("data/victim.bin") if await storage.exists("data/victim.bin") else None
        if content is None:
            assert newest == -1, f"kill {kill}: the key vanished after version {newest}"
            continue
        generation = generation_of(content)
        assert content == version(generation), f"kill {kill}: torn file claiming generation {generation}"
        assert generation >= newest, f"kill {kill}: went back from version {newest} to {generation}"
        assert (await storage.info("data/victim.bin")).metadata == {"generation": str(generation)}
        newest = generation
        left = _temp_files(root)
        if left - seen_temp:  # this writer died with a write in progress
            interrupted += 1
        seen_temp = left
        # Leftovers of the killed writers never show up as keys.
        assert [item.key async for item in storage.list()] == ["data/victim.bin"]

    assert newest >= 0, "no write ever completed: the kills came too early to test anything"
    assert interrupted >= KILLS // 5, f"only {interrupted} of {KILLS} kills landed mid-write"
    report = await storage.remove_stale_files()
    assert report.temporary_files >= 1
    assert _temp_files(root) == set()
    assert await storage.get_bytes("data/victim.bin") == version(newest)
    assert [item.key async for item in storage.list()] == ["data/victim.bin"]
    harness.note(
        "filesystem",
        f"{KILLS} SIGKILLed writers ({interrupted} mid-write, {report.temporary_files} temp files cleaned)",
    )


def _temp_files(root: Path) -> set[str]:
    # The backend's documented temporary-file names (".lss~t.<hex>": reserved, no key can name them).
    return {os.path.join(folder, name) for folder, _, files in os.walk(root) for name in files if is_temp(name)}
