"""Chaos: the action server frozen (SIGSTOP, as a hung process or a stuck network looks).

Its own action server and Rasa server (SQLite, as ``make run``), started through
``python -m bot.serving run`` with ``PMO_ACTION_TIMEOUT=2``. While the action server
is frozen, 20 visitors talk: those whose turns need no custom action (a greeting)
are answered within 2 s each; those whose turns need one get the apology with the
contact route within the limit (plus a margin); after SIGCONT every conversation
carries on where it was, with a real answer.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, List, Tuple

import pytest
import requests

from bot.channels.rest import APOLOGY, TURN_HEADER
from harness import servers, stack

pytestmark = pytest.mark.slow

ACTION_TIMEOUT = 2.0
GREET_BOUND = 2.0  # seconds: a turn that needs no action, while the action server is frozen
VISITORS = 20


@pytest.fixture(scope="module")
def frozen_stack(tmp_path_factory) -> Iterator[Tuple[servers.Server, servers.Server]]:
    workdir = tmp_path_factory.mktemp("chaos")
    db_file = workdir / "conversations.db"
    actions = servers.action_server(workdir, env={"PMO_DATABASE_URL": f"sqlite:///{db_file}"})
    endpoints = servers.write_endpoints(
        workdir, actions.port, stack.TRACKER_STORE.format(db=db_file), stack.LOCK_STORE.format(extra="")
    )
    rasa = servers.rasa_server(workdir, endpoints, env={"PMO_ACTION_TIMEOUT": str(ACTION_TIMEOUT)})
    try:
        actions.start()
        rasa.start()
        yield actions, rasa
    finally:
        if actions.process and actions.process.poll() is None:
            os.killpg(actions.process.pid, signal.SIGCONT)
        rasa.stop()
        actions.stop()


def say(url: str, sender: str, text: str) -> Tuple[float, List[str]]:
    started = time.monotonic()
    reply = requests.post(url, json={"sender": sender, "message": text}, timeout=60)
    assert reply.status_code == 200, reply.text
    texts = [m.get("text") or "" for m in reply.json()]
    # the apology is sent exactly when the turn failed (here: the action call timed out)
    assert (reply.headers.get(TURN_HEADER) == "failed") == (APOLOGY in texts), (reply.headers, texts)
    return time.monotonic() - started, texts


def test_a_frozen_action_server_stalls_only_the_turns_that_need_it(frozen_stack):
    actions, rasa = frozen_stack
    url = rasa.url + "/webhooks/rest/webhook"
    senders = [f"chaos-{i}-{uuid.uuid4().hex[:8]}" for i in range(VISITORS)]
    greeters, askers = senders[::2], senders[1::2]
    for sender in senders:  # every conversation under way, with the action server up
        _, texts = say(url, sender, "hi")
        assert texts and APOLOGY not in texts

    assert actions.process is not None
    os.killpg(actions.process.pid, signal.SIGSTOP)
    try:
        with ThreadPoolExecutor(VISITORS) as pool:
            asked = [pool.submit(say, url, s, "what does a PMO analyst do?") for s in askers]
            time.sleep(0.3)  # the questions are stuck on the action server first
            greeted = [pool.submit(say, url, s, text) for s in greeters for text in ("hello", "hi there")]
            greetings = [g.result() for g in greeted]
            answers = [a.result() for a in asked]
    finally:
        os.killpg(actions.process.pid, signal.SIGCONT)

    slowest_greeting = max(took for took, _ in greetings)
    assert slowest_greeting < GREET_BOUND, f"a greeting took {slowest_greeting:.2f}s with the action server frozen"
    assert all(texts and APOLOGY not in texts for _, texts in greetings)
    for took, texts in answers:
        assert texts[-1] == APOLOGY, texts
        assert ACTION_TIMEOUT - 0.2 < took < ACTION_TIMEOUT + 3.0, f"apology after {took:.2f}s"

    # Resumed: every conversation carries on, with real answers, the askers' too.
    for sender in askers:
        took, texts = say(url, sender, "what does a PMO analyst do?")
        assert APOLOGY not in texts and any("PMO Analyst" in t for t in texts), texts
        assert took < ACTION_TIMEOUT
    for sender in greeters:
        _, texts = say(url, sender, "which course is right for a PMO manager?")
        assert texts and APOLOGY not in texts
