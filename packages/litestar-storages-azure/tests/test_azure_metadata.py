"""Metadata encoding: any name and value the core accepts round-trips through Azure's rules.

The encoding is the core's (:mod:`litestar_storages.header_metadata`); these tests hold
it to Azure's rules and check the form other Azure clients see.
"""

from __future__ import annotations

import re

from azure.storage.blob.aio import ContainerClient
from hypothesis import given
from hypothesis import strategies as st

from litestar_storages.backends.azure import AzureStorage
from litestar_storages.backends.azure.properties import decode_metadata, encode_metadata
from litestar_storages.content import MAX_METADATA_BYTES, MAX_METADATA_ITEMS, metadata_size, validate_metadata

CSHARP_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
HEADER_VALUE = re.compile(r"[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?\Z")

names = st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,30}", fullmatch=True)
# Lone surrogates are refused by the core's metadata rules before any backend sees them.
values = st.text(st.characters(exclude_categories=["Cc", "Cs"]), max_size=40)


AZURE_METADATA_LIMIT = 8 * 1024
"""Azure's limit on a blob's metadata: names and values of the x-ms-meta-* headers."""


def _azure_size(metadata: dict[str, str]) -> int:
    # Counted with the header prefix, the most any reading of Azure's rule could count.
    encoded = encode_metadata(metadata)
    return sum(len("x-ms-meta-" + name) + len(value) for name, value in encoded.items())


def test_the_core_limits_keep_encoded_metadata_within_azures() -> None:
    # The costliest metadata the core accepts once encoded: every byte in names made
    # of escaped characters (each doubles), every value empty (each becomes a
    # 12-character encoded word), as many pairs as allowed.
    width = MAX_METADATA_BYTES // MAX_METADATA_ITEMS
    worst = {f"{index:02d}" + "-" * (width - 2): "" for index in range(MAX_METADATA_ITEMS)}
    assert metadata_size(worst) == MAX_METADATA_BYTES
    assert validate_metadata(worst) == worst
    assert _azure_size(worst) < 6 * 1024 < AZURE_METADATA_LIMIT
    # Values of four-byte characters grow by 4/3 when encoded: less than names do.
    emoji = {"a": "😀" * ((MAX_METADATA_BYTES - 1) // 4)}
    assert validate_metadata(emoji) == emoji
    assert _azure_size(emoji) < 6 * 1024


@given(st.dictionaries(names, values, max_size=6))
def test_round_trip_and_azure_rules(metadata: dict[str, str]) -> None:
    encoded = encode_metadata(metadata)
    assert len(encoded) == len(metadata)  # no two names collide
    for name, value in encoded.items():
        assert CSHARP_IDENTIFIER.match(name), name
        assert HEADER_VALUE.match(value), value
    assert decode_metadata(encoded) == metadata
    # Azure may report names in another case.
    assert decode_metadata({name.upper(): value for name, value in encoded.items()}) == metadata


def test_plain_names_and_values_are_stored_as_they_are() -> None:
    assert encode_metadata({"author": "Ada Lovelace", "trace_id": "abc-123"}) == {
        "author": "Ada Lovelace",
        "trace_id": "abc-123",
    }
    assert encode_metadata({"x-trace-id": "1", "v1.2": "x", "9lives": "y"}) == {
        "lsm_x_htrace_hid": "1",
        "lsm_v1_d2": "x",
        "lsm_9lives": "y",
    }
    assert encode_metadata({"note": "ünï"}) == {"note": "=?UTF-8?B?w7xuw68=?="}
    # Values that would otherwise be misread or trimmed are encoded too.
    assert decode_metadata(encode_metadata({"a": "=?utf-8?b?AA==?=", "b": " padded ", "c": ""})) == {
        "a": "=?utf-8?b?AA==?=",
        "b": " padded ",
        "c": "",
    }
    assert decode_metadata({"other": "=?utf-8?b?not base64!?="}) == {"other": "=?utf-8?b?not base64!?="}
    # The lower-case form this backend wrote before it used the core's encoding still reads back.
    assert decode_metadata({"note": "=?utf-8?b?w7xuw68=?="}) == {"note": "ünï"}


async def test_stored_form_seen_by_other_clients(storage: AzureStorage, container: ContainerClient) -> None:
    metadata = {"author": "Ada", "x-trace-id": "abc-123", "note": "ünïcödé, spaces and = signs", "empty": ""}
    await storage.put("meta.bin", b"x", metadata=metadata)
    raw = (await container.get_blob_client("meta.bin").get_blob_properties()).metadata
    assert raw["author"] == "Ada"
    assert raw["lsm_x_htrace_hid"] == "abc-123"
    assert raw["note"].startswith("=?UTF-8?B?")
    assert (await storage.info("meta.bin")).metadata == metadata
