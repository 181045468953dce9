"""``hatch run demo``: the address it prints works, and a taken port is handled, not a crash."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from litestar_storages.testing.emulators import free_port

DEMO = Path(__file__).resolve().parents[3] / "docs" / "examples" / "demo" / "app.py"
DEFAULT_PORT = 8000

pytestmark = pytest.mark.timeout(120)


def demo_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DEMO_PORT", None)
    env["DEMO_STORAGE"] = "memory"
    return env


@contextlib.contextmanager
def running_demo(args: list[str], cwd: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, str(DEMO), *args],
        cwd=cwd,
        env=demo_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)


def lines_until_listening(process: subprocess.Popen[str]) -> list[str]:
    assert process.stdout is not None
    lines: list[str] = []
    # The first run may install tus-js-client from npm before listening.
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("Listening on "):
            return lines
    raise AssertionError(f"the demo exited without listening: {lines}")


def address(lines: list[str]) -> str:
    return lines[-1].removeprefix("Listening on ").split()[0]


def fetch_page(url: str) -> str:
    # The printed address answers at once: the socket is listening before it is printed.
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback URL
                return str(response.read().decode())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def occupy(port: int) -> socket.socket | None:
    """Listen on ``port`` unless something else already does (then it is taken anyway)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", port))
        sock.listen(1)
    except OSError:
        sock.close()
        return None
    return sock


def test_prints_a_working_address(tmp_path: Path) -> None:
    port = free_port()
    with running_demo(["--port", str(port)], tmp_path) as process:
        lines = lines_until_listening(process)
        assert lines[0] == "litestar-storages demo: MemoryStorage"
        assert address(lines) == f"http://127.0.0.1:{port}"
        assert "<title>litestar-storages demo</title>" in fetch_page(address(lines))


def test_default_port_taken_picks_a_free_one_and_says_so(tmp_path: Path) -> None:
    blocker = occupy(DEFAULT_PORT)
    try:
        with running_demo([], tmp_path) as process:
            lines = lines_until_listening(process)
            url = address(lines)
            port = int(url.rsplit(":", 1)[1])
            assert port != DEFAULT_PORT
            assert f"Port {DEFAULT_PORT} is already in use: using port {port} instead" in "\n".join(lines)
            assert "<title>litestar-storages demo</title>" in fetch_page(url)
    finally:
        if blocker is not None:
            blocker.close()


@pytest.mark.parametrize("how", ["--port", "DEMO_PORT"])
def test_explicit_port_taken_fails_with_a_clear_message(tmp_path: Path, how: str) -> None:
    port = free_port()
    blocker = occupy(port)
    assert blocker is not None
    env = demo_env()
    args = ["--port", str(port)] if how == "--port" else []
    if how == "DEMO_PORT":
        env["DEMO_PORT"] = str(port)
    try:
        result = subprocess.run(
            [sys.executable, str(DEMO), *args],
            check=False,
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        blocker.close()
    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use by another program" in result.stderr
    assert "--port" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Listening on" not in result.stdout
