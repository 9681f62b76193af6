"""The socket.io channel accepts browsers only from the configured origins."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, Dict, List

import pytest
import requests

from bot.channels.socketio import link_urls, parse_origins
from tests.channels.conftest import Stack

pytestmark = pytest.mark.slow


def handshake(stack: Stack, origin: str) -> requests.Response:
    return requests.get(
        stack.rasa_url + "/socket.io/",
        params={"EIO": "4", "transport": "polling"},
        headers={"Origin": origin},
        timeout=10,
    )


def test_configured_origin_is_accepted_with_cors_headers(channels: Stack):
    response = handshake(channels, channels.page_url)
    assert response.status_code == 200 and '"sid"' in response.text
    assert response.headers["Access-Control-Allow-Origin"] == channels.page_url


@pytest.mark.parametrize("origin", ["http://evil.example", "http://localhost:8000", "null"])
def test_other_origins_are_refused(channels: Stack, origin: str):
    response = handshake(channels, origin)
    assert response.status_code == 400
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize(
    "value,origins",
    [
        (["https://www.pmolearning.co.uk/"], ["https://www.pmolearning.co.uk"]),
        ("https://a.example", ["https://a.example"]),
        ("*", "*"),
        (None, []),
    ],
)
def test_parse_origins(value, origins):
    assert parse_origins(value) == origins


def test_parse_origins_rejects_nonsense():
    with pytest.raises(ValueError):
        parse_origins([1, 2])


@pytest.mark.parametrize(
    "text,linked",
    [
        (
            "(use the form on https://www.pmolearning.co.uk.)",
            "(use the form on [https://www.pmolearning.co.uk](https://www.pmolearning.co.uk).)",
        ),
        (
            "see https://a.example/p?q=1&r=2, then",
            "see [https://a.example/p?q=1&r=2](https://a.example/p?q=1&r=2), then",
        ),
        ("already [a link](https://a.example/x).", "already [a link](https://a.example/x)."),
        ("no links here", "no links here"),
    ],
)
def test_bare_urls_become_exact_links(text, linked):
    assert link_urls(text) == linked


def test_a_socketio_visitor_gets_the_answer(channels: Stack):
    import asyncio
    import uuid

    from harness import socketio_client

    replies = asyncio.run(socketio_client.converse(channels.rasa_url, uuid.uuid4().hex, "what does a PMO analyst do?"))
    assert replies and "PMO Analyst" in replies[0].get("text", "")


TWO_QUESTIONS = "what's a scheduler and which course suits them?"


async def _visit(
    url: str, turns: List[tuple], timeout: float = 60.0, settle: float = 1.0
) -> List[List[Dict[str, Any]]]:
    """One widget session: for each (message, replies expected), send it and collect its bot_uttered
    messages, then wait ``settle`` seconds for any extra one."""
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    received: List[Dict[str, Any]] = []
    confirmed = asyncio.Event()
    session = uuid.uuid4().hex
    client.on("session_confirm", lambda _: confirmed.set())
    client.on("bot_uttered", lambda data: received.append(data))

    async def until(count: int) -> None:
        while len(received) < count:
            await asyncio.sleep(0.05)

    await client.connect(url, transports=["websocket"], wait_timeout=timeout)
    try:
        await client.emit("session_request", {"session_id": session})
        await asyncio.wait_for(confirmed.wait(), timeout)
        answers = []
        for message, count in turns:
            before = len(received)
            await client.emit("user_uttered", {"message": message, "session_id": session})
            await asyncio.wait_for(until(before + count), timeout)
            await asyncio.sleep(settle)
            answers.append(received[before:])
        return answers
    finally:
        await client.disconnect()


def test_two_questions_in_one_message_are_answered_in_order(channels: Stack):
    from bot.knowledge_base import default_knowledge_base
    from bot.render import to_widget_markdown

    kb = default_knowledge_base()
    role = next(r for r in kb.roles if "Scheduler" in r.titles)
    course = kb.course(kb.recommendation_for(role.level).main)
    expected = channels.rest_conversation()(TWO_QUESTIONS)
    assert len(expected) >= 2, expected
    [replies] = asyncio.run(_visit(channels.rasa_url, [(TWO_QUESTIONS, len(expected))]))
    # what the REST channel says, drawn for the widget, with the same quick replies
    assert [r["text"] for r in replies] == [to_widget_markdown(e["text"]) for e in expected]
    assert [[q.get("payload") for q in r.get("quick_replies", [])] for r in replies] == [
        [b.get("payload") for b in e.get("buttons", [])] for e in expected
    ]
    # the role first, then its course
    texts = [r["text"] for r in replies]
    assert role.name in texts[0]
    assert course.name in texts[1]


class _RecordingServer:
    """Stands in for python-socketio's server: records what would be emitted."""

    def __init__(self):
        self.emitted = []

    async def emit(self, event, data, room=None, **_):
        self.emitted.append((event, data, room))


@pytest.mark.parametrize("turn", ["silent", "fails"])
def test_a_turn_that_sends_nothing_gets_the_apology(turn):
    import asyncio

    from rasa.core.channels.channel import UserMessage

    from bot.channels.rest import APOLOGY
    from bot.channels.socketio import SocketIOOutput, answer_or_apologise

    async def on_new_message(message):
        if turn == "fails":
            raise RuntimeError("action server unreachable: user text must not be logged")

    server = _RecordingServer()
    output = SocketIOOutput(server, "bot_uttered")
    asyncio.run(answer_or_apologise(on_new_message, UserMessage("hi", output, "session-1"), output))
    assert server.emitted == [("bot_uttered", {"text": link_urls(APOLOGY)}, "session-1")]


def test_a_turn_that_answers_gets_no_apology():
    import asyncio

    from rasa.core.channels.channel import UserMessage

    from bot.channels.socketio import SocketIOOutput, answer_or_apologise

    async def on_new_message(message):
        await message.output_channel.send_text_message(message.sender_id, "Hello!")

    server = _RecordingServer()
    output = SocketIOOutput(server, "bot_uttered")
    asyncio.run(answer_or_apologise(on_new_message, UserMessage("hi", output, "session-1"), output))
    assert server.emitted == [("bot_uttered", {"text": "Hello!"}, "session-1")]


def test_an_answer_is_one_message_drawn_for_the_widget():
    import asyncio

    from bot.channels.socketio import SocketIOOutput
    from bot.render import to_widget_markdown

    text = "They:\n- plan\n- report\nPrices are on https://www.pmolearning.co.uk.\n\nAnything else?"
    server = _RecordingServer()
    output = SocketIOOutput(server, "bot_uttered")
    asyncio.run(
        output.send_text_with_buttons(
            "session-1",
            text,
            [{"title": "Courses", "payload": "/ask_course_list"}, {"title": "Website", "url": "https://x.example"}],
        )
    )
    asyncio.run(output.send_text_message("session-1", text))
    drawn = to_widget_markdown(text)
    assert "- report\n\nPrices are on [https://www.pmolearning.co.uk](https://www.pmolearning.co.uk)." in drawn
    assert server.emitted == [
        (
            "bot_uttered",
            {
                "text": drawn,
                "quick_replies": [
                    {"content_type": "text", "title": "Courses", "payload": "/ask_course_list"},
                    {"content_type": "text", "type": "web_url", "title": "Website", "url": "https://x.example"},
                ],
            },
            "session-1",
        ),
        ("bot_uttered", {"text": drawn}, "session-1"),
    ]
    assert output.sent == 2
