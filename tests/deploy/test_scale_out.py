"""Two Rasa replicas and the action server sharing PostgreSQL and Redis, really running.

Replica A runs two Sanic workers and the HTTP API behind a token; replica B
one worker and no API. Conversations move between them turn by turn.
"""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import List

import pytest
import requests
import sqlalchemy as sa

from bot.channels.rest import APOLOGY
from harness import services
from harness.servers import ROOT, base_env
from harness.stack import SCRIPT, TOKEN, Turn, say, slots, tracker

pytestmark = pytest.mark.slow


def user_texts(replica, sender: str) -> List[str]:
    return [e["text"] for e in tracker(replica, sender)["events"] if e["event"] == "user"]


def test_http_api_only_with_a_token(shared):
    with_api, without_api = shared.replicas
    assert requests.get(with_api.url + "/status", timeout=30).status_code == 401
    assert (
        requests.get(with_api.url + "/conversations/x/tracker", params={"token": "wrong"}, timeout=30).status_code
        == 401
    )
    assert requests.get(with_api.url + "/status", params={"token": TOKEN}, timeout=30).status_code == 200
    for path in ("/status", "/conversations/x/tracker", "/model/parse"):
        assert requests.get(without_api.url + path, timeout=30).status_code in (404, 405), path


@pytest.mark.parametrize(
    "env,expected",
    [
        ({"RASA_AUTH_TOKEN": "s3cret"}, "--enable-api --auth-token s3cret"),
        ({"RASA_JWT_SECRET": "k3y"}, "--enable-api --jwt-secret k3y --jwt-method HS256"),
        ({}, "--interface 127.0.0.1"),
    ],
)
def test_launcher_turns_the_api_on_only_with_a_secret(env, expected):
    result = subprocess.run(
        [str(ROOT / "scripts" / "rasa-server.sh")],
        env=base_env(RASA_BIN="echo", **env),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0 and expected in result.stdout
    assert ("--enable-api" in result.stdout) is bool(env)


def test_launcher_refuses_an_open_api():
    result = subprocess.run(
        [str(ROOT / "scripts" / "rasa-server.sh"), "--enable-api"],
        env=base_env(RASA_BIN="echo"),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "refusing --enable-api" in result.stderr


def test_one_conversation_alternates_between_replicas(shared):
    a, b = shared.replicas
    sender = "alt-" + uuid.uuid4().hex
    assert "closest to what you do now" in say(a, sender, "which course is right for me?").text
    assert slots(a, sender)["awaiting_level"] is True

    side = say(b, sender, "what does a head of pmo do?")
    assert "PMO Director" in side.texts[0] and side.texts[-1].startswith("Back to choosing your course")
    bot = say(a, sender, "are you a bot?")
    assert bot.texts[0].startswith("I'm a bot") and "closest to what you do now" in bot.texts[-1]
    assert slots(a, sender)["awaiting_level"] is True  # the open question survived both replicas

    assert "I'd recommend Essentials for PMO Analysts" in say(b, sender, "I'm a project co-ordinator").text
    assert "I'd recommend Essentials for PMO Managers" in say(a, sender, "sorry, I meant I'm a PMO manager").text
    state = slots(a, sender)
    assert (state["awaiting_level"], state["pmo_level"], state["recommended_course"]) == (
        False,
        3.0,
        "Essentials for PMO Managers",
    )
    assert say(b, sender, "how long is the course?").texts[0].startswith("Essentials for PMO Managers takes 3 days")

    # an enquiry, every answer on the other replica from the question
    opened = say(a, sender, "can I talk to someone?")
    assert "Essentials for PMO Managers (level 3, PMO Manager)" in opened.text
    for replica, text in ((b, "Alex Alternating"), (a, "alex@alternating.co.uk"), (b, "Alternating Ltd"), (a, "skip")):
        assert say(replica, sender, text).status == 200
    assert slots(a, sender)["requested_slot"] == "enquiry_consent"
    done = say(b, sender, "yes")
    assert done.texts[0].startswith("Thank you! Your enquiry is with the PMO Learning team")
    engine = sa.create_engine(shared.database_url)
    with engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT name, email, team_size FROM enquiries WHERE conversation_id = :c"), {"c": sender}
        ).one()
    engine.dispose()
    assert tuple(row) == ("Alex Alternating", "alex@alternating.co.uk", None)


def test_fifty_concurrent_conversations_over_both_replicas(shared):
    golden_sender = "golden-" + uuid.uuid4().hex
    golden = [say(shared.replicas[0], golden_sender, text).texts for text in SCRIPT]
    assert all(golden), golden
    events = [(e["event"], e.get("name"), e.get("value")) for e in tracker(shared.replicas[0], golden_sender)["events"]]
    assert golden[2][-1].startswith("Back to choosing your course"), (golden[:3], events)
    senders = [f"load-{i}-{uuid.uuid4().hex[:6]}" for i in range(50)]

    def conversation(i: int) -> List[Turn]:
        return [say(shared.replicas[(i + n) % 2], senders[i], text) for n, text in enumerate(SCRIPT)]

    started = time.monotonic()
    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(conversation, range(50)))
    elapsed = time.monotonic() - started
    print(f"\n50x{len(SCRIPT)} turns over 2 replicas in {elapsed:.1f}s ({50 * len(SCRIPT) / elapsed:.1f} turns/s)")

    for i, turns in enumerate(results):
        assert [t.status for t in turns] == [200] * len(SCRIPT), (senders[i], [t.status for t in turns])
        for n, turn in enumerate(turns):
            assert turn.texts and all(t.strip() for t in turn.texts), (senders[i], n, turn)
            assert turn.texts == golden[n], (senders[i], SCRIPT[n], turn.texts[:1], golden[n][:1])
        assert user_texts(shared.replicas[0], senders[i]) == SCRIPT  # stored whole and in order


def test_postgres_restart_loses_no_conversation_or_enquiry(shared):
    a, b = shared.replicas
    waiting, form, busy = ("pg-" + uuid.uuid4().hex for _ in range(3))
    assert "closest to what you do now" in say(a, waiting, "which course is right for me?").text
    form_script = [
        "can I talk to someone?",
        "Pat Restart",
        "pat@restart-test.co.uk",
        "Restart Ltd",
        "3",
        "P3O Foundation",
    ]
    for n, text in enumerate(form_script):
        say((a, b)[n % 2], form, text)
    assert slots(a, form)["requested_slot"] == "enquiry_consent"

    # a third conversation keeps talking while the database restarts
    during: List[Turn] = []
    busy_script = [
        "which course is right for me?",
        "what does a pmo analyst do?",
        "I'm a pmo planner",
        "how long is the course?",
        "what types of PMO are there?",
        "what can you do?",
    ]

    sent: List[str] = []
    restarted = threading.Event()

    def keep_talking() -> None:
        # Round the script until the restart is over and a second more, so turns really
        # arrive while the database is down (six turns alone finish in well under a second).
        n = 0
        while n < len(busy_script) or not restarted.is_set():
            text = busy_script[n % len(busy_script)]
            during.append(say((a, b)[n % 2], busy, text))
            sent.append(text)
            n += 1

    talker = threading.Thread(target=keep_talking)
    talker.start()
    time.sleep(0.5)
    took = services.restart_postgres()
    time.sleep(1.0)
    restarted.set()
    talker.join(timeout=300)
    print(f"\nPostgreSQL restart took {took:.1f}s; {len(during)} turns meanwhile")

    assert "I'd recommend Essentials for PMO Analysts" in say(b, waiting, "I'm a PMO analyst").text
    confirmed = say(a, form, "yes")
    assert confirmed.texts[0].startswith("Thank you! Your enquiry is with the PMO Learning team"), confirmed.texts
    assert len(during) == len(sent) >= len(busy_script)
    for turn in during:
        assert turn.status == 200 and turn.texts and turn.texts != [APOLOGY], turn

    assert user_texts(a, waiting) == ["which course is right for me?", "I'm a PMO analyst"]
    assert user_texts(a, form) == [*form_script, "yes"]
    assert user_texts(a, busy) == sent
    engine = sa.create_engine(shared.database_url)
    with engine.connect() as connection:
        emails = (
            connection.execute(sa.text("SELECT email FROM enquiries WHERE conversation_id = :c"), {"c": form})
            .scalars()
            .all()
        )
    engine.dispose()
    assert emails == ["pat@restart-test.co.uk"]


def test_no_personal_data_in_the_replicas_logs(shared):
    a, b = shared.replicas
    sender = "logs-" + uuid.uuid4().hex
    for n, text in enumerate(
        ["I want to book", "Morgan Logscan", "morgan.logscan@secret-org.co.uk", "Secret Org Ltd", "4", "yes"]
    ):
        turn = say((a, b)[n % 2], sender, text)
    assert turn.texts[0].startswith("Thank you! Your enquiry is with the PMO Learning team"), turn.texts
    logs = shared.logs()
    assert "Rasa server is up and running" in logs and "Enquiry ENQ-" in logs  # the logs are really there
    for secret in (
        "morgan.logscan@secret-org.co.uk",
        "Morgan Logscan",
        "Logscan",
        "Secret Org Ltd",
        "alex@alternating.co.uk",
        "Alex Alternating",
        "pat@restart-test.co.uk",
        "Pat Restart",
    ):
        assert secret.lower() not in logs.lower(), f"{secret!r} written to a log"
