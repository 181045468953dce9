"""SAS URLs from url(), fetched with a real HTTP client against Azurite."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from azure.core.credentials import AzureSasCredential
from azure.storage.blob import ContainerSasPermissions, generate_container_sas
from azure.storage.blob.aio import ContainerClient

from litestar_storages.backends.azure import AzureConfig, AzureStorage
from litestar_storages.disposition import content_disposition
from litestar_storages.exceptions import ConfigurationError, StorageValidationError, UnsupportedOperationError
from litestar_storages.testing.emulators.azurite import Azurite


async def test_get_url_downloads(storage: AzureStorage) -> None:
    await storage.put("docs/report 2026.txt", b"quarterly", content_type="text/plain")
    url = await storage.url("docs/report 2026.txt")
    query = parse_qs(urlsplit(url).query)
    assert query["sp"] == ["r"]
    async with httpx.AsyncClient() as http:
        response = await http.get(url)
    assert response.status_code == 200
    assert response.content == b"quarterly"
    assert response.headers["content-type"] == "text/plain"


async def test_get_url_with_filename_sets_content_disposition(storage: AzureStorage) -> None:
    await storage.put("blob.bin", b"x")
    url = await storage.url("blob.bin", filename="Résumé final.pdf")
    async with httpx.AsyncClient() as http:
        response = await http.get(url)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == content_disposition("Résumé final.pdf")
    assert content_disposition("Résumé final.pdf") == (
        "attachment; filename=\"Resume final.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20final.pdf"
    )


async def test_put_url_uploads_with_blob_type_header(storage: AzureStorage) -> None:
    url = await storage.url("uploads/from-browser.txt", method="PUT", expires_in=timedelta(minutes=5))
    query = parse_qs(urlsplit(url).query)
    assert set(query["sp"][0]) == {"c", "w"}
    async with httpx.AsyncClient() as http:
        missing_header = await http.put(url, content=b"no type", headers={"Content-Type": "text/plain"})
        response = await http.put(
            url, content=b"sent by a browser", headers={"x-ms-blob-type": "BlockBlob", "Content-Type": "text/plain"}
        )
        # The upload URL cannot be used to read.
        read = await http.get(url)
    assert missing_header.status_code == 400  # Azure requires x-ms-blob-type on Put Blob
    assert response.status_code == 201
    assert read.status_code == 403
    assert await storage.get_bytes("uploads/from-browser.txt") == b"sent by a browser"
    assert (await storage.info("uploads/from-browser.txt")).content_type == "text/plain"


async def test_get_url_cannot_upload(storage: AzureStorage) -> None:
    url = await storage.url("readonly.txt")
    async with httpx.AsyncClient() as http:
        response = await http.put(url, content=b"x", headers={"x-ms-blob-type": "BlockBlob"})
    assert response.status_code == 403
    assert not await storage.exists("readonly.txt")


async def test_expired_url_is_refused(storage: AzureStorage) -> None:
    await storage.put("short-lived.txt", b"soon gone")
    # The expiry is signed in whole seconds (truncated), so allow a few: on a busy
    # machine the first request must still land before it.
    url = await storage.url("short-lived.txt", expires_in=timedelta(seconds=3))
    expiry = datetime.fromisoformat(parse_qs(urlsplit(url).query)["se"][0].replace("Z", "+00:00"))
    assert timedelta(seconds=1) < expiry - datetime.now(timezone.utc) <= timedelta(seconds=3)
    async with httpx.AsyncClient() as http:
        assert (await http.get(url)).status_code == 200
        # Wait until the expiry has surely passed (Azure compares whole seconds).
        await asyncio.sleep(max(0.0, (expiry - datetime.now(timezone.utc)).total_seconds()) + 1.5)
        response = await http.get(url)
    assert response.status_code == 403


async def test_url_arguments_checked(storage: AzureStorage) -> None:
    with pytest.raises(StorageValidationError):
        await storage.url("a.txt", expires_in=timedelta(0))
    with pytest.raises(StorageValidationError):
        await storage.url("a.txt", expires_in=timedelta(days=7, seconds=1))  # any positive value passed (#18)
    with pytest.raises(StorageValidationError) as caught:
        await storage.url("a.txt", method="DELETE")  # type: ignore[arg-type]
    assert not isinstance(caught.value, UnsupportedOperationError)


async def test_public_base_url_is_not_signed(azurite: Azurite, container: ContainerClient) -> None:
    config = AzureConfig(
        container=container.container_name,
        connection_string=azurite.connection_string,
        prefix="site",
        public_base_url="https://cdn.example.com/assets/",
    )
    async with AzureStorage(config) as storage:
        assert await storage.url("img/logo 1.png") == "https://cdn.example.com/assets/site/img/logo%201.png"
        # Uploads and named downloads still need a signature.
        assert "sig=" in await storage.url("img/logo 1.png", method="PUT")
        assert "sig=" in await storage.url("img/logo 1.png", filename="logo.png")


async def test_sas_authenticated_storage_cannot_sign(azurite: Azurite, container: ContainerClient) -> None:
    # A storage authorized by a container SAS works, but holds nothing to sign URLs with.
    token = generate_container_sas(
        azurite.account_name,
        container.container_name,
        account_key=azurite.account_key,
        permission=ContainerSasPermissions(read=True, write=True, create=True, list=True, delete=True),
        expiry=datetime.now(timezone.utc) + timedelta(hours=1),
    )
    config = AzureConfig(
        container=container.container_name, account_url=azurite.account_url, credential=AzureSasCredential(token)
    )
    async with AzureStorage(config) as storage:
        await storage.put("via-sas.txt", b"ok")
        assert await storage.get_bytes("via-sas.txt") == b"ok"
        with pytest.raises(ConfigurationError) as caught:
            await storage.url("via-sas.txt")
    assert caught.value.field == "account_key"


async def test_account_key_config_signs(azurite: Azurite, container: ContainerClient) -> None:
    config = AzureConfig(
        container=container.container_name, account_url=azurite.account_url, account_key=azurite.account_key
    )
    async with AzureStorage(config) as storage:
        await storage.put("keyed.txt", b"signed with the key")
        url = await storage.url("keyed.txt")
    async with httpx.AsyncClient() as http:
        assert (await http.get(url)).content == b"signed with the key"
