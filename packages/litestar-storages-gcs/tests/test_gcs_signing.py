"""V4 signed URLs and POST policies: signatures checked with the public key, URLs fetched."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import aiohttp
import pytest
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from gcloud.aio.auth import Token
from gcs_helpers import Recorded, replay_server, sdk_client

from litestar_storages.backends.gcs import GCSConfig, GCSStorage
from litestar_storages.backends.gcs.signing import KeySigner, sign_url
from litestar_storages.exceptions import ConfigurationError, StorageValidationError

EMAIL = "signer@test-project.iam.gserviceaccount.com"


def verify_signed_url(
    url: str, public_key: rsa.RSAPublicKey, method: str, headers: dict[str, str] | None = None
) -> dict[str, str]:
    """Rebuild the canonical request from the URL, as GCS does, and check the signature."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = dict(pairs)
    signature = binascii.unhexlify(query.pop("X-Goog-Signature"))
    canonical_query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(query.items()))
    signed_names = query["X-Goog-SignedHeaders"].split(";")
    all_headers = {"host": parts.netloc, **{k.lower(): v for k, v in (headers or {}).items()}}
    canonical_headers = "".join(f"{name}:{all_headers[name].strip()}\n" for name in signed_names)
    canonical = "\n".join(
        [method, parts.path, canonical_query, canonical_headers, query["X-Goog-SignedHeaders"], "UNSIGNED-PAYLOAD"]
    )
    credential = query["X-Goog-Credential"]
    scope = credential.split("/", 1)[1]
    to_sign = "\n".join(
        ["GOOG4-RSA-SHA256", query["X-Goog-Date"], scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    public_key.verify(signature, to_sign.encode(), padding.PKCS1v15(), hashes.SHA256())
    return query


async def test_signed_get_url_verifies_and_downloads(gcs_storage: GCSStorage, rsa_key: rsa.RSAPrivateKey) -> None:
    key = "signed/file name+ü?.txt"
    await gcs_storage.put(key, b"signed content")
    url = await gcs_storage.url(key, expires_in=timedelta(minutes=5))
    query = verify_signed_url(url, rsa_key.public_key(), "GET")
    assert query["X-Goog-Algorithm"] == "GOOG4-RSA-SHA256"
    assert query["X-Goog-Expires"] == "300"
    assert query["X-Goog-Credential"].startswith(f"{EMAIL}/")
    assert query["X-Goog-Credential"].endswith("/auto/storage/goog4_request")
    assert query["X-Goog-SignedHeaders"] == "host"
    assert unquote(urlsplit(url).path) == f"/{gcs_storage.config.bucket}/{key}"
    with pytest.raises(InvalidSignature):
        verify_signed_url(url.replace("X-Goog-Expires=300", "X-Goog-Expires=600"), rsa_key.public_key(), "GET")
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        assert await response.read() == b"signed content"


async def test_signed_url_expiry_defaults_and_limits(gcs_storage: GCSStorage) -> None:
    url = await gcs_storage.url("any.txt")
    assert dict(parse_qsl(urlsplit(url).query))["X-Goog-Expires"] == "3600"
    week = await gcs_storage.url("any.txt", expires_in=timedelta(days=7))
    assert dict(parse_qsl(urlsplit(week).query))["X-Goog-Expires"] == str(7 * 24 * 3600)
    with pytest.raises(StorageValidationError):
        await gcs_storage.url("any.txt", expires_in=timedelta(days=7, seconds=1))
    with pytest.raises(StorageValidationError):
        await gcs_storage.url("any.txt", expires_in=timedelta(0))


async def test_signed_get_with_download_filename(gcs_storage: GCSStorage, rsa_key: rsa.RSAPrivateKey) -> None:
    await gcs_storage.put("report.bin", b"data")
    url = await gcs_storage.url("report.bin", filename="Report 2026 é.pdf")
    query = verify_signed_url(url, rsa_key.public_key(), "GET")
    disposition = query["response-content-disposition"]
    assert disposition.startswith('attachment; filename="Report 2026 e.pdf"')
    assert "filename*=UTF-8''Report%202026%20%C3%A9.pdf" in disposition


async def test_signed_put_url_uploads(gcs_storage: GCSStorage, rsa_key: rsa.RSAPrivateKey) -> None:
    url = await gcs_storage.url("uploads/direct.csv", method="PUT", content_type="text/csv")
    query = verify_signed_url(url, rsa_key.public_key(), "PUT", {"content-type": "text/csv"})
    assert query["X-Goog-SignedHeaders"] == "content-type;host"
    headers = {"Content-Type": "text/csv"}
    async with aiohttp.ClientSession() as session, session.put(url, data=b"a,b\n1,2\n", headers=headers) as response:
        assert response.status == 200
    assert await gcs_storage.get_bytes("uploads/direct.csv") == b"a,b\n1,2\n"
    assert (await gcs_storage.info("uploads/direct.csv")).content_type == "text/csv"


async def test_signing_is_deterministic_for_a_given_time(rsa_key: rsa.RSAPrivateKey) -> None:
    from cryptography.hazmat.primitives import serialization

    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    signer = KeySigner(EMAIL, pem)
    moment = datetime(2026, 11, 25, 12, 0, 0, tzinfo=timezone.utc)
    arguments: dict[str, Any] = {
        "method": "GET",
        "base_url": "https://storage.googleapis.com",
        "bucket": "b",
        "name": "a/b c.txt",
        "expires_in": timedelta(hours=1),
        "now": moment,
    }
    first = await sign_url(signer, **arguments)
    assert first == await sign_url(signer, **arguments)
    assert first.startswith("https://storage.googleapis.com/b/a/b%20c.txt?X-Goog-Algorithm=GOOG4-RSA-SHA256&")
    assert "X-Goog-Date=20261125T120000Z" in first
    assert (
        "X-Goog-Credential=signer%40test-project.iam.gserviceaccount.com%2F20261125%2Fauto%2Fstorage%2Fgoog4_request"
        in first
    )


async def test_public_base_url_gives_plain_urls(gcs_config: GCSConfig) -> None:
    config = GCSConfig(
        bucket=gcs_config.bucket,
        api_root=gcs_config.api_root,
        public_base_url="https://cdn.example.com/",
        prefix="media",
    )
    async with GCSStorage(config) as storage:
        assert await storage.url("a b/c.jpg") == "https://cdn.example.com/media/a%20b/c.jpg"
        # Uploads still need a signature, and there is no key here.
        with pytest.raises(ConfigurationError, match="upload URLs always need a key") as caught:
            await storage.url("a.jpg", method="PUT")
        assert caught.value.field == "service_file"


async def test_no_key_on_emulator_is_a_clear_configuration_error(fake_gcs: Any, bucket: str) -> None:
    async with GCSStorage(GCSConfig(bucket=bucket, api_root=fake_gcs.api_root)) as storage:
        with pytest.raises(ConfigurationError, match="service-account key"):
            await storage.url("a.txt")


async def test_upload_form_post_policy(gcs_storage: GCSStorage, rsa_key: rsa.RSAPrivateKey) -> None:
    form = await gcs_storage.upload_form(
        "forms/avatar.png", max_size=1000, min_size=1, content_type="image/png", metadata={"User": "42"}
    )
    bucket = gcs_storage.config.bucket
    assert form.url == f"{gcs_storage.config.api_root}/{bucket}"
    fields = form.fields
    assert fields["key"] == "forms/avatar.png"
    assert fields["Content-Type"] == "image/png"
    assert fields["x-goog-algorithm"] == "GOOG4-RSA-SHA256"
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert ["content-length-range", 1, 1000] in policy["conditions"]
    assert {"x-goog-meta-user": "42"} in policy["conditions"]
    assert fields["x-goog-meta-user"] == "42"
    assert form.expires_at is not None
    assert form.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ") == policy["expiration"]
    assert {"bucket": bucket} in policy["conditions"]
    assert {"key": "forms/avatar.png"} in policy["conditions"]
    assert {"Content-Type": "image/png"} in policy["conditions"]
    expiration = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert timedelta(minutes=59) < expiration - datetime.now(timezone.utc) <= timedelta(hours=1)
    rsa_key.public_key().verify(
        binascii.unhexlify(fields["x-goog-signature"]), fields["policy"].encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    # The browser's form post. (fake-gcs-server stores it without checking the policy;
    # GCS enforces content-length-range and the content type.)
    data = aiohttp.FormData()
    for name, value in fields.items():
        data.add_field(name, value)
    data.add_field("file", b"\x89PNG fake", filename="avatar.png", content_type="image/png")
    async with aiohttp.ClientSession() as session, session.post(form.url, data=data) as response:
        assert response.status in {200, 201, 204}
    assert await gcs_storage.get_bytes("forms/avatar.png") == b"\x89PNG fake"
    assert (await gcs_storage.info("forms/avatar.png")).content_type == "image/png"


async def test_upload_form_rejects_bad_arguments(gcs_storage: GCSStorage) -> None:
    with pytest.raises(StorageValidationError):
        await gcs_storage.upload_form("x.bin", max_size=-1)
    with pytest.raises(StorageValidationError):
        await gcs_storage.upload_form("x.bin", max_size=10, expires_in=timedelta(days=8))
    with pytest.raises(StorageValidationError):
        await gcs_storage.upload_form("x.bin", max_size=10, min_size=11)


async def test_adc_signs_through_iam_sign_blob(
    rsa_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With Application Default Credentials (no key), IAM signBlob signs.

    The IAM Credentials API is played by a local server that signs with the test's
    key, as IAM signs with the service account's.
    """
    import gcloud.aio.auth.iam as iam_module

    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))  # no ADC file: the metadata server's credentials

    def sign_blob(request: Recorded) -> web.StreamResponse:
        payload = base64.b64decode(json.loads(request.body)["payload"])
        signature = rsa_key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
        document = {"keyId": "0123", "signedBlob": base64.b64encode(signature).decode()}
        return web.json_response(document)

    async with replay_server() as server, aiohttp.ClientSession() as session:
        server.script = [sign_blob, sign_blob]
        monkeypatch.setattr(iam_module, "API_ROOT_IAM_CREDENTIALS", f"{server.url}/v1")
        token = Token(session=session)  # type: ignore[arg-type]
        # A token as the metadata server would have issued it (no metadata server here).
        token.access_token = "ya29.test-token"
        token.access_token_preempt_after = token.access_token_refresh_after = 2**40
        client = sdk_client("", session, token=token)
        client._api_is_dev = False  # as built without api_root on Google Cloud
        client._api_root = "https://storage.googleapis.com"
        config = GCSConfig(bucket="prod-bucket", service_account_email=EMAIL)
        storage = GCSStorage(config, client=client)
        url = await storage.url("reports/q3.pdf")
        assert url.startswith("https://storage.googleapis.com/prod-bucket/reports/q3.pdf?")
        verify_signed_url(url, rsa_key.public_key(), "GET")
        request = server.requests[0]
        assert request.path == f"/v1/projects/-/serviceAccounts/{EMAIL}:signBlob"
        assert request.headers["Authorization"] == "Bearer ya29.test-token"
        form = await storage.upload_form("reports/new.pdf", max_size=10)
        assert form.url == "https://storage.googleapis.com/prod-bucket"
        await storage.close()


async def test_adc_without_service_account_email_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))  # no ADC file: the metadata server's credentials
    async with aiohttp.ClientSession() as session:
        client = sdk_client("", session, token=Token(session=session))  # type: ignore[arg-type]
        client._api_is_dev = False
        storage = GCSStorage(GCSConfig(bucket="prod-bucket"), client=client)
        with pytest.raises(ConfigurationError) as caught:
            await storage.url("a.txt")
        assert caught.value.field == "service_account_email"
