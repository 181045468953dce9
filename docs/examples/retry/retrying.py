"""Retrying transient failures: the retry decorator and with_retry."""

import asyncio

from litestar_storages import MemoryStorage, RetryConfig, StorageConnectionError, StoredFile, retry, with_retry


class FlakyNetwork:
    """Fails the first ``failures`` calls, like a service answering 503 under load."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def check(self) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise StorageConnectionError("503 Slow Down")


async def main() -> None:
    storage = MemoryStorage()
    network = FlakyNetwork(failures=2)

    # Up to 4 retries after the first try, waiting about 10 ms, 20 ms, 40 ms... (+-25 %).
    policy = RetryConfig(max_retries=4, base_delay=0.01, max_delay=1.0)

    @retry(policy)
    async def upload(key: str, data: bytes) -> StoredFile:
        network.check()
        return await storage.put(key, data)

    stored = await upload("retried.txt", b"made it")
    assert stored.size == 7
    assert network.calls == 3  # two failures, then success

    # with_retry takes a zero-argument callable that makes a fresh awaitable per try.
    network = FlakyNetwork(failures=1)

    async def read() -> bytes:
        network.check()
        return await storage.get_bytes("retried.txt")

    assert await with_retry(read, policy) == b"made it"

    # Only retryable errors are retried; the last error is raised unchanged when
    # attempts run out. max_attempts counts every try: 3 tries = max_retries=2.
    network = FlakyNetwork(failures=10)
    fast = RetryConfig(max_attempts=3, base_delay=0)
    assert fast.max_retries == 2
    try:
        await with_retry(read, fast)
    except StorageConnectionError:
        assert network.calls == 3


if __name__ == "__main__":
    asyncio.run(main())
