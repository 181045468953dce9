"""The content type rule (RFC 9110 media-type, ASCII, no trailing whitespace, bounded)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from litestar_storages.content import resolve_content_type
from litestar_storages.exceptions import InvalidMetadataError
from litestar_storages.media_types import MAX_MEDIA_TYPE_LENGTH, is_media_type

VALID = [
    "text/plain",
    "a/b",
    "Text/HTML",
    "*/*",
    "image/svg+xml",
    "application/vnd.api+json",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "text/plain; charset=utf-8",
    "text/plain;charset=utf-8;format=flowed",
    'text/plain; charset="utf-8"',
    "text/plain ; charset=utf-8",
    "text/plain;\tcharset=utf-8",
    "text/plain;  charset=utf-8",
    'multipart/form-data; boundary="----with spaces, commas; and semicolons"',
    'text/plain; a="say \\"hi\\""',
    'text/plain; a="back\\\\slash"',
    'text/plain; a=""',
    "text/plain;",
    "text/plain;;a=b",
    "x-!#$%&'*+-.^_`|~/y",
    "a/" + "b" * (MAX_MEDIA_TYPE_LENGTH - 2),
]

INVALID = [
    "",
    "text",
    "text/",
    "/plain",
    "text/plain/extra",
    "text /plain",
    "text/ plain",
    " text/plain",
    "text/plain ",
    "text/plain; ",
    "text/plain;\t",
    "text/é",
    "téxt/plain",
    "text/plain; charset=é",
    'text/plain; a="é"',
    'text/plain; a="\\é"',
    "text/plain; a",
    "text/plain; a=",
    "text/plain; =b",
    "text/plain; a=b c",
    'text/plain; a="unterminated',
    'text/plain; a="x"y',
    "text/plain, text/html",
    "text/plain\r\nX-Injected: 1",
    "text/plain\nX-Injected: 1",
    "text/plain\x00",
    "text/plain\x7f",
    "text/plain; a=\x85",
    "text/plain\u2028",
    "text/(comment)",
    "a/" + "b" * (MAX_MEDIA_TYPE_LENGTH - 1),
]


@pytest.mark.parametrize("content_type", VALID)
def test_valid_media_types(content_type: str) -> None:
    assert is_media_type(content_type)
    assert resolve_content_type("file.bin", content_type) == content_type


@pytest.mark.parametrize("content_type", INVALID)
def test_invalid_media_types(content_type: str) -> None:
    assert not is_media_type(content_type)
    with pytest.raises(InvalidMetadataError):
        resolve_content_type("file.bin", content_type)


def test_long_input_is_refused_by_length_first() -> None:
    # A megabyte of "a;" never reaches the grammar.
    assert not is_media_type("a/b" + ";" * 1_000_000)


# -- property tests: a grammar built here, independently of the module's regex ----------

TCHAR = string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~"
QDTEXT = "\t " + "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"\\')
VCHAR_WS = "\t " + "".join(chr(c) for c in range(0x21, 0x7F))

tokens = st.text(TCHAR, min_size=1, max_size=12)
quoted_pairs = st.sampled_from(VCHAR_WS).map(lambda char: "\\" + char)
quoted = st.lists(st.one_of(st.sampled_from(QDTEXT), quoted_pairs), max_size=8).map(lambda parts: f'"{"".join(parts)}"')
ows = st.text(" \t", max_size=2)
parameter = st.one_of(st.just(""), st.tuples(tokens, st.one_of(tokens, quoted)).map("=".join))
parameters = st.lists(st.tuples(ows, ows, parameter).map(lambda p: f"{p[0]};{p[1]}{p[2]}"), max_size=4)
media_types = st.tuples(tokens, tokens, parameters).map(lambda m: f"{m[0]}/{m[1]}{''.join(m[2])}")


@settings(max_examples=2000, deadline=None)
@given(media_types)
def test_every_grammatical_media_type_is_accepted(text: str) -> None:
    expected = not text.endswith((" ", "\t"))
    assert is_media_type(text) is expected


@settings(max_examples=2000, deadline=None)
@given(media_types, st.integers(min_value=0), st.characters(min_codepoint=0x80, exclude_categories=()))
def test_any_non_ascii_character_is_refused(text: str, position: int, char: str) -> None:
    index = position % (len(text) + 1)
    assert not is_media_type(text[:index] + char + text[index:])


@settings(max_examples=2000, deadline=None)
@given(st.text(st.characters(exclude_categories=()), max_size=40))
def test_whatever_is_accepted_is_ascii_without_controls_or_trailing_space(text: str) -> None:
    if is_media_type(text):
        assert text.isascii()
        assert "/" in text
        assert all(char == "\t" or 0x20 <= ord(char) < 0x7F for char in text)
        assert text == text.rstrip(" \t")
        assert text == text.lstrip()
