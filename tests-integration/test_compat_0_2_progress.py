"""0.2.x compatibility: ``ProgressInfo`` and progress callbacks (the "Types" page).

One part of the 0.2.x compatibility suite (``test_compat_0_2_*.py``): code written for
the single-distribution litestar-storages 0.2.x runs unchanged. Each test is a
documented 0.2.x use, written as a 0.2.x user wrote it, plus the rules that let this
release's additions coexist with it (issue 17).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from litestar_storages import MemoryStorage, ProgressInfo


async def test_progress_percentage_is_none_when_the_total_is_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    def on_progress(info: ProgressInfo) -> None:
        if info.percentage is not None:
            print(f"{info.key}: {info.percentage:.1f}%")
        else:
            print(f"{info.key}: {info.bytes_transferred} bytes")

    async def stream() -> AsyncIterator[bytes]:
        yield b"a" * 10
        yield b"b" * 10

    storage = MemoryStorage()
    await storage.put("known.bin", b"x" * 20, progress=on_progress)
    await storage.put("unknown.bin", stream(), progress=on_progress)
    lines = capsys.readouterr().out.splitlines()
    assert lines[-3:] == ["known.bin: 100.0%", "unknown.bin: 10 bytes", "unknown.bin: 20 bytes"]
    assert ProgressInfo(bytes_transferred=5, total_bytes=None, operation="upload", key="k").percentage is None
    assert ProgressInfo(bytes_transferred=5, total_bytes=10, operation="download", key="k").percentage == 50.0
