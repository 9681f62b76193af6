"""What the Slack connector remembers: in memory, and in a real Redis shared by replicas."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any, Awaitable, Callable, List, TypeVar

import pytest

from bot.channels.limits import REDIS_TIMEOUT
from bot.channels.slack_state import MemoryMarks, RedisMarks, SlackState
from bot.settings import load
from bot.storage.redis_clients import async_client
from harness import services
from harness.stubs import hung_server

T = TypeVar("T")


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def run(make: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(make())


def test_memory_marks_expire_and_stay_bounded():
    clock = Clock()
    marks = MemoryMarks(clock, max_keys=3)

    async def go() -> List[Any]:
        seen = [await marks.add("a", 10), await marks.add("a", 10), await marks.has("a")]
        clock.now += 11
        seen += [await marks.has("a"), await marks.add("a", 10)]
        for key in "bcde":
            await marks.add(key, 10)
        return [*seen, len(marks), await marks.has("a"), await marks.has("e")]

    assert run(go) == [True, False, True, False, True, 3, False, True]


def test_state_without_redis_uses_memory():
    assert isinstance(SlackState.from_settings(load({})).marks, MemoryMarks)
    assert isinstance(SlackState.from_settings(load({"PMO_REDIS_URL": services.REDIS_URL})).marks, RedisMarks)
    with pytest.raises(ValueError, match="PMO_REDIS_URL must look like"):
        SlackState.from_settings(load({"PMO_REDIS_URL": "http://nope"}))


def test_an_event_or_its_message_is_taken_once():
    state = SlackState(MemoryMarks())

    async def go() -> List[bool]:
        return [
            await state.first_delivery("Ev1", "C1", "1.1"),
            await state.first_delivery("Ev1", "C1", "1.1"),  # Slack delivered the event again
            await state.first_delivery("Ev2", "C1", "1.1"),  # the same message as app_mention and as message
            await state.first_delivery("Ev3", "C1", "1.2"),
            await state.first_delivery(None, None, None),  # nothing to recognise it by: taken
        ]

    assert run(go) == [True, False, False, True, True]


@pytest.mark.slow
def test_replicas_and_restarts_share_redis():
    """Two replicas (and one started after a restart) see the same events, threads and welcomes."""
    services.require_redis()
    prefix = f"pmo:test:{uuid.uuid4().hex}:"

    async def go() -> List[Any]:
        clients = [async_client(services.REDIS_URL, REDIS_TIMEOUT) for _ in range(3)]
        one, two, restarted = (SlackState(RedisMarks(c, prefix=prefix)) for c in clients)
        try:
            seen = [
                await one.first_delivery("Ev1", "C1", "1.1"),
                await two.first_delivery("Ev1", "C1", "1.1"),
                await two.first_delivery("Ev9", "C1", "1.1"),
                await restarted.first_delivery("Ev1"),
            ]
            await one.join_thread("C1", "1.1")
            threads = [
                await two.in_thread("C1", "1.1"),
                await restarted.in_thread("C1", "1.1"),
                await two.in_thread("C1", "2.2"),
            ]
            welcomes = [await one.first_welcome("T1", "U1"), await two.first_welcome("T1", "U1")]
            ttl = await clients[0].ttl(prefix + "thread:C1:1.1")
            await clients[0].delete(*[k async for k in clients[0].scan_iter(prefix + "*")])
            return [seen, threads, welcomes, ttl]
        finally:
            for client in clients:
                await client.close()

    seen, threads, welcomes, ttl = run(go)
    assert seen == [True, False, False, False]
    assert threads == [True, True, False]
    assert welcomes == [True, False]
    assert 29 * 24 * 3600 < ttl <= 30 * 24 * 3600  # Redis forgets threads after 30 days


def test_a_hung_redis_costs_a_bounded_wait_then_memory_answers():
    """A Redis that accepts connections and never answers: each call gives up quickly, and
    after the first failure Redis is left alone for a while, so messages are not slowed."""
    with hung_server() as port:

        async def go() -> List[Any]:
            client = async_client(f"redis://127.0.0.1:{port}/0", REDIS_TIMEOUT)
            state = SlackState(RedisMarks(client))
            try:
                start = time.monotonic()
                first = await state.first_delivery("Ev1", "C1", "1.1")
                took = time.monotonic() - start
                start = time.monotonic()
                again = await state.first_delivery("Ev1", "C1", "1.1")  # memory kept a copy
                await state.join_thread("C1", "1.1")
                member = await state.in_thread("C1", "1.1")
                then = time.monotonic() - start
                return [first, took, again, member, then]
            finally:
                await client.close()

        first, took, again, member, then = run(go)
    assert first is True and again is False and member is True
    assert took < 1.2  # one bounded wait, not a stalled event loop
    assert then < 0.1  # Redis skipped during its back-off


def test_the_event_loop_keeps_running_while_redis_hangs():
    with hung_server() as port:

        async def go() -> int:
            client = async_client(f"redis://127.0.0.1:{port}/0", REDIS_TIMEOUT)
            ticks = 0

            async def tick() -> None:
                nonlocal ticks
                while True:
                    ticks += 1
                    await asyncio.sleep(0.01)

            ticker = asyncio.create_task(tick())
            try:
                await SlackState(RedisMarks(client)).in_thread("C1", "1.1")
            finally:
                ticker.cancel()
                await client.close()
            return ticks

        assert run(go) >= 10  # other work ran while the call waited for Redis
