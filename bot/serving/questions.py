"""Behaviour: "what's a scheduler and which course suits them?" is two turns.

See :mod:`bot.nlu.clauses` for why the text is split before NLU rather than with
Rasa's multi-intents. Installed after the arrival-order gate, so each clause goes
through the gate as its own message.
"""

from __future__ import annotations

import copy
from typing import Any

from bot.serving.patching import expect_function, originals, replace

NAME = "one turn per question in a message"


def install() -> None:
    from rasa.core.processor import MessageProcessor

    from bot.nlu.clauses import split_questions

    original = expect_function(
        "one turn per question in a message", MessageProcessor, "handle_message", ("self", "message"), is_async=True
    )
    originals["MessageProcessor.handle_message (questions)"] = original

    async def handle_message(self: MessageProcessor, message: Any) -> Any:
        clauses = split_questions(message.text) if isinstance(message.text, str) else [message.text]
        if len(clauses) < 2:
            return await original(self, message)
        result = None
        for index, clause in enumerate(clauses):
            part = copy.copy(message)
            part.text = clause
            if index and part.message_id:
                part.message_id = f"{part.message_id}-{index}"
            # A collecting channel (REST) gathers every clause's replies in one list,
            # which each call returns; other channels have sent theirs already.
            result = await original(self, part)
        return result

    replace(MessageProcessor, "handle_message", handle_message)
