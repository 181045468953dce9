"""Find private names of other libraries used outside a backend's ``_sdk.py``.

A backend may rely on private parts of its SDK only where a measured reason remains,
and then in one module, ``_sdk.py``, with an upper version bound and a contract test.
:func:`private_uses` reads a package's source files with :mod:`ast` (nothing is imported)
and reports every use, in any other module, of:

* a private module or name imported from an SDK (``from azure.storage.blob._generated
  import ...``, ``import botocore._helpers``);
* an attribute starting with ``_`` read or written on an object that is not the backend's
  own: only ``self``/``cls`` and names whose type the module states as one of the
  package's own classes (a parameter or variable annotation, ``x = Own(...)`` or
  ``x = Own.__new__(Own)``) may have their private attributes used. Anything else (an SDK
  client, a response, an attribute of an attribute) is reported, because the source does
  not say whose it is.

Dunder names (``__version__``, ``__new__``) are not private.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

__all__ = ("PrivateUse", "private_uses")

SDK_MODULE = "_sdk.py"


@dataclass(frozen=True)
class PrivateUse:
    """One use of a private name outside ``_sdk.py``.

    Attributes:
        path: The source file.
        line: The line number.
        code: The expression or import, as written.
    """

    path: Path
    line: int
    code: str

    def __str__(self) -> str:
        """Return ``path:line: code``."""
        return f"{self.path}:{self.line}: {self.code}"


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _type_name(node: ast.expr | None) -> str | None:
    # The last identifier of an annotation or callee: ``S3Storage``, ``mod.Own``, ``"Own | None"``.
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(node, ast.BinOp):  # ``Own | None``
        return _type_name(node.left)
    if isinstance(node, ast.Subscript):
        return None
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _own_classes(trees: dict[Path, ast.Module]) -> set[str]:
    return {node.name for tree in trees.values() for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}


def _typed_names(tree: ast.Module, own: set[str]) -> set[str]:
    # Names the module states, somewhere, to be one of the package's own objects.
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            if _type_name(node.annotation) in own:
                names.add(node.arg)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if _type_name(node.annotation) in own:
                names.add(node.target.id)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            callee = node.value.func
            if isinstance(callee, ast.Attribute) and callee.attr == "__new__":
                callee = callee.value
            if _type_name(callee) in own:
                names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


def _imports(path: Path, tree: ast.Module, roots: tuple[str, ...]) -> list[PrivateUse]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
            names = []
        else:
            continue
        for module in modules:
            if module.split(".")[0] not in roots:
                continue
            if any(_private(part) for part in module.split(".")) or any(_private(name) for name in names):
                found.append(PrivateUse(path, node.lineno, ast.unparse(node)))
    return found


def _attributes(path: Path, tree: ast.Module, own: set[str]) -> list[PrivateUse]:
    allowed = {"self", "cls"} | _typed_names(tree, own)
    return [
        PrivateUse(path, node.lineno, ast.unparse(node))
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and _private(node.attr)
        and not (isinstance(node.value, ast.Name) and node.value.id in allowed)
    ]


def private_uses(package: Path, sdk_roots: tuple[str, ...]) -> list[PrivateUse]:
    """Return every private name of another library used outside ``package``'s ``_sdk.py``.

    Args:
        package: The folder of the backend's modules (``.../backends/azure``).
        sdk_roots: Top-level names of the SDK's modules (``("azure",)``); private
            imports from them are reported.

    Returns:
        The uses found, in file and line order; empty when the rule holds.
    """
    trees = {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in sorted(package.rglob("*.py"))}
    own = _own_classes(trees)
    found: list[PrivateUse] = []
    for path, tree in trees.items():
        if path.name == SDK_MODULE:
            continue
        found += _imports(path, tree, sdk_roots)
        found += _attributes(path, tree, own)
    return sorted(found, key=lambda use: (str(use.path), use.line, use.code))
