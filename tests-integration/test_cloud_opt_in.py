"""Real cloud accounts: opt-in through environment variables, skipped with the reason otherwise.

When a cloud is configured (see ``storages_harness.services.CLOUD_VARIABLES``), its id
(``s3-cloud``, ``azure-cloud``, ``gcs-cloud``) also joins every backend-parametrised
test of the suite; this file adds one smoke test per cloud so an unconfigured one is
reported, once, as skipped with the variables to set.
"""

from __future__ import annotations

import pytest
from storages_harness.backends import CLOUD_IDS, BackendUnavailable, new_namespace
from storages_harness.harness import Harness


@pytest.mark.parametrize("cloud", CLOUD_IDS)
async def test_cloud_account_round_trip(harness: Harness, cloud: str) -> None:
    try:
        backend = harness.backend(cloud)
    except BackendUnavailable as error:
        pytest.skip(str(error))
    namespace = new_namespace()
    storage = await backend.open(namespace)
    try:
        await storage.put("smoke/hello.txt", b"hello", metadata={"suite": "integration"})
        assert await storage.get_bytes("smoke/hello.txt") == b"hello"
        assert [item.key async for item in storage.list("smoke/")] == ["smoke/hello.txt"]
        assert (await storage.info("smoke/hello.txt")).metadata == {"suite": "integration"}
    finally:
        await storage.close()
        await backend.purge(namespace)
