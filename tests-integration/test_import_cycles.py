"""No import cycles in any package: each package's ``src/`` read with ``ast``, never imported.

An edge is an import a module runs when it is imported: a module-level import, including
those under ``if TYPE_CHECKING:`` (a type-only cycle still ties the modules together and
is one edit away from a runtime one), and those in class bodies. Imports inside a
function run only when it is called; deferring an import that way is how a cycle is
broken on purpose (``contrib/plugin.py`` imports the CLI lazily), so they are not edges.
``from package import name`` is an edge to ``package.name`` when that is a module, and
to ``package`` otherwise; a submodule's implicit import of its parent package is not one.
The graph spans every package at once, so a cycle across packages is found too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGES = Path(__file__).resolve().parent.parent / "packages"
# Every distribution with Python sources; the template's module is a placeholder name.
SOURCES = {path.parent.name: path for path in sorted(PACKAGES.glob("*/src")) if path.parent.name != "_template"}


def _modules(src: Path) -> dict[str, Path]:
    modules = {}
    for path in src.rglob("*.py"):
        parts = path.relative_to(src).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


ALL_MODULES = {name: path for src in SOURCES.values() for name, path in _modules(src).items()}


def _eager_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    # Walk everything but function bodies: those imports are deferred.
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


def _targets(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        anchor = package[: len(package) - node.level + 1]
        base = ".".join([*anchor, base] if base else anchor)
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        yield submodule if submodule in ALL_MODULES else base


def import_graph() -> dict[str, set[str]]:
    """Return each module's eager imports of modules in the workspace."""
    graph: dict[str, set[str]] = {}
    for module, path in ALL_MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph[module] = {
            target
            for node in _eager_imports(tree)
            for target in _targets(module, path, node)
            if target in ALL_MODULES and target != module
        }
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_checker_finds_cycles() -> None:
    # Mutation check of the checker itself: a type-only cycle and a three-module ring are
    # found, a deferred import and a parent package are not.
    graph = {"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"e"}, "e": {"c"}, "f": set()}
    assert cycles(graph) == [["a", "b"], ["c", "d", "e"]]
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from x import y\n"
        "class C:\n    import z\n"
        "def f():\n    import w\n"
    )
    assert sorted(alias.name for node in _eager_imports(tree) for alias in node.names) == [
        "TYPE_CHECKING",
        "y",
        "z",
    ]


def test_every_package_is_scanned() -> None:
    assert {"litestar-storages-core", "litestar-storages-s3", "litestar-storages-litestar"} <= set(SOURCES)
    assert "litestar_storages.backends.s3.storage" in ALL_MODULES
    assert "litestar_storages.contrib.plugin" in ALL_MODULES


@pytest.mark.parametrize("package", sorted(SOURCES))
def test_no_import_cycle(package: str) -> None:
    own = set(_modules(SOURCES[package]))
    tangled = [component for component in cycles(import_graph()) if own.intersection(component)]
    assert tangled == [], f"{package} has import cycles: {tangled}"
