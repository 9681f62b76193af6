"""Slack delivering a request again, and someone replaying one: each is taken once.

A retry (``X-Slack-Retry-Num``) whose first delivery never arrived is the only copy
there is: it is answered, once. A signed button click sent twice within its
signature's five minutes is answered once, and its message updated once.
"""

from __future__ import annotations

import time

import pytest

from bot.render import to_slack_mrkdwn
from tests.channels.conftest import Stack
from tests.channels.test_slack import QUESTION, ask, click, event, new_conversation, post, posts_to, with_buttons

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("reason", ["http_timeout", "connection_failed"])
def test_a_retry_whose_first_delivery_was_lost_is_answered_once(channels: Stack, reason: str):
    expected = channels.rest_conversation()("what does a PMO manager do?")
    channel, user = new_conversation()
    body = event("what does a PMO manager do?", channel, user)  # its first delivery never reached us
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": reason}
    response = post(channels, body, "application/json", extra=retry)
    assert response.status_code == 200 and "X-Slack-No-Retry" not in response.headers
    replies = channels.slack.wait_for(posts_to(channel), len(expected))
    assert [r.json["text"] for r in replies] == [to_slack_mrkdwn(e["text"]) for e in expected]
    # Slack's next retry of the same event, and a replay of it, are acknowledged and dropped
    retry["X-Slack-Retry-Num"] = "2"
    again = post(channels, body, "application/json", extra=retry)
    assert again.status_code == 200 and again.headers.get("X-Slack-No-Retry") == "1"
    assert post(channels, body, "application/json").status_code == 200
    time.sleep(1.0)
    assert len(channels.slack.received(posts_to(channel))) == len(expected)


def test_a_button_click_sent_twice_is_answered_once(channels: Stack):
    say = channels.rest_conversation()
    first = say(QUESTION)
    choice = with_buttons(first)["buttons"][0]
    expected = say(choice["payload"])
    channel, user = new_conversation()
    *_, answer = ask(channels, channel, user, replies=len(first))
    *_, actions = answer.json["blocks"]
    body = click(answer.json, actions["elements"][0], channel, user)
    # the same signed click twice, each correctly signed (Slack's signature allows five minutes)
    for _ in range(2):
        response = post(channels, body, "application/x-www-form-urlencoded")
        assert response.status_code == 200, response.text
    replies = channels.slack.wait_for(posts_to(channel), len(first) + len(expected))[len(first) :]
    assert [r.json["text"] for r in replies] == [to_slack_mrkdwn(e["text"]) for e in expected]
    time.sleep(1.0)
    assert len(channels.slack.received(posts_to(channel))) == len(first) + len(expected)
    updates = channels.slack.received(lambda r: r.path == "/api/chat.update" and r.json.get("channel") == channel)
    assert len(updates) == 1
    # another click on the same message (a new click: its own time) is answered
    second = click(answer.json, actions["elements"][0], channel, user)
    assert second != body
    assert post(channels, second, "application/x-www-form-urlencoded").status_code == 200
    channels.slack.wait_for(posts_to(channel), len(first) + 2 * len(expected))
