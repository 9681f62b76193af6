"""The enquiry form: open it, check each answer, ask for consent, store and notify, or stop.

Checks and wording live in :mod:`bot.enquiries`, the form's questions in
``domain.yml`` (``utter_ask_enquiry_*``), the table in
:mod:`bot.storage.enquiry_store`, the team's notification in :mod:`bot.outbox`
(queued in the enquiry's transaction, delivered in the background). Nothing
here logs what the user typed.
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import settings
from actions.common import answer, knowledge_base, turn_from
from bot import enquiries
from bot.dialogue import digression_job
from bot.enquiries import Enquiry, Rejected
from bot.knowledge_base import KnowledgeBase
from bot.outbox import Settings, SettingsError, save_and_notify, wake
from bot.outbox.content import Gist, gist_from_events
from bot.storage.database import database_url, make_engine
from bot.storage.enquiry_store import EnquiryStore

logger = logging.getLogger(__name__)

FORM_SLOTS = (
    "enquiry_name",
    "enquiry_email",
    "enquiry_organisation",
    "enquiry_team_size",
    "enquiry_interest",
    "enquiry_consent",
)


@lru_cache(maxsize=1)
def enquiry_store() -> EnquiryStore:
    """Created on first use, from PMO_DATABASE_URL (SQLite conversations.db when unset)."""
    return EnquiryStore(make_engine(database_url(settings())))


@lru_cache(maxsize=1)
def notification_settings() -> Settings:
    """Where the team is told (bot.outbox.settings); no channel when the variables are unset or wrong."""
    try:
        return settings().notifications
    except SettingsError as error:  # said at start by the background worker too; the enquiry is still stored
        logger.error("Enquiry notifications off: %s", error)
        return Settings()


def conversation_gist(tracker: Tracker, kb: KnowledgeBase) -> Gist:
    """What the visitor asked before the form, and the course recommended to them (checked against the KB)."""
    course = kb.course_named(str(tracker.get_slot("recommended_course") or ""))
    level = _level(kb, tracker.get_slot("pmo_level"))
    recommended = None
    if course is not None:
        recommended = f"{course.name} (level {level[0]}, {level[1]})" if level else course.name
    return gist_from_events(tracker.events, recommended)


def _reset(tracker: Tracker) -> List[EventType]:
    """Forget the form's answers (and what opened it) once it is over."""
    names = (*FORM_SLOTS, "enquiry_topic")
    return [SlotSet(name, None) for name in names if tracker.get_slot(name) is not None]


def _level(kb: KnowledgeBase, value: Any) -> Optional[Tuple[int, str]]:
    try:
        role = kb.role_at_level(int(float(value)))
    except (TypeError, ValueError, KeyError):
        return None
    return role.level, role.name


def prefilled_interest(tracker: Tracker, kb: KnowledgeBase) -> Optional[str]:
    """What the user is interested in, from this conversation (values checked against the KB)."""
    named = [c for c in (kb.course_named(v) for v in turn_from(tracker).values("course")) if c]
    recommended = kb.course_named(str(tracker.get_slot("recommended_course") or ""))
    topic = tracker.get_slot("enquiry_topic")
    return enquiries.interest_from_conversation(
        topic=topic if topic in enquiries.TOPIC_INTEREST else None,
        course=named[0].name if named else None,
        recommended_course=recommended.name if recommended else None,
        level=_level(kb, tracker.get_slot("pmo_level")),
    )


class ActionStartEnquiry(Action):
    def name(self) -> Text:
        return "action_start_enquiry"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kb = knowledge_base()
        interest = prefilled_interest(tracker, kb)
        dispatcher.utter_message(text=enquiries.intro(tracker.get_slot("enquiry_topic"), interest, kb.contact.website))
        events = [SlotSet(name, None) for name in FORM_SLOTS if tracker.get_slot(name) is not None]
        if interest:
            events.append(SlotSet("enquiry_interest", interest))
        if tracker.get_slot("awaiting_level"):
            events.append(SlotSet("awaiting_level", False))  # the enquiry replaces the open question
        return events


def _checked(slot: str, result: Any, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
    if isinstance(result, Rejected):
        dispatcher.utter_message(text=result.reason)
        return {slot: None}
    return {slot: result}


# Intents a short reply has when it is not a name, an organisation or a topic.
_NOT_ANSWERS = {"affirm", "greet", "thank", "goodbye", "request_human", "bot_challenge", "ask_capabilities"}


def _not_an_answer(tracker: Tracker) -> bool:
    """ "yes please", "contact me", "thanks" given as a name (an explicit "no" or "cancel" stops the form)."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    words = str(message.get("text") or "").split()
    return intent.get("name") in _NOT_ANSWERS and float(intent.get("confidence") or 0.0) >= 0.7 and len(words) <= 4


class ValidateEnquiryForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_enquiry_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        """A PMO question asked instead of an answer is answered; the form then asks again."""
        requested = tracker.get_slot("requested_slot")
        confidence = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)
        job = digression_job(turn_from(tracker), confidence, requested=requested) if requested else None
        if job is None:
            return await super().run(dispatcher, tracker, domain)
        return [*answer(dispatcher, tracker, job), SlotSet(requested, None)]

    def validate_enquiry_name(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if _not_an_answer(tracker):
            return _checked("enquiry_name", Rejected(enquiries.NOT_AN_ANSWER), dispatcher)
        return _checked("enquiry_name", enquiries.check_name(str(slot_value or "")), dispatcher)

    def validate_enquiry_email(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return _checked("enquiry_email", enquiries.check_email(str(slot_value or "")), dispatcher)

    def validate_enquiry_organisation(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if _not_an_answer(tracker):
            return _checked("enquiry_organisation", Rejected(enquiries.NOT_AN_ANSWER), dispatcher)
        return _checked("enquiry_organisation", enquiries.check_organisation(str(slot_value or "")), dispatcher)

    def validate_enquiry_team_size(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        size = enquiries.check_team_size(str(slot_value or ""))
        if isinstance(size, Rejected):
            return _checked("enquiry_team_size", size, dispatcher)
        return {"enquiry_team_size": enquiries.team_size_slot(size)}

    def validate_enquiry_interest(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if _not_an_answer(tracker):
            return _checked("enquiry_interest", Rejected(enquiries.NOT_AN_ANSWER), dispatcher)
        return _checked("enquiry_interest", enquiries.check_interest(str(slot_value or "")), dispatcher)

    def validate_enquiry_consent(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Only an explicit yes (or no) answers the consent question."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "affirm":
            return {"enquiry_consent": True}
        if intent == "deny":
            return {"enquiry_consent": False}
        dispatcher.utter_message(text=enquiries.CONSENT_AGAIN)  # the form then asks again, with buttons
        return {"enquiry_consent": None}


class ActionAskEnquiryConsent(Action):
    def name(self) -> Text:
        return "action_ask_enquiry_consent"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(
            text=enquiries.consent_question(
                name=str(tracker.get_slot("enquiry_name")),
                email=str(tracker.get_slot("enquiry_email")),
                organisation=str(tracker.get_slot("enquiry_organisation")),
                team_size=enquiries.team_size_from_slot(tracker.get_slot("enquiry_team_size")),
                interest=str(tracker.get_slot("enquiry_interest")),
            ),
            buttons=enquiries.CONSENT_BUTTONS,
        )
        return []


def enquiry_from(tracker: Tracker) -> Optional[Enquiry]:
    """The enquiry the user agreed to, re-checked (slots can be forged), or None."""
    if tracker.get_slot("enquiry_consent") is not True:
        return None
    checks = {
        "name": enquiries.check_name(str(tracker.get_slot("enquiry_name") or "")),
        "email": enquiries.check_email(str(tracker.get_slot("enquiry_email") or "")),
        "organisation": enquiries.check_organisation(str(tracker.get_slot("enquiry_organisation") or "")),
        "interest": enquiries.check_interest(str(tracker.get_slot("enquiry_interest") or "")),
    }
    if any(isinstance(v, Rejected) for v in checks.values()):
        return None
    return Enquiry(
        conversation_id=tracker.sender_id,
        team_size=enquiries.team_size_from_slot(tracker.get_slot("enquiry_team_size")),
        **{k: str(v) for k, v in checks.items()},
    )


class ActionSubmitEnquiry(Action):
    def name(self) -> Text:
        return "action_submit_enquiry"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb = knowledge_base()
        website = kb.contact.website
        enquiry = enquiry_from(tracker)
        if enquiry is None:
            dispatcher.utter_message(text=enquiries.stopped(website, declined=True))
            return _reset(tracker)
        try:
            # In a thread: while the database restarts, save() retries for up to 30 s,
            # and the action server's other actions must not wait for it. Saving the
            # same enquiry again (a retried turn) returns the row already stored
            # and queues nothing more. Delivery is the background worker's job.
            stored = await asyncio.to_thread(
                save_and_notify, enquiry_store(), enquiry, conversation_gist(tracker, kb), notification_settings()
            )
        except Exception as error:  # the user gets an apology and a way forward, never a trace
            logger.error("Enquiry not saved: %s", type(error).__name__)
            dispatcher.utter_message(text=enquiries.save_failed(website))
            return _reset(tracker)
        wake()  # this process's delivery worker, if it runs, sends now rather than at its next poll
        dispatcher.utter_message(text=enquiries.confirmation(stored.reference, stored.email))
        return _reset(tracker)


class ActionCancelEnquiry(Action):
    def name(self) -> Text:
        return "action_cancel_enquiry"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text=enquiries.stopped(knowledge_base().contact.website))
        return [ActiveLoop(None), SlotSet("requested_slot", None), *_reset(tracker)]
