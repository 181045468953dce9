"""advanced-alchemy file columns on any storage: upload into a FileObject column, serve it back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from advanced_alchemy.config import SQLAlchemyAsyncConfig
from advanced_alchemy.types.file_object import FileObject, StoredObject, storages
from litestar import Litestar, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath
from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from litestar_storages import MemoryStorage
from litestar_storages.contrib import StorageResponse, storage_response
from litestar_storages.contrib.advanced_alchemy import StorageBackendAdapter, files_in_transaction

# Any storage: S3Storage, GCSStorage, AzureStorage, FileSystemStorage...
documents = StorageBackendAdapter("documents", MemoryStorage())
storages.register_backend(documents)

db = SQLAlchemyAsyncConfig(connection_string="sqlite+aiosqlite:///documents.sqlite")


class Base(DeclarativeBase):
    pass


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100), unique=True)
    file: Mapped[FileObject] = mapped_column(StoredObject(backend="documents"))


@dataclass
class DocumentForm:
    title: str
    file: UploadFile


async def session() -> AsyncIterator[AsyncSession]:
    async with db.get_session() as db_session:
        yield db_session


@post("/documents", dependencies={"db_session": session})
async def upload(
    data: Annotated[DocumentForm, Body(media_type=RequestEncodingType.MULTI_PART)], db_session: AsyncSession
) -> dict[str, object]:
    # The upload streams into the storage before the commit; if the commit fails (a
    # title already taken), the file is deleted again and the error goes on (500 here:
    # a real application answers 409 for IntegrityError).
    async with files_in_transaction(db_session) as files:
        stored = await files.save(FileObject(backend="documents", filename=f"docs/{data.file.filename}"), data.file)
        document = Document(title=data.title, file=stored)
        db_session.add(document)
        await db_session.flush()
        document_id = document.id  # read before the commit expires the row
        await db_session.commit()
    return {"id": document_id, "title": data.title, "size": stored.size, "etag": stored.etag}


@get("/documents/{document_id:int}/file", dependencies={"db_session": session})
async def download(document_id: FromPath[int], db_session: AsyncSession) -> StorageResponse:
    document = await db_session.get(Document, document_id)
    if document is None:
        raise NotFoundException
    # Streamed from the storage, with Range and conditional requests.
    return storage_response(documents.storage, document.file.path, filename=document.title)


async def create_tables() -> None:
    async with db.get_engine().begin() as connection:
        await connection.run_sync(Base.metadata.create_all)


app = Litestar([upload, download], on_startup=[create_tables])
