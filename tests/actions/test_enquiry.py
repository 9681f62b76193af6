"""actions/enquiry.py with real rasa_sdk Trackers and a CollectingDispatcher.

Over 300 lines: every step of the enquiry form with real trackers.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet

from actions import enquiry
from actions.courses import ActionExplainTrainingOptions
from bot import enquiries
from bot.outbox import Outbox
from bot.storage.database import make_engine
from bot.storage.enquiry_store import EnquiryStore
from tests.conftest import ROOT
from tests.support.loop import ticks_while

FORM_SLOTS = {s: None for s in enquiry.FORM_SLOTS}


def validate(dispatcher, tracker, domain):
    return asyncio.run(enquiry.ValidateEnquiryForm().run(dispatcher, tracker, domain))


def make_tracker(
    intent: str = "request_human",
    text: str = "",
    slots: Optional[Dict[str, Any]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    candidates: Optional[Dict[str, Any]] = None,
    requested_slot: Optional[str] = None,
) -> Tracker:
    """A tracker whose last events are the slot candidates a form is validating."""
    all_slots = {
        "awaiting_level": False,
        "pmo_level": None,
        "recommended_course": None,
        "enquiry_topic": None,
        "requested_slot": requested_slot,
        **FORM_SLOTS,
        **(slots or {}),
    }
    events = [{"event": "user", "text": text}]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (candidates or {}).items()]
    all_slots.update(candidates or {})
    return Tracker(
        sender_id="conv-1",
        slots=all_slots,
        latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "enquiry_form"} if requested_slot else {},
        latest_action_name="action_listen",
    )


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("PMO_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    for name in ("PMO_SMTP_URL", "PMO_ENQUIRY_TO", "PMO_ENQUIRY_FROM", "PMO_ENQUIRY_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    enquiry.enquiry_store.cache_clear()
    enquiry.notification_settings.cache_clear()
    yield EnquiryStore(make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}"))
    enquiry.enquiry_store.cache_clear()
    enquiry.notification_settings.cache_clear()


def test_start_prefills_interest_from_the_recommendation(dispatcher, domain):
    t = make_tracker(
        slots={
            "pmo_level": 2.0,
            "recommended_course": "Essentials for PMO Analysts",
            "awaiting_level": True,
            "enquiry_name": "Old Name",
        }
    )
    events = enquiry.ActionStartEnquiry().run(dispatcher, t, domain)
    assert events == [
        SlotSet("enquiry_name", None),
        SlotSet("enquiry_interest", "Essentials for PMO Analysts (level 2, PMO Analyst)"),
        SlotSet("awaiting_level", False),
    ]
    [message] = dispatcher.messages
    assert message["text"].startswith("Or I can pass a message to the team myself")
    assert "nothing is sent or stored until you say yes" in message["text"]


def test_start_for_in_house_training_names_the_topic_and_the_course(dispatcher, domain):
    t = make_tracker(
        "ask_training_options",
        "can you train our team on P3O Foundation in-house?",
        slots={"enquiry_topic": "in_house"},
        entities=[{"entity": "course", "value": "P3O Foundation"}],
    )
    events = enquiry.ActionStartEnquiry().run(dispatcher, t, domain)
    assert events == [SlotSet("enquiry_interest", "In-house training for a team; P3O Foundation")]
    assert dispatcher.messages[0]["text"].startswith("The team can put together in-house training")


def test_start_ignores_forged_slot_values(dispatcher, domain):
    t = make_tracker(
        slots={"pmo_level": 99.0, "recommended_course": "<script>", "enquiry_topic": "hacked"},
        entities=[{"entity": "course", "value": "Free Money 101"}],
    )
    assert enquiry.ActionStartEnquiry().run(dispatcher, t, domain) == []


def test_training_options_about_in_house_set_the_topic(dispatcher, domain):
    t = make_tracker("ask_training_options", "can you train my whole team in-house?")
    events = ActionExplainTrainingOptions().run(dispatcher, t, domain)
    assert SlotSet("enquiry_topic", "in_house") in events and events[-1] == SlotSet("enquiry_topic", "in_house")
    assert "buttons" not in dispatcher.messages[0] or not dispatcher.messages[0]["buttons"]


def test_training_options_otherwise_clear_an_old_topic(dispatcher, domain):
    t = make_tracker("ask_training_options", "do you run courses online", slots={"enquiry_topic": "booking"})
    assert SlotSet("enquiry_topic", None) in ActionExplainTrainingOptions().run(dispatcher, t, domain)


@pytest.mark.parametrize(
    "slot,typed,stored",
    [
        ("enquiry_name", "my name is Jane Smith", "Jane Smith"),
        ("enquiry_email", "it's jane@ACME.co.uk", "jane@acme.co.uk"),
        ("enquiry_organisation", "I work for Acme", "Acme"),
        ("enquiry_team_size", "about 12 of us", "12"),
        ("enquiry_team_size", "skip", "not given"),
        ("enquiry_interest", "P3O for the team", "P3O for the team"),
    ],
)
def test_form_keeps_clean_answers(dispatcher, domain, slot, typed, stored):
    t = make_tracker("provide_details", typed, candidates={slot: typed}, requested_slot=slot)
    events = validate(dispatcher, t, domain)
    assert SlotSet(slot, stored) in events
    assert dispatcher.messages == []


def test_wrong_email_is_asked_again_with_the_reason(dispatcher, domain):
    t = make_tracker(
        "provide_details", "jane@acme", candidates={"enquiry_email": "jane@acme"}, requested_slot="enquiry_email"
    )
    events = validate(dispatcher, t, domain)
    assert SlotSet("enquiry_email", None) in events
    assert [m["text"] for m in dispatcher.messages] == [
        '"acme" after the @ needs its ending too, such as acme.co.uk or acme.com.'
    ]


@pytest.mark.parametrize(
    "intent,value,reasked", [("affirm", True, False), ("deny", False, False), ("ask_role_description", None, True)]
)
def test_consent_needs_a_yes_or_a_no(dispatcher, domain, intent, value, reasked):
    t = make_tracker(intent, "hmm", candidates={"enquiry_consent": "hmm"}, requested_slot="enquiry_consent")
    events = validate(dispatcher, t, domain)
    assert SlotSet("enquiry_consent", value) in events
    assert bool(dispatcher.messages) is reasked


def test_consent_question_summarises_the_enquiry(dispatcher, domain):
    t = make_tracker(
        slots={
            "enquiry_name": "Jane",
            "enquiry_email": "jane@acme.com",
            "enquiry_organisation": "Acme",
            "enquiry_team_size": "12",
            "enquiry_interest": "P3O",
        }
    )
    enquiry.ActionAskEnquiryConsent().run(dispatcher, t, domain)
    [message] = dispatcher.messages
    assert "- Team size: 12\n" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]


ANSWERS = {
    "enquiry_name": "Jane Smith",
    "enquiry_email": "jane@acme.co.uk",
    "enquiry_organisation": "Acme",
    "enquiry_team_size": "not given",
    "enquiry_interest": "P3O Foundation",
}


def test_submit_with_consent_stores_and_confirms(dispatcher, domain, store):
    t = make_tracker(slots={**ANSWERS, "enquiry_consent": True, "enquiry_topic": "booking"})
    events = asyncio.run(enquiry.ActionSubmitEnquiry().run(dispatcher, t, domain))
    [row] = store.all()
    assert (row.conversation_id, row.name, row.email, row.organisation, row.team_size, row.interest) == (
        "conv-1",
        "Jane Smith",
        "jane@acme.co.uk",
        "Acme",
        None,
        "P3O Foundation",
    )
    assert dispatcher.messages[0]["text"].startswith(
        f"Thank you! Your enquiry is with the PMO Learning team (reference {row.reference})"
    )
    assert SlotSet("enquiry_email", None) in events and SlotSet("enquiry_topic", None) in events
    assert SlotSet("enquiry_consent", None) in events


def test_submit_queues_the_teams_notification_with_the_conversations_gist(dispatcher, domain, store, monkeypatch):
    monkeypatch.setenv("PMO_SMTP_URL", "smtp://127.0.0.1:1")
    monkeypatch.setenv("PMO_ENQUIRY_TO", "team@pmo-learning.co.uk")
    monkeypatch.setenv("PMO_ENQUIRY_FROM", "assistant@pmo-learning.co.uk")
    monkeypatch.setenv("PMO_ENQUIRY_WEBHOOK_URL", "https://hooks.slack.com/services/T0/B0/x")
    t = make_tracker(
        slots={
            **ANSWERS,
            "enquiry_consent": True,
            "recommended_course": "Essentials for PMO Analysts",
            "pmo_level": 2.0,
        }
    )
    t.events[:0] = [
        {"event": "user", "text": "which course for a pmo analyst?"},
        {"event": "user", "text": "/request_human"},  # a button: not a question
        {"event": "user", "text": "can you train\nour team?"},
        {"event": "active_loop", "name": "enquiry_form"},
        {"event": "user", "text": "Jane Smith"},
    ]  # an answer to the form: in the details already
    asyncio.run(enquiry.ActionSubmitEnquiry().run(dispatcher, t, domain))
    [row] = store.all()
    queued = Outbox(store.engine).rows(row.reference)
    assert [(n["channel"], n["status"], n["attempts"]) for n in queued] == [
        ("email", "pending", 0),
        ("webhook", "pending", 0),
    ]
    note = json.loads(str(queued[0]["content"]))
    assert note["asked"] == ["which course for a pmo analyst?", "can you train our team?"]
    assert note["recommended"] == "Essentials for PMO Analysts (level 2, PMO Analyst)"
    assert (note["reference"], note["email"], note["conversation_id"]) == (row.reference, "jane@acme.co.uk", "conv-1")
    assert str(queued[0]["message_id"]).endswith("@pmo-learning.co.uk>")
    assert dispatcher.messages[0]["text"].startswith("Thank you! Your enquiry is with the PMO Learning team")

    asyncio.run(enquiry.ActionSubmitEnquiry().run(dispatcher, t, domain))  # the same turn again: nothing more
    assert len(Outbox(store.engine).rows()) == 2


def test_submit_queues_nothing_while_notifications_are_off(dispatcher, domain, store):
    asyncio.run(
        enquiry.ActionSubmitEnquiry().run(dispatcher, make_tracker(slots={**ANSWERS, "enquiry_consent": True}), domain)
    )
    assert len(store.all()) == 1 and Outbox(store.engine).rows() == []


@pytest.mark.parametrize(
    "slots",
    [
        {**ANSWERS, "enquiry_consent": False},
        {**ANSWERS, "enquiry_consent": "yes"},  # only True is consent
        {**ANSWERS, "enquiry_email": "forged", "enquiry_consent": True},
    ],
)
def test_submit_without_consent_or_with_bad_values_stores_nothing(dispatcher, domain, store, slots):
    events = asyncio.run(enquiry.ActionSubmitEnquiry().run(dispatcher, make_tracker(slots=slots), domain))
    assert store.all() == []
    assert dispatcher.messages[0]["text"].startswith("No problem: I haven't stored or sent your details.")
    assert SlotSet("enquiry_name", None) in events


def test_submit_apologises_when_the_database_is_gone(dispatcher, domain, monkeypatch):
    monkeypatch.setenv("PMO_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    enquiry.enquiry_store.cache_clear()
    monkeypatch.setattr("bot.storage.enquiry_store.RETRY_SECONDS", 0.5)
    try:
        store = enquiry.enquiry_store()
        store.retry_seconds = 0.5
        asyncio.run(
            enquiry.ActionSubmitEnquiry().run(
                dispatcher, make_tracker(slots={**ANSWERS, "enquiry_consent": True}), domain
            )
        )
    finally:
        enquiry.enquiry_store.cache_clear()
    assert dispatcher.messages[0]["text"].startswith("Sorry, I couldn't save your enquiry just now")


def test_an_enquiry_submitted_twice_is_stored_once(domain, store):
    """A turn that timed out in Rasa but was stored, then sent again: one enquiry, one reference."""
    from rasa_sdk.executor import CollectingDispatcher

    replies = []
    for _ in range(2):
        dispatcher = CollectingDispatcher()
        t = make_tracker(slots={**ANSWERS, "enquiry_consent": True})
        asyncio.run(enquiry.ActionSubmitEnquiry().run(dispatcher, t, domain))
        replies.append(dispatcher.messages[0]["text"])
    [row] = store.all()
    assert replies[0] == replies[1] and row.reference in replies[0]


def test_submit_does_not_block_the_action_servers_other_actions(dispatcher, domain, store, monkeypatch):
    """Saving runs in a thread: another action's coroutine runs while the database is slow."""
    import time

    class SlowStore:
        cache_clear = staticmethod(lambda: None)  # stands in for the lru_cache'd enquiry_store()

        def save(self, enquiry_):
            time.sleep(0.5)  # a database that takes its time (or the retry loop sleeping)
            return store.save(enquiry_)

    monkeypatch.setattr(enquiry, "enquiry_store", SlowStore)

    submit = enquiry.ActionSubmitEnquiry().run(
        dispatcher, make_tracker(slots={**ANSWERS, "enquiry_consent": True}), domain
    )
    ticks, _ = asyncio.run(ticks_while(submit, every=0.02))
    assert ticks >= 10  # the loop kept turning during the 0.5 s save
    assert len(store.all()) == 1


def test_cancel_closes_the_form_and_forgets_the_answers(dispatcher, domain):
    t = make_tracker("cancel_request", "cancel", slots={"enquiry_name": "Jane"}, requested_slot="enquiry_email")
    events = enquiry.ActionCancelEnquiry().run(dispatcher, t, domain)
    assert events == [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("enquiry_name", None)]
    assert dispatcher.messages[0]["text"].startswith(
        "OK, I've stopped the enquiry and haven't stored or sent anything."
    )


@pytest.fixture(scope="module")
def rasa_domain():
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain.yml"))


@pytest.mark.parametrize("slot", enquiries.ASKED_SLOTS)
def test_every_question_is_a_response_in_the_domain(rasa_domain, slot):
    """Rasa's form asks utter_ask_<slot> itself: the texts live in domain.yml, no action builds them."""
    assert [s for s in enquiry.FORM_SLOTS if s != "enquiry_consent"] == list(enquiries.ASKED_SLOTS)
    [response] = rasa_domain.responses[f"utter_ask_{slot}"]
    assert response["text"].strip() and f"action_ask_{slot}" not in rasa_domain.action_names_or_texts
    if slot == "enquiry_team_size":
        assert [b["payload"] for b in response["buttons"]] == ["just me", "skip"]
        assert all(enquiries.check_team_size(b["payload"]) in (1, None) for b in response["buttons"])


def test_no_action_server_action_asks_a_form_question():
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    asked = {name for name in executor.actions if name.startswith("action_ask_")}
    assert asked == {"action_ask_enquiry_consent"}


def test_a_short_reply_that_is_not_a_name_is_asked_again(tracker, dispatcher, domain):
    from actions.enquiry import ValidateEnquiryForm

    t = tracker("affirm", text="yes please", slots={"requested_slot": "enquiry_name"})
    result = ValidateEnquiryForm().validate_enquiry_name("yes please", dispatcher, t, domain)
    assert result == {"enquiry_name": None}
    assert dispatcher.messages[0]["text"].startswith("Sorry, I need the actual answer")
