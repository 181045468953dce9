"""Every example of docs/backends/s3.md runs here, against moto."""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from s3_helpers import make_config
from test_s3_timeouts import FakeS3

from litestar_storages.backends.s3 import S3Config, S3Storage
from litestar_storages.testing.emulators.moto import MotoServer

pytestmark = pytest.mark.timeout(180)

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "docs" / "examples" / "s3"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"s3_docs_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_page_includes_every_example() -> None:
    page = (ROOT / "docs" / "backends" / "s3.md").read_text()
    for example in sorted(EXAMPLES.glob("*.py")):
        assert f"examples/s3/{example.name}" in page, example.name


async def test_quickstart(s3_config: S3Config, capsys: pytest.CaptureFixture[str]) -> None:
    await load("quickstart").main(s3_config)
    output = capsys.readouterr().out
    assert "photos/vacation.jpg 16 image/jpeg" in output
    assert "kept the first version" in output
    assert "['archive/vacation.jpg', 'photos/vacation.jpg']" in output


def test_quickstart_runs_standalone() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart.py")], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "/my-uploads/photos/vacation.jpg" in result.stdout


def test_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "R2_ACCESS_KEY_ID",
        "R2_SECRET_ACCESS_KEY",
        "MINIO_ROOT_USER",
        "MINIO_ROOT_PASSWORD",
        "B2_KEY_ID",
        "B2_APPLICATION_KEY",
        "SPACES_KEY",
        "SPACES_SECRET",
    ):
        monkeypatch.setenv(name, f"value-of-{name}")
    module = load("configuration")
    assert module.aws_with_the_credential_chain().access_key_id is None
    assert module.aws_with_a_profile().profile_name == "uploader"
    r2 = module.cloudflare_r2("abc123")
    assert (r2.region, r2.endpoint_url) == ("auto", "https://abc123.r2.cloudflarestorage.com")
    assert r2.access_key_id == "value-of-R2_ACCESS_KEY_ID"
    assert module.minio().addressing_style == "path"
    assert module.backblaze_b2().endpoint_url == "https://s3.us-west-004.backblazeb2.com"
    assert module.digitalocean_spaces().endpoint_url == "https://fra1.digitaloceanspaces.com"
    cdn = module.tenant_folder_behind_a_cdn()
    assert cdn.key_prefix == "tenants/acme/"
    assert cdn.retry.max_attempts == 5


async def test_configuration_builds_clients_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("R2_ACCESS_KEY_ID", "id")
    monkeypatch.setenv("R2_SECRET_ACCESS_KEY", "secret")
    async with S3Storage(load("configuration").cloudflare_r2("abc123")) as storage:
        url = await storage.url("a.txt")  # signing is local
    assert url.startswith("https://")
    assert "r2.cloudflarestorage.com" in url


async def test_browser_uploads(storage: S3Storage) -> None:
    module = load("browser_uploads")
    url = await module.signed_put(storage, "avatars/1.png")
    async with httpx.AsyncClient() as http:
        response = await http.put(url, content=b"png", headers={"Content-Type": "image/png"})
        assert response.status_code == 200
        page = await module.avatar_form(storage, 7)
        assert 'name="key" value="avatars/7.png"' in page
        assert 'name="file"' in page
        link = await module.download_link(storage, "avatars/1.png")
        disposition = dict(parse_qsl(urlsplit(link).query))["response-content-disposition"]
        assert 'filename="Invoice November 2026.pdf"' in disposition
        download = await http.get(link)
        assert download.content == b"png"
        assert download.headers["content-disposition"] == 'attachment; filename="Invoice November 2026.pdf"'


async def test_streaming(moto_server: MotoServer, bucket: str, capsys: pytest.CaptureFixture[str]) -> None:
    async with S3Storage(make_config(moto_server, bucket)) as storage:
        await load("streaming").main(storage)
        assert (await storage.info("videos/raw.bin")).content_type == "video/mp4"
    output = capsys.readouterr().out
    assert "upload videos/raw.bin: 12582912 bytes" in output
    assert f"received {12 * 1024 * 1024 - 1024 * 1024}" in output


async def test_multipart(storage: S3Storage, tmp_path: Path) -> None:
    module = load("multipart")
    data = bytes(range(256)) * (45 * 1024)  # 11.25 MiB: three parts
    stored = await module.upload_in_parts(storage, "archive.zip", data)
    assert stored.size == len(data)
    assert (await storage.info("archive.zip")).content_type == "application/zip"
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert (await module.upload_file(storage, "big.bin", str(path))).size == len(data)
    assert await storage.get_bytes("big.bin") == data


async def test_shared_client(moto_server: MotoServer, bucket: str, capsys: pytest.CaptureFixture[str]) -> None:
    await load("shared_client").main(moto_server.endpoint_url, bucket)
    assert "['shared.txt']" in capsys.readouterr().out


async def test_timeouts(moto_server: MotoServer, bucket: str) -> None:
    module = load("timeouts")
    config = module.impatient()
    assert (config.connect_timeout, config.read_timeout, config.retry.max_attempts) == (2.0, 5.0, 3)
    reachable = dataclasses.replace(config, bucket=bucket, **_endpoint(make_config(moto_server, bucket)))
    async with S3Storage(reachable) as storage:
        assert await module.save_within(storage, "thumb.png", b"png", 10)
        assert await storage.get_bytes("thumb.png") == b"png"
    # A service that takes no more of the body: the attempts time out, the call gives up.
    fake = FakeS3("stall")
    async with fake.running() as endpoint:
        stalled = dataclasses.replace(
            config,
            **_endpoint(make_config(endpoint, bucket)),
            read_timeout=0.3,
            retry=dataclasses.replace(config.retry, base_delay=0.01),
        )
        async with S3Storage(stalled) as storage:
            assert not await module.save_within(storage, "thumb.png", bytes(12 * 1024 * 1024), 10)
            assert len(fake.heads) == 3  # every attempt timed out
            # The deadline of the call itself applies too.
            assert not await module.save_within(storage, "thumb.png", bytes(12 * 1024 * 1024), 0.1)


def _endpoint(config: S3Config) -> dict[str, object]:
    fields = ("endpoint_url", "region", "access_key_id", "secret_access_key", "addressing_style")
    return {name: getattr(config, name) for name in fields}


def test_testing_example_passes() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(EXAMPLES / "test_with_moto.py"),
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "asyncio_mode=auto",
            "--rootdir",
            str(EXAMPLES),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=EXAMPLES,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


async def test_attributes(storage: S3Storage, capsys: pytest.CaptureFixture[str]) -> None:
    await load("attributes").main(storage)
    output = capsys.readouterr().out
    assert "STANDARD_IA Encryption(mode='kms', key='alias/reports') {'team': 'finance', 'retention': '7y'}" in output
    assert "folder reports/2026/" in output
    assert (await storage.info("archive/q3.pdf")).attributes.tags == {"team": "finance", "retention": "7y"}
