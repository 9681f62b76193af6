"""Rasa-shaped events for the insights tests: the ``events`` table as Rasa's SQLTrackerStore defines it
(columns and index of rasa/core/tracker_store.py SQLEvent) and rows shaped like the ones a real server writes."""

from __future__ import annotations

import itertools
import json
from typing import Any, Dict, Iterable, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

metadata = sa.MetaData()
events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)
META = {"model_id": "test", "assistant_id": "pmo_learning_assistant"}


class Conversation:
    """Builds one conversation's events in the order Rasa saves them."""

    def __init__(self, sender: str, start: float) -> None:
        self.sender = sender
        self.clock = itertools.count()
        self.start = start
        self.rows: List[Dict[str, Any]] = []
        self.action("action_session_start")
        self.add("session_started", {})
        self.action("action_listen")

    def now(self) -> float:
        return self.start + next(self.clock) * 0.5

    def add(
        self, type_name: str, body: Dict[str, Any], intent: Optional[str] = None, action: Optional[str] = None
    ) -> None:
        ts = self.now()
        data = {"event": type_name, "timestamp": ts, "metadata": META, **body}
        self.rows.append(
            {
                "sender_id": self.sender,
                "type_name": type_name,
                "timestamp": ts,
                "intent_name": intent,
                "action_name": action,
                "data": json.dumps(data),
            }
        )

    def action(self, name: str) -> None:
        self.add(
            "action",
            {"name": name, "policy": "RulePolicy", "confidence": 1.0, "action_text": None, "hide_rule_turn": False},
            action=name,
        )

    def slot(self, name: str, value: Any) -> None:
        self.add("slot", {"name": name, "value": value}, action=name)

    def user(self, text: str, intent: str, entities: Iterable[Tuple[str, str]] = ()) -> None:
        found = [
            {"entity": kind, "value": value, "start": 0, "end": 1, "extractor": "PMOEntityExtractor"}
            for kind, value in entities
        ]
        parse = {
            "intent": {"name": intent, "confidence": 0.98},
            "entities": found,
            "text": text,
            "message_id": "m",
            "metadata": {},
            "intent_ranking": [{"name": intent, "confidence": 0.98}],
        }
        self.add("user", {"text": text, "parse_data": parse, "input_channel": "rest", "message_id": "m"}, intent=intent)
        self.add("user_featurization", {"use_text_for_featurization": False})

    def turn(
        self, text: str, intent: str, action: str, entities: Iterable[Tuple[str, str]] = (), reply: str = "An answer."
    ) -> "Conversation":
        self.user(text, intent, entities)
        self.action(action)
        self.add("bot", {"text": reply, "data": {"buttons": None}})
        self.action("action_listen")
        return self


def create(engine: Engine) -> None:
    metadata.create_all(engine)


def insert(engine: Engine, rows: List[Dict[str, Any]]) -> None:
    with engine.begin() as connection:
        connection.execute(events.insert(), rows)
