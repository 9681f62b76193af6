"""Slack, end to end: signed Events API and interactivity requests to the
running server's webhook, replies captured on a local stub of Slack's Web API."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any, Dict, List, Optional
from urllib.parse import urlencode

import pytest
import requests

from bot.channels.slack import button_blocks, check_signature, chosen_blocks, mrkdwn
from tests.channels.conftest import SLACK_SECRET, SLACK_TOKEN, Stack
from tests.channels.stubs import Recorded

pytestmark = pytest.mark.slow

QUESTION = "what does a PMO analyst do?"


def sign(body: bytes, timestamp: int, secret: str = SLACK_SECRET) -> str:
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def post(stack: Stack, body: bytes, content_type: str, *, secret: str = SLACK_SECRET,
         age: int = 0, extra: Optional[Dict[str, str]] = None, signed: bool = True) -> requests.Response:
    timestamp = int(time.time()) - age
    headers = {"Content-Type": content_type}
    if signed:
        headers.update({"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": sign(body, timestamp, secret)})
    headers.update(extra or {})
    return requests.post(stack.slack_webhook, data=body, headers=headers, timeout=30)


def event(text: str, channel: str, user: str, event_id: Optional[str] = None) -> bytes:
    ts = f"{time.time():.6f}"
    return json.dumps({
        "token": "deprecated-verification-token", "team_id": "T0TEAM", "api_app_id": "A0APP",
        "type": "event_callback", "event_id": event_id or f"Ev{uuid.uuid4().hex[:10]}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "T0TEAM", "user_id": "U0BOT", "is_bot": True}],
        "event": {"type": "message", "channel": channel, "channel_type": "im", "user": user,
                  "text": text, "ts": ts, "event_ts": ts, "client_msg_id": str(uuid.uuid4())},
    }).encode()


def click(message: Dict[str, Any], button: Dict[str, Any], channel: str, user: str) -> bytes:
    ts = f"{time.time():.6f}"
    payload = {
        "type": "block_actions", "user": {"id": user, "team_id": "T0TEAM"}, "api_app_id": "A0APP",
        "team": {"id": "T0TEAM"}, "trigger_id": "1.2.3",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
        "channel": {"id": channel, "name": "directmessage"},
        "message": {"type": "message", "ts": ts, "bot_id": "B0BOT", "text": message["text"], "blocks": message["blocks"]},
        "response_url": "https://hooks.slack.invalid/actions/1",
        "actions": [{"type": "button", "action_id": button["action_id"], "block_id": "pmo_choices",
                     "text": button["text"], "value": button["value"], "action_ts": ts}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def posts_to(channel: str):
    return lambda r: r.path == "/api/chat.postMessage" and r.json.get("channel") == channel


def new_conversation() -> tuple:
    return f"D{uuid.uuid4().hex[:10].upper()}", f"U{uuid.uuid4().hex[:10].upper()}"


def ask(stack: Stack, channel: str, user: str, text: str = QUESTION, replies: int = 1) -> List[Recorded]:
    before = len(stack.slack.received(posts_to(channel)))
    reply = post(stack, event(text, channel, user), "application/json")
    assert reply.status_code == 200, reply.text
    return stack.slack.wait_for(posts_to(channel), before + replies)[before:]


def test_question_gets_the_answer_with_block_kit_buttons(channels: Stack):
    channel, user = new_conversation()
    [reply] = ask(channels, channel, user)
    assert reply.headers["authorization"] == f"Bearer {SLACK_TOKEN}"
    body = reply.json
    assert "as_user" not in body
    section, actions = body["blocks"]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert section["text"]["text"].startswith("A PMO Analyst is the level 2 role in a PMO")
    assert actions["type"] == "actions"
    assert [(b["type"], b["text"]["text"], b["value"]) for b in actions["elements"]] == [
        ("button", "Compare with another role", '/compare_roles{"role": "PMO Analyst"}'),
        ("button", "Which course is right for me?", '/ask_course_recommendation{"role": "PMO Analyst"}'),
        ("button", "Career path", '/ask_career_path{"role": "PMO Analyst"}'),
    ]
    assert len({b["action_id"] for b in actions["elements"]}) == 3
    channels.assert_not_logged(QUESTION)


def test_button_click_comes_back_as_the_right_intent(channels: Stack):
    channel, user = new_conversation()
    [answer] = ask(channels, channel, user)
    button = answer.json["blocks"][1]["elements"][1]
    response = post(channels, click(answer.json, button, channel, user), "application/x-www-form-urlencoded")
    assert response.status_code == 200, response.text
    [_, recommendation] = channels.slack.wait_for(posts_to(channel), 2)
    assert "Essentials for PMO Analysts" in recommendation.json["text"]
    # the clicked message now shows the choice instead of its buttons
    [update] = channels.slack.wait_for(lambda r: r.path == "/api/chat.update" and r.json.get("channel") == channel)
    assert [b["type"] for b in update.json["blocks"]] == ["section", "context"]
    assert "Which course is right for me?" in update.json["blocks"][1]["elements"][0]["text"]


@pytest.mark.parametrize("how", ["forged", "unsigned", "replayed", "from the future", "tampered"])
def test_unauthentic_requests_are_refused_and_get_no_reply(channels: Stack, how: str):
    channel, user = new_conversation()
    body = event(QUESTION, channel, user)
    if how == "forged":
        response = post(channels, body, "application/json", secret="not-the-secret")
    elif how == "unsigned":
        response = post(channels, body, "application/json", signed=False)
    elif how == "replayed":  # correctly signed, six minutes ago
        response = post(channels, body, "application/json", age=6 * 60)
    elif how == "from the future":
        response = post(channels, body, "application/json", age=-6 * 60)
    else:  # signed, then the body changed on the way
        timestamp = int(time.time())
        response = requests.post(channels.slack_webhook, data=body.replace(b"analyst", b"manager"), timeout=30,
                                 headers={"Content-Type": "application/json",
                                          "X-Slack-Request-Timestamp": str(timestamp),
                                          "X-Slack-Signature": sign(body, timestamp)})
    assert response.status_code == 401
    # a genuine message afterwards is answered, and it is the only reply
    ask(channels, channel, user, "hello")
    assert len(channels.slack.received(posts_to(channel))) == 1


@pytest.mark.parametrize("reason", ["http_timeout", "http_error", "connection_failed", None])
def test_retries_never_produce_a_second_reply(channels: Stack, reason: Optional[str]):
    channel, user = new_conversation()
    body = event(QUESTION, channel, user)
    assert post(channels, body, "application/json").status_code == 200
    channels.slack.wait_for(posts_to(channel), 1)
    retry = {"X-Slack-Retry-Num": "1"}
    if reason:
        retry["X-Slack-Retry-Reason"] = reason
    for number in ("1", "2", "3"):
        retry["X-Slack-Retry-Num"] = number
        response = post(channels, body, "application/json", extra=retry)
        assert response.status_code == 200 and response.headers.get("X-Slack-No-Retry") == "1"
    # a retry whose first delivery reached another replica (or this one before a restart)
    unseen = event("what does a PMO manager do?", channel, user)
    response = post(channels, unseen, "application/json", extra=retry)
    assert response.status_code == 200 and response.headers.get("X-Slack-No-Retry") == "1"
    # the same event delivered again without a retry header is dropped too
    assert post(channels, body, "application/json").status_code == 200
    ask(channels, channel, user, "thanks")
    assert len(channels.slack.received(posts_to(channel))) == 2


def test_url_verification_and_bad_bodies(channels: Stack):
    challenge = json.dumps({"type": "url_verification", "token": "x", "challenge": "abc123"}).encode()
    response = post(channels, challenge, "application/json")
    assert response.status_code == 200 and response.json() == {"challenge": "abc123"}
    assert post(channels, b"not json", "application/json").status_code == 400
    assert post(channels, b"payload=%7Bnope", "application/x-www-form-urlencoded").status_code == 400
    assert post(channels, b"<xml/>", "text/xml").status_code == 400


def test_messages_from_bots_and_edits_are_ignored(channels: Stack):
    channel, user = new_conversation()
    from_bot = json.loads(event(QUESTION, channel, user))
    from_bot["event"]["bot_id"] = "B0BOT"
    edited = json.loads(event(QUESTION, channel, user))
    edited["event"]["subtype"] = "message_changed"
    for body in (from_bot, edited):
        assert post(channels, json.dumps(body).encode(), "application/json").status_code == 200
    ask(channels, channel, user, "hello")
    assert len(channels.slack.received(posts_to(channel))) == 1


# Pure helpers: the rules the webhook relies on.

@pytest.mark.parametrize("headers,age,problem", [
    ({}, 0, "missing signature"),
    ({"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=1"}, 0, "bad timestamp"),
    (None, 301, "stale timestamp"),
    (None, -301, "stale timestamp"),
    (None, 299, None),
])
def test_check_signature(headers, age, problem):
    now = 1_700_000_000
    body = b'{"a": 1}'
    if headers is None:
        headers = {"X-Slack-Request-Timestamp": str(now - age), "X-Slack-Signature": sign(body, now - age)}
    assert check_signature(SLACK_SECRET, headers, body, now=now) == problem
    if problem is None:
        assert check_signature("other", headers, body, now=now) == "wrong signature"


def test_mrkdwn_escapes_and_converts_links():
    assert mrkdwn("a < b & **c** [site](https://x.example/a?b=1&c=2)") == \
        "a &lt; b &amp; *c* <https://x.example/a?b=1&amp;c=2|site>"


def test_button_blocks_keep_payloads_and_links():
    blocks = button_blocks("Pick", [{"title": "One", "payload": "/greet"}, {"title": "Site", "url": "https://x.example"}])
    one, site = blocks[1]["elements"]
    assert one["value"] == "/greet" and "url" not in one
    assert site["url"] == "https://x.example" and "value" not in site
    assert chosen_blocks({"blocks": blocks}, "One")[-1]["elements"][0]["text"] == "You chose: *One*"
