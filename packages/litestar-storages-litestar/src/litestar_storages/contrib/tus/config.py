"""``TusConfig``: where and how the plugin mounts tus resumable uploads for a storage."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from litestar_storages.exceptions import ConfigurationError
from litestar_storages.keys import validate_key

if TYPE_CHECKING:
    from litestar.types import Guard

__all__ = ("Assembly", "TusConfig", "TusUpload")

Assembly = Literal["auto", "multipart", "staged"]
"""How full parts become the final object (see :attr:`TusConfig.assembly`)."""


@dataclass(frozen=True)
class TusUpload:
    """What the key policy knows of a new upload.

    Attributes:
        id: The upload's identifier (32 lowercase hex digits, in its URL).
        metadata: The client's ``Upload-Metadata`` (``filename``, ``filetype``, ...):
            the client's choice, not to be trusted.
        length: The announced size, or ``None`` when deferred.
    """

    id: str
    metadata: dict[str, str]
    length: int | None


def default_key(upload: TusUpload) -> str:
    """The default key policy: ``uploads/<id>``, nothing the client chose.

    Args:
        upload: The new upload.

    Returns:
        The key of the final object.
    """
    return f"uploads/{upload.id}"


@dataclass(frozen=True)
class TusConfig:
    """tus 1.0.0 resumable uploads into one of the plugin's storages.

    Pass it to :class:`~litestar_storages.contrib.config.StoragePluginConfig` as
    ``tus=(TusConfig(...),)``; the plugin mounts the routes at :attr:`path`.
    """

    storage: str = "default"
    """Name of the plugin's storage receiving the uploads (``"default"`` or a named one)."""

    path: str = "/tus"
    """Route path of the creation URL; each upload is at ``{path}/{id}``."""

    key: Callable[[TusUpload], str] = default_key
    """The key policy: the final object's key for a new upload (``uploads/<id>`` by
    default). Called once, at creation; a key it returns that is not valid answers 400."""

    max_size: int | None = None
    """Upload limit in bytes; ``None`` keeps the application's (the plugin's
    ``max_upload_size``, through the routes' ``opt``). Announced as ``Tus-Max-Size``."""

    expires_in: timedelta = timedelta(hours=24)
    """How long an upload may stay unfinished (``Upload-Expires``); counted from its creation."""

    guards: Sequence[Guard] = ()
    """Litestar guards of every tus route (authentication, quotas)."""

    content_type: str | None = None
    """Content type of the final objects; by default the one the key's extension gives."""

    trust_client_content_type: bool = False
    """Use the ``filetype`` metadata the client sent as the content type (when
    :attr:`content_type` is not set). Off by default, as for the other upload helpers."""

    state_prefix: str = "tus-state"
    """Folder of the storage holding upload state, staged tails and staged parts."""

    part_size: int | None = None
    """Size of the parts; by default 8 MiB (at least the backend's minimum, 5 MiB on S3),
    raised when an announced length would need more than 10,000 parts. The largest
    memory an upload in progress takes is about one part."""

    assembly: Assembly = "auto"
    """``"multipart"``: full parts go to the storage's multipart API and the final
    object is assembled by the backend. ``"staged"``: full parts are stored as objects
    and streamed into the final object when the upload completes (every storage can,
    but the bytes travel twice). ``"auto"``: multipart where its state survives a
    restart and is shared by processes (memory, filesystem, S3, Azure), else staged
    (GCS and obstore keep their multipart sessions in the process)."""

    lock_timeout: timedelta = timedelta(minutes=2)
    """A PATCH holds its upload's lock and renews it as data arrives; a lock not
    renewed for this long (its process died) is taken over by the next PATCH."""

    max_metadata_size: int = 4096
    """Most characters accepted in ``Upload-Metadata``."""

    cleanup_interval: timedelta | None = None
    """When set, the application's lifespan removes expired uploads this often (at
    startup, then periodically); otherwise call :meth:`TusUploads.cleanup_expired`."""

    opt: dict[str, object] = field(default_factory=dict)
    """Extra ``opt`` for the tus routes."""

    def __post_init__(self) -> None:
        if not isinstance(self.storage, str) or not self.storage:
            raise ConfigurationError(f"TusConfig.storage must be a storage name, got {self.storage!r}", field="storage")
        if not isinstance(self.path, str) or not self.path.startswith("/") or "{" in self.path:
            raise ConfigurationError(
                f"TusConfig.path must be a route path starting with '/', got {self.path!r}", field="path"
            )
        if not callable(self.key):
            raise ConfigurationError("TusConfig.key must be callable", field="key")
        for name in ("max_size", "part_size"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise ConfigurationError(f"TusConfig.{name} must be None or an int >= 1, got {value!r}", field=name)
        for name in ("expires_in", "lock_timeout", "cleanup_interval"):
            value = getattr(self, name)
            if value is None and name == "cleanup_interval":
                continue
            if not isinstance(value, timedelta) or value <= timedelta(0):
                raise ConfigurationError(f"TusConfig.{name} must be a positive timedelta, got {value!r}", field=name)
        if self.assembly not in ("auto", "multipart", "staged"):
            raise ConfigurationError(
                f"TusConfig.assembly must be 'auto', 'multipart' or 'staged', got {self.assembly!r}", field="assembly"
            )
        try:
            validate_key(f"{self.state_prefix}/x")
        except Exception as error:
            raise ConfigurationError(
                f"TusConfig.state_prefix must be a folder name valid in keys, got {self.state_prefix!r}",
                field="state_prefix",
            ) from error
        if not isinstance(self.max_metadata_size, int) or self.max_metadata_size < 0:
            raise ConfigurationError("TusConfig.max_metadata_size must be an int >= 0", field="max_metadata_size")

    @property
    def route_path(self) -> str:
        """:attr:`path` without its trailing ``/`` (``"/"`` stays ``""``, the site root)."""
        return self.path.rstrip("/")
