"""Upload state kept in the storage itself, so any process can serve any request of an upload.

Under ``{state_prefix}/{id}/`` each upload has:

- ``info.json``: what never changes (final key, announced length, expiry, the
  multipart upload's id, part size), written once at creation (``overwrite=False``);
- ``log/{seq}.json``: the state after each accepted PATCH (offset, parts, staged
  tail), numbered 1, 2, 3...; the highest number is the current state. Each is written
  with ``overwrite=False``, so of two processes extending the same state only one can
  record its bytes: the other is refused (409) and its staged objects are removed;
- ``lock/{seq}/{generation}.json``: the lock a PATCH takes on state ``seq`` before it
  sends any part (parts have fixed numbers, so two PATCHes at the same offset would
  replace each other's parts). Taken with ``overwrite=False``; renewed as data
  arrives; a lock not renewed for ``lock_timeout`` (its process died) is taken over
  with the next generation, again with ``overwrite=False``;
- ``tail/...`` and ``parts/...``: the bytes past the last full part, and in staged
  assembly the full parts themselves.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from litestar_storages.calls import delete_object, read_bytes, write
from litestar_storages.capabilities import SupportsDeleteMany
from litestar_storages.exceptions import StorageError, StorageFileExistsError, StorageFileNotFoundError
from litestar_storages.protocol import Storage

__all__ = ("Lock", "LockLost", "StateStore", "UploadInfo", "UploadState")

_JSON = "application/json"


@dataclass(frozen=True)
class UploadInfo:
    """What never changes about an upload.

    Attributes:
        id: The upload's identifier.
        key: The final object's key.
        created: Creation time (Unix seconds).
        expires: Time after which the upload is gone (Unix seconds).
        metadata: The client's ``Upload-Metadata``.
        part_size: Size of every part but the last.
        mode: ``"multipart"`` or ``"staged"``.
        multipart_id: The storage's multipart upload id (multipart mode).
        content_type: The final object's content type, or ``None`` to guess from the key.
        length: The length announced at creation, or ``None`` when deferred.
        concat: ``"partial"`` for a partial upload of the concatenation extension,
            the ``Upload-Concat`` header of a final one, ``None`` otherwise.
    """

    id: str
    key: str
    created: float
    expires: float
    metadata: dict[str, str]
    part_size: int
    mode: Literal["multipart", "staged"]
    multipart_id: str | None
    content_type: str | None
    length: int | None
    concat: str | None = None


@dataclass(frozen=True)
class UploadState:
    """An upload's progress: the state after its ``seq``-th accepted PATCH.

    Attributes:
        seq: 0 before any byte, then 1, 2, 3...
        offset: Bytes received.
        length: The total length, once known.
        parts: ``(number, tag)`` of the full parts sent (multipart: the backend's tag;
            staged: the part object's key).
        tail: Key of the object holding the bytes past the last full part, or ``None``.
        done: The final object exists.
    """

    seq: int = 0
    offset: int = 0
    length: int | None = None
    parts: tuple[tuple[int, str], ...] = ()
    tail: str | None = None
    done: bool = False


class LockLost(StorageError):
    """A PATCH stalled past the lock timeout and another PATCH took its lock over."""


@dataclass
class Lock:
    """A PATCH's hold on one state of an upload."""

    store: StateStore
    name: str
    owner: str
    taken: float
    released: bool = field(default=False)

    async def renew(self, timeout: float) -> None:
        """Rewrite the lock's time when a part of ``timeout`` has passed since the last write.

        Args:
            timeout: The lock timeout in seconds.
        """
        now = time.time()
        if now - self.taken < timeout / 4:
            return
        self.taken = now
        await self.store.write_json(self.name, {"owner": self.owner, "at": now}, overwrite=True)

    async def check(self) -> None:
        """Make sure the lock is still this PATCH's (not taken over after a stall).

        Raises:
            LockLost: If a later generation of the lock exists.
        """
        folder = self.name.rsplit("/", 1)[0] + "/"
        names = [stored.key async for stored in self.store.storage.list(folder)]
        if names and max(names) != self.name:
            raise LockLost(f"the lock {self.name!r} was taken over")

    async def release(self) -> None:
        """Remove the lock (once)."""
        if not self.released:
            self.released = True
            await delete_object(self.store.storage, self.name, missing_ok=True)


class StateStore:
    """Reads and writes the state objects of the uploads under one prefix of a storage."""

    __slots__ = ("prefix", "storage")

    def __init__(self, storage: Storage, prefix: str) -> None:
        """Create the store.

        Args:
            storage: The storage holding the uploads.
            prefix: The folder (no trailing ``/``) holding the state.
        """
        self.storage = storage
        self.prefix = prefix.rstrip("/")

    def folder(self, upload_id: str) -> str:
        """Return the folder of an upload's objects (ending in ``/``)."""
        return f"{self.prefix}/{upload_id}/"

    def staged_name(self, upload_id: str, kind: str, label: str) -> str:
        """Return a fresh key for a staged object (``tail`` or ``parts``), unique per writer."""
        return f"{self.folder(upload_id)}{kind}/{label}-{secrets.token_hex(8)}"

    async def write_json(self, name: str, value: dict[str, Any], *, overwrite: bool) -> None:
        """Store a JSON object."""
        body = json.dumps(value, separators=(",", ":")).encode()
        await write(self.storage, name, body, content_type=_JSON, overwrite=overwrite)

    async def read_json(self, name: str) -> dict[str, Any] | None:
        """Return a stored JSON object, or ``None`` when missing."""
        try:
            body = await read_bytes(self.storage, name)
        except StorageFileNotFoundError:
            return None
        value = json.loads(body)
        if not isinstance(value, dict):
            raise StorageError(f"tus state object {name!r} is not a JSON object", key=name)
        return value

    async def create(self, info: UploadInfo) -> None:
        """Record a new upload (fails if the id exists)."""
        await self.write_json(self.folder(info.id) + "info.json", asdict(info), overwrite=False)

    async def info(self, upload_id: str) -> UploadInfo | None:
        """Return an upload's info, or ``None`` when there is no such upload."""
        value = await self.read_json(self.folder(upload_id) + "info.json")
        if value is None:
            return None
        return UploadInfo(**value)

    async def _names(self, prefix: str) -> list[str]:
        return [stored.key async for stored in self.storage.list(prefix)]

    async def state(self, info: UploadInfo) -> UploadState:
        """Return an upload's current state (its highest log entry)."""
        names = await self._names(self.folder(info.id) + "log/")
        if not names:
            return UploadState(length=info.length)
        value = await self.read_json(max(names))
        if value is None:  # removed meanwhile: terminated or expired
            raise StorageFileNotFoundError(info.key)
        value["parts"] = tuple((int(number), str(tag)) for number, tag in value["parts"])
        return UploadState(**value)

    async def record(self, info: UploadInfo, state: UploadState) -> bool:
        """Write ``state`` as log entry ``state.seq``; ``False`` if another writer was first."""
        name = f"{self.folder(info.id)}log/{state.seq:010d}.json"
        try:
            await self.write_json(name, asdict(state), overwrite=False)
        except StorageFileExistsError:
            return False
        return True

    async def lock(self, info: UploadInfo, state: UploadState, timeout: float) -> Lock | None:
        """Take the lock on extending ``state``; ``None`` while another PATCH holds it.

        Args:
            info: The upload.
            state: The state the PATCH extends.
            timeout: Seconds after which an unrenewed lock is taken over.

        Returns:
            The lock, or ``None`` when a live lock exists.
        """
        folder = f"{self.folder(info.id)}lock/{state.seq:010d}/"
        names = await self._names(folder)
        generation = 0
        if names:
            latest = max(names)
            held = await self.read_json(latest)
            if held is not None and time.time() - float(held.get("at", 0)) < timeout:
                return None
            generation = int(latest.rsplit("/", 1)[-1].split(".")[0]) + 1
        owner = secrets.token_hex(8)
        now = time.time()
        name = f"{folder}{generation:06d}.json"
        try:
            await self.write_json(name, {"owner": owner, "at": now}, overwrite=False)
        except StorageFileExistsError:
            return None
        return Lock(self, name, owner, now)

    async def remove(self, upload_id: str, *, keep: Sequence[str] = ()) -> None:
        """Delete every object of an upload but those named in ``keep``."""
        names = [name for name in await self._names(self.folder(upload_id)) if name not in keep]
        await self.delete(names)

    async def delete(self, names: Sequence[str]) -> None:
        """Delete objects (missing ones are skipped), in batches where the storage can."""
        if isinstance(self.storage, SupportsDeleteMany):
            await self.storage.delete_many(names)
            return
        for name in names:
            await delete_object(self.storage, name, missing_ok=True)

    async def upload_ids(self) -> list[str]:
        """Return the ids of every upload with objects under the prefix."""
        seen: dict[str, None] = {}
        async for stored in self.storage.list(self.prefix + "/"):
            rest = stored.key[len(self.prefix) + 1 :]
            seen.setdefault(rest.split("/", 1)[0], None)
        return list(seen)


def advanced(state: UploadState, **changes: Any) -> UploadState:
    """Return the next state (``seq + 1``) with ``changes``."""
    return replace(state, seq=state.seq + 1, **changes)
