"""What the Slack connector remembers, shared by every replica through Redis.

- the events and messages already taken (Slack delivers an event again when it got
  no 200 in time, and a mention in a channel arrives twice: as ``app_mention`` and
  as a channel ``message``), for an hour;
- the threads the bot takes part in, so a follow-up there reaches it without a new
  mention, for 30 days;
- the users already welcomed in their direct messages, and when each one's App
  Home was last drawn.

With ``PMO_REDIS_URL`` set (read as the lock store reads it) these are Redis keys
with a time to live, so they hold across replicas and restarts. Every Redis call is
bounded (short socket timeouts and an overall deadline): after a failure the
connector uses this process's memory, which always keeps a copy, and leaves Redis
alone for a few seconds, so a hung Redis costs a message at most ``REDIS_TIMEOUT``
and never stalls the event loop. Without Redis the memory alone is used (one replica).
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import time
from collections import OrderedDict
from typing import Any, Callable, Mapping, Optional, Protocol

from bot.channels.limits import REDIS_BACKOFF, REDIS_TIMEOUT, redis_client
from bot.storage.database import REDIS_URL_ENV

logger = logging.getLogger(__name__)

Clock = Callable[[], float]

SEEN_SECONDS = 3_600.0  # Slack retries within minutes
THREAD_SECONDS = 30 * 24 * 3_600.0
WELCOME_SECONDS = 365 * 24 * 3_600.0
HOME_SECONDS = 24 * 3_600.0  # the App Home view is drawn again at most once a day per user
PREFIX = "pmo:slack:"


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
        self, client: Any, prefix: str = PREFIX, timeout: float = REDIS_TIMEOUT, monotonic: Clock = time.monotonic
    ) -> None:
        self.client, self.prefix, self.timeout, self.monotonic = client, prefix, timeout, monotonic
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
            "Slack state: Redis failed (%s); using this replica's memory for %.0f s", type(exc).__name__, REDIS_BACKOFF
        )
        self._skip_until = self.monotonic() + REDIS_BACKOFF


class SlackState:
    """The connector's questions, answered from :class:`Marks`."""

    def __init__(self, marks: Marks) -> None:
        self.marks = marks

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "SlackState":
        url = ((os.environ if env is None else env).get(REDIS_URL_ENV) or "").strip()
        if not url:
            return cls(MemoryMarks())
        return cls(RedisMarks(redis_client(url)))

    async def first_delivery(
        self, event_id: Optional[str], channel: Optional[str] = None, ts: Optional[str] = None
    ) -> bool:
        """True the first time an event, and the message it carries, are seen (by any replica)."""
        if event_id and not await self.marks.add(f"event:{event_id}", SEEN_SECONDS):
            return False
        return not (channel and ts) or await self.marks.add(f"message:{channel}:{ts}", SEEN_SECONDS)

    async def join_thread(self, channel: str, thread_ts: str) -> None:
        await self.marks.add(f"thread:{channel}:{thread_ts}", THREAD_SECONDS)

    async def in_thread(self, channel: str, thread_ts: str) -> bool:
        return await self.marks.has(f"thread:{channel}:{thread_ts}")

    async def first_welcome(self, team: str, user: str) -> bool:
        return await self.marks.add(f"welcome:{team}:{user}", WELCOME_SECONDS)

    async def home_due(self, team: str, user: str) -> bool:
        return await self.marks.add(f"home:{team}:{user}", HOME_SECONDS)
