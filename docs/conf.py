"""Sphinx configuration of the litestar-storages documentation.

Built with ``hatch run docs:build`` (``sphinx-build -W --keep-going -n``): every
warning is an error and nitpicky mode makes every cross-reference (``{py:class}``,
``[text](page.md#anchor)``, autodoc type annotations) resolve or fail the build. That
is the offline link check: nothing here reaches the network.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

from litestar_storages import __version__  # noqa: E402

project = "litestar-storages"
author = "The litestar-storages maintainers"
copyright = "2026, the litestar-storages maintainers"
release = __version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx_copybutton",
    "api_pages",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "examples", "README.md", "Thumbs.db", ".DS_Store"]

# -- MyST -------------------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist", "attrs_inline"]
# Headings up to level 3 get anchors, so `[text](page.md#a-heading)` is checked.
myst_heading_anchors = 3

# -- autodoc / napoleon -----------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
autodoc_default_options = {"exclude-members": "__init__, __new__, __weakref__, __dict__, __slots__"}
# Keep the aliases' names in signatures instead of expanding them into long unions.
autodoc_type_aliases = {
    "PutData": "litestar_storages.streams.PutData",
    "ProgressCallback": "litestar_storages.types.ProgressCallback",
    "TransferOperation": "litestar_storages.types.TransferOperation",
    "HttpMethod": "litestar_storages.protocol.HttpMethod",
    "ErrorTranslator": "litestar_storages.error_mapping.ErrorTranslator",
}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
# Dataclass "Attributes:" sections become field lists, so they do not collide with
# the fields autodoc documents from their own docstrings.
napoleon_use_ivar = False
napoleon_attr_annotations = False
python_use_unqualified_type_names = True

# -- nitpicky mode ----------------------------------------------------------------------
# The build is offline (no intersphinx inventories), so references to the standard
# library (every module in sys.stdlib_module_names) and to the SDKs cannot resolve;
# everything of ours must.
_EXTERNAL: tuple[str, ...] = (
    "typing_extensions",
    "advanced_alchemy",
    "aiobotocore",
    "aiofiles",
    "aiohttp",
    "azure",
    "botocore",
    "click",
    "gcloud",
    "litestar",
    "msgspec",
    "pytest",
    "_pytest",
    "sqlalchemy",
    "types_aiobotocore_s3",
)
_EXTERNAL += tuple(sorted(sys.stdlib_module_names))
nitpick_ignore_regex = [("py:.*", re.escape(module) + r"(\..*)?") for module in _EXTERNAL] + [
    # Built-in types, typing names and type variables written unqualified in annotations.
    ("py:.*", r"(None|int|float|str|bytes|bytearray|memoryview|bool|object|dict|list|tuple|set|frozenset|type)"),
    ("py:.*", r"(Any|Literal|TypeAlias|Union|Optional|Callable|Awaitable|Coroutine|Self|ParamSpec|TypeVar)"),
    ("py:.*", r"(AsyncIterator|AsyncIterable|AsyncGenerator|Iterator|Iterable|Generator|Mapping|Sequence)"),
    ("py:.*", r"(BaseException|Exception|TracebackType|timedelta|datetime|Path|PathLike|Enum)"),
    ("py:.*", r"(ValueError|TypeError|FileNotFoundError|FileExistsError|PermissionError|ConnectionError)"),
    ("py:.*", r"(.*\.)?[A-Z]T|(.*\.)?[PT]|.*\.P\.(args|kwargs)"),
    # A backend's private _sdk.py is not in the reference (see architecture.md); its
    # classes still appear in documented signatures.
    ("py:class", r"(litestar_storages\.backends\.\w+\._sdk\.)?BlobRequests"),
]

# -- HTML -------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"litestar-storages {release}"
html_static_path: list[str] = []
html_theme_options = {"navigation_with_keys": True}
