"""The FakeGCSServer launcher of the testing kit."""

from __future__ import annotations

import json
import urllib.request

import pytest

from litestar_storages.testing.emulators.fake_gcs import FakeGCSServer
from litestar_storages.testing.emulators.process import http_ready


def test_starts_creates_buckets_and_stops() -> None:
    server = FakeGCSServer()
    assert server.api_root == server.url == f"http://127.0.0.1:{server.port}"
    with server:
        assert http_ready(f"{server.url}/_internal/healthcheck")
        server.create_bucket("launcher-test")
        server.create_bucket("launcher-test")  # already there: fine
        with urllib.request.urlopen(f"{server.url}/storage/v1/b") as response:  # noqa: S310 - loopback
            names = [item["name"] for item in json.load(response)["items"]]
        assert "launcher-test" in names
        with pytest.raises(ValueError, match="3 characters"):
            server.create_bucket("ab")
    assert not http_ready(f"{server.url}/_internal/healthcheck")
    server.stop()  # idempotent


def test_many_requests_do_not_hang_the_server(fake_gcs: FakeGCSServer) -> None:
    # The wrapper's own class pipes the log into a pipe nobody reads and hangs after a
    # few hundred requests; this launcher discards the output.
    for _ in range(600):
        assert http_ready(f"{fake_gcs.url}/storage/v1/b/missing/o/x", accept_status=lambda status: status == 404)
