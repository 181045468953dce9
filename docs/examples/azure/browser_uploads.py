"""Direct browser uploads and downloads with SAS URLs, done here with httpx.

A PUT URL grants create and write on one blob. The uploader must send
``x-ms-blob-type: BlockBlob`` (Azure refuses a Put Blob without it) and the
``Content-Type`` the blob should have: a SAS cannot enforce a content type.
"""

import asyncio
import os
from datetime import timedelta

import httpx

from litestar_storages import AzureConfig, AzureStorage


async def main(connection_string: str) -> None:
    config = AzureConfig(container="browser-uploads", connection_string=connection_string)
    async with AzureStorage(config) as storage, httpx.AsyncClient() as http:
        await storage.create_container()

        # The server hands this URL to the browser ...
        upload_url = await storage.url("avatars/42.png", method="PUT", expires_in=timedelta(minutes=15))

        # ... which sends the file straight to Azure, with the blob type header.
        response = await http.put(
            upload_url,
            content=b"\x89PNG fake image",
            headers={"x-ms-blob-type": "BlockBlob", "Content-Type": "image/png"},
        )
        assert response.status_code == 201

        info = await storage.info("avatars/42.png")
        print(info.size, info.content_type)  # 15 image/png

        # A download URL that makes the browser save the file under a chosen name.
        download_url = await storage.url("avatars/42.png", filename="my avatar.png")
        response = await http.get(download_url)
        print(response.headers["content-disposition"])
        # attachment; filename="my avatar.png"
        assert response.content == b"\x89PNG fake image"

        await storage.delete("avatars/42.png")


if __name__ == "__main__":
    if "AZURE_STORAGE_CONNECTION_STRING" in os.environ:
        asyncio.run(main(os.environ["AZURE_STORAGE_CONNECTION_STRING"]))
    else:
        from litestar_storages.testing.emulators.azurite import Azurite

        with Azurite() as azurite:
            asyncio.run(main(azurite.connection_string))
