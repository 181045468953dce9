"""Servers of the end-to-end suite (uvicorn per app, nginx as the reference) and their /proc figures."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_REPO = Path(__file__).resolve().parents[2]


class Unavailable(Exception):
    """A server cannot run here (nginx or wrk not installed); its column says why."""


@dataclass
class Server:
    """A running server: its address and the process that does the work (nginx: its one worker)."""

    name: str
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU time of the worker process so far (every thread)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS

    def rss_mib(self) -> float:
        """Resident set size now."""
        return _status_kib(self.pid, "VmRSS") / 1024

    def reset_peak(self) -> None:
        """Reset the kernel's RSS high-water mark (``VmHWM``) to the current RSS."""
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")

    def peak_rss_mib(self) -> float:
        """RSS high-water mark since :meth:`reset_peak`."""
        return _status_kib(self.pid, "VmHWM") / 1024


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_listening(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server not listening on {port} after {timeout} s: {log.read_text()[-2000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def uvicorn(name: str, factory: str, root: Path, work: Path) -> Iterator[Server]:
    """Serve ``benchmarks.e2e.apps:<factory>`` with uvicorn (one process, uvloop and httptools).

    Args:
        name: Column name.
        factory: Function name in :mod:`benchmarks.e2e.apps`.
        root: The folder served.
        work: A scratch folder for the log.
    """
    port = free_port()
    log = work / f"{factory}.log"
    env = {**os.environ, "LSS_E2E_ROOT": str(root), "PYTHONPATH": str(_REPO)}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        f"benchmarks.e2e.apps:{factory}",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=_REPO)
    try:
        _wait_listening(port, process, log)
        yield Server(name, f"http://127.0.0.1:{port}", process.pid)
    finally:
        _stop(process)


_NGINX_CONF = """\
daemon off;
master_process on;
worker_processes 1;
{user}
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    client_body_temp_path {work}/client-body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location /f/ {{ alias {root}/; }}
    }}
}}
"""


@contextmanager
def nginx(root: Path, work: Path) -> Iterator[Server]:
    """Serve ``root`` under ``/f/`` with Debian's nginx (one worker, sendfile on), config in ``work``.

    Raises:
        Unavailable: If nginx is not installed.
    """
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        raise Unavailable("nginx is not installed (Debian: apt-get install nginx-light)")
    port = free_port()
    conf = work / "nginx.conf"
    # As root, workers would switch to "nobody", who may not read the files: stay root.
    user = "user root;" if os.geteuid() == 0 else ""
    conf.write_text(_NGINX_CONF.format(user=user, work=work, port=port, root=root))
    log = work / "nginx-error.log"
    command = [binary, "-c", str(conf), "-p", str(work), "-e", str(log)]
    with (work / "nginx.out").open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_listening(port, process, work / "nginx.out")
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        if not children:
            raise RuntimeError("nginx started no worker")
        yield Server("nginx", f"http://127.0.0.1:{port}", int(children[0]))
    finally:
        _stop(process)
