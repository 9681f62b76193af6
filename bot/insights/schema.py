"""The insights tables: small aggregates kept beside Rasa's ``events`` table.

Rasa indexes ``events`` only on ``sender_id`` and keeps each event as JSON
text, so counting questions straight from it means reading and parsing every
row. Instead :mod:`bot.insights.refresh` reads each new event once and keeps:
per-day counters (messages by intent and outcome, conversations, mentions,
recommendations), one row per conversation and day (so a conversation is
counted once a day), and the masked unanswered messages and
rated-down answers (per conversation, so they go when the conversation is
erased). The tables are created and changed by the migrations in
:mod:`bot.storage.migrations`; keep these definitions equal to their head.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.storage.schema import ensure_schema

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
    """Check the tables are this release's, creating them on an empty database (:mod:`bot.storage.schema`).

    Tables are created and changed by the migrations (``python -m bot.storage migrate upgrade``);
    the backfill of the conversations counter and the watermark row are in the baseline step.
    """
    ensure_schema(engine)
