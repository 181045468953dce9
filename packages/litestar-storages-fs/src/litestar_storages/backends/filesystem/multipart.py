r"""Manual multipart uploads, staged on disk in the root's hidden staging area.

Each upload is a folder ``<root>/.lss~multipart/<upload_id>/`` holding a manifest (key,
content type, metadata) and one file per part, each written atomically. Completing
copies the parts, in the kernel where possible, into a temporary file beside the
target and renames it into place like any other write. Nothing is held in memory
beyond the part being uploaded, and uploads survive restarts: the upload id is all a
later process needs. Abandoned uploads are removed by
``FileSystemStorage.remove_stale_files()``. Uploads started by litestar-storages-fs 0.1
(in ``.multipart\``) can still be continued.

The staging area and each upload's folder are opened like any folder (see
:mod:`.paths`): never through a link.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping, Sequence

from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.exceptions import StorageError, StorageFileNotFoundError, StorageValidationError
from litestar_storages.types import StoredFile

from .commit import commit_sync
from .fdio import copy_range, write_all
from .maintenance import remove_flat_folder
from .metadata import encode_sidecar, etag_of, read_small_file, stored_file, write_small_file
from .names import LEGACY_STAGING_DIR, STAGING_DIR
from .paths import FILE_FLAGS, Folder, Root, entry_stat, open_folder_at
from .temp_files import create_temp_at, discard_sync, open_temp_sync

__all__ = ("MANIFEST", "abort_sync", "complete_sync", "new_upload_id", "start_sync", "upload_part_sync")

MANIFEST = "upload.json"
_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")


def _checked_id(key: str, upload_id: object) -> str:
    # The id comes back from the caller: never let it name a path of its own.
    if not isinstance(upload_id, str) or not _UPLOAD_ID.fullmatch(upload_id):
        raise StorageValidationError(f"Invalid multipart upload id {upload_id!r}", key=key)
    return upload_id


def _part_name(part_number: int) -> str:
    return f"{part_number:05d}.part"


def _missing(key: str, upload_id: str) -> StorageError:
    return StorageError(
        f"No multipart upload {upload_id!r} in progress for {key!r} (completed or aborted)",
        key=key,
    )


def _open_upload(root: Root, key: str, upload_id: str) -> tuple[int, int]:
    """Open the staging area holding the upload, and the upload's folder (current area, else 0.1's)."""
    upload_id = _checked_id(key, upload_id)
    with root.top() as top:
        for staging in (STAGING_DIR, LEGACY_STAGING_DIR):
            try:
                area = open_folder_at(top.fd, staging, create=False, key=key)
            except StorageFileNotFoundError:
                continue
            try:
                return area, open_folder_at(area, upload_id, create=False, key=key)
            except StorageFileNotFoundError:
                os.close(area)
            except BaseException:
                os.close(area)
                raise
    raise _missing(key, upload_id)


def start_sync(
    root: Root, key: str, upload_id: str, *, content_type: str, metadata: Mapping[str, str], permissions: int
) -> None:
    """Create the upload's staging folder and manifest.

    Args:
        root: The storage root.
        key: The key the file will have.
        upload_id: The new upload's id (freshly generated).
        content_type: The file's content type.
        metadata: Its custom metadata.
        permissions: Mode of the staged files.

    Raises:
        StoragePermissionError: If the key's path meets a symbolic link (refused now,
            not after the upload).
    """
    try:
        with root.parent(key) as parent:
            entry_stat(parent, key)  # a link at the key itself is refused too
    except StorageFileNotFoundError:
        pass  # its folders do not exist yet: completing creates them
    upload_id = _checked_id(key, upload_id)
    with root.top() as top:
        area = open_folder_at(top.fd, STAGING_DIR, create=True, key=key)
    try:
        os.mkdir(upload_id, 0o777, dir_fd=area)
        folder = open_folder_at(area, upload_id, create=False, key=key)
    finally:
        os.close(area)
    try:
        manifest = {"key": key, "content_type": content_type, "metadata": dict(metadata)}
        write_small_file(folder, MANIFEST, json.dumps(manifest).encode(), permissions)
    finally:
        os.close(folder)


def new_upload_id() -> str:
    """Return a fresh upload id."""
    return secrets.token_hex(16)


def upload_part_sync(
    root: Root, key: str, upload_id: str, part_number: int, data: bytes | bytearray | memoryview, *, permissions: int
) -> str:
    """Stage one part atomically, replacing an earlier upload of the same number.

    Returns:
        The part's etag.
    """
    area, folder = _open_upload(root, key, upload_id)
    os.close(area)
    try:
        try:
            created = create_temp_at(folder, key, permissions)
        except FileNotFoundError:
            raise _missing(key, upload_id) from None  # completed or aborted meanwhile
        if created is None:
            raise _missing(key, upload_id)  # remove_stale_files() is removing it
        fd, temp = created
        try:
            write_all(fd, data)
            etag = etag_of(os.fstat(fd))
            os.rename(temp, _part_name(part_number), src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            discard_sync(fd, folder, temp)
            raise
        os.close(fd)
        return etag
    finally:
        os.close(folder)


def complete_sync(
    root: Root,
    key: str,
    upload_id: str,
    parts: Sequence[tuple[int, str]],
    *,
    permissions: int,
    durable: bool,
    attributes: ObjectAttributes = NO_ATTRIBUTES,
) -> StoredFile:
    """Join ``parts`` (number and etag, in order) into the file and drop the staging folder.

    The content type and metadata are the manifest's, recorded when the upload started;
    ``attributes`` are the upload state's, given at completion.

    Raises:
        StorageError: If the upload is unknown or a listed part is missing or changed.
    """
    area, folder = _open_upload(root, key, upload_id)
    try:
        raw = read_small_file(folder, MANIFEST)
        if raw is None:
            raise _missing(key, upload_id)
        manifest = json.loads(raw)
        if manifest["key"] != key:
            raise StorageError(f"Multipart upload {upload_id!r} is for {manifest['key']!r}, not {key!r}", key=key)
        content_type: str = manifest["content_type"]
        metadata: dict[str, str] = manifest["metadata"]
        target, fd, temp = open_temp_sync(root, key, permissions)
        try:
            for part_number, etag in sorted(parts):
                _append_part(fd, folder, part_number, etag, key)
        except BaseException:
            _abandon(target, fd, temp)
            raise
        stat = commit_sync(
            fd,
            target,
            temp,
            key,
            encode_sidecar(key, content_type, metadata, attributes),
            overwrite=True,
            permissions=permissions,
            durable=durable,
        )
        remove_flat_folder(area, upload_id, folder)
    finally:
        os.close(folder)
        os.close(area)
    return stored_file(key, stat, (content_type, metadata, attributes))


def _abandon(target: Folder, fd: int, temp: str) -> None:
    try:
        discard_sync(fd, target.fd, temp)
    finally:
        target.close()


def _append_part(fd: int, folder: int, part_number: int, etag: str, key: str) -> None:
    try:
        part_fd = os.open(_part_name(part_number), FILE_FLAGS, dir_fd=folder)
    except FileNotFoundError:
        raise StorageError(f"Part {part_number} of {key!r} was not uploaded", key=key) from None
    try:
        stat = os.fstat(part_fd)
        if etag_of(stat) != etag:
            raise StorageError(f"Part {part_number} of {key!r} was uploaded again since; its etag changed", key=key)
        copy_range(part_fd, fd, stat.st_size)
    finally:
        os.close(part_fd)


def abort_sync(root: Root, key: str, upload_id: str) -> None:
    """Remove an upload's staging folder (nothing happens if it is already gone)."""
    try:
        area, folder = _open_upload(root, key, upload_id)
    except StorageError as error:
        if type(error) is not StorageError:  # an invalid id, or a link: not "already gone"
            raise
        return
    try:
        remove_flat_folder(area, upload_id, folder)
    finally:
        os.close(folder)
        os.close(area)
