"""Chaos: Redis frozen (SIGSTOP: it still accepts connections and never answers).

Its own redis-server (on a free port, so freezing it disturbs no other test) holding
the conversation locks, its own action server and Rasa server (SQLite conversations)
started through ``python -m bot.serving run``. While Redis is frozen, ten visitors
ask a question at the same moment: each turn needs its conversation's lock, so each
gets the apology with the contact route, within the lock store's 2 s bound plus a
margin, all at once rather than one after another (Rasa's own Redis lock store
blocks the event loop for every call). Meanwhile everything that needs no lock goes
on as usual: the health check a front door polls, and a widget visitor connecting
over socket.io. After SIGCONT every conversation carries on with a real answer,
without waiting for a lock to expire.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, List, Tuple

import pytest
import requests

from bot.channels.rest import APOLOGY, TURN_HEADER
from harness import servers, stack, throwaway

pytestmark = pytest.mark.slow

LOCK_BOUND = 2.0  # seconds: the lock store's bound on one Redis call (bot/storage/lock_store.py)
MARGIN = 1.5  # seconds of slack for two shared cores
QUICK = 0.5  # seconds: anything that needs no lock, while Redis is frozen
VISITORS = 10


@pytest.fixture(scope="module")
def frozen_redis_stack(tmp_path_factory) -> Iterator[Tuple[servers.Server, throwaway.Redis]]:
    workdir = tmp_path_factory.mktemp("redis-frozen")
    cache = throwaway.start_redis()  # of its own: freezing it disturbs no other test
    db_file = workdir / "conversations.db"
    env = {"PMO_DATABASE_URL": f"sqlite:///{db_file}", "PMO_REDIS_URL": cache.url}
    actions = servers.action_server(workdir, env=env)
    endpoints = servers.write_endpoints(
        workdir, actions.port, stack.TRACKER_STORE.format(db=db_file), stack.LOCK_STORE.format(extra="")
    )
    rasa = servers.rasa_server(workdir, endpoints, env={**env, "TICKET_LOCK_LIFETIME": "15"})
    try:
        actions.start()
        rasa.start()
        yield rasa, cache
    finally:
        if cache.process and cache.process.poll() is None:
            os.kill(cache.process.pid, signal.SIGCONT)
        rasa.stop()
        actions.stop()
        cache.kill()
        cache.remove()


def say(url: str, sender: str, text: str) -> Tuple[float, List[str], str]:
    started = time.monotonic()
    reply = requests.post(url, json={"sender": sender, "message": text}, timeout=60)
    took = time.monotonic() - started
    assert reply.status_code == 200, reply.text
    texts = [m.get("text") or "" for m in reply.json()]
    turn = reply.headers.get(TURN_HEADER, "")
    assert (turn == "failed") == (APOLOGY in texts), (turn, texts)  # the apology exactly when the turn failed
    return took, texts, turn


def poll_health(url: str, stop: threading.Event) -> List[float]:
    """GET / (what a front door's health check asks) every 0.1 s until ``stop``; each answer's time."""
    times = []
    while not stop.is_set():
        started = time.monotonic()
        assert requests.get(url + "/", timeout=30).status_code == 200
        times.append(time.monotonic() - started)
        time.sleep(0.1)
    return times


async def socketio_session(url: str) -> float:
    """Seconds for a widget visitor to connect and have its session confirmed (no turn, no lock)."""
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    confirmed = asyncio.Event()
    client.on("session_confirm", lambda _: confirmed.set())
    started = time.monotonic()
    await client.connect(url, transports=["websocket"], wait_timeout=10)
    try:
        await client.emit("session_request", {"session_id": uuid.uuid4().hex})
        await asyncio.wait_for(confirmed.wait(), 10)
        return time.monotonic() - started
    finally:
        await client.disconnect()


def test_a_frozen_redis_costs_the_turns_that_need_a_lock_a_bounded_wait_and_nothing_else(frozen_redis_stack):
    rasa, cache = frozen_redis_stack
    url = rasa.url + "/webhooks/rest/webhook"
    senders = [f"frozen-redis-{i}-{uuid.uuid4().hex[:8]}" for i in range(VISITORS)]
    for sender in senders:  # every conversation under way, Redis answering
        _, texts, turn = say(url, sender, "hi")
        assert turn == "answered" and texts, texts

    assert cache.process is not None
    os.kill(cache.process.pid, signal.SIGSTOP)
    stop = threading.Event()
    try:
        with ThreadPoolExecutor(VISITORS + 1) as pool:
            health = pool.submit(poll_health, rasa.url, stop)
            time.sleep(0.3)
            started = time.monotonic()
            asked = [pool.submit(say, url, s, "what does a PMO analyst do?") for s in senders]
            connect_time = asyncio.run(socketio_session(rasa.url))
            answers = [a.result() for a in asked]
            all_answered = time.monotonic() - started
            stop.set()
            health_times = health.result()
    finally:
        stop.set()
        os.kill(cache.process.pid, signal.SIGCONT)

    slowest = max(took for took, _, _ in answers)
    print(
        f"\nRedis frozen: {VISITORS} apologies within {slowest:.2f}s (all within {all_answered:.2f}s of the first); "
        f"{len(health_times)} health checks, slowest {max(health_times):.3f}s; socket.io session in {connect_time:.3f}s"
    )
    for took, texts, turn in answers:
        assert turn == "failed" and texts[-1] == APOLOGY, texts
        assert took < LOCK_BOUND + MARGIN, f"an apology took {took:.2f}s with Redis frozen"
    assert all_answered < LOCK_BOUND + MARGIN, f"the apologies came one after another ({all_answered:.2f}s)"
    assert len(health_times) >= 10 and max(health_times) < QUICK, health_times
    assert connect_time < QUICK + 0.5, f"a socket.io session took {connect_time:.2f}s with Redis frozen"

    # Redis answers again: every conversation carries on, with no lock left to wait out.
    for sender in senders:
        took, texts, turn = say(url, sender, "what does a PMO analyst do?")
        assert turn == "answered" and any("PMO Analyst" in t for t in texts), texts
        assert took < LOCK_BOUND, f"a turn after SIGCONT took {took:.2f}s"
