"""Speed: the dialogue states of a conversation's past computed once, not again every turn.

Before each prediction the policies ask ``tracker.past_states(domain)`` (RulePolicy
twice, MemoizationPolicy once, two or three predictions a turn). Rasa 3.6 answers by
replaying the whole session event by event (``generate_all_prior_trackers``) and
building a state for every earlier action (``Domain.states_for_tracker_history``): the
largest cost that grows with the conversation (``python -m benchmarks.lean``: a
turn at 200 events cost several times one at 1 event, most of it here).

The states of a prefix of the events never change when events are appended, so the
replay is resumed: per conversation and per way of asking (``omit_unset_slots``,
``ignore_rule_only_turns``, the rule-only data), the replayed tracker and the states
so far are kept, with a fingerprint (type and timestamp) of the events they came from.
A call whose events extend the fingerprint replays only the new events; any other
(a rewound or edited conversation, another session) is computed from the start, as
Rasa does. The loop below is Rasa's own, unchanged, made resumable; the states
handed out are copies, so a caller that edits one cannot change the cache.
``PMO_CHECK_STATES=1`` compares every answer with Rasa's own (tests).

At most ``MAX_CONVERSATIONS`` conversations are kept (least recently used first out).
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from bot.serving.patching import expect, expect_function, originals, replace
from bot.settings import Settings

NAME = "past dialogue states resumed, not replayed"
MAX_CONVERSATIONS = 1000


@dataclass
class Replay:
    """Rasa's loop over the prior trackers, stopped after ``done`` applied events."""

    tracker: Any  # the replayed tracker after ``done`` events
    fingerprint: List[Tuple[type, float]] = field(default_factory=list)
    states: List[Dict[str, Any]] = field(default_factory=list)
    last_ml_action_sub_state: Any = None
    turn_was_hidden: bool = False


def _frozen(value: Any) -> Any:
    """A hashable copy of the rule-only data (a new dict on every call; small)."""
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(_frozen(item) for item in value)
    return value


def blank_copy(tracker: Any) -> Any:
    """``tracker.init_copy()`` keeping one event: a state reads attributes, never the event list."""
    return type(tracker)(tracker.sender_id, tracker.slots.values(), 1, is_rule_tracker=tracker.is_rule_tracker)


def copy_state(state: Dict[str, Any]) -> Dict[str, Any]:
    """Two levels deep: a state's sub-states are dicts of strings and tuples."""
    return {key: dict(value) if isinstance(value, dict) else value for key, value in state.items()}


class PastStates:
    """The resumable ``Domain.states_for_tracker_history`` for one process."""

    def __init__(self, limit: int = MAX_CONVERSATIONS) -> None:
        self.limit = limit
        self._replays: "collections.OrderedDict[Tuple[Any, ...], Replay]" = collections.OrderedDict()
        self._lock = threading.Lock()

    def states(
        self,
        domain: Any,
        tracker: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Optional[Dict[str, Any]] = None,
    ) -> List[Dict[str, Any]]:
        from rasa.shared.core.events import ActionExecuted

        events = tracker.applied_events()
        fingerprint = [(type(event), event.timestamp) for event in events]
        key = (tracker.sender_id, id(domain), omit_unset_slots, ignore_rule_only_turns, _frozen(rule_only_data))
        with self._lock:
            replay = self._replays.pop(key, None)
        if replay is None or fingerprint[: len(replay.fingerprint)] != replay.fingerprint:
            replay = Replay(tracker=blank_copy(tracker))
        for event in events[len(replay.fingerprint) :]:
            if isinstance(event, ActionExecuted):
                self._step(
                    domain, replay, event.hide_rule_turn, omit_unset_slots, ignore_rule_only_turns, rule_only_data
                )
            replay.tracker.update(event)
        replay.fingerprint = fingerprint
        # The last state (the tracker after every event) is not kept: the next event may change it.
        final = Replay(
            tracker=replay.tracker,
            states=list(replay.states),
            last_ml_action_sub_state=replay.last_ml_action_sub_state,
            turn_was_hidden=replay.turn_was_hidden,
        )
        self._step(domain, final, False, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        with self._lock:
            self._replays[key] = replay
            while len(self._replays) > self.limit:
                self._replays.popitem(last=False)
        return [copy_state(state) for state in final.states]

    @staticmethod
    def _step(
        domain: Any,
        replay: Replay,
        hide_rule_turn: bool,
        omit_unset_slots: bool,
        ignore_rule_only_turns: bool,
        rule_only_data: Optional[Dict[str, Any]],
    ) -> None:
        """One pass of the loop in ``Domain.states_for_tracker_history`` (Rasa 3.6.21), unchanged."""
        from rasa.shared.core.constants import PREVIOUS_ACTION

        tr = replay.tracker
        if ignore_rule_only_turns:
            if not replay.turn_was_hidden:
                replay.last_ml_action_sub_state = domain._get_prev_action_sub_state(tr)
            if not tr.followup_action and tr.latest_action_name != tr.active_loop_name:
                replay.turn_was_hidden = hide_rule_turn
            if replay.turn_was_hidden:
                return
        state = domain.get_active_state(tr, omit_unset_slots=omit_unset_slots)
        if ignore_rule_only_turns:
            domain._remove_rule_only_features(state, rule_only_data)
            if replay.states:
                domain._substitute_rule_only_user_input(state, replay.states[-1])
            if replay.last_ml_action_sub_state:
                state[PREVIOUS_ACTION] = replay.last_ml_action_sub_state
        replay.states.append(domain._clean_state(state))


_past = PastStates()


def install(settings: Settings) -> None:
    import inspect

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    expect_function(
        NAME,
        DialogueStateTracker,
        "past_states",
        ("self", "domain", "omit_unset_slots", "ignore_rule_only_turns", "rule_only_data"),
        is_async=False,
        source_has=("domain.states_for_tracker_history(",),
    )
    history = expect_function(
        NAME,
        Domain,
        "states_for_tracker_history",
        ("self", "tracker", "omit_unset_slots", "ignore_rule_only_turns", "rule_only_data"),
        is_async=False,
    )
    # The loop this module resumes, line for line as written for Rasa 3.6.21.
    source = " ".join(inspect.getsource(history).split())
    for line in (
        "for tr, hide_rule_turn in tracker.generate_all_prior_trackers():",
        "if not turn_was_hidden: last_ml_action_sub_state = self._get_prev_action_sub_state(tr)",
        "if ( not tr.followup_action and not tr.latest_action_name == tr.active_loop_name ): "
        "turn_was_hidden = hide_rule_turn",
        "state = self.get_active_state(tr, omit_unset_slots=omit_unset_slots)",
        "self._remove_rule_only_features(state, rule_only_data)",
        "self._substitute_rule_only_user_input(state, states[-1])",
        "states.append(self._clean_state(state))",
    ):
        expect(line in source, NAME, f"Domain.states_for_tracker_history no longer has {line!r}")
    prior = " ".join(inspect.getsource(DialogueStateTracker.generate_all_prior_trackers).split())
    expect(
        "tracker = self.init_copy() for event in self.applied_events(): if isinstance(event, ActionExecuted): "
        "yield tracker, event.hide_rule_turn tracker.update(event) yield tracker, False" in prior,
        NAME,
        "DialogueStateTracker.generate_all_prior_trackers is not the replay this module resumes",
    )
    original = DialogueStateTracker.past_states
    originals["DialogueStateTracker.past_states"] = original
    check = settings.check_states  # PMO_CHECK_STATES

    def past_states(
        self: DialogueStateTracker,
        domain: Domain,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Optional[Dict[str, Any]] = None,
    ) -> List[Dict[str, Any]]:
        if type(self) is not DialogueStateTracker:  # training's trackers cache their own states
            result: List[Dict[str, Any]] = original(
                self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data
            )
            return result
        states = _past.states(domain, self, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        if check:
            expected = original(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
            if states != expected:
                raise AssertionError(f"{NAME}: states differ from Rasa's for a conversation")
        return states

    replace(DialogueStateTracker, "past_states", past_states)
