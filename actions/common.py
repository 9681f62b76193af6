"""Shared glue for actions: read the tracker, call :mod:`bot.dialogue`, send replies.

Every answering action is an :class:`AnswerAction` with a Rasa name and the
job it asks of :func:`bot.dialogue.respond`; the decisions live there.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any, Dict, List, Set, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import answers
from bot.answers import Reply
from bot.dialogue import SLOTS, Context, Outcome, Turn, context_from_slots, respond, slots_from_context
from bot.knowledge_base import KnowledgeBase, default_knowledge_base


def knowledge_base() -> KnowledgeBase:
    return default_knowledge_base()


def turn_from(tracker: Tracker) -> Turn:
    message = tracker.latest_message or {}
    entities = tuple(e for e in (message.get("entities") or []) if isinstance(e, dict))
    intent = str((message.get("intent") or {}).get("name") or "")
    return Turn(intent=intent, entities=entities, text=str(message.get("text") or ""))


def context_from(tracker: Tracker, kb: KnowledgeBase) -> Context:
    return context_from_slots(kb, {name: tracker.get_slot(name) for name in SLOTS})


def send(dispatcher: CollectingDispatcher, reply: Reply, buttons: bool = True) -> None:
    if reply.buttons and buttons:
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
    else:
        dispatcher.utter_message(text=reply.text)


def respond_to(tracker: Tracker, job: str) -> Tuple[Outcome, List[Dict[Text, Any]]]:
    """One job of :func:`bot.dialogue.respond` for the latest message: the outcome and its slot events."""
    kb = knowledge_base()
    before = context_from(tracker, kb)
    outcome = respond(kb, job, turn_from(tracker), before)
    return outcome, [SlotSet(name, value) for name, value in slots_from_context(before, outcome.context).items()]


def answer(dispatcher: CollectingDispatcher, tracker: Tracker, job: str) -> List[Dict[Text, Any]]:
    """Run one job of :func:`bot.dialogue.respond`, send its replies, return the slot events."""
    outcome, events = respond_to(tracker, job)
    said = said_for_this_message(tracker)
    if said and outcome.replies and all(r.kind in ("fallback", "out_of_scope") for r in outcome.replies):
        # a later question of a message whose first was answered: not "outside what I can help with"
        outcome.replies = [answers.last_part_not_followed(knowledge_base())]
    for reply in outcome.replies:
        if reply.text not in said:  # two questions of one message answered by the same reply: once
            send(dispatcher, reply)
    return events


def said_for_this_message(tracker: Tracker) -> Set[str]:
    """What the bot already answered to earlier questions of the same message (bot.serving.questions
    sends each question of a message as its own turn, with message ids "<id>", "<id>-1", "<id>-2"...)."""
    events = list(tracker.events or [])
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if len(users) < 2:
        return set()
    base = str(events[users[-1]].get("message_id") or "").rsplit("-", 1)
    if len(base) != 2 or not base[1].isdigit():
        return set()  # the first question of a message (or a message of one question)
    said: Set[str] = set()
    for start in reversed(users[:-1]):
        if not str(events[start].get("message_id") or "").startswith(base[0]):
            break
        said |= {str(e.get("text")) for e in events[start + 1 : users[-1]] if e.get("event") == "bot" and e.get("text")}
    return said


class AnswerAction(Action, metaclass=ABCMeta):
    """An action that answers through one job of :mod:`bot.dialogue` (abstract, so the SDK skips it)."""

    action_name: Text = ""

    @property
    @abstractmethod
    def job(self) -> str: ...

    def name(self) -> Text:
        return self.action_name

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        return answer(dispatcher, tracker, self.job)
