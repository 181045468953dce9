"""Property-based sweep: arbitrary header, query and path values never get a 5xx or outside bytes.

Hypothesis throws hostile values (huge numbers, other scripts' digits, control
characters, non-ASCII bytes, percent-encoded lone surrogates, very long values, and
near-valid ones) at the download route (``storage_response``), the multipart and raw
upload routes and the signed GET/PUT routes, on ``MemoryStorage`` and on a
``FileSystemStorage`` whose root holds links leading outside it. Every answer must be
below 500; every 200/206 body must be exactly the requested object or a slice of it
as its ``Content-Range`` says; no answer may carry the outside file's bytes, and the
outside folder must be untouched at the end.

Each route gets :data:`EXAMPLES` examples per backend (no deadline: the test client's
thread hop varies); each test asserts that many were run.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, unquote

import pytest
from httpx import Response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import HttpMethod, Litestar, Request, post, put, route
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.testing import TestClient

from litestar_storages import FileSystemConfig, FileSystemStorage, MemoryStorage, Storage, StoredFile
from litestar_storages.backends.filesystem import sign_url
from litestar_storages.base import BaseStorage
from litestar_storages.content import guess_content_type
from litestar_storages.contrib import StoragePlugin, StorageResponse, save_request_body, save_upload, storage_response

EXAMPLES = 200
"""Examples per route and backend."""

SECRET = "fuzzing-signing-secret-of-32-bytes-or-so"
OUTSIDE = b"OUTSIDE-THE-ROOT-" * 8
OBJECTS = {
    "doc.bin": bytes(range(256)) * 5,  # 1280 bytes, every byte value, so a slice is unambiguous
    "page.html": b"<html><script>alert(1)</script></html>",
    "empty.txt": b"",
    "dir/é x.txt": "unicode key ✓".encode(),
}
LINKS = ("link.bin", "out/secret.bin")  # links leading out of the filesystem root
ESCAPING = (*LINKS, "out/new.txt")  # keys through those links
UPLOAD_LIMIT = 2048

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@route("/files/{key:path}", http_method=[HttpMethod.GET, HttpMethod.HEAD])
async def download(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"))


@dataclass
class FileForm:
    # A form with a file field, as docs/litestar.md shows: Litestar 2 answers a bare
    # `data: UploadFile` parameter with 500 when the part has no file name.
    file: UploadFile


@post("/upload/{key:path}")
async def upload(
    key: FromPath[str],
    data: Annotated[FileForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    storage: NamedDependency[Storage],
) -> StoredFile:
    return await save_upload(storage, "uploads/" + key.lstrip("/"), data.file, max_size=UPLOAD_LIMIT)


@put("/raw/{key:path}")
async def raw(key: FromPath[str], request: Request[Any, Any, Any], storage: NamedDependency[Storage]) -> StoredFile:
    return await save_request_body(storage, "uploads/" + key.lstrip("/"), request, max_size=UPLOAD_LIMIT)


# -- strategies ---------------------------------------------------------------------------


def _weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    # st.one_of picks branches evenly (and merges repeated ones): weights need a draw.
    table = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.integers(0, len(table) - 1).flatmap(lambda index: table[index])


# Strategies lean towards almost-valid values (a real unit, real day names) with one
# hostile part, so that they reach the parsers' number and date conversions.
_UNICODE_DIGITS = "²³¹٣۵߃०১੩૫୬௭౮೯൧෨๓໔༢၅႗០᠑᥆᧖᪁᭑᮱᱂꘠꣐꤁꧑꩓꯹０１９𝟎𝟗"
_small = st.integers(0, 5000).map(str)
_huge = st.one_of(
    st.integers(12, 6000).map(lambda n: "9" * n),
    st.just("9" * 4301),
    st.integers(1, 3000).map(lambda n: "0" * n + "7"),
)
_digits = _weighted(
    (3, _small),
    (2, _huge),
    (1, st.text("0123456789", max_size=25)),
    (1, st.text(_UNICODE_DIGITS + "0123456789", min_size=1, max_size=6)),
    (1, st.sampled_from(["-1", "+1", "1e3", "0x10", " 1", "1 ", "1_000", "١٢", "", "-"])),
)
_range_spec = st.one_of(
    st.tuples(_digits, _digits).map(lambda pair: f"{pair[0]}-{pair[1]}"),
    st.tuples(st.sampled_from(["", " ", "\t", "\x00", "\u00a0"]), _digits, _digits).map(
        lambda item: f"{item[0]}{item[1]}{item[0]}-{item[0]}{item[2]}"
    ),
    st.text(max_size=12),
)
_unit = st.sampled_from(["bytes="] * 6 + ["BYTES=", "bytes =", "items=", "bytes=,", "bÿtes="])
_one_hostile_range = st.tuples(
    st.sampled_from(["bytes=0-{}", "bytes={}-", "bytes=-{}", "bytes={}-5", "bytes=0-1,{}-"]), _digits
).map(lambda item: item[0].format(item[1]))


def _range_list(most: int) -> st.SearchStrategy[str]:
    return st.tuples(_unit, st.lists(_range_spec, min_size=1, max_size=most)).map(
        lambda item: item[0] + ",".join(item[1])
    )


_range = _weighted((3, _one_hostile_range), (4, _range_list(4)), (1, _range_list(80)), (1, st.text(max_size=40)))
_day = st.sampled_from(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] * 2 + ["Sunday", "Xyz", "", "²"])
_month = st.sampled_from(["Jan", "Feb", "Mar", "Nov", "Dec"] * 2 + ["jan", "Foo", "٣"])
_any_date = st.one_of(
    st.tuples(_day, _digits, _month, _digits, _digits).map(lambda d: f"{d[0]}, {d[1]} {d[2]} {d[3]} {d[4]}:00:00 GMT"),
    st.tuples(_day, _digits, _month, _digits).map(lambda d: f"{d[0]}, {d[1]}-{d[2]}-{d[3]} 08:49:37 GMT"),
    st.tuples(_day, _month, _digits, _digits).map(lambda d: f"{d[0]} {d[1]} {d[2]} 08:49:37 {d[3]}"),
    st.sampled_from(["Wed, 25 Nov 2026 10:00:00 GMT", "Sat, 29 Feb 2025 10:00:00 GMT", "Sun, 06 Nov 1994 25:61 GMT"]),
    st.text(max_size=40),
)
_date = _weighted(
    # One hostile field (the year, the day) in an otherwise valid IMF-fixdate.
    (3, _digits.map(lambda year: f"Wed, 25 Nov {year} 10:00:00 GMT")),
    (1, _digits.map(lambda day: f"Wed, {day} Nov 2026 10:00:00 GMT")),
    (4, _any_date),
)
_etag = st.one_of(
    st.text(max_size=10).map(lambda text: f'"{text}"'),
    st.text(max_size=10).map(lambda text: f'W/"{text}"'),
    st.sampled_from(["*", '"', "W/", ",", '""', 'W/""']),
)
_etag_list = st.one_of(
    st.lists(_etag, max_size=30).map(", ".join),
    st.integers(1, 3000).map(lambda n: '"a", ' * n),
    st.text(max_size=40),
)


def _long(most: int) -> st.SearchStrategy[str]:
    return st.integers(1000, most).flatmap(lambda n: st.sampled_from([" " * n, "9" * n, "," * n, '"' * n, "é" * n]))


_short = st.one_of(st.text(max_size=60), st.binary(max_size=60).map(lambda raw: raw.decode("latin-1")))
_anything = st.one_of(_short, _long(20_000))
# Query values travel percent-encoded in the URL, which clients cap (httpx at 64 KiB):
# five of them stay below that.
_query_anything = st.one_of(_short, _long(1_500))


def _header(specific: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return _weighted((3, specific), (1, _anything))


_REQUEST_HEADERS: dict[str, st.SearchStrategy[str]] = {
    "range": _header(_range),
    "if-range": _header(st.one_of(_date, _etag)),
    "if-match": _header(_etag_list),
    "if-none-match": _header(_etag_list),
    "if-modified-since": _header(_date),
    "if-unmodified-since": _header(_date),
}
_content_type = st.one_of(
    _query_anything,
    st.one_of(
        st.sampled_from(
            [
                "text/html",
                "image/svg+xml",
                "application/xhtml+xml",
                "text/javascript",
                "text/html; charset=utf-7",
                "image/png",
                "application/octet-stream",
                "multipart/form-data",
                "text/plain\r\nX-Injected: 1",
            ]
        ),
        st.text(max_size=30).map(lambda text: f"text/{text}"),
    ),
)


def _wire(value: str) -> bytes:
    # Servers decode header bytes as latin-1; other characters travel as UTF-8 bytes.
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


def _headers(chosen: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.encode(), _wire(value)) for name, value in chosen.items()]


# A few headers at a time: with all six, If-Match (412) and If-None-Match (304) would
# decide most answers before Range and the dates are read.
_header_names = st.lists(st.sampled_from(sorted(_REQUEST_HEADERS)), min_size=1, max_size=3, unique=True)
_request_headers = _weighted(
    (3, _header_names.map(lambda names: names[:1])),
    (1, _header_names),
    (1, st.just([])),
).flatmap(lambda names: st.fixed_dictionaries({name: _REQUEST_HEADERS[name] for name in names}))
_existing = st.sampled_from([*OBJECTS, *LINKS]).map(lambda key: quote(key, safe="/"))
_key = _weighted(
    # Mostly keys that exist, so the headers reach the parsers behind the 404.
    (12, _existing),
    (1, st.sampled_from(["missing.bin", "out", "dir", "dir/", ""]).map(lambda key: quote(key, safe="/"))),
    (1, st.text(max_size=30).map(lambda text: quote(text, safe="/"))),
    (1, st.sampled_from(["%ED%A0%80", "%FF%FE", "%00", "..%2F..%2Fetc", "%2e%2e/x", "a//b", "%E2%80%A8"])),
    (1, st.lists(st.sampled_from(["..", ".", "out", "link.bin", "%2F", "x"]), max_size=5).map("/".join)),
)


# -- the app under test ---------------------------------------------------------------


@contextmanager
def _client(backend: str, tmp_path: Path) -> Iterator[tuple[TestClient[Litestar], BaseStorage, Path]]:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.bin").write_bytes(OUTSIDE)
    storage: BaseStorage
    if backend == "memory":
        storage = MemoryStorage()
    else:
        storage = FileSystemStorage(FileSystemConfig(path=tmp_path / "root", base_url="/media", signing_secret=SECRET))
    app = Litestar([download, upload, raw], plugins=[StoragePlugin(storage)])
    with TestClient(app, raise_server_exceptions=False) as client:
        for key, data in OBJECTS.items():
            client.blocking_portal.call(storage.put, key, data)
        if backend == "filesystem":
            os.symlink(outside, tmp_path / "root" / "out")
            os.symlink(outside / "secret.bin", tmp_path / "root" / "link.bin")
        yield client, storage, outside
    # Nothing outside the root was read into an answer (checked per answer) or changed.
    assert sorted(os.listdir(outside)) == ["secret.bin"]
    assert (outside / "secret.bin").read_bytes() == OUTSIDE


_CONTENT_RANGE = re.compile(r"bytes ([0-9]+)-([0-9]+)/([0-9]+)")


def check_answer(response: Response, requested: bytes | None) -> None:
    """No 5xx; a success carries the requested object or exactly the slice it says."""
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert OUTSIDE[:16] not in response.content
    if response.status_code not in {200, 206}:
        return
    # Only an existing object is ever served, and only its own bytes.
    assert requested is not None, response.request.url
    assert response.headers["x-content-type-options"] == "nosniff"
    if response.request.method == "HEAD":
        assert response.content == b""
        return
    if response.status_code == 200:
        assert response.content == requested
        return
    content_type = response.headers["content-type"]
    if content_type.startswith("multipart/byteranges"):
        boundary = content_type.partition("boundary=")[2]
        parts = response.content.split(f"--{boundary}".encode())[1:-1]
        assert parts
        for part in parts:
            head, _, data = part.partition(b"\r\n\r\n")
            match = _CONTENT_RANGE.search(head.decode("latin-1"))
            assert match is not None
            first, last, size = map(int, match.groups())
            assert size == len(requested)
            assert data == requested[first : last + 1] + b"\r\n"
        return
    match = _CONTENT_RANGE.fullmatch(response.headers["content-range"])
    assert match is not None
    first, last, size = map(int, match.groups())
    assert size == len(requested)
    assert response.content == requested[first : last + 1]


def _requested(quoted_key: str) -> bytes | None:
    return OBJECTS.get(unquote(quoted_key, errors="replace").lstrip("/"))


@pytest.mark.parametrize("backend", ["memory", "filesystem"])
def test_download_route(backend: str, tmp_path: Path) -> None:
    tried = 0
    with _client(backend, tmp_path) as (client, _, _):

        @FUZZ_SETTINGS
        @given(key=_key, headers=_request_headers, head=st.booleans())
        def download_anything(key: str, headers: dict[str, str], head: bool) -> None:
            nonlocal tried
            tried += 1
            response = client.request("HEAD" if head else "GET", f"/files/{key}", headers=_headers(headers))
            check_answer(response, _requested(key))

        download_anything()
    assert tried >= EXAMPLES


@pytest.mark.parametrize("backend", ["memory", "filesystem"])
def test_upload_routes(backend: str, tmp_path: Path) -> None:
    tried = 0
    with _client(backend, tmp_path) as (client, storage, _):

        @FUZZ_SETTINGS
        @given(
            key=_key,
            multipart=st.booleans(),
            # A file name always, and one the multipart parser reads back as non-empty (no
            # backslash, quote or control character): without one the part is a text
            # field, and Litestar 2's parser answers 500 to a text field that is not
            # UTF-8, before any handler runs (see docs/litestar.md).
            filename=st.text(
                st.characters(exclude_characters='\\"', exclude_categories=("Cc", "Cs")), min_size=1, max_size=60
            ),
            content_type=_content_type,
            content_length=st.one_of(st.none(), _digits),
            body=st.binary(max_size=UPLOAD_LIMIT + 64),
        )
        def upload_anything(
            *, key: str, multipart: bool, filename: str, content_type: str, content_length: str | None, body: bytes
        ) -> None:
            nonlocal tried
            tried += 1
            extra = {} if content_length is None else {"content-length": content_length}
            if multipart:
                response = client.post(
                    f"/upload/{key}", files={"file": (filename, body, content_type)}, headers=_headers(extra)
                )
            else:
                headers = _headers({"content-type": content_type, **extra})
                response = client.put(f"/raw/{key}", content=body, headers=headers)
            assert response.status_code < 500, (response.status_code, response.text[:300])
            if response.status_code in {200, 201}:
                stored = response.json()
                assert stored["key"].startswith("uploads/")
                assert client.blocking_portal.call(storage.get_bytes, stored["key"]) == body
                # The key decided the stored type, whatever the client claimed.
                assert stored["content_type"] == guess_content_type(stored["key"])

        upload_anything()
    assert tried >= EXAMPLES


_signed_key = st.sampled_from([*OBJECTS, *ESCAPING, "missing.bin", "new/file.txt"])
_query_value = st.one_of(
    _digits, _query_anything, st.text(alphabet="ABCDEFabcdef0123456789-_", min_size=43, max_size=43)
)
_tampering = st.fixed_dictionaries(
    {},
    optional={
        "expires": _query_value,
        "signature": _query_value,
        "filename": _query_anything,
        "content_type": _content_type,
        "method": _query_anything,
    },
)


def _signed_url(key: str, method: str, valid: bool, tampering: Mapping[str, str]) -> str:
    if valid:
        url = sign_url("/media", key, SECRET, expires_at=int(time.time()) + 600, method=method)
    else:
        url = "/media/" + quote(key, safe="/")
    extra = "&".join(f"{quote(name)}={quote(value, errors='surrogatepass')}" for name, value in tampering.items())
    if not extra:
        return url
    return url + ("&" if "?" in url else "?") + extra


def test_signed_get_route(tmp_path: Path) -> None:
    tried = 0
    with _client("filesystem", tmp_path) as (client, _, _):

        @FUZZ_SETTINGS
        @given(key=_signed_key, valid=st.booleans(), tampering=_tampering, headers=_request_headers, head=st.booleans())
        def fetch_anything(
            *, key: str, valid: bool, tampering: dict[str, str], headers: dict[str, str], head: bool
        ) -> None:
            nonlocal tried
            tried += 1
            url = _signed_url(key, "GET", valid, tampering)
            response = client.request("HEAD" if head else "GET", url, headers=_headers(headers))
            check_answer(response, OBJECTS.get(key))
            if not valid:
                assert response.status_code == 403

        fetch_anything()
    assert tried >= EXAMPLES


def test_signed_put_route(tmp_path: Path) -> None:
    tried = 0
    with _client("filesystem", tmp_path) as (client, storage, _):

        @FUZZ_SETTINGS
        @given(
            key=_signed_key,
            valid=st.booleans(),
            tampering=_tampering,
            content_type=st.one_of(st.none(), _content_type),
            content_length=st.one_of(st.none(), _digits),
            body=st.binary(max_size=256),
        )
        def upload_anything(
            *,
            key: str,
            valid: bool,
            tampering: dict[str, str],
            content_type: str | None,
            content_length: str | None,
            body: bytes,
        ) -> None:
            nonlocal tried
            tried += 1
            url = _signed_url(key, "PUT", valid, tampering)
            sent = {"content-type": content_type, "content-length": content_length}
            headers = {name: value for name, value in sent.items() if value is not None}
            response = client.put(url, content=body, headers=_headers(headers))
            assert response.status_code < 500, (response.status_code, response.text[:300])
            assert OUTSIDE[:16] not in response.content
            if not valid:
                assert response.status_code == 403
            if response.status_code == 201:
                assert response.json()["key"] == key
                assert key not in ESCAPING
                assert client.blocking_portal.call(storage.get_bytes, key) == body

        upload_anything()
    assert tried >= EXAMPLES
