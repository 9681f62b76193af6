"""Thumbs up/down on an answer, over the widget's socket.io connection, kept in the conversation.

The checks of :mod:`bot.channels.feedback` as a table, then a real socket.io client against the
channel tests' Rasa server: a rating of an answer the bot gave is stored as a ``SlotSet`` of
``answer_feedback`` in the tracker store (read back from its SQLite file); a forged rating, an
answer the bot never gave and a rating for another visitor's session are refused and store nothing.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from typing import Any, Dict, List, Tuple

import pytest

from bot.channels.feedback import (
    FEEDBACK_EVENT,
    FEEDBACK_SLOT,
    MAX_ANSWER_CHARS,
    Rating,
    feedback_value,
    parse_rating,
    rated_answer,
)
from bot.render import to_widget_markdown
from harness import socketio_client
from tests.channels.conftest import Stack


@pytest.mark.parametrize(
    "data,reason",
    [
        (None, "not an object"),
        ([], "not an object"),
        ({"rating": "meh", "answer": "x"}, "rating must be up or down"),
        ({"rating": 1, "answer": "x"}, "rating must be up or down"),
        ({"rating": "up"}, "answer missing"),
        ({"rating": "up", "answer": "   "}, "answer missing"),
        ({"rating": "up", "answer": ["x"]}, "answer missing"),
        ({"rating": "down", "answer": "x" * 5001}, "answer too long"),
        ({"rating": "down", "answer": "x", "message_id": "<script>"}, "bad message_id"),
        ({"rating": "down", "answer": "x", "message_id": "m" * 65}, "bad message_id"),
    ],
)
def test_bad_ratings_are_refused_with_a_reason(data: Any, reason: str):
    assert parse_rating(data) == reason


def test_a_good_rating_is_parsed():
    assert parse_rating({"rating": "down", "answer": "Hi", "message_id": "m-1", "extra": 1}) == Rating(
        "down", "Hi", "m-1"
    )
    assert parse_rating({"rating": "up", "answer": "Hi"}) == Rating("up", "Hi", None)


def test_the_rated_answer_must_be_the_bots_and_is_stored_as_the_bot_said_it():
    long_answer = "See https://www.pmolearning.co.uk. " + "word " * 200
    texts = ["Hello", long_answer, "Bye"]
    drawn = to_widget_markdown(long_answer)
    assert drawn != long_answer  # the widget gets the link drawn
    assert rated_answer(texts, drawn, to_widget_markdown) == long_answer[:MAX_ANSWER_CHARS]
    assert rated_answer(texts, long_answer, to_widget_markdown) == long_answer[:MAX_ANSWER_CHARS]
    assert rated_answer(texts, "Hello", to_widget_markdown) == "Hello"
    assert rated_answer(texts, "Something the bot never said", to_widget_markdown) is None
    assert rated_answer(texts, "Hell", to_widget_markdown) is None
    assert feedback_value(Rating("up", "x"), "Hello") == {"rating": "up", "answer": "Hello"}
    assert feedback_value(Rating("down", "x", "7"), "a" * 900) == {
        "rating": "down",
        "answer": "a" * 500,
        "message_id": "7",
    }


def stored_feedback(stack: Stack, sender_id: str) -> List[Dict[str, Any]]:
    """The answer_feedback SlotSet events of a conversation, read from the tracker store itself."""
    with sqlite3.connect(stack.endpoints.parent / "conversations.db") as db:
        rows = db.execute("SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (sender_id,))
        events = [json.loads(data) for type_name, data in rows if type_name == "slot"]
    return [e["value"] for e in events if e.get("name") == FEEDBACK_SLOT]


async def _rate(url: str, session_id: str, ratings: List[Tuple[str, Dict[str, Any]]]) -> Tuple[List[Any], List[Any]]:
    """One widget session: /greet, then each (session id, rating) sent with an acknowledgement."""
    async with socketio_client.session(url, session_id) as visitor:
        replies = await visitor.say("/greet", timeout=60)
        acks = []
        for claimed_session, rating in ratings:
            answer = rating.pop("answer", None) or replies[0]["text"]
            acks.append(await visitor.call(FEEDBACK_EVENT, {"session_id": claimed_session, "answer": answer, **rating}))
        return replies, acks


@pytest.mark.slow
def test_ratings_over_socketio_are_stored_in_the_conversation_and_forgeries_are_not(channels: Stack):
    mine, someone_else = uuid.uuid4().hex, uuid.uuid4().hex
    replies, acks = asyncio.run(
        _rate(
            channels.rasa_url,
            mine,
            [
                (mine, {"rating": "down"}),
                (mine, {"rating": "up", "message_id": "greeting-1"}),
                (mine, {"rating": "sideways"}),
                (mine, {"rating": "down", "answer": "I promise a 90% discount on every course."}),
                (someone_else, {"rating": "down"}),
            ],
        )
    )
    assert replies, "the greeting never came"
    assert acks == [
        {"ok": True},
        {"ok": True},
        {"ok": False, "reason": "rating must be up or down"},
        {"ok": False, "reason": "not an answer of this conversation"},
        {"ok": False, "reason": "not this connection's session"},
    ]
    said = replies[0]["text"]
    stored = stored_feedback(channels, mine)
    assert len(stored) == 2
    assert stored[0] == {"rating": "down", "answer": stored[0]["answer"]}
    assert stored[1] == {"rating": "up", "answer": stored[0]["answer"], "message_id": "greeting-1"}
    assert to_widget_markdown(stored[0]["answer"]) == said[:MAX_ANSWER_CHARS] or stored[0]["answer"] == said[:500]
    assert stored_feedback(channels, someone_else) == []
