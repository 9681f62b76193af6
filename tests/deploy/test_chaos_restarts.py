"""Chaos: the action server killed and restarted, Redis killed and restarted.

The production set-up (PostgreSQL tracker store, Redis locks, ``PMO_ACTION_TIMEOUT=2``),
with a Redis server of its own on a free port so that killing it disturbs no other
test. While a dependency is gone, visitors whose turns need it get the apology with
the contact route quickly (a refused connection is not a hang); visitors whose turns
do not need it are answered as usual; once it is back every conversation carries on,
and the tracker store holds every message each visitor sent, in order.

PostgreSQL restarted is tested with the two replicas in test_scale_out.py; the action
server frozen (a hang rather than a refusal) in test_chaos.py.
"""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, Iterator, List, Tuple

import pytest
import requests
import sqlalchemy as sa

from bot.channels.rest import APOLOGY, TURN_HEADER
from harness import servers, services, stack, throwaway

pytestmark = pytest.mark.slow

ACTION_TIMEOUT = 2.0
QUICK = 2.0  # seconds: a turn that needs nothing that is down
VISITORS = 10


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> Iterator[Tuple[servers.Server, servers.Server, throwaway.Redis, str]]:
    services.require_postgres()
    workdir = tmp_path_factory.mktemp("chaos-restarts")
    cache = throwaway.start_redis()  # of its own: killing it disturbs no other test
    with services.fresh_database("pmo_chaos") as url:
        env = {"PMO_DATABASE_URL": url, "PMO_REDIS_URL": cache.url}
        actions = servers.action_server(workdir, env=env)
        endpoints = servers.write_endpoints(
            workdir,
            actions.port,
            stack.TRACKER_STORE.format(db="unused.db"),
            stack.LOCK_STORE.format(extra=""),
            name="endpoints-chaos.yml",
        )
        rasa = servers.rasa_server(workdir, endpoints, env={**env, "PMO_ACTION_TIMEOUT": str(ACTION_TIMEOUT)})
        try:
            actions.start()
            rasa.start()
            yield actions, rasa, cache, url
        finally:
            rasa.stop()
            actions.stop()
            cache.kill()
            cache.remove()


SENT: Dict[str, List[str]] = {}


def say(rasa: servers.Server, sender: str, text: str) -> Tuple[float, List[str], str]:
    started = time.monotonic()
    reply = requests.post(rasa.url + "/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    took = time.monotonic() - started
    assert reply.status_code == 200, reply.text
    texts = [m.get("text") or "" for m in reply.json()]
    turn = reply.headers.get(TURN_HEADER, "")
    assert (turn == "failed") == (APOLOGY in texts), (turn, texts)  # the apology exactly when the turn failed
    SENT.setdefault(sender, []).append(text)
    return took, texts, turn


def stored_user_texts(database_url: str, senders: List[str]) -> Dict[str, List[str]]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT sender_id, data FROM events WHERE type_name = 'user' AND sender_id IN :senders ORDER BY id"
                ).bindparams(sa.bindparam("senders", expanding=True)),
                {"senders": senders},
            ).all()
    finally:
        engine.dispose()
    found: Dict[str, List[str]] = {s: [] for s in senders}
    for sender, data in rows:
        found[sender].append(json.loads(data).get("text"))
    return found


def started_conversations(rasa: servers.Server, tag: str) -> Tuple[List[str], List[str]]:
    senders = [f"{tag}-{i}-{uuid.uuid4().hex[:8]}" for i in range(VISITORS)]
    for sender in senders:
        _, texts, turn = say(rasa, sender, "hi")
        assert turn == "answered" and texts, texts
    return senders[::2], senders[1::2]


def test_the_action_server_killed_and_restarted(production):
    actions, rasa, _, database_url = production
    greeters, askers = started_conversations(rasa, "killed")

    actions.stop(sig=9)  # SIGKILL: gone at once, connections refused
    with ThreadPoolExecutor(VISITORS) as pool:
        asked = [pool.submit(say, rasa, s, "what does a PMO analyst do?") for s in askers]
        greeted = [pool.submit(say, rasa, s, "hello again") for s in greeters]
        answers, greetings = [a.result() for a in asked], [g.result() for g in greeted]
    for took, texts, turn in answers:
        assert turn == "failed" and texts[-1] == APOLOGY, texts
        assert took < ACTION_TIMEOUT + 3.0, f"the apology took {took:.2f}s"
    print(
        f"\naction server killed: apologies within {max(t for t, _, _ in answers):.2f}s, "
        f"greetings within {max(t for t, _, _ in greetings):.2f}s"
    )
    for took, texts, turn in greetings:
        assert turn == "answered" and texts, texts
        assert took < QUICK, f"a greeting took {took:.2f}s with the action server gone"

    actions.start()  # same port, as a supervisor would restart it
    for sender in askers:
        _, texts, turn = say(rasa, sender, "what does a PMO analyst do?")
        assert turn == "answered" and any("PMO Analyst" in t for t in texts), texts
    for sender in greeters:
        _, texts, turn = say(rasa, sender, "which course suits a PMO manager?")
        assert turn == "answered" and texts, texts

    stored = stored_user_texts(database_url, greeters + askers)
    for sender in greeters + askers:
        assert stored[sender] == SENT[sender], (sender, stored[sender], SENT[sender])


def test_redis_killed_and_restarted(production):
    _, rasa, cache, database_url = production
    greeters, askers = started_conversations(rasa, "redis")

    cache.kill()  # the lock store is gone: no turn can take its conversation's lock
    with ThreadPoolExecutor(VISITORS) as pool:
        down = [r.result() for r in [pool.submit(say, rasa, s, "what does a PMO director do?") for s in askers]]
    print(f"\nRedis killed: apologies within {max(t for t, _, _ in down):.2f}s")
    for took, texts, turn in down:
        assert turn == "failed" and texts[-1] == APOLOGY, texts
        assert took < QUICK + 1.0, f"the apology took {took:.2f}s with Redis down"

    cache.start()  # a new, empty Redis on the same port (it kept nothing): locks are only held during a turn
    for sender in askers:
        _, texts, turn = say(rasa, sender, "what does a PMO director do?")
        assert turn == "answered" and any("PMO Director" in t for t in texts), texts
    for sender in greeters:
        _, texts, turn = say(rasa, sender, "and what about an analyst?")
        assert turn == "answered" and texts, texts

    # Turns refused for want of a lock never reached the tracker store; every other one did, in order.
    stored = stored_user_texts(database_url, greeters + askers)
    for sender in greeters:
        assert stored[sender] == SENT[sender], (sender, stored[sender], SENT[sender])
    for sender in askers:
        assert stored[sender] == ["hi", "what does a PMO director do?"], stored[sender]
