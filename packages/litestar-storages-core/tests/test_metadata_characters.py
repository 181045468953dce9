"""The metadata value character rule against Unicode's own categories, over the whole range.

The rule (:func:`~litestar_storages.content.forbidden_character`) is a regex; the oracle
here is :func:`unicodedata.category`: control (Cc), line separator (Zl), paragraph
separator (Zp) and surrogate (Cs) characters are forbidden, every other one allowed.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from litestar_storages.content import forbidden_character, validate_metadata
from litestar_storages.exceptions import InvalidMetadataError

FORBIDDEN_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs"})

# Characters near the rule's edges, so random strings meet them often.
EDGES = [chr(c) for c in (0x00, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x7E, 0x7F, 0x80, 0x85, 0x9F, 0xA0, 0xAD)] + [
    "\u200b",
    "\u200d",
    "\u2027",
    "\u2028",
    "\u2029",
    "\u202a",
    "\ud7ff",
    "\ud800",
    "\udbff",
    "\udc00",
    "\udfff",
    "\ue000",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "\U0010ffff",
]


def _forbidden(char: str) -> bool:
    return unicodedata.category(char) in FORBIDDEN_CATEGORIES


def test_every_code_point_against_its_category() -> None:
    wrong = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if (forbidden_character(chr(code)) is not None) != _forbidden(chr(code))
    ]
    assert wrong == []


any_character = st.one_of(st.characters(exclude_categories=()), st.sampled_from(EDGES))


@settings(max_examples=3000, deadline=None)
@given(st.text(any_character, max_size=30))
def test_values_are_accepted_exactly_when_no_character_is_forbidden(value: str) -> None:
    expected = next((char for char in value if _forbidden(char)), None)
    assert forbidden_character(value) == expected
    if expected is None:
        assert validate_metadata({"name": value}) == {"name": value}
    else:
        with pytest.raises(InvalidMetadataError, match=f"U\\+{ord(expected):04X}"):
            validate_metadata({"name": value})
