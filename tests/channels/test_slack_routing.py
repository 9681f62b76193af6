"""Which Slack messages the bot answers, where, and in which conversation."""

from __future__ import annotations

from typing import Any, Dict, Optional

import pytest

from bot.channels.slack_routing import Route, bot_user_ids, route

BOT = "U0BOT"


def message(
    kind: str = "message",
    channel: str = "C1",
    ts: str = "100.1",
    thread: Optional[str] = None,
    text: str = "what does a PMO analyst do?",
    **extra: Any,
) -> Dict[str, Any]:
    event = {
        "type": kind,
        "channel": channel,
        "ts": ts,
        "user": "U1",
        "text": text,
        "channel_type": "im" if channel.startswith("D") else "channel",
    }
    if thread:
        event["thread_ts"] = thread
    event.update(extra)
    return event


@pytest.mark.parametrize(
    "event,expected",
    [
        # a DM: one conversation per DM channel, whoever writes and whatever the ts
        (message(channel="D1"), Route("slack:D1", "D1", None)),
        (message(channel="D1", ts="200.2"), Route("slack:D1", "D1", None)),
        (message(channel="D1", thread="100.1", ts="200.2"), Route("slack:D1", "D1", "100.1")),
        # a mention at the top of a channel: a new thread under it, which the bot joins
        (message("app_mention", text=f"<@{BOT}> hi"), Route("slack:C1:100.1", "C1", "100.1", joins_thread=True)),
        # a mention inside a thread: answered in that thread
        (
            message("app_mention", thread="50.5", text=f"<@{BOT}> hi"),
            Route("slack:C1:50.5", "C1", "50.5", joins_thread=True),
        ),
        # a follow-up in a thread, no mention: answered only if the bot takes part in it
        (message(thread="100.1", ts="200.2"), Route("slack:C1:100.1", "C1", "100.1", needs_bot_thread=True)),
        (
            message(channel="G1", thread="100.1", ts="200.2", channel_type="group"),
            Route("slack:G1:100.1", "G1", "100.1", needs_bot_thread=True),
        ),
        # ignored: top-level chatter, the channel copy of a mention, the thread's root, bots, edits, joins
        (message(), None),
        (message(thread="100.1", ts="200.2", text=f"<@{BOT}> and this?"), None),
        (message(thread="100.1", ts="100.1"), None),
        (message(channel="D1", bot_id="B1"), None),
        (message(channel="D1", subtype="message_changed"), None),
        (message(subtype="channel_join", thread="100.1", ts="200.2"), None),
        (message(channel="D1", text=""), None),
        (message("reaction_added", channel="D1"), None),
    ],
)
def test_route(event, expected):
    assert route(event, [BOT]) == expected


def test_the_listening_channel_is_answered_like_a_mention():
    assert route(message(channel="C9"), [BOT], listen_channel="C9") == Route(
        "slack:C9:100.1", "C9", "100.1", joins_thread=True
    )


def test_users_and_threads_never_share_a_conversation_by_accident():
    dm = route(message(channel="D1"), [BOT])
    mention = route(message("app_mention", text=f"<@{BOT}> hi"), [BOT])
    other = route(message("app_mention", ts="300.3", text=f"<@{BOT}> hi"), [BOT])
    assert dm and mention and other
    assert len({dm.conversation_id, mention.conversation_id, other.conversation_id}) == 3


def test_bot_user_ids():
    assert bot_user_ids({"authorizations": [{"user_id": BOT}, {"user_id": "U2"}]}) == [BOT]
    assert bot_user_ids({"authed_users": [BOT]}) == [BOT]
    assert bot_user_ids({}) == []
    for odd in ({"authorizations": {"user_id": BOT}}, {"authorizations": 7}, {"authed_users": "U0BOT"}):
        assert bot_user_ids(odd) == []  # hostile shapes: no ids, no crash
