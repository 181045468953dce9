r"""Manual multipart uploads, staged on disk in the root's hidden staging area.

Each upload is a folder ``<root>/.multipart\\<upload_id>/`` holding a manifest (key,
content type, metadata) and one file per part, each written atomically. Completing
copies the parts, in the kernel where possible, into a temporary file beside the
target and renames it into place like any other write. Nothing is held in memory
beyond the part being uploaded, and uploads survive restarts: the upload id is all a
later process needs. Abandoned uploads are removed by
``FileSystemStorage.remove_stale_files()``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil

from litestar_storages.exceptions import StorageError, StorageValidationError
from litestar_storages.types import MultipartUpload, StoredFile

from .atomic import commit_sync, copy_range, discard_sync, open_temp_sync, write_all
from .metadata import encode_sidecar, etag_of, stored_file, write_small_file
from .paths import STAGING_DIR, Root

__all__ = ("MANIFEST", "abort_sync", "complete_sync", "staging_dir", "start_sync", "upload_part_sync")

MANIFEST = "upload.json"
_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")


def staging_dir(root: Root) -> str:
    """Return the staging area's path (it may not exist yet)."""
    return os.path.join(root.real(), STAGING_DIR)


def _upload_dir(root: Root, upload: MultipartUpload) -> str:
    # The id comes back from the caller: never let it name a path of its own.
    if not isinstance(upload.upload_id, str) or not _UPLOAD_ID.fullmatch(upload.upload_id):
        raise StorageValidationError(f"Invalid multipart upload id {upload.upload_id!r}", key=upload.key)
    return os.path.join(staging_dir(root), upload.upload_id)


def _part_name(part_number: int) -> str:
    return f"{part_number:05d}.part"


def _missing(upload: MultipartUpload) -> StorageError:
    return StorageError(
        f"No multipart upload {upload.upload_id!r} in progress for {upload.key!r} (completed or aborted)",
        key=upload.key,
    )


def start_sync(root: Root, upload: MultipartUpload, permissions: int) -> None:
    """Create the upload's staging folder and manifest.

    Args:
        root: The storage root.
        upload: The new upload's state (its id freshly generated).
        permissions: Mode of the staged files.
    """
    root.path(upload.key)  # refuse a key leading out of the root now, not after the upload
    directory = _upload_dir(root, upload)
    os.makedirs(directory)
    manifest = {"key": upload.key, "content_type": upload.content_type, "metadata": upload.metadata}
    write_small_file(os.path.join(directory, MANIFEST), json.dumps(manifest).encode(), permissions)


def new_upload_id() -> str:
    """Return a fresh upload id."""
    return secrets.token_hex(16)


def upload_part_sync(root: Root, upload: MultipartUpload, part_number: int, data: bytes, permissions: int) -> str:
    """Stage one part atomically, replacing an earlier upload of the same number.

    Returns:
        The part's etag.
    """
    directory = _upload_dir(root, upload)
    try:
        fd, temp_path = open_temp_sync(directory, upload.key, permissions, create_parents=False)
    except FileNotFoundError:
        raise _missing(upload) from None
    try:
        write_all(fd, data)
        etag = etag_of(os.fstat(fd))
        os.rename(temp_path, os.path.join(directory, _part_name(part_number)))
    except BaseException:
        discard_sync(fd, temp_path)
        raise
    os.close(fd)
    return etag


def complete_sync(root: Root, upload: MultipartUpload, permissions: int, durable: bool) -> StoredFile:
    """Join the parts listed in ``upload.parts`` into the object and drop the staging folder.

    Raises:
        StorageError: If the upload is unknown or a listed part is missing or changed.
    """
    directory = _upload_dir(root, upload)
    try:
        with open(os.path.join(directory, MANIFEST), "rb") as file:
            manifest = json.load(file)
    except FileNotFoundError:
        raise _missing(upload) from None
    key = manifest["key"]
    if key != upload.key:
        raise StorageError(f"Multipart upload {upload.upload_id!r} is for {key!r}, not {upload.key!r}", key=upload.key)
    content_type: str = manifest["content_type"]
    metadata: dict[str, str] = manifest["metadata"]
    target = root.path(key)
    fd, temp_path = open_temp_sync(os.path.dirname(target), key, permissions)
    try:
        for part_number, etag in sorted(upload.parts):
            _append_part(fd, directory, part_number, etag, key)
    except BaseException:
        discard_sync(fd, temp_path)
        raise
    stat = commit_sync(
        fd,
        temp_path,
        target,
        key,
        encode_sidecar(key, content_type, metadata),
        overwrite=True,
        permissions=permissions,
        durable=durable,
    )
    shutil.rmtree(directory, ignore_errors=True)
    return stored_file(key, stat, (content_type, metadata))


def _append_part(fd: int, directory: str, part_number: int, etag: str, key: str) -> None:
    try:
        part_fd = os.open(os.path.join(directory, _part_name(part_number)), os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise StorageError(f"Part {part_number} of {key!r} was not uploaded", key=key) from None
    try:
        stat = os.fstat(part_fd)
        if etag_of(stat) != etag:
            raise StorageError(f"Part {part_number} of {key!r} was uploaded again since; its etag changed", key=key)
        copy_range(part_fd, fd, stat.st_size)
    finally:
        os.close(part_fd)


def abort_sync(root: Root, upload: MultipartUpload) -> None:
    """Remove an upload's staging folder (nothing happens if it is already gone)."""
    shutil.rmtree(_upload_dir(root, upload), ignore_errors=True)
