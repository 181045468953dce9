"""file:// and public URLs, and HMAC-signed URLs that any framework can verify."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from litestar_storages.backends.filesystem import (
    ExpiredSignatureError,
    FileSystemConfig,
    FileSystemStorage,
    InvalidSignatureError,
    sign_url,
    verify_signature,
)
from litestar_storages.disposition import check_filename
from litestar_storages.exceptions import (
    ConfigurationError,
    InvalidKeyError,
    InvalidMetadataError,
    StoragePermissionError,
    StorageValidationError,
    UnsupportedOperationError,
)

AWKWARD = ["with space.txt", "ünïcödé/文件.bin", "percent%20encoded.txt", "query?and#hash.txt", "plus+sign&amp=.txt"]


def _split(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    return unquote(parts.path), dict(parse_qsl(parts.query, keep_blank_values=True))


@pytest.mark.parametrize("key", AWKWARD)
async def test_file_url_points_at_the_file(storage: FileSystemStorage, root: Path, key: str) -> None:
    await storage.put(key, b"x")
    url = await storage.url(key)
    parts = urlsplit(url)
    assert parts.scheme == "file"
    assert (parts.query, parts.fragment) == ("", "")
    assert Path(unquote(parts.path)).read_bytes() == b"x"
    assert Path(unquote(parts.path)).resolve() == (root / key).resolve()


@pytest.mark.parametrize("key", AWKWARD)
async def test_base_url_quotes_each_segment(root: Path, key: str) -> None:
    storage = FileSystemStorage(FileSystemConfig(path=root, base_url="https://cdn.example.com/media/"))
    url = await storage.url(key, expires_in=timedelta(minutes=1))
    assert url.startswith("https://cdn.example.com/media/")
    parts = urlsplit(url)
    assert (parts.query, parts.fragment) == ("", "")
    assert unquote(parts.path) == "/media/" + key
    assert " " not in url
    assert url.count("/") == 4 + key.count("/")


async def test_base_url_quoting_examples(root: Path) -> None:
    storage = FileSystemStorage(FileSystemConfig(path=root, base_url="/files"))
    assert await storage.url("a b/c?d#e.txt") == "/files/a%20b/c%3Fd%23e.txt"
    assert await storage.url("ü/+&=.txt") == "/files/%C3%BC/%2B%26%3D.txt"


async def test_upload_url_needs_signing(storage: FileSystemStorage) -> None:
    with pytest.raises(UnsupportedOperationError, match="FileSystemStorage") as caught:
        await storage.url("upload.bin", method="PUT")
    assert caught.value.key == "upload.bin"


async def test_signed_url_round_trip(signed_storage: FileSystemStorage) -> None:
    key = "reports/Q1 2026/sälës.pdf"
    url = await signed_storage.url(key, expires_in=timedelta(minutes=5), filename="Sales Q1.pdf")
    assert url.startswith("https://files.example.com/media/reports/Q1%202026/s%C3%A4l%C3%ABs.pdf?")
    path, query = _split(url)
    assert path == "/media/" + key
    access = signed_storage.verify_signed_url(key, query)
    assert (access.key, access.method, access.filename, access.content_type) == (key, "GET", "Sales Q1.pdf", None)
    # The raw query string works too, and HEAD counts as GET.
    assert signed_storage.verify_signed_url(key, urlsplit(url).query, method="HEAD").key == key


async def test_signed_upload_url_round_trip(signed_storage: FileSystemStorage) -> None:
    url = await signed_storage.url("in/upload.png", method="PUT", content_type="image/png")
    _, query = _split(url)
    access = signed_storage.verify_signed_url("in/upload.png", query, method="PUT")
    assert (access.method, access.content_type) == ("PUT", "image/png")
    with pytest.raises(InvalidSignatureError):
        signed_storage.verify_signed_url("in/upload.png", query, method="GET")


@pytest.mark.parametrize(
    "tamper",
    ["key", "expires", "signature", "filename-changed", "filename-removed", "filename-added", "missing-signature"],
)
async def test_tampered_signed_url_rejected(signed_storage: FileSystemStorage, tamper: str) -> None:
    url = await signed_storage.url("doc.pdf", filename="doc.pdf")
    _, query = _split(url)
    key = "doc.pdf"
    if tamper == "key":
        key = "other.pdf"
    elif tamper == "expires":
        query["expires"] = str(int(query["expires"]) + 3600)
    elif tamper == "signature":
        query["signature"] = query["signature"][:-2] + ("AA" if query["signature"][-2:] != "AA" else "BB")
    elif tamper == "filename-changed":
        query["filename"] = "evil.exe"
    elif tamper == "filename-removed":
        del query["filename"]
    elif tamper == "filename-added":
        query = dict(_split(await signed_storage.url("doc.pdf"))[1], filename="added.txt")
    else:
        del query["signature"]
    with pytest.raises(InvalidSignatureError) as caught:
        signed_storage.verify_signed_url(key, query)
    assert not isinstance(caught.value, ExpiredSignatureError)
    assert isinstance(caught.value, StoragePermissionError)


async def test_expired_signed_url_rejected(signed_storage: FileSystemStorage) -> None:
    url = await signed_storage.url("doc.pdf", expires_in=timedelta(seconds=30))
    _, query = _split(url)
    expires = int(query["expires"])
    assert signed_storage.verify_signed_url("doc.pdf", query, now=expires - 1).key == "doc.pdf"
    with pytest.raises(ExpiredSignatureError):
        signed_storage.verify_signed_url("doc.pdf", query, now=expires)
    with pytest.raises(ExpiredSignatureError):
        signed_storage.verify_signed_url("doc.pdf", query, now=expires + 86400)


async def test_default_expiry_is_the_configured_one(root: Path) -> None:
    config = FileSystemConfig(
        path=root, base_url="/f", signing_secret="s" * 32, signed_url_expiry=timedelta(minutes=10)
    )
    storage = FileSystemStorage(config)
    _, query = _split(await storage.url("a.txt"))
    access = storage.verify_signed_url("a.txt", query)
    from time import time

    assert 590 <= access.expires_at.timestamp() - time() <= 601


async def test_another_secret_does_not_verify(signed_storage: FileSystemStorage) -> None:
    _, query = _split(await signed_storage.url("doc.pdf"))
    with pytest.raises(InvalidSignatureError):
        verify_signature("doc.pdf", query, "another-secret-0123456789abcdefgh")


def test_module_functions_need_no_storage() -> None:
    url = sign_url("https://x.test/files/", "a/b c.txt", b"k" * 32, expires_at=2_000_000_000, method="GET")
    assert url.startswith("https://x.test/files/a/b%20c.txt?expires=2000000000&signature=")
    _, query = _split(url)
    assert verify_signature("a/b c.txt", query, b"k" * 32, now=1_999_999_999).key == "a/b c.txt"
    with pytest.raises(InvalidKeyError):
        verify_signature("../etc/passwd", query, b"k" * 32)
    with pytest.raises(InvalidSignatureError):
        verify_signature("a/b c.txt", {"expires": "soon", "signature": "x"}, b"k" * 32)
    with pytest.raises(InvalidSignatureError):
        verify_signature("a/b c.txt", query, b"k" * 32, method="DELETE")


async def test_verification_needs_a_secret(storage: FileSystemStorage) -> None:
    with pytest.raises(ConfigurationError) as caught:
        storage.verify_signed_url("a.txt", {"expires": "1", "signature": "x"})
    assert caught.value.field == "signing_secret"


@pytest.mark.parametrize(
    ("expires", "signature"),
    [
        ("²", "A" * 43),  # "²".isdigit() is true, int("²") raises
        ("٣", "A" * 43),  # int() would read this Arabic-Indic three
        ("9" * 4301, "A" * 43),  # past int()'s digit limit
        ("9" * 20, "A" * 43),  # past datetime's range
        (" 1", "A" * 43),
        ("1", "A" * 42),
        ("1", "é" * 43),
        ("1", "\udc80" * 43),  # a lone surrogate, from a caller's mapping
        ("1", "A" * 10_000),
    ],
)
def test_malformed_expiry_or_signature_is_an_invalid_signature(expires: str, signature: str) -> None:
    # Parsed as ASCII with bounded lengths: InvalidSignatureError (a 403), never ValueError.
    with pytest.raises(InvalidSignatureError):
        verify_signature("a.txt", {"expires": expires, "signature": signature}, b"k" * 32)
    query = f"expires={expires}&signature={signature}".encode("utf-8", "surrogatepass").decode("latin-1")
    with pytest.raises(InvalidSignatureError):
        verify_signature("a.txt", query, b"k" * 32)


def test_an_expiry_past_eleven_digits_is_refused_even_when_signed() -> None:
    url = sign_url("https://x.test", "a.txt", b"k" * 32, expires_at=10**12)
    _, query = _split(url)
    with pytest.raises(InvalidSignatureError):
        verify_signature("a.txt", query, b"k" * 32, now=0)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"method": "get"}, StorageValidationError),
        ({"method": "DELETE"}, StorageValidationError),
        ({"filename": "tab\there.txt"}, InvalidMetadataError),
        ({"filename": "nel\x85.txt"}, InvalidMetadataError),
        ({"content_type": ""}, InvalidMetadataError),
        ({"content_type": "text/é"}, InvalidMetadataError),
    ],
)
def test_sign_url_called_directly_follows_the_url_rules(options: dict[str, str], error: type[Exception]) -> None:
    with pytest.raises(error):
        sign_url("https://x.test", "a.txt", b"k" * 32, expires_at=2_000_000_000, **options)


def _accepted(name: str) -> bool:
    try:
        return check_filename(name) is not None
    except InvalidMetadataError:
        return False


FILENAMES = st.one_of(
    st.sampled_from(["a; filename*=UTF-8''b.txt", 'quote" and \\ back.txt', "Résumé final.txt", "文件.txt", "%41.txt"]),
    st.text(min_size=1, max_size=40),
).filter(_accepted)


_SIGNING = FileSystemStorage(
    FileSystemConfig(path="never-touched", base_url="https://files.example.com", signing_secret=b"k" * 32)
)


@settings(max_examples=300, deadline=None)
@given(filename=FILENAMES)
def test_any_accepted_filename_is_bound_exactly(filename: str) -> None:
    url = asyncio.run(_SIGNING.url("doc.pdf", filename=filename))
    access = _SIGNING.verify_signed_url("doc.pdf", _split(url)[1])
    assert access.filename == filename
