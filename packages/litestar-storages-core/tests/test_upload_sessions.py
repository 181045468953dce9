"""UploadSessions: the state of uploads in progress; unknown, completed and aborted ids refused."""

from __future__ import annotations

import pytest

from litestar_storages.driver_errors import DriverError
from litestar_storages.upload_sessions import UploadSessions


def test_sessions_are_kept_until_popped() -> None:
    sessions: UploadSessions[list[int]] = UploadSessions()
    state = [1]
    assert sessions.add("u1", state) == "u1"
    assert sessions.get("u1") is state
    assert sessions.pop("u1") is state
    assert sessions.pop("u1") is None  # twice: harmless
    with pytest.raises(DriverError, match="no multipart upload in progress"):
        sessions.get("u1")
    with pytest.raises(DriverError):
        sessions.get("never-started")
