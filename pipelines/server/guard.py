"""Who may ask and how much: API keys (constant-time), a per-key rate limit, a query gate."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import anyio
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from pipelines.server.errors import ApiError

T = TypeVar("T")


class Keys:
    """The configured API keys; `check` compares against every one in constant time."""

    def __init__(self, keys: list[str]) -> None:
        self._digests = [hashlib.sha256(k.encode()).digest() for k in keys]

    @property
    def enabled(self) -> bool:
        return bool(self._digests)

    def check(self, authorization: str | None) -> str:
        """The caller's identity (a key digest prefix) or ApiError 401."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "missing API key: send `Authorization: Bearer <key>`",
                           {"WWW-Authenticate": "Bearer"})
        given = hashlib.sha256(token.strip().encode()).digest()
        found = False
        for digest in self._digests:  # no early exit: the time does not tell which matched
            found |= hmac.compare_digest(given, digest)
        if not found:
            raise ApiError(401, "invalid API key", {"WWW-Authenticate": "Bearer"})
        return given.hex()[:12]


class RateLimit:
    """A moving-window limit per caller (API key, or client address without keys)."""

    def __init__(self, spec: str) -> None:
        self._item: RateLimitItem | None = parse(spec) if spec.strip() else None
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, caller: str) -> None:
        if self._item is None or self._limiter.hit(self._item, caller):
            return
        reset = self._limiter.get_window_stats(self._item, caller).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        raise ApiError(429, f"rate limit exceeded ({self._item}); retry in {wait} s",
                       {"Retry-After": str(wait)})


class Gate:
    """At most `concurrent` queries run at once; at most `queue` wait; the rest get 503."""

    def __init__(self, concurrent: int, queue: int) -> None:
        self._slots = anyio.CapacityLimiter(concurrent)
        self._queue = queue
        self._waiting = 0

    def check(self) -> None:
        """ApiError 503 when every slot is taken and the queue is full."""
        if self._slots.available_tokens == 0 and self._waiting >= self._queue:
            raise ApiError(503, "server busy: too many queries waiting; retry shortly",
                           {"Retry-After": "1"})

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        self.check()
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._slots.release()

    async def run(self, func: Callable[[], T]) -> T:
        """Run a blocking call in a worker thread once a slot is free."""
        async with self.slot():
            return await anyio.to_thread.run_sync(func)
