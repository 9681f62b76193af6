"""Actions about training: recommending a course, course facts, ways to train."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    entity_values,
    knowledge_base,
    latest_entities,
    resume_recommendation,
    send,
)
from bot import answers
from bot.enquiries import enquiry_topic
from bot.recommend import Evidence, NeedLevel, RoleMention, evidence_from_entities, recommend


class ActionRecommendCourse(Action):
    """Recommends at once when the user said enough, otherwise asks their level."""

    def name(self) -> Text:
        return "action_recommend_course"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kb = knowledge_base()
        evidence = evidence_from_entities(kb, latest_entities(tracker))
        known_level = tracker.get_slot("pmo_level")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if (
            not evidence.roles
            and not evidence.cues
            and evidence.years is None
            and intent == "ask_course_recommendation"
            and known_level
            and not tracker.get_slot("awaiting_level")
        ):
            role = kb.role_at_level(int(known_level))
            evidence = Evidence(roles=(RoleMention(role=role.name),))
        outcome = recommend(kb, evidence)
        if isinstance(outcome, NeedLevel):
            send(dispatcher, answers.ask_level(kb, outcome))
            return [SlotSet("awaiting_level", True)]
        send(dispatcher, answers.recommendation(kb, outcome))
        return [
            SlotSet("awaiting_level", False),
            SlotSet("pmo_level", float(outcome.level)),
            SlotSet("recommended_course", outcome.main.name),
        ]


class ActionStopRecommendation(Action):
    def name(self) -> Text:
        return "action_stop_recommendation"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(
            text="No problem, we can leave the course choice for now. Just tell me what you do whenever you'd like a recommendation."
        )
        return [SlotSet("awaiting_level", False)]


class ActionDescribeCourse(Action):
    def name(self) -> Text:
        return "action_describe_course"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kb = knowledge_base()
        courses = [c for c in (kb.course_named(v) for v in entity_values(tracker, "course")) if c]
        if not courses:
            # "is there an exam for the analyst course?": a role names its Essentials course.
            roles = evidence_from_entities(kb, latest_entities(tracker)).roles
            courses = [kb.course(kb.recommendation_for(kb.role(m.role).level).main) for m in roles[:1]]
        if not courses and tracker.get_slot("recommended_course"):
            recommended = kb.course_named(str(tracker.get_slot("recommended_course")))
            courses = [recommended] if recommended else []
        if courses:
            for course in courses[:2]:
                send(dispatcher, answers.course_details(kb, course))
        else:
            send(dispatcher, answers.list_courses(kb))
        resume_recommendation(dispatcher, tracker, kb)
        return []


class ActionExplainTrainingOptions(Action):
    """Answers; a question about in-house training or booking then opens an enquiry (see rules)."""

    def name(self) -> Text:
        return "action_explain_training_options"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kb = knowledge_base()
        reply = answers.training_options(kb)
        topic = enquiry_topic(str((tracker.latest_message or {}).get("text") or ""))
        if topic:  # the enquiry form follows: no buttons to click in the middle of it
            dispatcher.utter_message(text=reply.text)
            return [SlotSet("enquiry_topic", topic)]
        send(dispatcher, reply)
        resume_recommendation(dispatcher, tracker, kb)
        return [SlotSet("enquiry_topic", None)] if tracker.get_slot("enquiry_topic") else []


class ActionExplainPmoTypes(Action):
    def name(self) -> Text:
        return "action_explain_pmo_types"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kb = knowledge_base()
        send(dispatcher, answers.pmo_types(kb))
        resume_recommendation(dispatcher, tracker, kb)
        return []
