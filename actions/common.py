"""Shared glue for actions: read the tracker, send a :class:`bot.answers.Reply`."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.answers import Reply, ask_level
from bot.knowledge_base import KnowledgeBase, default_knowledge_base
from bot.recommend import NeedLevel


def knowledge_base() -> KnowledgeBase:
    return default_knowledge_base()


def latest_entities(tracker: Tracker) -> List[Dict[str, Any]]:
    entities = (tracker.latest_message or {}).get("entities") or []
    return [e for e in entities if isinstance(e, dict)]


def entity_values(tracker: Tracker, name: str) -> List[str]:
    """Distinct string values of one entity in the latest message, in order."""
    values: List[str] = []
    for entity in latest_entities(tracker):
        value = entity.get("value")
        if entity.get("entity") == name and isinstance(value, str) and value not in values:
            values.append(value)
    return values


def role_mentions(tracker: Tracker, kb: KnowledgeBase) -> List[Dict[str, Any]]:
    """Role entities whose value is a real role (forged values are dropped)."""
    known = {role.name for role in kb.roles}
    seen: List[str] = []
    mentions = []
    for entity in latest_entities(tracker):
        value = entity.get("value")
        if entity.get("entity") == "role" and value in known and value not in seen:
            seen.append(value)
            mentions.append(entity)
    return mentions


def unknown_role_value(tracker: Tracker, kb: KnowledgeBase) -> Optional[str]:
    known = {role.name for role in kb.roles}
    for entity in latest_entities(tracker):
        if entity.get("entity") == "role" and entity.get("value") not in known:
            return str(entity.get("value"))
    return None


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    if reply.buttons:
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
    else:
        dispatcher.utter_message(text=reply.text)


def resume_recommendation(dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase) -> None:
    """After a side question, go back to the open 'what do you do now?' question."""
    if tracker.get_slot("awaiting_level"):
        reply = ask_level(kb, NeedLevel())
        send(dispatcher, Reply("Back to choosing your course: which of these is closest to what you do now?", reply.buttons))
