"""Every example of docs/backends/gcs.md runs here, against fake-gcs-server."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import pytest

from litestar_storages.backends.gcs import GCSConfig, GCSStorage
from litestar_storages.testing.emulators.fake_gcs import FakeGCSServer

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "gcs"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"gcs_docs_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_page_includes_every_example() -> None:
    page = (EXAMPLES.parents[1] / "backends" / "gcs.md").read_text()
    for example in sorted(EXAMPLES.glob("*.py")):
        assert f"examples/gcs/{example.name}" in page, example.name


async def test_quickstart(gcs_config: GCSConfig, capsys: pytest.CaptureFixture[str]) -> None:
    await load("quickstart").main(gcs_config)
    output = capsys.readouterr().out
    assert "reports/2026-11.csv 23 text/csv" in output
    assert "kept the first version" in output
    assert "['archive/2026-11.csv', 'reports/2026-11.csv']" in output


def test_quickstart_runs_standalone() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart.py")], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "X-Goog-Signature=" in result.stdout


def test_configuration(service_file: Path) -> None:
    module = load("configuration")
    assert module.service_account(str(service_file)).presigned_expiry == timedelta(minutes=15)
    assert module.application_default_credentials().service_account_email
    assert module.emulator("http://127.0.0.1:4443").api_root == "http://127.0.0.1:4443"
    cdn = module.tenant_folder_behind_a_cdn()
    assert cdn.normalized_prefix == "tenants/acme/"
    assert cdn.chunk_size == 16 * 1024 * 1024


async def test_streaming(gcs_storage: GCSStorage, capsys: pytest.CaptureFixture[str]) -> None:
    await load("streaming").main(gcs_storage)
    assert "download videos/raw.bin:" in capsys.readouterr().out
    assert (await gcs_storage.info("videos/raw.bin")).content_type == "video/mp4"


async def test_browser_uploads(gcs_storage: GCSStorage) -> None:
    module = load("browser_uploads")
    url = await module.signed_put(gcs_storage, "avatars/1.png")
    async with aiohttp.ClientSession() as session:
        async with session.put(url, data=b"png", headers={"Content-Type": "image/png"}) as response:
            assert response.status == 200
        html = await module.avatar_form(gcs_storage, 7)
        assert 'name="key" value="avatars/7.png"' in html
        assert 'name="file"' in html
        link = await module.download_link(gcs_storage, "avatars/1.png")
        disposition = dict(parse_qsl(urlsplit(link).query))["response-content-disposition"]
        assert 'filename="Invoice November 2026.pdf"' in disposition
        async with session.get(link) as response:
            assert await response.read() == b"png"


async def test_shared_client(fake_gcs: FakeGCSServer, bucket: str) -> None:
    await load("shared_client").main(fake_gcs.api_root, bucket)
