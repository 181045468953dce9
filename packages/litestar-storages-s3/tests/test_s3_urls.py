"""Presigned URLs and POST forms, fetched with a real HTTP client (httpx) from moto."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from s3_helpers import ACCESS_KEY, REGION, SECRET_KEY, make_config

from litestar_storages.backends.s3 import S3Storage, UploadForm
from litestar_storages.exceptions import StorageValidationError
from litestar_storages.testing.emulators.moto import MotoServer

pytestmark = pytest.mark.timeout(120)


def query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def assert_signed_for(url: str, seconds: int) -> None:
    # moto serves expired URLs too, so the expiry is checked where S3 reads it: in the
    # signed query parameters.
    params = query(url)
    assert params["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert params["X-Amz-Expires"] == str(seconds)
    signed_at = datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    assert abs((datetime.now(timezone.utc) - signed_at).total_seconds()) < 120
    assert params["X-Amz-Credential"].startswith(f"{ACCESS_KEY}/{signed_at:%Y%m%d}/{REGION}/s3/aws4_request")
    assert len(params["X-Amz-Signature"]) == 64


async def test_presigned_get_downloads(storage: S3Storage) -> None:
    await storage.put("docs/report 2026.pdf", b"%PDF-1.7 content", content_type="application/pdf")
    url = await storage.url("docs/report 2026.pdf", expires_in=timedelta(minutes=5))
    assert_signed_for(url, 300)
    async with httpx.AsyncClient() as http:
        response = await http.get(url)
    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 content"
    assert response.headers["content-type"] == "application/pdf"


async def test_default_expiry_comes_from_config(moto_server: MotoServer, bucket: str) -> None:
    async with S3Storage(make_config(moto_server, bucket)) as storage:
        assert_signed_for(await storage.url("a.txt"), 3600)
    async with S3Storage(make_config(moto_server, bucket, presigned_expiry=timedelta(days=7))) as storage:
        assert_signed_for(await storage.url("a.txt"), 7 * 24 * 3600)


@pytest.mark.parametrize("expires_in", [timedelta(days=7, seconds=1), timedelta(0), timedelta(seconds=-5)])
async def test_expiry_is_limited_to_seven_days(storage: S3Storage, expires_in: timedelta) -> None:
    with pytest.raises(StorageValidationError):
        await storage.url("a.txt", expires_in=expires_in)
    with pytest.raises(StorageValidationError):
        await storage.upload_form("a.txt", max_size=10, expires_in=expires_in)


async def test_presigned_put_uploads(storage: S3Storage) -> None:
    url = await storage.url("uploads/note.txt", method="PUT", content_type="text/plain", expires_in=timedelta(hours=2))
    assert_signed_for(url, 7200)
    assert "content-type" in query(url)["X-Amz-SignedHeaders"].split(";")
    async with httpx.AsyncClient() as http:
        response = await http.put(url, content=b"uploaded by a browser", headers={"Content-Type": "text/plain"})
    assert response.status_code == 200
    assert await storage.get_bytes("uploads/note.txt") == b"uploaded by a browser"
    assert (await storage.info("uploads/note.txt")).content_type == "text/plain"


async def test_url_does_not_check_existence(storage: S3Storage) -> None:
    url = await storage.url("not/there.txt")
    async with httpx.AsyncClient() as http:
        response = await http.get(url)
    assert response.status_code == 404


async def test_download_filename_is_signed(storage: S3Storage) -> None:
    await storage.put("files/abc123", b"data")
    url = await storage.url("files/abc123", filename='résumé "final".pdf')
    async with httpx.AsyncClient() as http:
        response = await http.get(url)
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="resume _final_.pdf"')
    assert "filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf" in disposition


async def test_urls_carry_the_storage_prefix(moto_server: MotoServer, bucket: str) -> None:
    async with S3Storage(make_config(moto_server, bucket, prefix="tenant-7")) as storage:
        await storage.put("a b.txt", b"prefixed")
        url = await storage.url("a b.txt")
        assert urlsplit(url).path == f"/{bucket}/tenant-7/a%20b.txt"
        async with httpx.AsyncClient() as http:
            assert (await http.get(url)).content == b"prefixed"


async def test_public_base_url_gives_plain_urls(moto_server: MotoServer, bucket: str) -> None:
    config = make_config(moto_server, bucket, prefix="media", public_base_url="https://cdn.example.com/")
    async with S3Storage(config) as storage:
        assert await storage.url("photos/cat 1.jpg") == "https://cdn.example.com/media/photos/cat%201.jpg"
        upload = await storage.url("photos/cat 1.jpg", method="PUT")
        assert upload.startswith(moto_server.endpoint_url)
        assert "X-Amz-Signature" in query(upload)


def _signing_key(date: str) -> bytes:
    key = ("AWS4" + SECRET_KEY).encode()
    for part in (date, REGION, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


async def test_upload_form_posts_with_httpx(storage: S3Storage, bucket: str) -> None:
    form = await storage.upload_form(
        "avatars/ada.png",
        max_size=1000,
        content_type="image/png",
        metadata={"user": "Ada Lovelace", "city": "Londres à Paris"},
        expires_in=timedelta(minutes=10),
    )
    assert isinstance(form, UploadForm)
    assert form.expires_at is not None
    remaining = form.expires_at - datetime.now(timezone.utc)
    assert timedelta(minutes=9) < remaining <= timedelta(minutes=10)

    policy = json.loads(base64.b64decode(form.fields["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 0, 1000] in conditions
    assert {"Content-Type": "image/png"} in conditions
    assert {"bucket": bucket} in conditions
    assert {"key": "avatars/ada.png"} in conditions
    assert {"x-amz-meta-user": "Ada Lovelace"} in conditions
    expiration = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert abs((expiration - form.expires_at).total_seconds()) < 2
    # The signature S3 checks: HMAC-SHA256 of the base64 policy with the SigV4 signing key.
    date = form.fields["x-amz-date"][:8]
    expected = hmac.new(_signing_key(date), form.fields["policy"].encode(), hashlib.sha256).hexdigest()
    assert form.fields["x-amz-signature"] == expected

    # moto stores the upload but does not enforce the policy's conditions; AWS S3 does.
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    async with httpx.AsyncClient() as http:
        response = await http.post(form.url, data=form.fields, files={"file": ("ada.png", png, "image/png")})
    assert response.status_code in {200, 201, 204}
    assert await storage.get_bytes("avatars/ada.png") == png
    assert (await storage.info("avatars/ada.png")).metadata == {"user": "Ada Lovelace", "city": "Londres à Paris"}


async def test_upload_form_without_content_type_has_no_type_condition(storage: S3Storage) -> None:
    form = await storage.upload_form("any.bin", max_size=5, min_size=1)
    conditions = json.loads(base64.b64decode(form.fields["policy"]))["conditions"]
    assert ["content-length-range", 1, 5] in conditions
    assert not any(isinstance(condition, dict) and "Content-Type" in condition for condition in conditions)
    assert "Content-Type" not in form.fields


@pytest.mark.parametrize(("min_size", "max_size"), [(0, -1), (10, 5), (-1, 5)])
async def test_upload_form_rejects_bad_sizes(storage: S3Storage, min_size: int, max_size: int) -> None:
    with pytest.raises(StorageValidationError):
        await storage.upload_form("a.bin", max_size=max_size, min_size=min_size)


async def test_upload_form_defaults_to_the_configured_expiry_and_s3s_size_limit(
    moto_server: MotoServer, bucket: str
) -> None:
    config = make_config(moto_server, bucket, presigned_expiry=timedelta(minutes=20))
    async with S3Storage(config) as storage:
        form = await storage.upload_form("any.bin")
        assert form.expires_at is not None
        remaining = form.expires_at - datetime.now(timezone.utc)
        assert timedelta(minutes=19) < remaining <= timedelta(minutes=20)
        conditions = json.loads(base64.b64decode(form.fields["policy"]))["conditions"]
        assert ["content-length-range", 0, 5 * 1024**3] in conditions  # S3's own POST limit
        form = await storage.upload_form("any.bin", min_size=10)
        conditions = json.loads(base64.b64decode(form.fields["policy"]))["conditions"]
        assert ["content-length-range", 10, 5 * 1024**3] in conditions
