"""Baseline: the tables as release ebce89d created them (``metadata.create_all(checkfirst=True)``).

A database written by that release may hold any of these tables (the outbox
and insights tables were created on first use), so each missing table is
created and every existing one is kept as it is, rows included. The
definitions are a frozen copy of that release's ``bot/storage/enquiry_store.py``,
``bot/outbox/model.py`` and ``bot/insights/schema.py``; never edit them: change
the schema in a new step. Like that release's ``insights.schema.create_schema``,
a conversations-per-day counter created beside existing per-conversation rows
is filled from them, and the refresher's watermark row is added when missing.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: Optional[str] = None
branch_labels: Optional[Union[str, Sequence[str]]] = None
depends_on: Optional[Union[str, Sequence[str]]] = None

metadata = sa.MetaData()
sa.Table(
    "enquiries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(16), nullable=False, unique=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("email", sa.String(254), nullable=False, index=True),
    sa.Column("organisation", sa.String(200), nullable=False),
    sa.Column("team_size", sa.Integer, nullable=True),
    sa.Column("interest", sa.String(300), nullable=False),
    sa.Column("consent", sa.Boolean, nullable=False),
)
sa.Table(
    "enquiry_notifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(16), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("message_id", sa.String(255), nullable=False, unique=True),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
    sa.Column("lease_owner", sa.String(100), nullable=True),
    sa.Column("lease_until", sa.DateTime(), nullable=True),
    sa.Column("sent_at", sa.DateTime(), nullable=True),
    sa.Column("last_error", sa.String(300), nullable=True),
    sa.UniqueConstraint("reference", "channel", name="uq_enquiry_notifications_reference_channel"),
    sa.Index("ix_enquiry_notifications_due", "status", "next_attempt_at"),
)
sa.Table(
    "insights_state",
    metadata,
    sa.Column("name", sa.String(50), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)
sa.Table(
    "insights_daily",
    metadata,
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("intent", sa.String(100), primary_key=True),
    sa.Column("outcome", sa.String(16), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)
sa.Table(
    "insights_mentions_daily",
    metadata,
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("kind", sa.String(20), primary_key=True),
    sa.Column("value", sa.String(200), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)
sa.Table(
    "insights_recommendations_daily",
    metadata,
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("course", sa.String(200), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)
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
sa.Table(
    "insights_unanswered",
    metadata,
    sa.Column("event_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("day", sa.String(10), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("text_key", sa.String(300), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Index("ix_insights_unanswered_day_key_event", "day", "text_key", "event_id"),
)
sa.Table(
    "insights_feedback",
    metadata,
    sa.Column("event_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("day", sa.String(10), nullable=False, index=True),
    sa.Column("rating", sa.String(8), nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
)
state = metadata.tables["insights_state"]
WATERMARK = "last_event_id"
TABLES = tuple(metadata.tables)


def upgrade() -> None:
    bind = op.get_bind()
    had_counter = sa.inspect(bind).has_table(conversations_daily.name)
    metadata.create_all(bind, checkfirst=True)
    if not had_counter:  # per-conversation rows from before the counter existed: count them
        per_day = sa.select(conversation_days.c.day, sa.func.count()).group_by(conversation_days.c.day)
        bind.execute(conversations_daily.insert().from_select(["day", "n"], per_day))
    if bind.execute(sa.select(state.c.value).where(state.c.name == WATERMARK)).first() is None:
        bind.execute(state.insert().values(name=WATERMARK, value=0))


def downgrade() -> None:
    # Back to no project tables at all: only ever run on a database you mean to empty.
    metadata.drop_all(op.get_bind(), checkfirst=True)
