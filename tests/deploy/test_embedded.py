"""The embedded set-up (SQLite, one Rasa server, the action server), really running.

Restarting the Rasa server, the enquiry form end to end, erasure on a live
conversation, no personal data in logs, and the action server going down.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from typing import Dict

import pytest

from bot.channels.rest import APOLOGY
from bot.channels.socketio import link_urls
from bot.knowledge_base import default_knowledge_base
from harness import socketio_client
from harness.servers import ROOT, base_env
from harness.stack import Stack, listening_addresses, replayed_slots, say

pytestmark = pytest.mark.slow


def db_slots(stack: Stack, sender: str) -> Dict[str, object]:
    """The slots as stored in the tracker store, read straight from the SQLite file."""
    import json

    path = stack.database_url[len("sqlite:///") :]
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    return replayed_slots(sender, [json.loads(data) for (data,) in rows])


def enquiries(stack: Stack):
    path = stack.database_url[len("sqlite:///") :]
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT conversation_id, name, email, organisation, team_size, interest, consent FROM enquiries"
        ).fetchall()


def test_action_server_listens_on_localhost_only(embedded):
    assert "SANIC_HOST" not in embedded.actions.env  # started without saying where to listen
    assert listening_addresses(embedded.actions.port) == ["127.0.0.1"]


def test_conversation_survives_a_rasa_server_restart(embedded):
    rasa, sender = embedded.replicas[0], uuid.uuid4().hex
    question = say(rasa, sender, "which course is right for me?")
    assert "closest to what you do now" in question.text, question.text
    assert db_slots(embedded, sender)["awaiting_level"] is True

    rasa.stop(signal.SIGKILL)  # no chance to flush anything: what is stored is what survives
    rasa.start()

    answer = say(rasa, sender, "I'm a project co-ordinator")
    assert "I'd recommend Essentials for PMO Analysts" in answer.text
    stored = db_slots(embedded, sender)
    assert (stored["awaiting_level"], stored["pmo_level"], stored["recommended_course"]) == (
        False,
        2.0,
        "Essentials for PMO Analysts",
    )
    # and the conversation goes on from the stored recommendation
    assert "Essentials for PMO Analysts" in say(rasa, sender, "how long is the course?").text


JANE = {"name": "Jane Q. Testperson", "email": "jane.testperson@acme-pmo.co.uk", "org": "Acme PMO Consulting"}


@pytest.fixture(scope="module")
def completed_enquiry(embedded):
    """A whole enquiry: a recommendation, "I want to book", every question, consent."""
    rasa, sender = embedded.replicas[0], "enq-" + uuid.uuid4().hex
    turns = {}
    for key, text in [
        ("rec", "I work as a PMO analyst, which course should I do?"),
        ("book", "I want to book"),
        ("name", f"my name is {JANE['name']}"),
        ("email", JANE["email"]),
        ("org", f"I work for {JANE['org']}"),
        ("size", "about 6 people"),
        ("consent", "yes please"),
    ]:
        turns[key] = say(rasa, sender, text)
        assert turns[key].status == 200 and turns[key].texts and all(turns[key].texts), (key, turns[key])
    return sender, turns


def test_booking_opens_the_form_with_the_interest_prefilled(completed_enquiry):
    _, turns = completed_enquiry
    assert (
        "I've noted that it's about: Booking a course; Essentials for PMO Analysts (level 2, PMO Analyst)"
        in turns["book"].text
    )
    assert turns["book"].texts[-1] == "What's your name?"
    assert turns["name"].texts == ["What's your work email address? The team will reply there."]
    assert turns["email"].texts == ["Which organisation do you work for?"]
    assert turns["org"].texts[0].startswith("How many people would the training be for?")
    consent = turns["size"].messages[-1]
    assert consent["text"].startswith("Here's what I'll send to the PMO Learning team:")
    assert f"- Email: {JANE['email']}\n" in consent["text"] and "- Team size: 6\n" in consent["text"]
    assert [b["title"] for b in consent["buttons"]] == ["Yes, send it", "No, don't store anything"]


def test_consent_stores_the_enquiry_and_confirms_next_steps(embedded, completed_enquiry):
    sender, turns = completed_enquiry
    rows = [r for r in enquiries(embedded) if r[0] == sender]
    assert rows == [
        (
            sender,
            JANE["name"],
            JANE["email"],
            JANE["org"],
            6,
            "Booking a course; Essentials for PMO Analysts (level 2, PMO Analyst)",
            1,
        )
    ]
    assert turns["consent"].text.startswith("Thank you! Your enquiry is with the PMO Learning team (reference ENQ-")
    assert f"They'll reply by email to {JANE['email']}" in turns["consent"].text
    slots = db_slots(embedded, sender)
    assert all(slots[s] is None for s in ("enquiry_name", "enquiry_email", "enquiry_consent", "enquiry_topic"))


def test_a_wrong_email_is_asked_again_with_the_reason(embedded):
    rasa, sender = embedded.replicas[0], uuid.uuid4().hex
    opened = say(rasa, sender, "can you train my whole team in-house?")
    assert "In-house training" in opened.texts[0] and opened.texts[-1] == "What's your name?"
    say(rasa, sender, "Sam Example")
    wrong = say(rasa, sender, "sam@acme")
    assert wrong.texts == [
        '"acme" after the @ needs its ending too, such as acme.co.uk or acme.com.',
        "What's your work email address? The team will reply there.",
    ]
    assert say(rasa, sender, "sam@acme.co.uk").texts == ["Which organisation do you work for?"]
    assert db_slots(embedded, sender)["enquiry_email"] == "sam@acme.co.uk"


@pytest.mark.parametrize("stop", ["cancel", "actually no"])
def test_the_form_stops_at_any_time_and_stores_nothing(embedded, stop):
    rasa, sender = embedded.replicas[0], uuid.uuid4().hex
    opened = say(rasa, sender, "can I talk to someone?")
    assert opened.texts[0].startswith("To talk to someone at PMO Learning")  # the contact route comes first
    assert opened.texts[1].startswith("Or I can pass a message to the team myself")
    assert opened.texts[-1] == "What's your name?"
    say(rasa, sender, "Stopping Person")
    stopped = say(rasa, sender, stop)
    assert stopped.texts[0].startswith("OK, I've stopped the enquiry and haven't stored or sent anything.")
    assert not [r for r in enquiries(embedded) if r[0] == sender]
    assert db_slots(embedded, sender)["enquiry_name"] is None
    assert "PMO Analyst" in say(rasa, sender, "what does a pmo analyst do?").text  # back to normal


def test_no_to_consent_stores_nothing(embedded):
    rasa, sender = embedded.replicas[0], uuid.uuid4().hex
    for text in ("I'd like someone to contact me", "Nora Consent", "nora@acme.co.uk", "Acme", "skip", "P3O Foundation"):
        say(rasa, sender, text)
    unclear = say(rasa, sender, "what will you do with it?")
    assert unclear.texts[0] == 'I need a yes or a no before I store anything (or say "cancel").'
    assert unclear.texts[1].startswith("Here's what I'll send") and "- Team size: not given\n" in unclear.texts[1]
    declined = say(rasa, sender, "no")
    assert declined.texts[0].startswith("No problem: I haven't stored or sent your details.")
    assert not [r for r in enquiries(embedded) if r[0] == sender]


def test_no_personal_data_in_the_logs(embedded, completed_enquiry):
    logs = embedded.logs()
    assert "Rasa server is up and running" in logs and "Enquiry ENQ-" in logs  # the logs are really there
    for secret in (JANE["email"], JANE["name"], "Testperson", "jane.testperson", JANE["org"]):
        assert secret.lower() not in logs.lower(), f"{secret!r} written to a log"


def test_erasure_on_a_live_conversation(embedded, completed_enquiry):
    sender, _ = completed_enquiry
    result = subprocess.run(
        [sys.executable, "-m", "bot.privacy", "--database-url", embedded.database_url, "forget", JANE["email"].upper()],
        cwd=ROOT,
        env=base_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Deleted 1 enquiries and 1 conversations") and sender in result.stdout
    assert db_slots(embedded, sender) == {} and not [r for r in enquiries(embedded) if r[0] == sender]
    # the sender can talk again and starts afresh
    assert "closest to what you do now" in say(embedded.replicas[0], sender, "which course is right for me?").text


def test_action_server_down_apologises_quickly_then_carries_on(embedded):
    rasa, actions, sender = embedded.replicas[0], embedded.actions, uuid.uuid4().hex
    assert "closest to what you do now" in say(rasa, sender, "which course is right for me?").text
    actions.stop(signal.SIGKILL)
    try:
        down = say(rasa, sender, "I'm a PMO manager", timeout=10)
        assert down.status == 200 and down.texts == [APOLOGY]
        assert down.seconds < 2.0, f"apology took {down.seconds:.2f}s"
        print(f"\naction server down: apology in {down.seconds:.2f}s")
        assert default_knowledge_base().contact.website in APOLOGY  # a way forward that needs no bot
        small_talk = say(rasa, sender, "are you a bot?", timeout=10)  # answered by Rasa alone
        assert small_talk.texts and small_talk.texts[0].startswith("I'm a bot")
        # The website widget's channel (socket.io) apologises too, rather than staying silent.
        widget = asyncio.run(socketio_client.converse(rasa.url, uuid.uuid4().hex, "what does a PMO analyst do?"))
        assert [reply.get("text") for reply in widget] == [link_urls(APOLOGY)]
    finally:
        started = time.monotonic()
        actions.start()
    assert time.monotonic() - started < 60
    again = say(rasa, sender, "I'm a PMO manager")
    assert "I'd recommend Essentials for PMO Managers" in again.text, again.text


@pytest.mark.parametrize("command", ["/session_start", "/restart", "/back", '/greet{"enquiry_name": "x"}'])
def test_rasa_commands_in_the_form_never_fill_a_slot(embedded, command):
    rasa, sender = embedded.replicas[0], uuid.uuid4().hex
    say(rasa, sender, "can I talk to someone?")
    assert say(rasa, sender, command).status == 200
    assert db_slots(embedded, sender).get("enquiry_name") is None
