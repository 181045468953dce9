"""The faults a :class:`~storages_harness.proxy.FaultProxy` injects, and how each is armed.

- ``respond(503)``: answer the request itself with a canned status; the emulator never
  sees it.
- ``reset(after)``: forward ``after`` bytes, then abort both sides with a TCP RST.
- ``close(after)``: forward ``after`` bytes, then close the client side cleanly (FIN):
  a body shorter than its ``Content-Length``.
- ``stall(after)``: forward ``after`` bytes, then forward nothing more (a hung server).
- ``slow(rate)``: forward at ``rate`` bytes per second.

``phase="response"`` counts bytes sent to the client (head included); ``phase="request"``
counts request-body bytes sent to the emulator. A fault strikes the next ``times``
exchanges that match its method and path, after letting ``skip`` of them through.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ("Action", "Fault", "Phase", "close", "reset", "respond", "slow", "stall")

Action = Literal["respond", "reset", "close", "stall", "slow"]
Phase = Literal["request", "response"]


@dataclass
class Fault:
    """One fault, applied to the next ``times`` exchanges that match it.

    Attributes:
        action: What to do (see the module docstring).
        method: Only requests with this method (``None``: any).
        path: Only requests whose target contains this text (``None``: any).
        times: How many matching exchanges it applies to; ``None`` for all of them.
        skip: How many matching exchanges to let through untouched first.
        phase: Which direction ``after`` counts: request body or response.
        after: Bytes forwarded before the fault strikes.
        status: Status code of a ``respond`` fault.
        body: Body of a ``respond`` fault.
        headers: Extra headers of a ``respond`` fault.
        rate: Bytes per second of a ``slow`` fault.
        hits: How many exchanges it has struck so far.
    """

    action: Action
    method: str | None = None
    path: str | None = None
    times: int | None = 1
    phase: Phase = "response"
    after: int = 0
    status: int = 503
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    rate: int = 64 * 1024
    skip: int = 0
    hits: int = 0
    seen: int = 0

    def matches(self, method: str, target: str) -> bool:
        """Tell whether a request is one this fault watches (whether or not it strikes)."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or self.path in target

    def strike(self) -> bool:
        """Count one matching exchange; tell whether the fault strikes it."""
        self.seen += 1
        if self.seen <= self.skip or (self.times is not None and self.hits >= self.times):
            return False
        self.hits += 1
        return True

    @property
    def exhausted(self) -> bool:
        """Whether the fault has struck as many times as it was told to."""
        return self.times is not None and self.hits >= self.times


def respond(
    status: int = 503,
    *,
    body: bytes = b"",
    headers: Iterable[tuple[str, str]] = (),
    method: str | None = None,
    path: str | None = None,
    times: int | None = 1,
    skip: int = 0,
) -> Fault:
    """Answer matching requests with ``status`` instead of forwarding them."""
    return Fault(
        "respond", method=method, path=path, times=times, skip=skip, status=status, body=body, headers=tuple(headers)
    )


def reset(
    after: int = 0,
    *,
    phase: Phase = "response",
    method: str | None = None,
    path: str | None = None,
    times: int | None = 1,
    skip: int = 0,
) -> Fault:
    """Reset (RST) the connection after ``after`` bytes of the given phase."""
    return Fault("reset", method=method, path=path, times=times, skip=skip, phase=phase, after=after)


def close(
    after: int = 0,
    *,
    phase: Phase = "response",
    method: str | None = None,
    path: str | None = None,
    times: int | None = 1,
    skip: int = 0,
) -> Fault:
    """Close the connection cleanly (FIN) after ``after`` bytes of the given phase."""
    return Fault("close", method=method, path=path, times=times, skip=skip, phase=phase, after=after)


def stall(
    after: int = 0,
    *,
    phase: Phase = "response",
    method: str | None = None,
    path: str | None = None,
    times: int | None = 1,
    skip: int = 0,
) -> Fault:
    """Stop forwarding after ``after`` bytes of the given phase, keeping the connection open."""
    return Fault("stall", method=method, path=path, times=times, skip=skip, phase=phase, after=after)


def slow(
    rate: int, *, method: str | None = None, path: str | None = None, times: int | None = 1, skip: int = 0
) -> Fault:
    """Forward matching responses at ``rate`` bytes per second."""
    return Fault("slow", method=method, path=path, times=times, skip=skip, rate=rate)
