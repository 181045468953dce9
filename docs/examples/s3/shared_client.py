"""Sharing one aiobotocore client between the storage and other code."""

from aiobotocore.session import AioSession

from litestar_storages import S3Config, S3Storage


async def main(endpoint_url: str, bucket: str) -> None:
    session = AioSession()
    async with session.create_client(
        "s3",
        region_name="us-east-1",
        endpoint_url=endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106
    ) as client:
        # The storage uses the client as it is (its endpoint, credentials and retry
        # settings) and never closes it: the `async with` above does.
        async with S3Storage(S3Config(bucket=bucket), client=client) as storage:
            await storage.put("shared.txt", b"one pool for everything")
        listing = await client.list_objects_v2(Bucket=bucket)
        print([item["Key"] for item in listing.get("Contents", [])])  # ['shared.txt']
