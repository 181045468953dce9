"""``DriverStorage``: the whole Storage API, written once over any driver."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping
from datetime import timedelta

from litestar_storages.attribute_rules import check_supported, validate_attributes
from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.base import BaseStorage
from litestar_storages.content import resolve_content_type, validate_content_type, validate_metadata
from litestar_storages.disposition import content_disposition
from litestar_storages.engine.abilities import Abilities
from litestar_storages.engine.calling import call
from litestar_storages.engine.capabilities import (
    SupportsDurableParts,
    SupportsListDir,
    SupportsListStream,
    SupportsParts,
)
from litestar_storages.engine.driver import Driver
from litestar_storages.engine.folders import list_folder, listed_files
from litestar_storages.engine.reading import read_bytes, read_range
from litestar_storages.engine.writing import write_object
from litestar_storages.exceptions import (
    StorageError,
    StorageFileNotFoundError,
    StorageValidationError,
    UnsupportedOperationError,
)
from litestar_storages.folders import group_listing
from litestar_storages.keys import normalize_prefix, strip_prefix, validate_folder, validate_key, validate_prefix
from litestar_storages.listing import validate_limit
from litestar_storages.parts import validate_part
from litestar_storages.protocol import HttpMethod
from litestar_storages.public_urls import public_url
from litestar_storages.ranges import validate_range
from litestar_storages.streams import PutData
from litestar_storages.types import MultipartUpload, ProgressCallback, StoredFile, StoredFolder, UploadForm
from litestar_storages.url_arguments import check_url_arguments, validate_expiry, validate_size_range

__all__ = ("DriverStorage",)

_PAGE_SIZE = 1000
"""Most objects asked for per listing page (S3's, Azure's and GCS's largest page)."""


class DriverStorage(BaseStorage):
    """A complete storage over a :class:`~litestar_storages.engine.driver.Driver`.

    Subclasses (one per backend) build their driver from their configuration and pass
    it here; they add nothing else. Keys are checked, joined to ``prefix`` and handed
    to the driver as names; every driver call runs inside the driver's error table and,
    for idempotent requests, its retry policy.
    """

    __slots__ = ("_abilities", "_prefix", "driver")

    def __init__(self, driver: Driver, *, prefix: str = "") -> None:
        """Create a storage over ``driver``.

        Args:
            driver: The backend's driver (it holds the client and its configuration).
            prefix: Folder of the service that holds this storage's keys.
        """
        self.driver = driver
        self._abilities = Abilities.of(driver)
        self._prefix = normalize_prefix(prefix)

    @property
    def backend_name(self) -> str:  # type: ignore[override] # the driver names the backend
        """The backend's name, used in messages."""
        return self.driver.name

    @property
    def attribute_names(self) -> frozenset[str]:
        """Names of the :class:`~litestar_storages.attributes.ObjectAttributes` fields this storage honours.

        Any other attribute given to a write raises
        :class:`~litestar_storages.exceptions.ConfigurationError` before a byte is sent.
        """
        return self._abilities.attribute_names

    @property
    def min_part_size(self) -> int:
        """The smallest part (every part but the last) its multipart uploads take; 1 when any size goes."""
        return self._abilities.min_part_size

    @property
    def durable_multipart(self) -> bool:
        """Whether its multipart uploads live in the service, so any process can continue one.

        ``True`` over a driver with parts that declares
        :class:`~litestar_storages.engine.capabilities.SupportsDurableParts`.
        """
        driver = self.driver
        return self._abilities.parts is not None and isinstance(driver, SupportsDurableParts) and driver.durable_parts

    def _name(self, key: str) -> str:
        return self._prefix + validate_key(key)

    def _attributes(self, attributes: ObjectAttributes | None, key: str) -> ObjectAttributes:
        # Checked once, before any request: values first, then what the backend honours.
        if attributes is None:
            return NO_ATTRIBUTES
        checked = validate_attributes(attributes, key=key, tag_limits=self._abilities.tag_limits)
        names = checked.set_names()
        if not names:
            return NO_ATTRIBUTES  # drivers may tell "none" by identity
        check_supported(checked, self._abilities.attribute_names, backend=self.backend_name, key=key)
        return checked

    def _file(self, stored: StoredFile) -> StoredFile:
        # Drivers answer with names; callers see keys relative to the prefix.
        if not self._prefix:
            return stored
        return dataclasses.replace(stored, key=strip_prefix(self._prefix, stored.key))

    # -- objects ------------------------------------------------------------------------

    async def put(
        self,
        key: str,
        data: PutData,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        overwrite: bool = True,
        progress: ProgressCallback | None = None,
        attributes: ObjectAttributes | None = None,
    ) -> StoredFile:
        """Store data at ``key``, streaming it; see :meth:`BaseStorage.put`."""
        # _put's body, inline: one coroutine less on every put.
        name = self._prefix + validate_key(key)
        resolved = resolve_content_type(key, content_type)
        checked = validate_metadata(metadata, key=key)
        stored = await write_object(
            self.driver,
            self._abilities,
            name,
            key,
            data,
            content_type=resolved,
            metadata=checked,
            overwrite=overwrite,
            progress=progress,
            attributes=NO_ATTRIBUTES if attributes is None else self._attributes(attributes, key),
        )
        return stored if not self._prefix else self._file(stored)

    async def _put(
        self,
        key: str,
        data: PutData,
        *,
        content_type: str | None,
        metadata: Mapping[str, str] | None,
        overwrite: bool,
        progress: ProgressCallback | None,
        part_size: int | None = None,
        attributes: ObjectAttributes | None = None,
    ) -> StoredFile:
        name = self._name(key)
        resolved = resolve_content_type(key, content_type)
        checked = validate_metadata(metadata, key=key)
        stored = await write_object(
            self.driver,
            self._abilities,
            name,
            key,
            data,
            content_type=resolved,
            metadata=checked,
            overwrite=overwrite,
            progress=progress,
            part_size=part_size,
            attributes=self._attributes(attributes, key),
        )
        return self._file(stored)

    def get(
        self,
        key: str,
        *,
        start: int | None = None,
        end: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> AsyncIterator[bytes]:
        """Stream the object's bytes, or a range of them; see :meth:`BaseStorage.get`."""
        return self._get(key, start, end, progress)

    async def _get(
        self, key: str, start: int | None, end: int | None, progress: ProgressCallback | None
    ) -> AsyncIterator[bytes]:
        # An async generator: arguments are checked when iteration starts, as documented.
        name = self._name(key)
        first, stop = validate_range(start, end, key=key)
        async for chunk in read_range(self.driver, name, key, start=first, end=stop, progress=progress):
            yield chunk

    async def get_bytes(self, key: str, *, start: int | None = None, end: int | None = None) -> bytes:
        """Return the object (or a range of it) as bytes; see :meth:`BaseStorage.get_bytes`."""
        name = self._name(key)
        first, stop = validate_range(start, end, key=key)
        return await read_bytes(self.driver, name, key, start=first, end=stop)

    async def delete(self, key: str, *, missing_ok: bool = False) -> None:
        """Delete an object; see :meth:`BaseStorage.delete`."""
        name = self._name(key)
        existed = await call(self.driver, key, self.driver.delete, name, check=not missing_ok)
        if not existed and not missing_ok:
            raise StorageFileNotFoundError(key)

    async def exists(self, key: str) -> bool:
        """Tell whether an object exists; see :meth:`BaseStorage.exists`."""
        name = self._name(key)
        looker = self._abilities.exists
        if looker is not None:
            return await call(self.driver, key, looker.exists, name)
        return await call(self.driver, key, self.driver.head, name) is not None

    async def info(self, key: str) -> StoredFile:
        """Return an object's metadata; see :meth:`BaseStorage.info`."""
        name = self._name(key)
        stored = await call(self.driver, key, self.driver.head, name)
        if stored is None:
            raise StorageFileNotFoundError(key)
        return stored if not self._prefix else self._file(stored)

    def list(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[StoredFile]:
        """List objects under ``prefix`` in key order; see :meth:`BaseStorage.list`."""
        walker = self._abilities.lists
        if walker is not None:
            return self._walk(walker, prefix, limit)
        return self._list(prefix, limit)

    async def _list(self, prefix: str, limit: int | None) -> AsyncIterator[StoredFile]:
        wanted = self._prefix + validate_prefix(prefix)
        remaining = validate_limit(limit)
        token: str | None = None
        while remaining is None or remaining > 0:
            page_size = _PAGE_SIZE if remaining is None else min(_PAGE_SIZE, remaining)
            page = await call(self.driver, prefix, self.driver.list_page, wanted, token, page_size)
            files = listed_files(page.files)
            if remaining is not None:
                files = files[:remaining]
                remaining -= len(files)
            if self._prefix:
                files = [self._file(stored) for stored in files]
            for stored in files:  # the loop a listing spends its per-key time in: nothing else in it
                yield stored
            if page.token is None:
                return
            if page.token == token:
                # A service that ignores the resume point would page forever.
                raise StorageError(f"{self.driver.name}: the listing of {prefix!r} did not advance past {token!r}")
            token = page.token

    async def _walk(self, driver: SupportsListStream, prefix: str, limit: int | None) -> AsyncIterator[StoredFile]:
        wanted = self._prefix + validate_prefix(prefix)
        remaining = validate_limit(limit)
        if remaining == 0:
            return
        batches = driver.list_stream(wanted, remaining)
        try:
            while True:
                try:
                    batch = await call(self.driver, prefix or None, lambda: anext(batches), retry=False)
                except StopAsyncIteration:
                    return
                batch = listed_files(batch)
                if remaining is not None:
                    batch = batch[:remaining]
                    remaining -= len(batch)
                if self._prefix:
                    batch = [self._file(stored) for stored in batch]
                for stored in batch:
                    yield stored
                if remaining == 0:
                    return
        finally:
            if isinstance(batches, AsyncGenerator):  # left early: the walk releases what it holds now
                await batches.aclose()

    def list_dir(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[StoredFile | StoredFolder]:
        """List one folder: its objects and sub-folders; see :meth:`BaseStorage.list_dir`."""
        return self._list_dir(prefix, limit)

    async def _list_dir(self, prefix: str, limit: int | None) -> AsyncIterator[StoredFile | StoredFolder]:
        # An async generator: arguments are checked when iteration starts, as for list().
        folder = validate_folder(prefix)
        remaining = validate_limit(limit)
        driver = self.driver
        if not isinstance(driver, SupportsListDir):  # once per listing: cheap next to its requests
            entries = group_listing(self.list(folder), folder, remaining)
        else:
            entries = list_folder(
                driver, self.driver, storage_prefix=self._prefix, folder=folder, limit=remaining, file_of=self._file
            )
        async for entry in entries:
            yield entry

    async def copy(self, source: str, destination: str) -> StoredFile:
        """Copy an object server-side; see :meth:`BaseStorage.copy`."""
        source_name, destination_name = self._name(source), self._name(destination)
        stored = await call(self.driver, source, self.driver.copy, source_name, destination_name)
        return self._file(stored)

    async def move(self, source: str, destination: str) -> StoredFile:
        """Move an object: one rename where the driver has it, else copy and delete; see :meth:`BaseStorage.move`."""
        driver = self._abilities.rename
        if driver is None:
            return await super().move(source, destination)
        source_name, destination_name = self._name(source), self._name(destination)
        stored = await call(self.driver, source, lambda: driver.rename(source_name, destination_name))
        return self._file(stored)

    async def delete_many(self, keys: Iterable[str]) -> None:
        """Delete several objects, in batches where the driver can; see :meth:`BaseStorage.delete_many`."""
        checked = [validate_key(key) for key in keys]  # every key checked before anything is deleted
        names = [self._prefix + key for key in checked]
        driver = self._abilities.batch
        if driver is not None:
            for index in range(0, len(names), driver.max_batch):
                batch = names[index : index + driver.max_batch]
                await call(self.driver, None, driver.delete_batch, batch)
            return
        for key, name in zip(checked, names, strict=True):
            await call(self.driver, key, self.driver.delete, name, check=False)

    async def close(self) -> None:
        """Release the driver's connections; safe to call more than once."""
        await self.driver.close()

    # -- URLs ---------------------------------------------------------------------------

    async def url(
        self,
        key: str,
        *,
        expires_in: timedelta | None = None,
        method: HttpMethod = "GET",
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """Return a signed URL (or the object's address); see :meth:`BaseStorage.url`."""
        arguments = check_url_arguments(
            key, expires_in=expires_in, method=method, filename=filename, content_type=content_type
        )
        name = self._prefix + key
        public = self._abilities.public_base_url
        if public is not None and arguments.method == "GET" and arguments.filename is None:
            return public_url(public, name)  # served by a CDN or a public bucket: plain, unsigned
        driver = self._abilities.signed
        if driver is not None and arguments.method in driver.url_methods:
            disposition = None if arguments.filename is None else content_disposition(arguments.filename)
            return await call(
                self.driver,
                key,
                lambda: driver.sign_url(
                    name,
                    method=arguments.method,
                    expires_in=arguments.expires_in or driver.default_url_expiry,
                    content_disposition=disposition,
                    content_type=arguments.content_type,
                ),
            )
        address = self._abilities.address
        if address is not None and arguments.method == "GET":
            return address.address(name)
        raise UnsupportedOperationError(f"{self.backend_name} cannot make {arguments.method} URLs", key=key)

    async def upload_form(
        self,
        key: str,
        *,
        expires_in: timedelta | None = None,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        max_size: int | None = None,
        min_size: int = 0,
    ) -> UploadForm:
        """Sign an HTML form that uploads one object straight to the service.

        Args:
            key: The key the upload will have.
            expires_in: Validity of the form (1 s to 7 days); when omitted, the driver's
                default URL validity if it signs URLs, else one hour.
            content_type: The content type the form must send, or ``None``.
            metadata: Metadata stored with the upload.
            max_size: Largest accepted upload in bytes, or ``None``.
            min_size: Smallest accepted upload in bytes.

        Returns:
            The form.

        Raises:
            StorageValidationError: If the expiry or the size range is invalid.
            UnsupportedOperationError: If the backend cannot sign upload forms.
        """
        name = self._name(key)
        signed = self._abilities.signed
        default = timedelta(hours=1) if signed is None else signed.default_url_expiry
        validity = validate_expiry(expires_in, key=key) or default
        checked_type = validate_content_type(content_type, key=key)
        checked = validate_metadata(metadata, key=key)
        low, high = validate_size_range(min_size, max_size, key=key)
        driver = self._abilities.form
        if driver is None:
            raise UnsupportedOperationError(f"{self.backend_name} cannot sign upload forms", key=key)
        return await call(
            self.driver,
            key,
            lambda: driver.sign_upload_form(
                name, expires_in=validity, content_type=checked_type, metadata=checked, max_size=high, min_size=low
            ),
        )

    # -- multipart ------------------------------------------------------------------------

    def _parts_driver(self, key: str) -> SupportsParts:
        driver = self._abilities.parts
        if driver is None:
            raise UnsupportedOperationError(f"{self.backend_name} does not support multipart uploads", key=key)
        return driver

    async def start_multipart_upload(
        self,
        key: str,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int = 8 * 1024 * 1024,
        attributes: ObjectAttributes | None = None,
    ) -> MultipartUpload:
        """Begin an upload sent in parts; see :meth:`BaseStorage.start_multipart_upload`."""
        name = self._name(key)
        resolved = resolve_content_type(key, content_type)
        checked = validate_metadata(metadata, key=key)
        wanted = self._attributes(attributes, key)
        driver = self._parts_driver(key)
        upload_id = await call(
            self.driver,
            key,
            lambda: driver.begin_parts(name, content_type=resolved, metadata=checked, attributes=wanted),
        )
        return MultipartUpload(
            upload_id, key, part_size=part_size, content_type=resolved, metadata=checked, attributes=wanted
        )

    async def upload_part(self, upload: MultipartUpload, part_number: int, data: bytes) -> str:
        """Upload one part and record it; see :meth:`BaseStorage.upload_part`."""
        number = validate_part(upload, part_number, data)
        name = self._name(upload.key)
        driver = self._parts_driver(upload.key)
        if len(data) > driver.max_part_size:
            raise StorageValidationError(f"Part {number} exceeds {driver.max_part_size} bytes", key=upload.key)
        tag = await call(self.driver, upload.key, lambda: driver.put_part(name, upload.upload_id, number, data))
        upload.add_part(number, tag)
        return tag

    async def complete_multipart_upload(self, upload: MultipartUpload) -> StoredFile:
        """Assemble the uploaded parts; see :meth:`BaseStorage.complete_multipart_upload`."""
        name = self._name(upload.key)
        driver = self._parts_driver(upload.key)
        if not upload.parts:
            raise StorageError(f"Multipart upload of {upload.key!r} has no parts", key=upload.key)
        content_type = upload.content_type or resolve_content_type(upload.key, None)
        # Saved state may come back from anywhere: its attributes are checked again.
        attributes = self._attributes(upload.attributes, upload.key)
        parts = list(upload.parts)
        stored = await call(
            self.driver,
            upload.key,
            lambda: driver.commit_parts(
                name,
                upload.upload_id,
                parts,
                content_type=content_type,
                metadata=upload.metadata,
                overwrite=True,
                attributes=attributes,
            ),
        )
        return self._file(stored)

    async def abort_multipart_upload(self, upload: MultipartUpload) -> None:
        """Discard an upload's parts; see :meth:`BaseStorage.abort_multipart_upload`."""
        name = self._name(upload.key)
        driver = self._parts_driver(upload.key)
        await call(self.driver, upload.key, lambda: driver.abort_parts(name, upload.upload_id))

    async def put_large(
        self,
        key: str,
        data: PutData,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int | None = None,
        progress_callback: ProgressCallback | None = None,
        attributes: ObjectAttributes | None = None,
    ) -> StoredFile:
        """Upload a large object in parts of ``part_size``; see :meth:`BaseStorage.put_large`."""
        return await self._put(
            key,
            data,
            content_type=content_type,
            metadata=metadata,
            overwrite=True,
            progress=progress_callback,
            part_size=part_size,
            attributes=attributes,
        )
