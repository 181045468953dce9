"""How a stored file may be shown by a browser, so uploads cannot script the application's origin.

A file uploaded by one user and served from the application's own origin runs with
that origin's rights if the browser renders it as a document: an HTML, SVG or XML file
served inline is stored cross-site scripting. A script or stylesheet served with its
own type can be included by another page of the site (``<script src>``, a service
worker, ``<link rel=stylesheet>``), which bypasses a ``script-src 'self'`` policy.

The rule, applied to the ``Content-Type`` actually sent (whatever the backend stored):

- every answer carries ``X-Content-Type-Options: nosniff``, so browsers never guess a
  more dangerous type from the bytes;
- *passive* types (images but SVG, audio, video, fonts, plain text, CSV, JSON, PDF) are
  served as asked;
- every other type, known to be active (HTML, XHTML, SVG, any XML, XSLT, JavaScript,
  CSS, Flash, ``multipart/x-mixed-replace``, ...) or unknown, gets
  ``Content-Security-Policy: sandbox`` (no script, an opaque origin) and, by default,
  ``Content-Disposition: attachment``; scripts and stylesheets are also sent as
  ``text/plain``, so no page can load them as code;
- a stored type that is not a valid media type (RFC 9110 syntax, ASCII) is sent as
  ``application/octet-stream``.

:data:`ActiveContent` chooses what happens to active types: ``"attachment"`` (the
default: download), ``"sandbox"`` (shown inline, but only under the sandbox policy) or
``"inline"`` (no protection: only for files the application wrote itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, cast, get_args

from litestar_storages.content import DEFAULT_CONTENT_TYPE
from litestar_storages.exceptions import ConfigurationError
from litestar_storages.media_types import is_media_type

__all__ = (
    "ACTIVE_CONTENT_MODES",
    "ACTIVE_CONTENT_OPT",
    "NOSNIFF",
    "SANDBOX_POLICY",
    "ActiveContent",
    "ServingDecision",
    "check_active_content",
    "is_passive",
    "media_type_essence",
    "serving_decision",
)

ActiveContent = Literal["attachment", "sandbox", "inline"]
"""What to do with files of an active or unknown type (see the module's docstring)."""

ACTIVE_CONTENT_MODES: Final[tuple[str, ...]] = get_args(ActiveContent)
"""The values :data:`ActiveContent` may take."""

ACTIVE_CONTENT_OPT: Final = "storage_active_content"
"""The ``opt`` key holding the application's :data:`ActiveContent` choice (layered:
app, router, controller, handler); the plugin sets the app's from its config."""

NOSNIFF: Final = "nosniff"
"""The ``X-Content-Type-Options`` value sent with every storage answer."""

SANDBOX_POLICY: Final = "sandbox"
"""The ``Content-Security-Policy`` sent with active content: no script, no plugin, no
form, an opaque origin (so no cookie or storage of the application's)."""

# Shown by browsers without running anything on the page's origin. The list is short on
# purpose: an unknown type is treated as active. PDF is here because browsers render it
# in a viewer isolated from the page (and a sandbox policy stops Chrome's viewer).
_PASSIVE_TYPES = frozenset(
    {
        "text/plain",
        "text/csv",
        "text/tab-separated-values",
        "text/vtt",
        "application/json",
        "application/pdf",
    }
)
_PASSIVE_FAMILIES = ("image/", "audio/", "video/", "font/")

# Loaded as code by other pages of the origin despite any Content-Disposition, and
# blocked from that only by nosniff with a non-code type (WHATWG "JavaScript MIME type"
# essences, CSS, WebAssembly).
_CODE_TYPES = frozenset(
    {
        "application/ecmascript",
        "application/javascript",
        "application/x-ecmascript",
        "application/x-javascript",
        "text/ecmascript",
        "text/javascript",
        "text/javascript1.0",
        "text/javascript1.1",
        "text/javascript1.2",
        "text/javascript1.3",
        "text/javascript1.4",
        "text/javascript1.5",
        "text/jscript",
        "text/livescript",
        "text/x-ecmascript",
        "text/x-javascript",
        "text/css",
        "application/wasm",
    }
)


@dataclass(frozen=True)
class ServingDecision:
    """How one file is sent.

    Attributes:
        content_type: The ``Content-Type`` to send.
        attachment: ``True`` for ``Content-Disposition: attachment``.
        sandbox: ``True`` to send ``Content-Security-Policy: sandbox``.
    """

    content_type: str
    attachment: bool
    sandbox: bool


def media_type_essence(content_type: str) -> str | None:
    """Return the lower-case ``type/subtype`` of a valid media type.

    Args:
        content_type: A ``Content-Type`` value, parameters included.

    Returns:
        The essence (``"text/html"``), or ``None`` when the value is not a valid RFC
        9110 media type in ASCII or is longer than 1,024 characters.
    """
    # The rule is the core's, so what a put accepts is what is served as it is.
    value = content_type.strip(" \t")
    if not is_media_type(value):
        return None
    return value.split(";", 1)[0].rstrip(" \t").lower()


def is_passive(essence: str) -> bool:
    """Tell whether browsers show a type without running code on the page's origin.

    Args:
        essence: A lower-case ``type/subtype``.

    Returns:
        ``True`` for the passive types of the module's docstring; ``False`` for every
        other type, active or unknown (any ``+xml`` or ``svg`` type among them).
    """
    if "xml" in essence or "svg" in essence:
        return False
    return essence in _PASSIVE_TYPES or essence.startswith(_PASSIVE_FAMILIES)


def check_active_content(value: object, *, field: str = "active_content") -> ActiveContent:
    """Return ``value`` if it is an :data:`ActiveContent` mode.

    Args:
        value: The setting to check.
        field: The setting's name, for the error.

    Returns:
        The mode.

    Raises:
        ConfigurationError: If it is not ``"attachment"``, ``"sandbox"`` or ``"inline"``.
    """
    if isinstance(value, str) and value in ACTIVE_CONTENT_MODES:
        return cast("ActiveContent", value)
    raise ConfigurationError(
        f"{field} must be one of {', '.join(map(repr, ACTIVE_CONTENT_MODES))}, got {value!r}", field=field
    )


def serving_decision(content_type: str, *, attachment: bool, active_content: ActiveContent) -> ServingDecision:
    """Decide the ``Content-Type``, disposition and sandboxing of a file.

    Args:
        content_type: The file's type as the backend stored it (or as guessed).
        attachment: ``True`` when the application asked for a download anyway.
        active_content: What to do with active and unknown types.

    Returns:
        The decision.
    """
    essence = media_type_essence(content_type)
    served = content_type.strip(" \t") if essence is not None else DEFAULT_CONTENT_TYPE
    essence = essence or DEFAULT_CONTENT_TYPE
    if active_content == "inline" or is_passive(essence):
        return ServingDecision(served, attachment, sandbox=False)
    if essence in _CODE_TYPES:
        # Same bytes, same parameters (charset), but a type no page can run or apply.
        _, _, parameters = served.partition(";")
        served = "text/plain" + (";" + parameters if parameters else "")
    return ServingDecision(served, attachment or active_content == "attachment", sandbox=True)
