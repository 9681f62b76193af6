"""bot.storage.lock_store on the real Redis: turns of one conversation on two "replicas" take turns."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from typing import List, Tuple

import pytest
from rasa.utils.endpoints import EndpointConfig

from bot.storage.lock_store import EnvLockStore
from harness import services


@pytest.fixture()
def two_replicas(monkeypatch) -> Tuple[EnvLockStore, EnvLockStore]:
    services.require_redis()
    monkeypatch.setenv("PMO_REDIS_URL", services.REDIS_URL)
    prefix = "t" + uuid.uuid4().hex[:8]
    return EnvLockStore(EndpointConfig(type="x", key_prefix=prefix)), EnvLockStore(
        EndpointConfig(type="x", key_prefix=prefix)
    )


def test_turns_of_one_conversation_on_two_replicas_never_overlap(two_replicas):
    conversation = "conv-" + uuid.uuid4().hex[:8]
    held: List[Tuple[float, float]] = []

    async def turn(store: EnvLockStore) -> None:
        async with store.lock(conversation, lock_lifetime=30, wait_time_in_seconds=0.05):
            started = time.monotonic()
            await asyncio.sleep(0.1)
            held.append((started, time.monotonic()))

    async def main() -> None:
        # All at the same instant: each ticket is one Redis transaction, so no two turns share one.
        await asyncio.gather(*(turn(two_replicas[i % 2]) for i in range(8)))

    asyncio.run(main())
    held.sort()
    assert len(held) == 8
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(held)), held
    assert two_replicas[0].get_lock(conversation) is None  # the last turn gave the lock back


def test_a_turn_that_fails_gives_its_ticket_back(two_replicas):
    first, second = two_replicas
    conversation = "conv-" + uuid.uuid4().hex[:8]

    async def failing() -> None:
        async with first.lock(conversation):
            raise RuntimeError("the turn failed")

    with pytest.raises(RuntimeError):
        asyncio.run(failing())
    assert second.get_lock(conversation) is None
