"""Hostile input to the tus routes: malformed numbers, metadata, content types, ids and
headers are refused with a 4xx, store nothing, and no client input gives a 500.
"""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tus_asgi_client import OCTETS, TUS, Body, call, create, keys, make_app, offset_of, patch

from litestar_storages import MemoryStorage
from litestar_storages.base import BaseStorage

# -- hostile input ----------------------------------------------------------------------------

# Signs, exponents, hex, Unicode digits (superscript, Arabic-Indic, fullwidth), blanks,
# 20 digits, a no-break space.
HOSTILE_SIZES = ["-1", "1e3", "0x10", "²", "١٢٣", "\uff19", " ", "", "1 2", "9" * 20, "+5", "5.0", "\u00a05"]


@pytest.mark.parametrize("value", HOSTILE_SIZES)
async def test_hostile_upload_length(storage: BaseStorage, value: str) -> None:
    app, _ = make_app(storage)
    answer = await call(app, "POST", "/tus", {**TUS, "Upload-Length": value})
    assert answer.status == 400
    assert await keys(storage) == []


@pytest.mark.parametrize("value", HOSTILE_SIZES)
async def test_hostile_upload_offset(storage: BaseStorage, value: str) -> None:
    app, _ = make_app(storage)
    url = await create(app, 3)
    answer = await call(app, "PATCH", url, {**OCTETS, "Upload-Offset": value}, b"abc")
    assert answer.status == 400
    assert await offset_of(app, url) == 0


@pytest.mark.parametrize(
    "metadata",
    [
        "filename !!notbase64!!",
        "filename YQ",  # unpadded
        "filename //4=",  # not UTF-8
        "a YQ==,a YQ==",
        "a YQ==,,b YQ==",
        "k\u00e9y YQ==",
        "filename " + "A" * 5000,
    ],
)
async def test_hostile_metadata(storage: BaseStorage, metadata: str) -> None:
    app, _ = make_app(storage)
    answer = await call(app, "POST", "/tus", {**TUS, "Upload-Length": "3", "Upload-Metadata": metadata})
    assert answer.status == 400
    assert await keys(storage) == []


@pytest.mark.parametrize(
    "content_type", [None, "application/octet-stream", "text/plain", "application/offset+octet-streamx"]
)
async def test_patch_needs_the_offset_content_type(storage: BaseStorage, content_type: str | None) -> None:
    app, _ = make_app(storage)
    url = await create(app, 3)
    headers = {**TUS, "Upload-Offset": "0"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    assert (await call(app, "PATCH", url, headers, b"abc")).status == 415
    assert await offset_of(app, url) == 0


async def test_missing_or_wrong_tus_resumable_is_412(storage: BaseStorage) -> None:
    app, _ = make_app(storage)
    assert (await call(app, "POST", "/tus", {"Upload-Length": "3"})).status == 412
    answer = await call(app, "POST", "/tus", {"Tus-Resumable": "0.2.2", "Upload-Length": "3"})
    assert answer.status == 412
    assert answer.headers["tus-version"] == "1.0.0"


async def test_body_longer_than_the_length(storage: BaseStorage) -> None:
    app, _ = make_app(storage)
    url = await create(app, 10)
    assert (await patch(app, url, 0, b"x" * 11)).status == 413
    # Without Content-Length (chunked): refused when the bytes go past, nothing kept.
    assert (await call(app, "PATCH", url, {**OCTETS, "Upload-Offset": "0"}, Body([b"x" * 6, b"x" * 6]))).status == 413
    assert await offset_of(app, url) == 0
    assert [name for name in await keys(storage) if "/tail/" in name] == []


async def test_length_and_defer_together_or_neither(storage: BaseStorage) -> None:
    app, _ = make_app(storage)
    both = {**TUS, "Upload-Length": "3", "Upload-Defer-Length": "1"}
    assert (await call(app, "POST", "/tus", both)).status == 400
    assert (await call(app, "POST", "/tus", TUS)).status == 400
    assert (await call(app, "POST", "/tus", {**TUS, "Upload-Defer-Length": "2"})).status == 400


@pytest.mark.parametrize(
    "upload_id",
    ["..", "..%2F..%2Fetc", "%2e%2e", "tus-state", "A" * 32, "0" * 31, "0" * 33, "g" * 32, "%00", "uploads"],
)
async def test_ids_that_are_not_ids(storage: BaseStorage, upload_id: str) -> None:
    app, _ = make_app(storage)
    await storage.put("uploads/secret", b"s")
    for method, headers, body in (
        ("HEAD", TUS, None),
        ("PATCH", {**OCTETS, "Upload-Offset": "0"}, b"x"),
        ("DELETE", TUS, None),
    ):
        answer = await call(app, method, f"/tus/{upload_id}", headers, body)
        assert answer.status in (404, 405), (method, upload_id, answer)
    assert await keys(storage) == ["uploads/secret"]


_header_text = st.text(alphabet=st.characters(codec="latin-1"), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["POST", "PATCH", "HEAD", "DELETE", "OPTIONS"]),
    headers=st.dictionaries(
        st.sampled_from(
            [
                "Upload-Length",
                "Upload-Offset",
                "Upload-Metadata",
                "Upload-Checksum",
                "Upload-Defer-Length",
                "Content-Type",
                "Tus-Resumable",
                "Content-Length",
            ]
        ),
        _header_text,
    ),
    body=st.binary(max_size=64),
    valid_id=st.booleans(),
)
def test_no_client_input_gives_a_500(method: str, headers: dict[str, str], body: bytes, valid_id: bool) -> None:
    storage = MemoryStorage()
    app, _ = make_app(storage)

    async def run() -> None:
        path = "/tus"
        if method != "POST" and valid_id:
            path = await create(app, 64)
        elif method != "POST":
            path = "/tus/" + "0" * 32
        sent = dict(headers)
        sent.pop("Content-Length", None)
        answer = await call(app, method, path, sent, body)
        assert answer.status < 500, (method, headers, answer)

    asyncio.run(run())
