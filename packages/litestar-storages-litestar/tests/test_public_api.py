"""The public names of litestar_storages.contrib: importable, documented, listed once."""

from __future__ import annotations

import inspect

from litestar_storages import contrib


def test_all_is_sorted_unique_and_importable() -> None:
    names = list(contrib.__all__)
    assert len(names) == len(set(names))
    assert names == sorted(names)
    for name in names:
        assert hasattr(contrib, name), name


def test_every_public_callable_and_class_has_a_docstring() -> None:
    for name in contrib.__all__:
        value = getattr(contrib, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), f"{name} has no docstring"
