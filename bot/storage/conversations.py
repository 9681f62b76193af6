"""Erasing conversations from Rasa's SQL tracker store (its ``events`` table).

Only the table layout is needed, not Rasa: the privacy tool runs without it.
"""

from __future__ import annotations

from typing import Iterable, List

import sqlalchemy as sa
from sqlalchemy.engine import Engine

_metadata = sa.MetaData()
events = sa.Table(
    "events",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),  # seconds since the epoch, as Rasa writes it
    sa.Column("data", sa.Text),
)
DELETE_BATCH = 500


def _has_events_table(engine: Engine) -> bool:
    return bool(sa.inspect(engine).has_table("events"))


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def conversations_mentioning(engine: Engine, text: str) -> List[str]:
    """Conversation ids with any event (message, slot...) containing ``text``, case-insensitively."""
    if not text or not _has_events_table(engine):
        return []
    query = (
        sa.select(events.c.sender_id)
        .distinct()
        .where(sa.func.lower(events.c.data).like(_like_pattern(text), escape="\\"))
    )
    with engine.connect() as connection:
        return sorted(row[0] for row in connection.execute(query))


def delete_conversations(engine: Engine, conversation_ids: Iterable[str]) -> int:
    """Delete every event of these conversations; returns the number of events removed."""
    ids = sorted(set(conversation_ids))
    if not ids or not _has_events_table(engine):
        return 0
    removed = 0
    for start in range(0, len(ids), DELETE_BATCH):  # bounded statements and transactions
        with engine.begin() as connection:
            result = connection.execute(
                events.delete().where(events.c.sender_id.in_(ids[start : start + DELETE_BATCH]))
            )
            removed += int(result.rowcount or 0)
    return removed


def conversations_idle_since(engine: Engine, cutoff: float) -> List[str]:
    """Conversations whose last event is older than ``cutoff`` (seconds since the epoch)."""
    if not _has_events_table(engine):
        return []
    query = sa.select(events.c.sender_id).group_by(events.c.sender_id).having(sa.func.max(events.c.timestamp) < cutoff)
    with engine.connect() as connection:
        return sorted(row[0] for row in connection.execute(query))
