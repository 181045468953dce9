"""The shared POST policy pieces: fields for type and metadata, conditions pinning them."""

from __future__ import annotations

from litestar_storages.post_policies import object_fields, policy_conditions


def test_fields_carry_type_and_prefixed_metadata() -> None:
    assert object_fields("text/plain", {"owner": "ann"}, meta_prefix="x-goog-meta-") == {
        "Content-Type": "text/plain",
        "x-goog-meta-owner": "ann",
    }
    assert object_fields(None, {}, meta_prefix="x-amz-meta-") == {}


def test_conditions_pin_every_field_and_the_size() -> None:
    conditions = policy_conditions({"key": "a.txt", "Content-Type": "text/plain"}, min_size=1, max_size=10)
    assert conditions == [{"key": "a.txt"}, {"Content-Type": "text/plain"}, ["content-length-range", 1, 10]]
