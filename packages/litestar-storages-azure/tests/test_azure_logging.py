"""The SDK's HTTP logging: quiet by default, on with ``AzureConfig.http_logging``.

Litestar sets the root logger to INFO, and azure-core logs each request and answer with
their headers at INFO: every storage operation in an app would print two records. The
tests capture the root logger at INFO, as in such an app.
"""

from __future__ import annotations

import dataclasses
import logging

import pytest

from litestar_storages.backends.azure import AzureConfig, AzureStorage

SDK_LOGGER = "azure.core.pipeline.policies.http_logging_policy"


async def _operations(storage: AzureStorage) -> None:
    block = storage.config.block_size
    await storage.put("small.txt", b"hello", metadata={"owner": "ada"})
    assert await storage.get_bytes("small.txt") == b"hello"
    await storage.put("large.bin", bytes(2 * block + 1))  # staged blocks and a commit
    assert (await storage.info("large.bin")).size == 2 * block + 1
    assert [item.key async for item in storage.list()] == ["large.bin", "small.txt"]
    await storage.url("small.txt")


async def test_requests_are_not_logged_by_default(config: AzureConfig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)  # the root logger, as Litestar configures it
    async with AzureStorage(config) as storage:
        await _operations(storage)
    assert [record.name for record in caplog.records if record.name.startswith("azure")] == []
    assert "Request headers" not in caplog.text
    assert "x-ms-version" not in caplog.text


async def test_http_logging_logs_requests_with_their_headers(
    config: AzureConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with AzureStorage(dataclasses.replace(config, http_logging=True)) as storage:
        await _operations(storage)
    records = [record for record in caplog.records if record.name == SDK_LOGGER]
    # A request and an answer per operation: put, get, HEAD + 3 blocks + commit, info, list.
    assert len(records) >= 2 * 8
    assert all(record.levelno == logging.INFO for record in records)
    assert "Request headers" in caplog.text
    assert "'x-ms-version'" in caplog.text
    # Secrets stay redacted by the SDK's own policy.
    assert "sig=" not in caplog.text or "sig=REDACTED" in caplog.text


async def test_logging_stays_quiet_for_each_storage_independently(
    config: AzureConfig, caplog: pytest.LogCaptureFixture
) -> None:
    # The setting is per client: one storage logging does not make another one log, and
    # the global logging configuration is not changed.
    caplog.set_level(logging.INFO)
    level = logging.getLogger(SDK_LOGGER).level
    async with (
        AzureStorage(dataclasses.replace(config, http_logging=True)) as loud,
        AzureStorage(config) as quiet,
    ):
        await quiet.put("quiet.txt", b"x")
        assert [record for record in caplog.records if record.name == SDK_LOGGER] == []
        await loud.put("loud.txt", b"x")
        assert [record for record in caplog.records if record.name == SDK_LOGGER] != []
    assert logging.getLogger(SDK_LOGGER).level == level
