"""Past dialogue states resumed (bot/serving/states.py) equal Rasa's own replay, event by event.

A conversation is grown one event at a time with the project's domain; after each event
the resumed states are compared with ``Domain.states_for_tracker_history`` for every way
the policies ask (RulePolicy, MemoizationPolicy), through rewinds, a restart, a new
session, a form and rule-only turns. The same comparison runs on every turn of a real
server when ``PMO_CHECK_STATES=1`` (tests/conversations with it set).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytest.importorskip("rasa")

from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Event,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

from bot.serving.states import PastStates  # noqa: E402

_clock = itertools.count(1_700_000_000)


def user(intent: str, text: str = "", entities: Optional[List[Dict[str, Any]]] = None) -> UserUttered:
    return UserUttered(
        text or intent,
        {"name": intent, "confidence": 0.9},
        entities or [],
        timestamp=float(next(_clock)),
    )


def action(name: str, hide_rule_turn: bool = False) -> ActionExecuted:
    return ActionExecuted(name, timestamp=float(next(_clock)), hide_rule_turn=hide_rule_turn)


def turn(intent: str, name: str, slots: Optional[Dict[str, Any]] = None, hidden: bool = False) -> List[Event]:
    events: List[Event] = [user(intent), action(name, hide_rule_turn=hidden), BotUttered("ok")]
    events += [SlotSet(key, value, timestamp=float(next(_clock))) for key, value in (slots or {}).items()]
    return [*events, action("action_listen", hide_rule_turn=hidden)]


def conversation() -> List[Event]:
    events: List[Event] = [action("action_session_start"), SessionStarted(), action("action_listen")]
    events += turn("greet", "utter_greet")
    events += turn("ask_role_description", "action_describe_role", {"context_role": "PMO Analyst"})
    events += turn("ask_course_recommendation", "action_recommend_course", {"awaiting_level": True}, hidden=True)
    events += [user("affirm"), UserUtteranceReverted()]  # rewound: the states must forget it
    events += turn("affirm", "action_recommend_course", {"recommended_course": "x", "awaiting_level": False})
    events += [user("greet"), action("utter_greet"), ActionReverted(), action("action_listen")]
    events += [
        user("affirm"),
        action("enquiry_form"),
        ActiveLoop("enquiry_form"),
        SlotSet("requested_slot", "enquiry_name"),
    ]
    events += [action("action_listen"), user("affirm"), FollowupAction("enquiry_form"), action("enquiry_form")]
    events += [ActiveLoop(None), SlotSet("requested_slot", None), action("action_listen")]
    events += turn("thank", "utter_greet")
    events += [Restarted(), action("action_listen")]  # a restart: everything before it is gone
    events += turn("greet", "utter_greet") + turn("ask_role_description", "action_describe_role")
    events += [action("action_session_start"), SessionStarted(), action("action_listen")]  # a new session
    for _ in range(15):
        events += turn("ask_role_description", "action_describe_role", {"context_role": "PMO Manager"})
        events += turn("thank", "utter_greet", hidden=True)
    return events


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


ASKS = [
    {},  # MemoizationPolicy and TED ask this way
    {"omit_unset_slots": True},
    {"ignore_rule_only_turns": True, "rule_only_data": {"rule_only_slots": ["awaiting_level"], "rule_only_loops": []}},
    {"ignore_rule_only_turns": True, "rule_only_data": {"rule_only_slots": [], "rule_only_loops": ["enquiry_form"]}},
]


@pytest.mark.parametrize("ask", ASKS, ids=["plain", "omit_unset", "rule_only_slot", "rule_only_loop"])
def test_resumed_states_equal_rasas_replay_after_every_event(domain, ask):
    past = PastStates()
    events = conversation()
    resumed_turns = 0
    for size in range(1, len(events) + 1):
        # As a tracker store hands it out: a new tracker object each turn, rebuilt from the events.
        tracker = DialogueStateTracker.from_events("visitor", events[:size], domain.slots)
        expected = domain.states_for_tracker_history(tracker, **ask)
        assert past.states(domain, tracker, **ask) == expected, f"after event {size}: {events[size - 1]}"
        assert past.states(domain, tracker, **ask) == expected  # asked twice in one turn
        resumed_turns += 1
    assert resumed_turns == len(events)


def test_states_handed_out_are_copies(domain):
    past = PastStates()
    events = conversation()[:20]
    tracker = DialogueStateTracker.from_events("visitor", events, domain.slots)
    first = past.states(domain, tracker)
    for state in first:  # what the featurizers do to the last user input
        state.clear()
    assert past.states(domain, tracker) == domain.states_for_tracker_history(tracker)


def test_only_the_new_events_are_replayed(domain, monkeypatch):
    past = PastStates()
    events = conversation()
    tracker = DialogueStateTracker.from_events("visitor", events[:-20], domain.slots)
    past.states(domain, tracker)
    built: List[int] = []
    original = Domain.get_active_state
    monkeypatch.setattr(Domain, "get_active_state", lambda self, *a, **k: built.append(1) or original(self, *a, **k))
    longer = DialogueStateTracker.from_events("visitor", events, domain.slots)
    assert past.states(domain, longer) == domain.states_for_tracker_history(longer)
    replay_of_all = len(built)
    built.clear()
    past.states(
        domain, DialogueStateTracker.from_events("visitor", events + turn("greet", "utter_greet"), domain.slots)
    )
    new_actions = 2  # the turn's two ActionExecuted, and the final state
    assert len(built) <= new_actions + 1 < replay_of_all


def test_at_most_limit_conversations_are_kept(domain):
    past = PastStates(limit=3)
    events = conversation()[:12]
    for number in range(5):
        past.states(domain, DialogueStateTracker.from_events(f"visitor-{number}", events, domain.slots))
    assert len(past._replays) == 3
