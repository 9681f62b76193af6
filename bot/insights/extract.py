"""From Rasa's tracker events to the facts the insights pages count (pure, no database).

Rasa's SQL tracker store writes one row per event (``events``: id, sender_id,
type_name, timestamp, data as JSON). A visitor's message is a ``user`` event;
the turn it starts ends with ``action_listen``. Whether the turn ended in the
"outside what I can help with" reply or a fallback is known only from the
actions that follow, so a message stays *open* until its turn ends, and the
:class:`Extractor` reports how far the facts are complete (:attr:`Extractor.safe_id`):
everything up to that event id is final and may be counted once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

from bot.insights.mask import mask
from bot.jobs import ACTION_OF_JOB

ANSWERED = "answered"
OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "fallback"
# What the assistant runs for "outside what I can help with" and for a fallback (data/rules.yml, config.yml).
OUT_OF_SCOPE_ACTIONS = frozenset({ACTION_OF_JOB["out_of_scope"], "utter_out_of_scope"})
FALLBACK_ACTIONS = frozenset(
    {ACTION_OF_JOB["fallback"], "action_default_fallback", "utter_default", "action_two_stage_fallback"}
)
OUTCOME_OF_INTENT = {"out_of_scope": OUT_OF_SCOPE, "nlu_fallback": FALLBACK}
MENTION_KINDS = ("role", "course", "course_family")
FEEDBACK_SLOT = "answer_feedback"
RECOMMENDATION_SLOT = "recommended_course"
STALE_SECONDS = 300.0  # a turn with no end after this long (a crashed turn) is closed as it stands
MAX_TEXT = 2000

# id, sender_id, type_name, timestamp, action_name (the action's or slot's name), data (JSON, or None when not needed)
Row = Tuple[int, str, str, Optional[float], Optional[str], Optional[str]]
SLOTS_READ = (RECOMMENDATION_SLOT, FEEDBACK_SLOT)


def day_of(timestamp: float) -> str:
    """The UTC calendar day of a Unix time, as YYYY-MM-DD."""
    return _day(int(timestamp // 86400))


@lru_cache(maxsize=4096)
def _day(days_since_epoch: int) -> str:
    return datetime.fromtimestamp(days_since_epoch * 86400, timezone.utc).strftime("%Y-%m-%d")


@dataclass
class Message:
    event_id: int
    sender_id: str
    day: str
    timestamp: float
    intent: str
    text: str  # masked
    mentions: List[Tuple[str, str]]
    outcome: str = ANSWERED


@dataclass(frozen=True)
class Recommendation:
    event_id: int
    sender_id: str
    day: str
    course: str


@dataclass(frozen=True)
class Feedback:
    event_id: int
    sender_id: str
    day: str
    rating: str
    answer: str  # the assistant's answer that was rated


Fact = Union[Message, Recommendation, Feedback]


def _load(data: Optional[str]) -> Dict[str, Any]:
    try:
        value = json.loads(data or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _mentions(parse_data: Dict[str, Any]) -> List[Tuple[str, str]]:
    found: List[Tuple[str, str]] = []
    for entity in parse_data.get("entities") or []:
        if not isinstance(entity, dict):
            continue
        kind, value = entity.get("entity"), entity.get("value")
        if kind in MENTION_KINDS and isinstance(value, str) and value and (kind, value) not in found:
            found.append((str(kind), value[:200]))
    return found


def user_message(event_id: int, sender_id: str, timestamp: float, data: Dict[str, Any]) -> Message:
    raw = data.get("parse_data")
    parse_data: Dict[str, Any] = raw if isinstance(raw, dict) else {}
    found = parse_data.get("intent")
    intent = str((found.get("name") if isinstance(found, dict) else None) or "none")[:100]
    text = str(data.get("text") or "")[:MAX_TEXT]
    return Message(
        event_id,
        sender_id,
        day_of(timestamp),
        timestamp,
        intent,
        mask(text),
        _mentions(parse_data),
        OUTCOME_OF_INTENT.get(intent, ANSWERED),
    )


def feedback(event_id: int, sender_id: str, timestamp: float, value: Any) -> Optional[Feedback]:
    if not isinstance(value, dict) or value.get("rating") not in ("up", "down"):
        return None
    answer = mask(str(value.get("answer") or ""))[:MAX_TEXT]
    return Feedback(event_id, sender_id, day_of(timestamp), str(value["rating"]), answer)


@dataclass
class Extractor:
    """Feed events in id order; collect the facts and the id up to which they are final."""

    facts: List[Fact] = field(default_factory=list)
    open: Dict[str, Message] = field(default_factory=dict)  # sender -> message whose turn has not ended
    last_id: int = 0
    last_timestamp: float = 0.0

    def feed(self, rows: Iterable[Row]) -> None:
        for event_id, sender_id, type_name, timestamp, name, data in rows:
            self.last_id = max(self.last_id, int(event_id))
            when = float(timestamp or self.last_timestamp)
            self.last_timestamp = max(self.last_timestamp, when)
            self._event(int(event_id), sender_id, type_name, when, name, data)

    def _close(self, sender_id: str) -> None:
        message = self.open.pop(sender_id, None)
        if message is not None:
            self.facts.append(message)

    def _event(
        self, event_id: int, sender_id: str, type_name: str, timestamp: float, name: Optional[str], data: Optional[str]
    ) -> None:
        if type_name == "user":
            self._close(sender_id)
            self.open[sender_id] = user_message(event_id, sender_id, timestamp, _load(data))
        elif type_name == "action":
            pending = self.open.get(sender_id)
            if name == "action_listen":
                self._close(sender_id)
            elif pending is not None and name in OUT_OF_SCOPE_ACTIONS:
                pending.outcome = OUT_OF_SCOPE
            elif pending is not None and name in FALLBACK_ACTIONS:
                pending.outcome = FALLBACK
        elif type_name == "slot" and name in SLOTS_READ:
            event = _load(data)
            if event.get("name") == RECOMMENDATION_SLOT and isinstance(event.get("value"), str) and event["value"]:
                self.facts.append(Recommendation(event_id, sender_id, day_of(timestamp), event["value"][:200]))
            elif event.get("name") == FEEDBACK_SLOT:
                rated = feedback(event_id, sender_id, timestamp, event.get("value"))
                if rated is not None:
                    self.facts.append(rated)
        elif type_name == "session_started":
            self._close(sender_id)

    def close_stale(self, now: Optional[float] = None) -> None:
        """Close turns that never ended (a crash mid-turn), so they cannot hold the watermark back."""
        limit = (now if now is not None else self.last_timestamp) - STALE_SECONDS
        for sender_id in [s for s, m in self.open.items() if m.timestamp < limit]:
            self._close(sender_id)

    @property
    def safe_id(self) -> int:
        """Every fact at or below this event id is final; the rest is read again next time."""
        if not self.open:
            return self.last_id
        return min(m.event_id for m in self.open.values()) - 1

    def take_final(self) -> Tuple[List[Fact], int]:
        """The final facts (removed from the extractor) and the id they are final up to."""
        safe = self.safe_id
        final = [f for f in self.facts if f.event_id <= safe]
        self.facts = [f for f in self.facts if f.event_id > safe]
        return final, safe
