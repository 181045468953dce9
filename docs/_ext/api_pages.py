"""Sphinx extension: one API reference page per distribution, generated from ``__all__``.

Every module under ``packages/*/src`` whose dotted path has no private segment and
that defines ``__all__`` is public; every name in an ``__all__`` is documented once,
with autodoc, where it is defined (or, when its defining module is private, at the
shortest public module of the same distribution that exports it). Every other module
exporting it links there. The pages are written to ``docs/reference/generated/`` when
the build starts, so a package that lands joins the reference without an edit here,
and a public name can never be left out.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    from sphinx.util import logging
except ImportError:  # imported by the docs tests, where Sphinx is not installed
    import logging  # type: ignore[no-redef]

_LOG = logging.getLogger(__name__)


__all__ = ("Distribution", "PublicModule", "discover", "write_pages")

DOCS = Path(__file__).resolve().parent.parent
ROOT = DOCS.parent
OUTPUT = DOCS / "reference" / "generated"

TOP_LEVEL = "litestar_storages"

# Order of the reference's table of contents; distributions not listed follow, sorted.
DISTRIBUTION_ORDER = (
    "litestar-storages-core",
    "litestar-storages-fs",
    "litestar-storages-s3",
    "litestar-storages-gcs",
    "litestar-storages-azure",
    "litestar-storages-obstore",
    "litestar-storages-litestar",
)


@dataclass
class PublicModule:
    """A module that declares its public names in ``__all__``."""

    name: str
    distribution: str
    exports: tuple[str, ...]
    defined: set[str] = field(default_factory=set)
    imported: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Distribution:
    """One package under ``packages/`` and its public modules."""

    name: str
    description: str
    folder: Path
    modules: list[PublicModule] = field(default_factory=list)

    @property
    def slug(self) -> str:
        """Stem of the distribution's page file."""
        return self.name


def _statements(body: list[ast.stmt]) -> list[ast.stmt]:
    # Top-level statements, looking inside `if TYPE_CHECKING:` and try/except blocks
    # (where the lazy names of the top-level package are imported for type checkers).
    found: list[ast.stmt] = []
    for node in body:
        found.append(node)
        if isinstance(node, ast.If):
            found.extend(_statements(node.body) + _statements(node.orelse))
        elif isinstance(node, ast.Try):
            found.extend(_statements(node.body))
    return found


def _scan(module: PublicModule, path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module.name if path.name == "__init__.py" else module.name.rpartition(".")[0]
    for node in _statements(tree.body):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            module.defined.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    module.defined.add(target.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            module.defined.add(node.target.id)
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join([*base, source] if source else base)
            for alias in node.names:
                module.imported[alias.asname or alias.name] = (source, alias.name)


def _project_table(text: str) -> dict[str, str]:
    # The two strings needed from [project]; tomllib would need Python 3.11.
    table = text.split("[project]", 1)[-1].split("\n[", 1)[0]
    return dict(re.findall(r'^(name|description)\s*=\s*"([^"]*)"', table, flags=re.MULTILINE))


def discover(packages: Path = ROOT / "packages") -> list[Distribution]:
    """Find every distribution under ``packages`` and import its public modules.

    Modules that cannot be imported are reported as Sphinx warnings, which fail the
    build (``-W``) rather than silently leave their names out.

    Args:
        packages: The monorepo's packages folder.

    Returns:
        The distributions, in reference order, each with its public modules.
    """
    distributions = []
    for pyproject in sorted(packages.glob("*/pyproject.toml")):
        folder = pyproject.parent
        if folder.name.startswith(("_", ".")):
            continue
        project = _project_table(pyproject.read_text(encoding="utf-8"))
        distribution = Distribution(project.get("name", folder.name), project.get("description", ""), folder)
        src = folder / "src"
        for path in sorted(src.rglob("*.py")):
            parts = path.relative_to(src).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if not parts or any(part.startswith("_") for part in parts):
                continue
            name = ".".join(parts)
            try:
                imported = importlib.import_module(name)
            except Exception as error:  # any failure is reported, none hidden
                # A warning fails the build (-W) but --keep-going still shows every
                # other problem in the same run.
                _LOG.warning("API reference: cannot import %s (%s): %s", name, distribution.name, error)
                continue
            exports = getattr(imported, "__all__", None)
            if exports is None:
                continue
            module = PublicModule(name, distribution.name, tuple(exports))
            _scan(module, path)
            distribution.modules.append(module)
        distribution.modules.sort(key=lambda module: module.name)
        distributions.append(distribution)
    rank = {name: index for index, name in enumerate(DISTRIBUTION_ORDER)}
    distributions.sort(key=lambda dist: (rank.get(dist.name, len(rank)), dist.name))
    return distributions


def _origin(modules: dict[str, PublicModule], module: str, name: str) -> tuple[str, str]:
    # Follow `from x import name` chains to the module that defines the name.
    seen = set()
    while module in modules and (module, name) not in seen:
        seen.add((module, name))
        current = modules[module]
        if name in current.defined or name not in current.imported:
            return module, name
        module, name = current.imported[name]
    return module, name


def canonical_places(distributions: list[Distribution]) -> dict[tuple[str, str], str]:
    """Decide where each exported name is documented.

    Args:
        distributions: The result of :func:`discover`.

    Returns:
        ``(module, name) -> documenting module`` for every exported name.
    """
    modules = {module.name: module for dist in distributions for module in dist.modules}
    origins: dict[tuple[str, str], tuple[str, str]] = {}
    exporters: dict[tuple[str, str], list[PublicModule]] = {}
    for module in modules.values():
        for name in module.exports:
            origin = _origin(modules, module.name, name)
            origins[module.name, name] = origin
            exporters.setdefault(origin, []).append(module)
    places: dict[tuple[str, str], str] = {}
    for (module_name, name), origin in origins.items():
        defining = modules.get(origin[0])
        home = defining.distribution if defining is not None else None

        # The shortest import path within the object's own distribution, the way users
        # import it (``litestar_storages.backends.s3.S3Storage``); autodoc records the
        # defining module's path as its canonical name, so both resolve. The top-level
        # package re-exports everything and only links; ties go to the defining module.
        def rank(module: PublicModule, origin: tuple[str, str] = origin, home: str | None = home) -> tuple[Any, ...]:
            return (
                module.distribution != home,
                module.name == TOP_LEVEL,
                module.name.count("."),
                module.name != origin[0],
                module.name,
            )

        places[module_name, name] = min(exporters[origin], key=rank).name
    return places


def aliases(distributions: list[Distribution], places: dict[tuple[str, str], str]) -> dict[str, str]:
    """Map every import path of every public name to the path it is documented at.

    Args:
        distributions: The result of :func:`discover`.
        places: The result of :func:`canonical_places`.

    Returns:
        ``"module.name" -> "documenting_module.name"``, defining modules included.
    """
    modules = {module.name: module for dist in distributions for module in dist.modules}
    mapping = {}
    for (module_name, name), place in places.items():
        mapping[f"{module_name}.{name}"] = f"{place}.{name}"
        origin_module, origin_name = _origin(modules, module_name, name)
        mapping.setdefault(f"{origin_module}.{origin_name}", f"{place}.{name}")
    return mapping


def _is_private(cls: type) -> bool:
    module = getattr(cls, "__module__", "")
    if not module.startswith("litestar_storages"):
        return False
    exported = getattr(sys.modules.get(module), "__all__", ())
    return cls.__name__ not in exported and not any(
        cls.__name__ in getattr(sys.modules[name], "__all__", ())
        and getattr(sys.modules[name], cls.__name__, None) is cls
        for name in list(sys.modules)
        if name.startswith("litestar_storages")
    )


def _directive(module: str, name: str, value: Any) -> list[str]:
    # reStructuredText: autodoc emits reST, which MyST only parses inside eval-rst.
    target = f"{module}.{name}"
    if inspect.isclass(value):
        kind = "autoexception" if issubclass(value, BaseException) else "autoclass"
        options = ["   :members:"]
        if any(_is_private(base) for base in value.__mro__[1:]):
            # Members of private mixins (the conformance kit's) are documented here,
            # and the mixins themselves are not listed as bases.
            options.append("   :inherited-members: object")
        else:
            options.append("   :show-inheritance:")
        return [f".. {kind}:: {target}", *options, ""]
    if inspect.isfunction(value) or inspect.isbuiltin(value):
        return [f".. autofunction:: {target}", ""]
    # Long values (the kit's tuples of test keys) would bury the description.
    long_value = len(repr(value)) > 120
    return [f".. autodata:: {target}", *(["   :no-value:"] if long_value else []), ""]


def _page(distribution: Distribution, places: dict[tuple[str, str], str]) -> str:
    description = distribution.description.rstrip(".")
    lines = [f"# {distribution.name}", "", f"{description}." if description else "", ""]
    lines += [f"`pip install {distribution.name}`", ""]
    for module in distribution.modules:
        imported = sys.modules[module.name]
        lines += [f"## `{module.name}`", "", "```{eval-rst}", f".. automodule:: {module.name}", ""]
        links = []
        for name in module.exports:
            place = places[module.name, name]
            if place != module.name:
                links.append(f":py:obj:`~{place}.{name}`")
                continue
            try:
                value = getattr(imported, name)
            except (ImportError, AttributeError) as error:
                # A lazily exported name whose distribution is missing or still being
                # written: say so on the page (the docs tests fail on it).
                lines += [f"``{name}``", f"   Not available in this build: {error}", ""]
                continue
            lines += _directive(module.name, name, value)
        if links:
            lines += ["Also importable from here: " + ", ".join(links) + ".", ""]
        lines += ["```", ""]
    return "\n".join(lines)


def write_pages(output: Path = OUTPUT) -> list[Distribution]:
    """Generate the reference pages into ``output`` (emptied first).

    Args:
        output: The folder the pages go to.

    Returns:
        The distributions documented.
    """
    distributions = discover()
    places = canonical_places(distributions)
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    for number, distribution in enumerate(distributions, start=1):
        if distribution.modules:
            # The number keeps the reference's glob toctree in distribution order.
            page = output / f"{number:02d}-{distribution.slug}.md"
            page.write_text(_page(distribution, places), encoding="utf-8")
    return distributions


def _skip_tests(app: Any, what: str, name: str, obj: Any, skip: bool, options: Any) -> bool | None:  # noqa: PLR0917 - Sphinx event signature
    # The conformance kit's test methods are its implementation, not its API.
    if name.startswith("test_"):
        return True
    return None


def _generate(app: Any) -> None:
    distributions = write_pages()
    places = canonical_places(distributions)
    app.env.api_public_names = {f"{place}.{name}" for (_, name), place in places.items()}
    app.env.api_aliases = aliases(distributions, places)


def _public_bases(app: Any, name: str, obj: Any, options: Any, bases: list[Any]) -> None:
    # A public class built from private mixins (the conformance kit) shows only the
    # bases a reader can look up; the mixins stay an implementation detail.
    public: set[str] = getattr(app.env, "api_public_names", set())
    bases[:] = [
        base
        for base in bases
        if not getattr(base, "__module__", "").startswith("litestar_storages")
        or f"{base.__module__}.{base.__qualname__}" in public
        or any(entry.endswith("." + base.__qualname__) for entry in public)
    ]


_FORWARD_REF = re.compile(r"TypeAliasForwardRef\('([\w.]+)'\)")


def _alias_names(  # noqa: PLR0917 - Sphinx event signature
    app: Any, what: str, name: str, obj: Any, options: Any, signature: str | None, annotation: str | None
) -> tuple[str | None, str | None]:
    # Sphinx prints an alias from autodoc_type_aliases inside a union (``ProgressCallback
    # | None``) as ``TypeAliasForwardRef('...')``; show the alias's name instead.
    # Dataclass fields with a default_factory show ``<factory>``, which the signature
    # parser cannot read: it then splits ``dict[str, str]`` at the comma.
    def fix(text: str | None) -> str | None:
        return _FORWARD_REF.sub(r"\1", text).replace("<factory>", "...") if text else text

    return fix(signature), fix(annotation)


def _private_name(node: Any, target: str, contnode: Any) -> Any:
    # A reference to a name that exists where the docstring is written but is not
    # public (a module constant, an inherited class attribute) shows as code without
    # a link; a name that does not exist at all stays a nitpicky error.
    module = sys.modules.get(node.get("py:module") or "")
    if module is None:
        return None
    scope: Any = module
    for part in (node.get("py:class") or "").split("."):
        scope = getattr(scope, part, None) if part else scope
    head = target.split(".", maxsplit=1)[0]
    # Where the name may come from: the module (or package) the docstring is documented
    # in, its submodules (names are documented at their package's path while the imports
    # their annotations use are in the submodules), and the modules of the bases of its
    # classes (an inherited signature, a Litestar DTO's __init__, names types that its
    # own module imported). A class's own signature carries no class context, hence
    # every class rather than just the one in scope.
    modules = [module]
    modules += [loaded for name, loaded in list(sys.modules.items()) if name.startswith(module.__name__ + ".")]
    classes = [scope] if inspect.isclass(scope) else []
    classes += [
        value
        for candidate in modules
        for value in vars(candidate).values()
        if inspect.isclass(value) and value.__module__.startswith(TOP_LEVEL)
    ]
    modules += [sys.modules.get(base.__module__) for cls in classes for base in cls.__mro__]
    for candidate in modules:
        if candidate is not None and (hasattr(candidate, head) or head in _external_imports(candidate)):
            return contnode
    return contnode if hasattr(scope, head) else None


@functools.cache
def _external_imports(module: Any) -> frozenset[str]:
    # Names a module imports from other libraries, including under TYPE_CHECKING:
    # annotations that name them stay unevaluated strings in the signatures.
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError, SyntaxError):
        return frozenset()
    return frozenset(
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and not node.level
        and not (node.module or "").startswith("litestar_storages")
        for alias in node.names
    )


_TYPE_LIKE = re.compile(r"[\w.\[\]]+(?:(?:, | \| )[\w.\[\]]+)*")
_ORIGINAL_LINES: dict[str, list[str]] = {}


def _remember_docstring(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:  # noqa: PLR0917 - Sphinx event signature
    if what not in {"data", "attribute"}:
        return
    # A variable without a docstring of its own (``__version__``) gets its type's
    # docstring (``str``'s) from autodoc: show none instead.
    # (An alias of a typing construct has a descriptor, not a str, as its type's __doc__.)
    type_doc = type(obj).__doc__ if isinstance(type(obj).__doc__, str) else ""
    if " ".join(" ".join(lines).split()) == " ".join((type_doc or "").split()):
        lines.clear()
    _ORIGINAL_LINES[name] = list(lines)


def _prose_first_line(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:  # noqa: PLR0917 - Sphinx event signature
    # Napoleon reads "text: more" on the first line of a variable's docstring as
    # "type: description" (Google style). When "text" is prose, not a type, undo that
    # and keep the docstring as written.
    original = _ORIGINAL_LINES.pop(name, None)
    if not original or ": " not in original[0]:
        return
    head = original[0].split(": ", 1)[0]
    if not _TYPE_LIKE.fullmatch(head.strip()):
        lines[:] = original


def _resolve_short_name(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    # Docstrings say :meth:`BaseStorage.put` or :class:`StorageError` from modules
    # where that short name is not in scope. Resolve it when exactly one documented
    # object has that dotted suffix; anything else stays a nitpicky error.
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "").lstrip("~.")
    if not target:
        return None
    domain = env.get_domain("py")
    if target.startswith(TOP_LEVEL + "."):
        # Another import path of a documented name (litestar_storages.StoredFile, a
        # backend's storage module...), possibly followed by a member.
        known: dict[str, str] = getattr(env, "api_aliases", {})
        parts = target.split(".")
        for cut in range(len(parts), 1, -1):
            documented = known.get(".".join(parts[:cut]))
            if documented is not None:
                full = ".".join([documented, *parts[cut:]])
                return domain.resolve_xref(
                    env, node.get("refdoc"), app.builder, node.get("reftype"), full, node, contnode
                ) or domain.resolve_xref(env, node.get("refdoc"), app.builder, "obj", full, node, contnode)
        return None
    matches = {
        name
        for name, entry in domain.objects.items()
        if name.endswith("." + target) and name.startswith("litestar_storages.") and not entry.aliased
    }
    if len(matches) != 1:
        return _private_name(node, target, contnode)
    (full,) = matches
    return domain.resolve_xref(
        env, node.get("refdoc"), app.builder, node.get("reftype"), full, node, contnode
    ) or domain.resolve_xref(env, node.get("refdoc"), app.builder, "obj", full, node, contnode)


def setup(app: Any) -> dict[str, Any]:
    """Register the extension with Sphinx.

    Args:
        app: The Sphinx application.

    Returns:
        Extension metadata.
    """
    app.connect("builder-inited", _generate)
    app.connect("autodoc-skip-member", _skip_tests)
    app.connect("autodoc-process-bases", _public_bases)
    app.connect("autodoc-process-signature", _alias_names)
    # Around napoleon (priority 500), which rewrites the docstring.
    app.connect("autodoc-process-docstring", _remember_docstring, priority=400)
    app.connect("autodoc-process-docstring", _prose_first_line, priority=600)
    app.connect("missing-reference", _resolve_short_name)
    return {"parallel_read_safe": True, "version": "1"}
