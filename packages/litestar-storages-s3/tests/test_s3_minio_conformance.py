"""The conformance kit against MinIO, where a Docker engine can run it (testcontainers).

Without Docker (as on the project's machines and CI) this module is skipped, with the
reason printed once; every other S3 test runs against moto.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import pytest
import pytest_asyncio
from aiobotocore.session import AioSession
from s3_helpers import REGION, make_config

from litestar_storages.backends.s3 import S3Storage
from litestar_storages.testing import StorageConformance


def _docker_problem() -> str | None:
    try:
        import docker  # type: ignore[import-untyped,unused-ignore]

        docker.from_env().ping()
    except Exception as error:  # docker missing, or no engine behind it
        return f"{type(error).__name__}: {error}"
    return None


_PROBLEM = _docker_problem()
if _PROBLEM is not None:
    pytest.skip(
        f"MinIO conformance needs a Docker engine; the S3 tests ran on moto ({_PROBLEM})", allow_module_level=True
    )

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="session")
def minio() -> Iterator[dict[str, Any]]:
    from testcontainers.community.minio import MinioContainer

    with MinioContainer() as container:
        yield container.get_config()


@pytest_asyncio.fixture
async def minio_storage(minio: dict[str, Any]) -> AsyncIterator[S3Storage]:
    endpoint = f"http://{minio['endpoint']}"
    bucket = f"test-{uuid.uuid4().hex[:20]}"
    async with AioSession().create_client(
        "s3",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id=minio["access_key"],
        aws_secret_access_key=minio["secret_key"],
    ) as client:
        await client.create_bucket(Bucket=bucket)
    config = make_config(endpoint, bucket, access_key_id=minio["access_key"], secret_access_key=minio["secret_key"])
    async with S3Storage(config) as storage:
        yield storage


class TestS3OnMinIO(StorageConformance):
    signs_download_names: ClassVar[bool] = True

    @pytest.fixture
    def storage(self, minio_storage: S3Storage) -> S3Storage:
        return minio_storage
