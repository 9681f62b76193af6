"""Slack, end to end: signed Events API and interactivity requests to the
running server's webhook, replies captured on a local stub of Slack's Web API.
Direct messages here; threads, App Home, rate limits and tokens in test_slack_threads.py.

Over 300 lines: one Slack server, many checks through it.
"""

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

from bot.channels.slack import MAX_SECTION_CHARS, button_blocks, check_signature, chosen_blocks, split_sections
from bot.knowledge_base import default_knowledge_base
from bot.render import to_slack_mrkdwn
from harness.stubs import Recorded
from tests.channels.conftest import SLACK_SECRET, SLACK_TOKEN, Stack

pytestmark = pytest.mark.slow

QUESTION = "what does a PMO analyst do?"
CATALOGUE = "what courses do you have?"
SECOND = "the second one"


def sign(body: bytes, timestamp: int, secret: str = SLACK_SECRET) -> str:
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def post(
    stack: Stack,
    body: bytes,
    content_type: str,
    *,
    secret: str = SLACK_SECRET,
    age: int = 0,
    extra: Optional[Dict[str, str]] = None,
    signed: bool = True,
) -> requests.Response:
    timestamp = int(time.time()) - age
    headers = {"Content-Type": content_type}
    if signed:
        headers.update(
            {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": sign(body, timestamp, secret)}
        )
    headers.update(extra or {})
    return requests.post(stack.slack_webhook, data=body, headers=headers, timeout=30)


BOT = "U0BOT"


def new_ts() -> str:
    return f"{time.time():.6f}"


def callback(event: Dict[str, Any], event_id: Optional[str] = None) -> bytes:
    return json.dumps(
        {
            "token": "deprecated-verification-token",
            "team_id": "T0TEAM",
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10]}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T0TEAM", "user_id": BOT, "is_bot": True}],
            "event": event,
        }
    ).encode()


def message_event(
    text: str,
    channel: str,
    user: str,
    *,
    kind: str = "message",
    ts: Optional[str] = None,
    thread_ts: Optional[str] = None,
) -> Dict[str, Any]:
    ts = ts or new_ts()
    event = {
        "type": kind,
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "client_msg_id": str(uuid.uuid4()),
    }
    if kind == "message":
        event["channel_type"] = "im" if channel.startswith("D") else "channel"
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def event(text: str, channel: str, user: str, event_id: Optional[str] = None) -> bytes:
    """A direct message."""
    return callback(message_event(text, channel, user), event_id)


def block_actions(button: Dict[str, Any], user: str, **where: Any) -> bytes:
    """Slack's interactivity request for a click on ``button``; ``where`` says where the button was."""
    payload = {
        "type": "block_actions",
        "user": {"id": user, "team_id": "T0TEAM"},
        "api_app_id": "A0APP",
        "team": {"id": "T0TEAM"},
        "trigger_id": "1.2.3",
        **where,
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": "pmo_choices",
                "text": button["text"],
                "value": button["value"],
                "action_ts": new_ts(),
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def click(message: Dict[str, Any], button: Dict[str, Any], channel: str, user: str) -> bytes:
    """A click on a button of ``message`` (a body the bot posted)."""
    ts = message.get("ts") or new_ts()
    thread = {"thread_ts": message["thread_ts"]} if message.get("thread_ts") else {}
    return block_actions(
        button,
        user,
        container={"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
        channel={"id": channel, "name": "directmessage"},
        message={
            "type": "message",
            "ts": ts,
            "bot_id": "B0BOT",
            "text": message["text"],
            "blocks": message["blocks"],
            **thread,
        },
        response_url="https://hooks.slack.invalid/actions/1",
    )


def posts_to(channel: str):
    return lambda r: r.path == "/api/chat.postMessage" and r.json.get("channel") == channel


def new_conversation(prefix: str = "D") -> tuple:
    return f"{prefix}{uuid.uuid4().hex[:10].upper()}", f"U{uuid.uuid4().hex[:10].upper()}"


def ask(stack: Stack, channel: str, user: str, text: str = QUESTION, replies: int = 1) -> List[Recorded]:
    before = len(stack.slack.received(posts_to(channel)))
    reply = post(stack, event(text, channel, user), "application/json")
    assert reply.status_code == 200, reply.text
    return stack.slack.wait_for(posts_to(channel), before + replies)[before:]


def with_buttons(replies: List[Dict[str, Any]]) -> Dict[str, Any]:
    *_, last = replies
    assert last.get("buttons"), f"expected an answer with buttons, the REST channel said {replies}"
    return last


def test_question_gets_the_whole_answer_with_block_kit_buttons(channels: Stack):
    expected = channels.rest_conversation()(QUESTION)
    answer = with_buttons(expected)
    channel, user = new_conversation()
    *earlier, reply = ask(channels, channel, user, replies=len(expected))
    assert [post.json["text"] for post in earlier] == [to_slack_mrkdwn(e["text"]) for e in expected[:-1]]
    assert reply.headers["authorization"] == f"Bearer {SLACK_TOKEN}"
    body = reply.json
    assert "as_user" not in body
    *sections, actions = body["blocks"]
    assert sections and all(s["type"] == "section" and s["text"]["type"] == "mrkdwn" for s in sections)
    # the whole answer, in mrkdwn, in the blocks and in the notification text
    assert "\n\n".join(s["text"]["text"] for s in sections) == to_slack_mrkdwn(answer["text"]) == body["text"]
    assert actions["type"] == "actions"
    assert [(b["type"], b["text"]["text"], b["value"]) for b in actions["elements"]] == [
        ("button", button["title"], button["payload"]) for button in answer["buttons"]
    ]
    assert len({b["action_id"] for b in actions["elements"]}) == len(answer["buttons"])
    channels.assert_not_logged(QUESTION)


def test_button_click_comes_back_as_the_right_intent(channels: Stack):
    say = channels.rest_conversation()
    first = say(QUESTION)
    choice = with_buttons(first)["buttons"][1]
    expected = say(choice["payload"])
    channel, user = new_conversation()
    *_, answer = ask(channels, channel, user, replies=len(first))
    *_, actions = answer.json["blocks"]
    button = actions["elements"][1]
    assert button["value"] == choice["payload"]
    response = post(channels, click(answer.json, button, channel, user), "application/x-www-form-urlencoded")
    assert response.status_code == 200, response.text
    replies = channels.slack.wait_for(posts_to(channel), len(first) + len(expected))[len(first) :]
    assert [r.json["text"] for r in replies] == [to_slack_mrkdwn(e["text"]) for e in expected]
    # the clicked message now shows the choice instead of its buttons
    [update] = channels.slack.wait_for(lambda r: r.path == "/api/chat.update" and r.json.get("channel") == channel)
    assert [b["type"] for b in update.json["blocks"]][-1] == "context"
    assert "actions" not in [b["type"] for b in update.json["blocks"]]
    # it names who clicked (Slack draws <@U…> as the person's name)
    assert update.json["blocks"][-1]["elements"][0]["text"] == f"<@{user}> chose: *{to_slack_mrkdwn(choice['title'])}*"


def test_a_direct_message_follow_up_leans_on_the_conversation(channels: Stack):
    """In a DM: the course list, "the second one", then a "more" button on that answer."""
    say = channels.rest_conversation()
    listing = say(CATALOGUE)
    second = with_buttons(listing)["buttons"][1]["title"]
    assert second == default_knowledge_base().courses[1].name  # the list is the knowledge base's, in order
    picked = say(SECOND)
    more = next(b for b in with_buttons(picked)["buttons"] if '"attribute"' in b["payload"])
    then = say(more["payload"])

    channel, user = new_conversation()
    shown = ask(channels, channel, user, CATALOGUE, replies=len(listing))
    assert [r.json["text"] for r in shown] == [to_slack_mrkdwn(e["text"]) for e in listing]
    replies = ask(channels, channel, user, SECOND, replies=len(picked))
    assert [r.json["text"] for r in replies] == [to_slack_mrkdwn(e["text"]) for e in picked]
    *_, answer = replies
    assert to_slack_mrkdwn(second) in answer.json["text"]

    # a "more" button on that answer: the same intent, entities and answer as over REST
    *_, actions = answer.json["blocks"]
    button = next(b for b in actions["elements"] if b["value"] == more["payload"])
    before = len(shown) + len(replies)
    response = post(channels, click(answer.json, button, channel, user), "application/x-www-form-urlencoded")
    assert response.status_code == 200, response.text
    clicked = channels.slack.wait_for(posts_to(channel), before + len(then))[before:]
    assert [r.json["text"] for r in clicked] == [to_slack_mrkdwn(e["text"]) for e in then]
    assert to_slack_mrkdwn(second) in clicked[-1].json["text"]
    [update] = channels.slack.wait_for(lambda r: r.path == "/api/chat.update" and r.json.get("channel") == channel)
    assert to_slack_mrkdwn(more["title"]) in update.json["blocks"][-1]["elements"][0]["text"]
    channels.assert_not_logged(CATALOGUE, SECOND)


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
        response = requests.post(
            channels.slack_webhook,
            data=body.replace(b"analyst", b"manager"),
            timeout=30,
            headers={
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": str(timestamp),
                "X-Slack-Signature": sign(body, timestamp),
            },
        )
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


@pytest.mark.parametrize(
    "headers,age,problem",
    [
        ({}, 0, "missing signature"),
        ({"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=1"}, 0, "bad timestamp"),
        (None, 301, "stale timestamp"),
        (None, -301, "stale timestamp"),
        (None, 299, None),
    ],
)
def test_check_signature(headers, age, problem):
    now = 1_700_000_000
    body = b'{"a": 1}'
    if headers is None:
        headers = {"X-Slack-Request-Timestamp": str(now - age), "X-Slack-Signature": sign(body, now - age)}
    assert check_signature(SLACK_SECRET, headers, body, now=now) == problem
    if problem is None:
        assert check_signature("other", headers, body, now=now) == "wrong signature"


def test_mrkdwn_escapes_and_converts_links():
    assert (
        to_slack_mrkdwn("a < b & **c** [site](https://x.example/a?b=1&c=2)")
        == "a &lt; b &amp; *c* <https://x.example/a?b=1&amp;c=2|site>"
    )


def test_a_long_answer_with_buttons_is_carried_whole():
    paragraphs = [f"Paragraph {n}: " + " ".join(["word"] * 150) for n in range(12)]  # about 9,000 characters
    text = (
        "\n\n".join(paragraphs[:6])
        + "\n\n"
        + "\n".join(f"- item {n} of the list" for n in range(40))
        + "\n\n"
        + "\n\n".join(paragraphs[6:])
    )
    blocks = button_blocks(text, [{"title": "One", "payload": "/greet"}])
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert blocks[-1]["type"] == "actions" and len(sections) > 1
    assert all(0 < len(section) <= MAX_SECTION_CHARS for section in sections)
    assert "\n\n".join(sections) == to_slack_mrkdwn(text)  # cut only between paragraphs
    assert sum("\u2022 item 39 of the list" in section for section in sections) == 1


def test_split_sections_cuts_lines_then_words():
    lines = "\n".join(["x" * 10] * 5)  # 54 characters
    assert split_sections(lines, 25) == ["x" * 10 + "\n" + "x" * 10, "x" * 10 + "\n" + "x" * 10, "x" * 10]
    assert split_sections("aaa bbb ccc", 7) == ["aaa bbb", "ccc"]
    assert split_sections("a" * 10, 4) == ["aaaa", "aaaa", "aa"]
    assert split_sections("") == [""]


def test_button_blocks_keep_payloads_and_links():
    blocks = button_blocks(
        "Pick", [{"title": "One", "payload": "/greet"}, {"title": "Site", "url": "https://x.example"}]
    )
    one, site = blocks[1]["elements"]
    assert one["value"] == "/greet" and "url" not in one
    assert site["url"] == "https://x.example" and "value" not in site
    assert chosen_blocks({"blocks": blocks}, "One")[-1]["elements"][0]["text"] == "You chose: *One*"
    assert chosen_blocks({"blocks": blocks}, "One", "U7")[-1]["elements"][0]["text"] == "<@U7> chose: *One*"
