"""Handing over to a person at PMO Learning."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge_base, send
from bot import answers


class ActionContactTeam(Action):
    def name(self) -> Text:
        return "action_contact_team"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        send(dispatcher, answers.contact(knowledge_base()))
        return []
