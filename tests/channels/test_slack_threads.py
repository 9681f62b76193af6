"""Slack as people use it in a workspace, end to end against the stub Web API:
threads in channels, the App Home, Slack's rate limits and a revoked token."""

from __future__ import annotations

import time
from typing import Any, Dict, List

import pytest

from bot.render import to_slack_mrkdwn
from harness.stubs import Recorded
from tests.channels.conftest import RATE_LIMITED, REVOKED, Stack
from tests.channels.test_slack import (
    BOT,
    CATALOGUE,
    QUESTION,
    SECOND,
    ask,
    block_actions,
    callback,
    click,
    message_event,
    new_conversation,
    new_ts,
    post,
    posts_to,
    with_buttons,
)

pytestmark = pytest.mark.slow

MENTION = f"<@{BOT}> "


def send(stack: Stack, event: Dict[str, Any]) -> None:
    response = post(stack, callback(event), "application/json")
    assert response.status_code == 200, response.text


def in_thread(channel: str, thread_ts: str):
    return lambda r: posts_to(channel)(r) and r.json.get("thread_ts") == thread_ts


def texts(replies: List[Recorded]) -> List[str]:
    return [r.json["text"] for r in replies]


def drawn(expected: List[Dict[str, Any]]) -> List[str]:
    return [to_slack_mrkdwn(e["text"]) for e in expected]


def test_a_mention_starts_a_thread_that_everyone_in_it_shares(channels: Stack):
    say = channels.rest_conversation()
    listing, picked = say(CATALOGUE), say(SECOND)
    channel, alice = new_conversation("C")
    _, bob = new_conversation()
    root = new_ts()
    send(channels, message_event(MENTION + CATALOGUE, channel, alice, kind="app_mention", ts=root))
    # Slack also sends the channel's copy of the same message: not a second answer
    send(channels, message_event(MENTION + CATALOGUE, channel, alice, ts=root))
    shown = channels.slack.wait_for(posts_to(channel), len(listing))
    assert texts(shown) == drawn(listing)
    assert all(r.json.get("thread_ts") == root for r in shown)  # a new thread under the mention

    # Bob answers in the thread without mentioning the bot: the same conversation goes on
    send(channels, message_event(SECOND, channel, bob, thread_ts=root))
    replies = channels.slack.wait_for(posts_to(channel), len(listing) + len(picked))[len(listing) :]
    assert texts(replies) == drawn(picked)
    assert all(r.json.get("thread_ts") == root for r in replies)

    # Bob clicks a button there: answered in the thread, and the message says Bob chose
    *_, answer = replies
    *_, actions = answer.json["blocks"]
    button = actions["elements"][0]
    then = say(button["value"])
    before = len(listing) + len(picked)
    response = post(channels, click(answer.json, button, channel, bob), "application/x-www-form-urlencoded")
    assert response.status_code == 200, response.text
    clicked = channels.slack.wait_for(posts_to(channel), before + len(then))[before:]
    assert texts(clicked) == drawn(then) and all(r.json.get("thread_ts") == root for r in clicked)
    [update] = channels.slack.wait_for(lambda r: r.path == "/api/chat.update" and r.json.get("channel") == channel)
    assert update.json["blocks"][-1]["elements"][0]["text"].startswith(f"<@{bob}> chose")
    channels.assert_not_logged(CATALOGUE, SECOND)


def test_a_dm_and_a_thread_are_separate_conversations(channels: Stack):
    """Alice's DM does not lean on her thread in a channel (one tracker per DM, one per thread)."""
    say = channels.rest_conversation()
    listing, in_context = say(CATALOGUE), say(SECOND)
    fresh = channels.rest_conversation()(SECOND)
    assert drawn(fresh) != drawn(in_context)  # "the second one" means something only after a list
    channel, alice = new_conversation("C")
    root = new_ts()
    send(channels, message_event(MENTION + CATALOGUE, channel, alice, kind="app_mention", ts=root))
    channels.slack.wait_for(in_thread(channel, root), len(listing))
    dm, _ = new_conversation()
    replies = ask(channels, dm, alice, SECOND, replies=len(fresh))
    assert texts(replies) == drawn(fresh)


def test_the_bot_stays_out_of_threads_it_is_not_in_and_answers_a_mention_there(channels: Stack):
    hello = channels.rest_conversation()("hello")
    channel, user = new_conversation("C")
    someone_elses = new_ts()
    send(channels, message_event(QUESTION, channel, user))  # top-level chatter
    send(channels, message_event(QUESTION, channel, user, thread_ts=someone_elses))  # a thread without the bot
    # a mention inside that thread: answered there, and the bot now takes part in it
    send(channels, message_event(MENTION + "hello", channel, user, kind="app_mention", thread_ts=someone_elses))
    replies = channels.slack.wait_for(posts_to(channel), len(hello))
    assert texts(replies) == drawn(hello)
    assert all(r.json.get("thread_ts") == someone_elses for r in replies)
    time.sleep(0.5)
    assert len(channels.slack.received(posts_to(channel))) == len(hello)


def home_opened(user: str, tab: str, channel: str) -> Dict[str, Any]:
    return {"type": "app_home_opened", "user": user, "channel": channel, "tab": tab, "event_ts": new_ts()}


def home_click(button: Dict[str, Any], user: str) -> bytes:
    return block_actions(button, user, container={"type": "view", "view_id": "V1"}, view={"id": "V1", "type": "home"})


def test_app_home_and_the_first_direct_message_welcome_with_the_main_options(channels: Stack):
    greeting = with_buttons(channels.rest_conversation()("hello"))
    options = [(b["title"], b["payload"]) for b in greeting["buttons"]]
    _, user = new_conversation()
    dm = "D" + user[1:]  # the stub's conversations.open gives user "U…" the DM "D…"
    publishes = lambda r: r.path == "/api/views.publish" and r.json.get("user_id") == user  # noqa: E731

    send(channels, home_opened(user, "home", dm))
    [published] = channels.slack.wait_for(publishes)
    view = published.json["view"]
    assert view["type"] == "home"
    sections = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert "\n\n".join(sections) == to_slack_mrkdwn(greeting["text"])
    [actions] = [b for b in view["blocks"] if b["type"] == "actions"]
    assert [(e["text"]["text"], e["value"]) for e in actions["elements"]] == options

    send(channels, home_opened(user, "messages", dm))
    [welcome] = channels.slack.wait_for(posts_to(dm))
    assert welcome.json["text"] == to_slack_mrkdwn(greeting["text"])
    assert [(e["text"]["text"], e["value"]) for e in welcome.json["blocks"][-1]["elements"]] == options

    # opening again: no second welcome, and the Home view is not drawn again today
    send(channels, home_opened(user, "messages", dm))
    send(channels, home_opened(user, "home", dm))

    # a main option clicked on the Home tab is answered in the user's DM
    button = actions["elements"][1]
    expected = channels.rest_conversation()(button["value"])
    response = post(channels, home_click(button, user), "application/x-www-form-urlencoded")
    assert response.status_code == 200, response.text
    replies = channels.slack.wait_for(posts_to(dm), 1 + len(expected))[1:]
    assert texts(replies) == drawn(expected)
    assert len(channels.slack.received(publishes)) == 1
    assert len(channels.slack.received(posts_to(dm))) == 1 + len(expected)


def test_a_rate_limited_reply_is_sent_again_after_retry_after(channels: Stack):
    expected = channels.rest_conversation()("hello")
    channel, user = new_conversation(RATE_LIMITED)
    send(channels, message_event("hello", channel, user))
    refused, *sent = channels.slack.wait_for(posts_to(channel), len(expected) + 1, timeout=60)
    assert sent[0].json == refused.json  # the same reply, sent again
    assert sent[0].at - refused.at >= 1.0  # after the stub's Retry-After: 1
    assert texts(sent) == drawn(expected)
    time.sleep(0.5)
    assert len(channels.slack.received(posts_to(channel))) == len(expected) + 1  # no apology: it got through


def test_a_revoked_token_is_logged_once(channels: Stack):
    line = "Slack refused the bot token (token_revoked)"
    for _ in range(2):
        channel, user = new_conversation(REVOKED)
        post(channels, callback(message_event("hello", channel, user)), "application/json")
        channels.slack.wait_for(posts_to(channel), 2)  # the reply and then the apology, both refused
    deadline = time.monotonic() + 10
    while line not in channels.log.read_text(errors="replace") and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)
    assert channels.log.read_text(errors="replace").count(line) == 1
    ask(channels, *new_conversation(), "hello")  # other conversations are answered as usual
