"""The insights tables: small aggregates kept beside Rasa's ``events`` table.

Rasa indexes ``events`` only on ``sender_id`` and keeps each event as JSON
text, so counting questions straight from it means reading and parsing every
row. Instead :mod:`bot.insights.refresh` reads each new event once and keeps:
per-day counters (messages by intent and outcome, conversations, mentions,
recommendations), one row per conversation and day (so a conversation is
counted once a day), and the masked unanswered messages and
rated-down answers (per conversation, so they go when the conversation is
erased). ``create_schema`` is idempotent (``python -m bot.insights migrate``).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

metadata = sa.MetaData()

state = sa.Table(
    "insights_state",
    metadata,
    sa.Column("name", sa.String(50), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)
daily = sa.Table(
    "insights_daily",
    metadata,
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("intent", sa.String(100), primary_key=True),
    sa.Column("outcome", sa.String(16), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)
mentions_daily = sa.Table(
    "insights_mentions_daily",
    metadata,
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("kind", sa.String(20), primary_key=True),
    sa.Column("value", sa.String(200), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)
recommendations_daily = sa.Table(
    "insights_recommendations_daily",
    metadata,
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("course", sa.String(200), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)
# Conversations per day: the pairs below say whether a conversation was already counted on a day.
conversations_daily = sa.Table(
    "insights_conversations_daily",
    metadata,
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)
conversation_days = sa.Table(
    "insights_conversation_days",
    metadata,
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Index("ix_insights_conversation_days_sender", "sender_id"),
)
unanswered = sa.Table(
    "insights_unanswered",
    metadata,
    sa.Column("event_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("day", sa.String(10), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("text_key", sa.String(300), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    # Counting by text over a period reads this index only (an index-only scan on PostgreSQL).
    sa.Index("ix_insights_unanswered_day_key_event", "day", "text_key", "event_id"),
)
feedback = sa.Table(
    "insights_feedback",
    metadata,
    sa.Column("event_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("day", sa.String(10), nullable=False, index=True),
    sa.Column("rating", sa.String(8), nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
)

WATERMARK = "last_event_id"


def create_schema(engine: Engine) -> None:
    """Create the insights tables and indexes that are missing (safe to run any number of times)."""
    had_counter = sa.inspect(engine).has_table(conversations_daily.name)
    try:
        metadata.create_all(engine, checkfirst=True)
    except sa.exc.ProgrammingError:  # another process created them a moment earlier
        metadata.create_all(engine, checkfirst=True)
    if not had_counter:  # tables from before the counter existed: count what is there
        with engine.begin() as connection:
            per_day = sa.select(conversation_days.c.day, sa.func.count()).group_by(conversation_days.c.day)
            connection.execute(conversations_daily.insert().from_select(["day", "n"], per_day))
    try:
        with engine.begin() as connection:
            if connection.execute(sa.select(state.c.value).where(state.c.name == WATERMARK)).first() is None:
                connection.execute(state.insert().values(name=WATERMARK, value=0))
    except sa.exc.IntegrityError:  # inserted by another process meanwhile
        pass
