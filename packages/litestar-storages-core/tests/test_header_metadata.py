from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from litestar_storages.header_metadata import (
    decode_header_value,
    decode_identifier_name,
    encode_header_value,
    encode_identifier_name,
)


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("plain", "plain"),
        ("two words", "two words"),
        (" leading", "=?UTF-8?B?IGxlYWRpbmc=?="),
        ("", "=?UTF-8?B??="),
        ("ünï", "=?UTF-8?B?w7xuw68=?="),
        ("=?UTF-8?B?eA==?=", "=?UTF-8?B?PT9VVEYtOD9CP2VBPT0/PQ==?="),
    ],
)
def test_encoding(value: str, encoded: str) -> None:
    assert encode_header_value(value) == encoded
    assert encode_header_value(value).isascii()
    assert decode_header_value(encoded) == value


def test_s3_q_encoding_is_decoded() -> None:
    assert decode_header_value("=?UTF-8?Q?R=C3=A9sum=C3=A9_final?=") == "Résumé final"


def test_garbage_encoded_word_is_kept() -> None:
    assert decode_header_value("=?UTF-8?B?***?=") == "=?UTF-8?B?***?="


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))))
def test_round_trip(value: str) -> None:
    encoded = encode_header_value(value)
    assert encoded.isascii()
    assert decode_header_value(encoded) == value


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("author", "author"),
        ("x-trace-id", "lsm_x_htrace_hid"),
        ("a.b_c", "lsm_a_db__c"),
        ("lsm_x", "lsm_lsm__x"),
        ("9lives", "lsm_9lives"),
    ],
)
def test_identifier_names(name: str, stored: str) -> None:
    assert encode_identifier_name(name) == stored
    assert decode_identifier_name(stored) == name
    assert decode_identifier_name(stored.upper()) == name


@given(st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,20}", fullmatch=True))
def test_identifier_names_round_trip(name: str) -> None:
    assert decode_identifier_name(encode_identifier_name(name)) == name


def test_adjacent_encoded_words_are_one_text() -> None:
    # What S3 returns for a long non-ASCII value it stored: several words, a character
    # possibly split across two of them.
    assert decode_header_value("=?UTF-8?Q?caf=C3=A9?= =?UTF-8?Q?_cr=C3=A8me?=") == "café crème"
    assert decode_header_value("=?UTF-8?B?w6k=?= =?UTF-8?B?w6k=?=") == "éé"
    assert decode_header_value("=?UTF-8?Q?=C3?= =?UTF-8?Q?=A9?=") == "é"
    assert decode_header_value("=?bogus-charset?B?AAAA?=") == "=?bogus-charset?B?AAAA?="
    assert decode_header_value("=?UTF-8?B?w6k=?= plain") == "=?UTF-8?B?w6k=?= plain"
