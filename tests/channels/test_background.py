"""Slack and Teams answer in the background: a failed turn gets the apology there too."""

from __future__ import annotations

import asyncio
from typing import Any, List

import pytest
from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.channels.background import BackgroundTasks
from bot.channels.rest import APOLOGY
from bot.serving import mark_action_failed


class Recording(OutputChannel):
    def __init__(self) -> None:
        self.sent: List[str] = []

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.sent.append(text)


async def answered(on_new_message) -> List[str]:
    output = Recording()
    tasks = BackgroundTasks("Slack")
    tasks.answer(on_new_message, UserMessage("what does a PMO analyst do?", output, "U1"))
    while len(tasks):
        await asyncio.sleep(0.01)
    return output.sent


async def action_timed_out(message: UserMessage) -> None:
    await message.output_channel.send_text_message(message.sender_id, "Let me see.")
    mark_action_failed()  # what bot.serving's action-call patch records on a time-out


async def crashed(message: UserMessage) -> None:
    raise RuntimeError("boom")


async def fine(message: UserMessage) -> None:
    await message.output_channel.send_text_message(message.sender_id, "A PMO Analyst ...")


@pytest.mark.parametrize(
    "turn,expected",
    [
        (action_timed_out, ["Let me see.", APOLOGY]),
        (crashed, [APOLOGY]),
        (fine, ["A PMO Analyst ..."]),
    ],
)
def test_a_failed_turn_gets_the_apology_and_a_good_one_does_not(turn, expected):
    assert asyncio.run(answered(turn)) == expected


@pytest.mark.parametrize("fails", [False, True])
def test_before_runs_ahead_of_the_turn_and_never_stops_it(fails):
    """Teams shows its typing indicator this way; if that fails the user still gets the answer."""
    order: List[str] = []

    async def typing() -> None:
        order.append("typing")
        if fails:
            raise ConnectionError("Bot Connector unreachable")

    async def turn(message: UserMessage) -> None:
        order.append("turn")
        await fine(message)

    async def go() -> List[str]:
        output = Recording()
        tasks = BackgroundTasks("Teams")
        tasks.answer(turn, UserMessage("hi", output, "U1"), before=typing)
        while len(tasks):
            await asyncio.sleep(0.01)
        return output.sent

    assert asyncio.run(go()) == ["A PMO Analyst ..."]
    assert order == ["typing", "turn"]
