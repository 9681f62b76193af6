"""Rate limits, the longest message kept, and the client's address, for every channel.

``MAX_TEXT_CHARS``: every channel (REST, socket.io, Slack, Teams) keeps at most this
many characters of a user's message; the rest is dropped before Rasa sees it.

A flood from one sender or one client address gets a polite "slow down"
instead of costing a turn each. Limits come from the settings (:mod:`bot.settings`):

- ``PMO_RATE_LIMIT_PER_SENDER`` (default ``20/60``): messages per seconds for one sender id;
- ``PMO_RATE_LIMIT_PER_ADDRESS`` (default ``120/60``): the same for one client address,
  and, counted apart, new socket.io connections from one address (the front door
  limits new socket.io sessions per address with the same setting);
  ``0`` (or ``off``) turns a limit off;
- ``PMO_REDIS_URL``: when set the counters live in Redis, so replicas share them
  (short socket timeouts; if Redis fails the message is let through, and Redis
  is left alone for a few seconds, so a Redis outage never stops the assistant);
- ``PMO_TRUSTED_PROXIES``: comma-separated IPs or CIDRs of the proxies (load
  balancers) whose ``X-Forwarded-For`` is believed; from anyone else the socket's
  peer address is the client's.

Each limit is an exact sliding window: a key may have at most ``count`` allowed
messages in the last ``seconds``; a refused message is not counted, so a sender
who slows down is answered again as soon as the oldest message leaves the window.
Memory per key is at most ``count`` timestamps, and idle keys are dropped.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Deque, Dict, Optional, Sequence, Union

from bot.settings import Network, Settings
from bot.settings import Rate as Rate
from bot.settings import parse_proxies as parse_proxies
from bot.settings import parse_rate as parse_rate
from bot.storage.redis_clients import async_client

logger = logging.getLogger(__name__)

Clock = Callable[[], float]

MAX_TEXT_CHARS = 5_000
REDIS_TIMEOUT = 0.25  # seconds: a slow Redis must not slow every message down
REDIS_BACKOFF = 5.0  # seconds Redis is skipped after an error
SLOW_DOWN = "You're sending messages faster than I can answer them. Please wait a moment " "and try again."


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0  # seconds until one more message would be allowed


ALLOWED = Decision(True)


class MemoryWindow:
    """Sliding-window counters in this process."""

    def __init__(self, rate: Rate, clock: Clock = time.monotonic, max_keys: int = 100_000) -> None:
        self.rate, self.clock, self.max_keys = rate, clock, max_keys
        self._hits: Dict[str, Deque[float]] = {}
        self._next_sweep = 0.0

    async def hit(self, key: str) -> Decision:
        now = self.clock()
        self._sweep(now)
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.rate.seconds:
            hits.popleft()
        if len(hits) >= self.rate.count:
            return Decision(False, max(0.0, hits[0] + self.rate.seconds - now))
        hits.append(now)
        return ALLOWED

    def reset(self, key: Optional[str] = None) -> None:
        if key is None:
            self._hits.clear()
        else:
            self._hits.pop(key, None)

    def __len__(self) -> int:
        return len(self._hits)

    def _sweep(self, now: float) -> None:
        """Drop keys idle for a whole window (at most once a window, or when there are too many)."""
        if now < self._next_sweep and len(self._hits) < self.max_keys:
            return
        self._next_sweep = now + self.rate.seconds
        cutoff = now - self.rate.seconds
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= cutoff]:
            del self._hits[key]


# One atomic step on Redis: forget what left the window, then count this message if there is room.
# Scores are the caller's clock, so replicas need clocks in step (NTP), as for anything else.
_SLIDING_WINDOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2]) * 1000))
  return {1, '0'}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, oldest[2]}
"""


class RedisWindow:
    """The same sliding window, in Redis (a sorted set per key), shared by every replica."""

    def __init__(
        self,
        rate: Rate,
        client: Any,
        prefix: str = "pmo:rate:",
        clock: Clock = time.time,
        monotonic: Clock = time.monotonic,
    ) -> None:
        self.rate, self.client, self.prefix, self.clock, self.monotonic = rate, client, prefix, clock, monotonic
        self._script = client.register_script(_SLIDING_WINDOW)
        self._skip_until = 0.0

    async def hit(self, key: str) -> Decision:
        if self.monotonic() < self._skip_until:
            return ALLOWED
        now = self.clock()
        try:
            allowed, oldest = await self._script(
                keys=[self.prefix + key],
                args=[repr(now), repr(self.rate.seconds), self.rate.count, f"{now!r}:{uuid.uuid4().hex[:8]}"],
            )
        except Exception as exc:  # fail open: a Redis problem never stops the assistant
            logger.warning(
                "rate limit: Redis failed (%s); letting messages through for %.0f s", type(exc).__name__, REDIS_BACKOFF
            )
            self._skip_until = self.monotonic() + REDIS_BACKOFF
            return ALLOWED
        if int(allowed):
            return ALLOWED
        return Decision(False, max(0.0, float(oldest) + self.rate.seconds - now))

    async def reset(self, key: str) -> None:
        await self.client.delete(self.prefix + key)


Window = Union[MemoryWindow, RedisWindow]


class Limits:
    """Both limits of one channel; ``check`` counts a message against each that is on."""

    def __init__(self, per_sender: Optional[Window], per_address: Optional[Window]) -> None:
        self.per_sender, self.per_address = per_sender, per_address

    @property
    def on(self) -> bool:
        return self.per_sender is not None or self.per_address is not None  # (a window has a len)

    async def check(self, sender: str, address: Optional[str]) -> Decision:
        # The address first: a flood spread over many made-up sender ids is then refused
        # without filling the per-sender table. A message the sender limit refuses still
        # counts for its address: that limit bounds what one address sends, whatever it is.
        if self.per_address is not None and address:
            decision = await self.per_address.hit("a:" + address)
            if not decision.allowed:
                return decision
        if self.per_sender is not None:
            return await self.per_sender.hit("s:" + sender)
        return ALLOWED

    @classmethod
    def from_settings(cls, channel: str, settings: Settings, per_sender: bool = True) -> "Limits":
        """The channel's limits; ``per_sender=False`` for things counted by address only (new connections)."""
        sender = settings.rate_per_sender if per_sender else None
        address = settings.rate_per_address
        server = settings.redis if (sender or address) else None
        client = async_client(server, REDIS_TIMEOUT) if server is not None else None

        def window(rate: Optional[Rate], kind: str) -> Optional[Window]:
            if rate is None:
                return None
            if client is not None:
                return RedisWindow(rate, client, prefix=f"pmo:rate:{channel}:{kind}:")
            return MemoryWindow(rate)

        return cls(window(sender, "sender"), window(address, "address"))


def retry_after_header(decision: Decision) -> str:
    return str(max(1, math.ceil(decision.retry_after)))


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(peer: str, forwarded_for: Optional[str], proxies: Sequence[Network]) -> str:
    """The client's address: the socket's peer, unless that peer is a trusted proxy.

    Then ``X-Forwarded-For`` is read from the right (each proxy appends the address
    it got the request from), skipping trusted proxies; the first other address is
    the client. Anything to its left was written by the client and is ignored, so a
    forged ``X-Forwarded-For`` never buys a fresh address.
    """
    if not forwarded_for or not _trusted(peer, proxies):
        return peer
    address = peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        try:
            hop = str(ipaddress.ip_address(hop))
        except ValueError:
            return address  # garbage: stop at the last address a trusted proxy vouched for
        address = hop
        if not _trusted(hop, proxies):
            return hop
    return address
