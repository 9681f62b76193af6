"""Actions in the Rasa process (bot/serving/inprocess.py), against a real server with no action server.

One Rasa server started through ``python -m bot.serving run`` with an endpoints file that
names ``actions_module`` (``tests.serving.hanging_actions``: the real actions plus a switch
that makes the answering ones hang) and ``PMO_ACTION_TIMEOUT=2``. Nothing listens for an
action server. Checked: real answers and context over several turns; a hung action costs
its own visitors the apology within the limit while others are answered; the enquiry
outbox's delivery thread starts in the Rasa process; a package that does not import stops
the server at start.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
import requests

from bot.channels.rest import APOLOGY, TURN_HEADER
from harness import servers

pytestmark = pytest.mark.slow

ACTION_TIMEOUT = 2.0
VISITORS = 12


@pytest.fixture(scope="module")
def hang_file(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hang") / "hang"


@pytest.fixture(scope="module")
def server(tmp_path_factory, hang_file) -> Iterator[servers.Server]:
    workdir = tmp_path_factory.mktemp("inprocess")
    endpoints = servers.write_endpoints(workdir, None)
    endpoints.write_text(
        endpoints.read_text().replace("actions_module: actions", "actions_module: tests.serving.hanging_actions")
    )
    rasa = servers.rasa_server(
        workdir,
        endpoints,
        env={
            "PMO_ACTION_TIMEOUT": str(ACTION_TIMEOUT),
            "PMO_TEST_HANG_FILE": str(hang_file),
            # the outbox worker starts (and finds nothing to send): its thread runs in Rasa's process
            "PMO_ENQUIRY_WEBHOOK_URL": "http://127.0.0.1:9/enquiries",
            "PMO_DATABASE_URL": f"sqlite:///{workdir / 'enquiries.db'}",
        },
    )
    try:
        yield rasa.start()
    finally:
        rasa.stop()


def say(server: servers.Server, sender: str, text: str) -> Tuple[float, List[str], bool]:
    started = time.monotonic()
    reply = requests.post(server.url + "/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    assert reply.status_code == 200, reply.text
    texts = [m.get("text") or "" for m in reply.json()]
    failed = reply.headers.get(TURN_HEADER) == "failed"
    assert failed == (APOLOGY in texts), (reply.headers, texts)
    return time.monotonic() - started, texts, failed


def test_the_server_answers_and_keeps_context_with_no_action_server(server):
    sender = f"inproc-{uuid.uuid4().hex[:8]}"
    _, texts, failed = say(server, sender, "what does a project support officer do?")
    assert not failed and any("PMO Administrator" in t for t in texts), texts
    # The action's SlotSet events reached Rasa: the follow-ups resolve "they" and "it".
    _, texts, failed = say(server, sender, "what skills do they need?")
    assert not failed and any("PMO Administrator" in t for t in texts), texts
    _, texts, failed = say(server, sender, "which course suits them?")
    assert not failed and any("Essentials for PMO Administrators" in t for t in texts), texts
    _, texts, failed = say(server, sender, "how long is it?")
    assert not failed and texts and all("which course" not in t.lower() for t in texts), texts


def test_a_hung_action_costs_only_its_own_turns_the_apology(server, hang_file):
    senders = [f"hang-{i}-{uuid.uuid4().hex[:8]}" for i in range(VISITORS)]
    greeters, askers = senders[::2], senders[1::2]
    for sender in senders:
        assert not say(server, sender, "hi")[2]
    hang_file.touch()
    try:
        with ThreadPoolExecutor(VISITORS) as pool:
            asked = [pool.submit(say, server, s, "what does a PMO analyst do?") for s in askers]
            time.sleep(0.3)  # every answering action is now hanging in its thread
            greeted = [pool.submit(say, server, s, text) for s in greeters for text in ("hello", "hi there")]
            greetings = [g.result() for g in greeted]
            answers = [a.result() for a in asked]
    finally:
        hang_file.unlink()

    slowest = max(took for took, _, _ in greetings)
    assert slowest < 1.5, f"a greeting took {slowest:.2f}s while actions hung"
    assert not any(failed for _, _, failed in greetings)
    for took, texts, failed in answers:
        assert failed and texts[-1] == APOLOGY, texts
        assert ACTION_TIMEOUT - 0.2 < took < ACTION_TIMEOUT + 3.0, f"apology after {took:.2f}s"
    time.sleep(0.2)  # the hung threads see the switch gone and finish (their events are dropped)
    for sender in askers:
        took, texts, failed = say(server, sender, "what does a PMO analyst do?")
        assert not failed and any("PMO Analyst" in t for t in texts), texts
        assert took < ACTION_TIMEOUT


def test_the_enquiry_outbox_delivers_from_the_rasa_process(server):
    log = server.log.read_text(errors="replace")
    assert "Enquiry notifications on: webhook" in log, server.tail()


def test_an_actions_package_that_does_not_import_stops_the_server(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("action_endpoint:\n  actions_module: no_such_actions_package\n")
    rasa = servers.rasa_server(tmp_path, endpoints)
    with pytest.raises(RuntimeError, match="exited early"):
        rasa.start(timeout=120)
    assert rasa.process is not None and rasa.process.wait(timeout=30) != 0
    assert "no_such_actions_package" in rasa.log.read_text(errors="replace")


def test_the_serving_process_has_no_tensorflow_in_memory(server):
    assert server.process is not None
    maps = Path(f"/proc/{server.process.pid}/maps").read_text()  # the python process itself (harness Popen)
    assert "python" in maps and "tensorflow" not in maps
