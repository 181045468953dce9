"""The harness itself: service lifecycle, the Docker fallback, cloud opt-in, the summary."""

from __future__ import annotations

import socket

import pytest
from storages_harness.backends import BACKEND_IDS
from storages_harness.harness import Harness
from storages_harness.services import DOCKER_FLAG, ServiceManager, cloud_endpoint, docker_status

from litestar_storages.testing.emulators import free_port, http_ready


def _listening(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def test_every_backend_is_wired(harness: Harness) -> None:
    assert harness.not_installed == [], f"backends missing from the environment: {harness.not_installed}"
    assert set(BACKEND_IDS) == {"memory", "filesystem", "s3", "azure", "gcs"}


@pytest.mark.parametrize("kind", ["s3", "azure", "gcs"])
def test_services_start_once_and_stop_on_close(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DOCKER_FLAG, raising=False)
    manager = ServiceManager()
    try:
        endpoint = manager.get(kind)  # type: ignore[arg-type]
        assert manager.get(kind) is endpoint  # type: ignore[arg-type]
        assert endpoint.host == "127.0.0.1"
        assert endpoint.port is not None
        assert _listening(endpoint.host, endpoint.port)
        assert endpoint.bucket
    finally:
        manager.close()
    assert not _listening(endpoint.host, endpoint.port), f"the {kind} service still listens after close()"


def test_without_the_flag_services_are_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DOCKER_FLAG, raising=False)
    use_docker, message = docker_status()
    assert not use_docker
    assert message == f"local processes ({DOCKER_FLAG} is not set)"


def test_flag_without_an_engine_says_so_and_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing listens on this port: the engine "does not answer", as on these machines.
    monkeypatch.setenv(DOCKER_FLAG, "1")
    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{free_port()}")
    use_docker, message = docker_status()
    assert not use_docker
    assert message.startswith(f"{DOCKER_FLAG}=1 but no Docker engine answered")
    assert message.endswith("falling back to local processes")
    manager = ServiceManager()
    try:
        assert not manager.use_docker
        endpoint = manager.get("gcs")
        assert endpoint.provider == "fake-gcs-server (process)"
        assert http_ready(f"http://{endpoint.host}:{endpoint.port}/_internal/healthcheck")
    finally:
        manager.close()


def test_cloud_accounts_need_every_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "STORAGES_TEST_AWS_S3_BUCKET",
        "STORAGES_TEST_AZURE_CONTAINER",
        "STORAGES_TEST_AZURE_CONNECTION_STRING",
    ):
        monkeypatch.delenv(name, raising=False)
    reason = cloud_endpoint("azure")
    assert isinstance(reason, str)
    assert "STORAGES_TEST_AZURE_CONTAINER" in reason
    assert "STORAGES_TEST_AZURE_CONNECTION_STRING" in reason
    monkeypatch.setenv("STORAGES_TEST_AWS_S3_BUCKET", "my-bucket")
    monkeypatch.setenv("STORAGES_TEST_AWS_S3_REGION", "eu-west-1")
    endpoint = cloud_endpoint("s3")
    assert not isinstance(endpoint, str)
    assert endpoint.cloud
    assert endpoint.bucket == "my-bucket"
    assert endpoint.settings["region"] == "eu-west-1"


def test_summary_has_one_line_per_backend_with_counts() -> None:
    harness = Harness()
    try:
        harness.backend("memory")
        harness.item_backend = {"a[memory]": "memory", "b[memory]": "memory", "a[s3]": "s3"}
        harness.outcomes = {"a[memory]": "passed", "b[memory]": "failed", "a[s3]": "passed"}
        harness.note("s3", "1200 hostile keys")
        lines = harness.summary_lines()
    finally:
        harness.close()
    assert lines[0].startswith("services: ")
    assert "memory: 1 passed, 1 failed (in-process dictionary)" in lines
    assert any(
        line.startswith("s3: 1 passed, 0 failed (not started)") and "1200 hostile keys" in line for line in lines
    )
