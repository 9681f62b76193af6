"""No visitor text in the server's log, whatever its form.

Rasa reads a message starting with "/" as a command and, when it is not one it knows,
used to log it word for word (``Failed to parse arguments in line '/...'`` or the
structured ``message.parsing.failed``). Here a text that no log line could contain by
chance is planted in every form that made Rasa quote it, and plain, through REST, Slack
and Teams; each message is answered, then the Rasa server's and the action server's logs
are searched for it.
"""

from __future__ import annotations

import time
import uuid
from typing import List

import pytest
import requests

from bot.channels import log_privacy
from tests.channels import test_slack, test_teams
from tests.channels.conftest import Stack

pytestmark = pytest.mark.slow


def forms(planted: str) -> List[str]:
    """The planted text as a plain message and as every "/..." form Rasa complained about."""
    return [
        f"my phone is {planted}",  # plain text
        f"/my phone is {planted}",  # not a known intent
        f"/greet {planted}",  # a known intent with words after it
        f"/greet@{planted}",  # a confidence that is no number
        f"/greet@7 {planted}",  # a confidence above 1, then words
        f'/greet{{"{planted}": "x"}}',  # an entity the domain does not have
        f'/greet{{"role": {planted}}}',  # entities that are not JSON
        f"/@{planted}",  # no intent at all (Rasa's structured warning)
        f"/{{{planted}}}",
    ]


def test_a_planted_text_reaches_no_log_through_rest_slack_or_teams(channels: Stack):
    planted = f"07700{uuid.uuid4().int % 10**6:06d}qz{uuid.uuid4().hex[:8]}"
    texts = forms(planted)
    logs = sorted(channels.log.parent.glob("*.log"))  # the Rasa server's and the action server's
    assert channels.log in logs and len(logs) >= 2, logs
    before = {path: len(path.read_text(errors="replace")) for path in logs}

    sender = f"planted-{uuid.uuid4().hex[:8]}"
    for text in texts:
        reply = requests.post(
            channels.rasa_url + "/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
        )
        assert reply.status_code == 200 and reply.json(), (text, reply.text)

    channel, user = test_slack.new_conversation()
    for count, text in enumerate(texts, start=1):
        response = test_slack.post(channels, test_slack.event(text, channel, user), "application/json")
        assert response.status_code == 200, response.text
        channels.slack.wait_for(test_slack.posts_to(channel), count)  # answered before the next one

    teams, conversation = channels.teams, test_teams.new_conversation()
    for text in texts:
        answered = len(teams.stub.received(test_teams.replies_in(conversation)))
        message = test_teams.activity(teams, conversation, text)
        assert test_teams.send(channels, message, teams.token()).status_code == 200
        teams.stub.wait_for(test_teams.replies_in(conversation), answered + 1)

    time.sleep(1.0)  # anything still being written
    for path in logs:
        log = path.read_text(errors="replace")[before[path] :]
        assert planted not in log, f"{path.name} holds a visitor's text:\n" + "\n".join(
            line for line in log.splitlines() if planted in line
        )
        assert "Failed to parse arguments" not in log, path.name


def test_text_fields_of_structured_events_are_withheld():
    event = {"event": "message.parsing.failed", "user_text": "/@secret", "text": "secret", "level": "warning"}
    assert log_privacy.withhold_text(None, "warning", event) == {
        "event": "message.parsing.failed",
        "user_text": "[not logged]",
        "text": "[not logged]",
        "level": "warning",
    }
