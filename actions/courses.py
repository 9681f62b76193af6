"""Ways to train: the one answering action that does more than answer (decisions in bot.dialogue).

The other answering actions are generated from the table in :mod:`bot.jobs` (actions/answers.py).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import AnswerAction, respond_to, send, turn_from
from bot.enquiries import enquiry_topic

_ASKS_FOR_THE_TEAM = re.compile(
    r"\b(get in touch|contact|call (me|us)|ring (me|us)|quote|book|enquir|register|sign (me|us) up)", re.IGNORECASE
)


class ActionExplainTrainingOptions(AnswerAction):
    """Answers; a question about in-house training or booking then opens an enquiry (see rules).

    A question about one course ("can my whole team take it?") is answered for that
    course, with a button to ask the team, and opens nothing.
    """

    action_name = "action_explain_training_options"
    job = "training_options"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        outcome, events = respond_to(tracker, self.job)
        text = turn_from(tracker).text
        about_training = [r.kind for r in outcome.replies] in (["training_options"], ["team"])
        # "get in touch about in-house P3O training", "we want to book P3O for 5 people": the
        # course is answered and the enquiry opens, as for a general in-house or booking question.
        topic = enquiry_topic(text) if about_training or _ASKS_FOR_THE_TEAM.search(text) else None
        for reply in outcome.replies:  # the enquiry form follows a topic: no buttons in the middle of it
            send(dispatcher, reply, buttons=not topic)
        if topic:
            return [*events, SlotSet("enquiry_topic", topic)]
        return [*events, SlotSet("enquiry_topic", None)] if tracker.get_slot("enquiry_topic") else events
