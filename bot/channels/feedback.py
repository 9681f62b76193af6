"""Thumbs up or down on an answer in the widget, kept as an event of that conversation.

The widget sends ``{"session_id", "rating", "answer"[, "message_id"]}`` as the socket.io
event :data:`FEEDBACK_EVENT` (see :mod:`bot.channels.socketio`, which checks the sender
and the rate). What is stored is the contract the insights page reads
(``bot.insights``): a ``SlotSet`` event for the slot :data:`FEEDBACK_SLOT` whose value is
``{"rating": "up" | "down", "answer": "<the bot's text, at most 500 characters>"}``, plus
``"message_id"`` when the widget gave one.

The answer is not taken on trust: it must be one of the bot's recent messages in the
conversation's current session (as stored, or as drawn for the widget), and the stored text
is the conversation's own, so a visitor cannot plant text in the team's insights page.
The event is appended under the conversation's lock, like a turn, so it never races one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Union

FEEDBACK_EVENT = "pmo_feedback"
FEEDBACK_SLOT = "answer_feedback"
RATINGS = ("up", "down")
MAX_ANSWER_CHARS = 500  # what is stored
MAX_CLAIMED_ANSWER_CHARS = 5_000  # what the widget may send (the socket.io channel's text cap)
RECENT_EVENTS = 300  # only answers among the conversation's last events can be rated
MESSAGE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
LOCK_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Rating:
    rating: str
    answer: str  # as the widget says it showed it; checked against the conversation
    message_id: Optional[str] = None


def parse_rating(data: Any) -> Union[Rating, str]:
    """The rating in a widget's event, or why it is refused (a short reason, no user text)."""
    if not isinstance(data, dict):
        return "not an object"
    rating, answer, message_id = data.get("rating"), data.get("answer"), data.get("message_id")
    if rating not in RATINGS:
        return "rating must be up or down"
    if not isinstance(answer, str) or not answer.strip():
        return "answer missing"
    if len(answer) > MAX_CLAIMED_ANSWER_CHARS:
        return "answer too long"
    if message_id is not None and not (isinstance(message_id, str) and MESSAGE_ID.fullmatch(message_id)):
        return "bad message_id"
    return Rating(str(rating), answer, message_id)


def rated_answer(bot_texts: Sequence[str], claimed: str, draw: Callable[[str], str]) -> Optional[str]:
    """The stored text (cut to :data:`MAX_ANSWER_CHARS`) of the newest bot message the claim is.

    ``draw`` is how the channel drew a text for the widget; the widget may send
    either the text it received or the stored one.
    """
    for text in reversed(bot_texts):
        if claimed == text or claimed == draw(text):
            return text[:MAX_ANSWER_CHARS]
    return None


def feedback_value(rating: Rating, answer: str) -> Dict[str, Any]:
    value: Dict[str, Any] = {"rating": rating.rating, "answer": answer[:MAX_ANSWER_CHARS]}
    if rating.message_id is not None:
        value["message_id"] = rating.message_id
    return value


def bot_texts(events: Iterable[Any]) -> List[str]:
    """The texts of the bot messages among the last :data:`RECENT_EVENTS` events."""
    from rasa.shared.core.events import BotUttered

    recent = list(events)[-RECENT_EVENTS:]
    return [e.text for e in recent if isinstance(e, BotUttered) and isinstance(e.text, str) and e.text]


async def record(agent: Any, sender_id: str, rating: Rating, draw: Callable[[str], str]) -> Optional[str]:
    """Append the rating to ``sender_id``'s conversation; None when stored, else why not.

    Uses the agent's lock store and tracker store, as a turn does (the project's SQL
    store does its database work off the event loop and bounds each call).
    """
    from rasa.shared.core.events import SlotSet

    async with agent.lock_store.lock(sender_id, wait_time_in_seconds=LOCK_POLL_SECONDS):
        tracker = await agent.tracker_store.retrieve(sender_id)
        if tracker is None:
            return "no such conversation"
        answer = rated_answer(bot_texts(tracker.events), rating.answer, draw)
        if answer is None:
            return "not an answer of this conversation"
        tracker.update(SlotSet(FEEDBACK_SLOT, feedback_value(rating, answer)))
        await agent.tracker_store.save(tracker)
    return None
