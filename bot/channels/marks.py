"""Short-lived records of what a channel has already taken, shared by every replica through Redis.

Slack and the Bot Framework may deliver a request more than once (their retries), and
a signed request can be replayed by whoever saw it while its signature or token is
still valid. A channel marks each event, click or activity it takes (``add`` says
whether the mark is new), so the second copy is acknowledged and dropped.

With ``PMO_REDIS_URL`` set the marks are Redis keys with a time to live (``SET NX EX``),
so they hold across replicas and restarts. Every Redis call is bounded (short socket
timeouts and an overall deadline): after a failure the channel uses this process's
memory, which always keeps a copy, and leaves Redis alone for a few seconds, so a
hung Redis costs a request at most ``2 * REDIS_TIMEOUT`` and never stalls the event
loop. Without Redis the memory alone is used (one replica).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict
from typing import Any, Callable, Protocol

from bot.channels.limits import REDIS_BACKOFF, REDIS_TIMEOUT
from bot.settings import Settings
from bot.storage.redis_clients import async_client

logger = logging.getLogger(__name__)

Clock = Callable[[], float]


class Marks(Protocol):
    async def add(self, key: str, ttl: float) -> bool:
        """Mark ``key`` for ``ttl`` seconds; True if it was not marked already."""

    async def has(self, key: str) -> bool:
        """Whether ``key`` is marked."""


class MemoryMarks:
    """Marks in this process: at most ``max_keys``, the oldest dropped first."""

    def __init__(self, clock: Clock = time.monotonic, max_keys: int = 50_000) -> None:
        self.clock, self.max_keys = clock, max_keys
        self._until: "OrderedDict[str, float]" = OrderedDict()

    async def add(self, key: str, ttl: float) -> bool:
        now = self.clock()
        new = self._until.get(key, 0.0) <= now
        self._until[key] = max(self._until.get(key, 0.0), now + ttl)
        self._until.move_to_end(key)
        while len(self._until) > self.max_keys:
            self._until.popitem(last=False)
        return new

    async def has(self, key: str) -> bool:
        return self._until.get(key, 0.0) > self.clock()

    def __len__(self) -> int:
        return len(self._until)


class RedisMarks:
    """Marks as Redis keys (``SET NX EX``), with a memory copy used while Redis fails."""

    def __init__(
        self,
        client: Any,
        prefix: str = "pmo:slack:",
        timeout: float = REDIS_TIMEOUT,
        monotonic: Clock = time.monotonic,
        owner: str = "Slack state",
    ) -> None:
        self.client, self.prefix, self.timeout, self.monotonic = client, prefix, timeout, monotonic
        self.owner = owner  # who is speaking in the log ("Slack state", "Teams replays")
        self.memory = MemoryMarks(monotonic)
        self._skip_until = 0.0

    async def add(self, key: str, ttl: float) -> bool:
        in_memory = await self.memory.add(key, ttl)
        if self.monotonic() < self._skip_until:
            return in_memory
        try:
            return bool(await self._bounded(self.client.set(self.prefix + key, "1", nx=True, ex=math.ceil(ttl))))
        except Exception as exc:  # Redis down or hung: this replica's memory decides
            self._failed(exc)
            return in_memory

    async def has(self, key: str) -> bool:
        if self.monotonic() < self._skip_until:
            return await self.memory.has(key)
        try:
            return bool(await self._bounded(self.client.exists(self.prefix + key)))
        except Exception as exc:
            self._failed(exc)
            return await self.memory.has(key)

    async def _bounded(self, call: Any) -> Any:
        # The socket timeouts bound each read; this bounds connect, retries and all.
        return await asyncio.wait_for(call, timeout=2 * self.timeout)

    def _failed(self, exc: Exception) -> None:
        logger.warning(
            "%s: Redis failed (%s); using this replica's memory for %.0f s",
            self.owner,
            type(exc).__name__,
            REDIS_BACKOFF,
        )
        self._skip_until = self.monotonic() + REDIS_BACKOFF


def marks_for(prefix: str, owner: str, settings: Settings) -> Marks:
    """Redis marks under ``prefix`` when ``PMO_REDIS_URL`` is set (the lock store's Redis), else memory."""
    server = settings.redis
    if server is None:
        return MemoryMarks()
    return RedisMarks(async_client(server, REDIS_TIMEOUT), prefix, owner=owner)
