"""Shared glue for actions: read the tracker, call :mod:`bot.dialogue`, send replies.

Every answering action is an :class:`AnswerAction` with a Rasa name and the
job it asks of :func:`bot.dialogue.respond`; the decisions live there.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any, Dict, List, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

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
    for reply in outcome.replies:
        send(dispatcher, reply)
    return events


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
