"""S3Storage against a local moto server: the whole API in one run.

Run it as is (``python docs/examples/s3/quickstart.py``): it starts moto's S3 server on
a free port. Against AWS, drop ``endpoint_url`` and the keys: credentials and region
then come from the standard AWS chain (see configuration.py).
"""

import asyncio
from datetime import timedelta

from litestar_storages import S3Config, S3Storage


async def main(config: S3Config) -> None:
    storage = S3Storage(config)

    # Store a file (one PutObject; the content type is guessed from the key).
    image_data = b"\xff\xd8\xff\xe0 a tiny jpeg"
    stored = await storage.put("photos/vacation.jpg", image_data, metadata={"album": "Été 2026"})
    print(stored.key, stored.size, stored.content_type)  # photos/vacation.jpg 16 image/jpeg

    # Get a presigned URL
    url = await storage.url("photos/vacation.jpg", expires_in=timedelta(hours=1))
    print(url.split("?")[0])

    info = await storage.info("photos/vacation.jpg")
    assert info.metadata == {"album": "Été 2026"}  # non-ASCII metadata round-trips
    assert await storage.get_bytes("photos/vacation.jpg", start=0, end=4) == image_data[:4]

    # overwrite=False sends If-None-Match: *, so only one writer can create the key.
    try:
        await storage.put("photos/vacation.jpg", b"again", overwrite=False)
    except FileExistsError:
        print("kept the first version")

    # Server-side copy; listing pages through ListObjectsV2, sorted by key.
    await storage.copy("photos/vacation.jpg", "archive/vacation.jpg")
    print([item.key async for item in storage.list()])  # ['archive/vacation.jpg', 'photos/vacation.jpg']

    await storage.delete_many(["photos/vacation.jpg", "archive/vacation.jpg"])
    assert [item async for item in storage.list()] == []
    await storage.close()


def run_with_moto() -> None:
    """Start moto's S3 server, make a bucket, run main() against it."""
    from litestar_storages.testing.emulators.moto import MotoServer

    with MotoServer() as server:
        server.create_bucket("my-uploads")
        config = S3Config(
            bucket="my-uploads",
            endpoint_url=server.endpoint_url,
            region="us-east-1",
            access_key_id="testing",  # moto accepts any keys
            secret_access_key="testing",  # noqa: S106
        )
        asyncio.run(main(config))


if __name__ == "__main__":
    run_with_moto()
