"""SequentialParts: parts in order, sent at the granularity, the rest kept for the commit."""

from __future__ import annotations

import pytest

from litestar_storages.driver_errors import DriverError, RefusedArgument
from litestar_storages.sequential_parts import SequentialParts


async def test_parts_are_cut_at_the_granularity_and_the_rest_waits() -> None:
    sent: list[bytes] = []

    async def send(chunk: memoryview) -> None:
        sent.append(bytes(chunk))

    parts = SequentialParts(4)
    assert await parts.put(1, b"abcdef", send) == "0-6"
    assert await parts.put(2, bytearray(b"g"), send) == "6-7"  # 3 bytes wait: nothing to send
    assert await parts.put(3, memoryview(b"hijkl"), send) == "7-12"
    assert sent == [b"abcd", b"efghijkl"]
    assert parts.rest([(3, "7-12"), (1, "0-6"), (2, "6-7")]) == b""
    assert b"".join(sent) == b"abcdefghijkl"


async def test_a_failed_send_leaves_the_part_to_put_again() -> None:
    attempts = 0

    async def flaky(chunk: memoryview) -> None:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise ConnectionError("cut")

    parts = SequentialParts(2)
    await parts.put(1, b"a", flaky)  # under the granularity: not sent
    with pytest.raises(ConnectionError):
        await parts.put(2, b"bcd", flaky)
    assert await parts.put(2, b"bcd", flaky) == "1-4"
    assert parts.rest([(1, "0-1"), (2, "1-4")]) == b""


@pytest.mark.parametrize("number", [0, 2, 3])
async def test_parts_out_of_order_are_refused(number: int) -> None:
    async def send(chunk: memoryview) -> None:
        raise AssertionError("nothing may be sent")

    parts = SequentialParts(4)
    with pytest.raises(RefusedArgument, match=f"expected part 1, got {number}"):
        await parts.put(number, b"abcd", send)


@pytest.mark.parametrize("listed", [[], [(1, "0-2")], [(1, "0-3"), (2, "3-5")], [(1, "0-3"), (3, "3-5")]])
async def test_a_commit_must_list_the_parts_taken(listed: list[tuple[int, str]]) -> None:
    async def send(chunk: memoryview) -> None:
        pass

    parts = SequentialParts(4)
    await parts.put(1, b"abc", send)
    with pytest.raises(DriverError, match="parts listed differ"):
        parts.rest(listed)
    assert parts.rest([(1, "0-3")]) == b"abc"
