"""The ``enquiry_notifications`` table: the outbox written with the enquiry, drained by workers.

One row per enquiry and channel (``email``, ``webhook``), inserted in the same
transaction as the enquiry (:func:`queue`). A worker *claims* due rows by
setting a lease (``lease_owner``, ``lease_until``); on PostgreSQL the claim
also takes the rows with ``SELECT ... FOR UPDATE SKIP LOCKED`` so concurrent
workers never wait for or take each other's rows, on SQLite the conditional
UPDATE is atomic. A worker that dies mid-send loses its lease when it expires
and another worker sends again, with the row's same ``message_id``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Dict, Iterable, List, Optional, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.outbox.content import EnquiryNote
from bot.outbox.mail import new_message_id
from bot.outbox.settings import EMAIL, Settings
from bot.storage.database import RETRY_SECONDS, with_retries
from bot.storage.schema import ensure_schema

logger = logging.getLogger(__name__)

PENDING = "pending"
SENT = "sent"
FAILED = "failed"  # refused for good (SMTP 5xx, webhook 4xx): `python -m bot.outbox retry-failed` after a fix

metadata = sa.MetaData()
notifications = sa.Table(
    "enquiry_notifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(16), nullable=False, index=True),  # enquiries.reference
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("message_id", sa.String(255), nullable=False, unique=True),
    sa.Column("content", sa.Text, nullable=False),  # EnquiryNote as JSON
    sa.Column("status", sa.String(16), nullable=False, default=PENDING),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    # Naive UTC throughout, compared as stored (alike on SQLite and PostgreSQL).
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
    sa.Column("lease_owner", sa.String(100), nullable=True),
    sa.Column("lease_until", sa.DateTime(), nullable=True),
    sa.Column("sent_at", sa.DateTime(), nullable=True),
    sa.Column("last_error", sa.String(300), nullable=True),
    sa.UniqueConstraint("reference", "channel", name="uq_enquiry_notifications_reference_channel"),
    sa.Index("ix_enquiry_notifications_due", "status", "next_attempt_at"),
)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _naive(moment: datetime) -> datetime:
    """Timestamps are compared as stored: UTC without an offset, the same on SQLite and PostgreSQL."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class Notification:
    id: int
    reference: str
    channel: str
    message_id: str
    note: EnquiryNote
    attempts: int
    created_at: datetime


def queue(connection: Connection, note: EnquiryNote, settings: Settings, now: Optional[datetime] = None) -> int:
    """Add the notifications for ``note`` inside the caller's transaction; returns how many (0 when unset)."""
    moment = _naive(now or utcnow())
    rows = [
        {
            "reference": note.reference,
            "channel": channel,
            "message_id": new_message_id(note.reference, settings.sender or "")
            if channel == EMAIL
            else f"<{note.reference}.{channel}.{moment:%Y%m%d%H%M%S%f}@pmo-assistant.invalid>",
            "content": note.to_json(),
            "status": PENDING,
            "attempts": 0,
            "created_at": moment,
            "next_attempt_at": moment,
        }
        for channel in settings.channels
    ]
    if rows:
        connection.execute(notifications.insert(), rows)
    return len(rows)


class Outbox:
    """The notification rows: schema, claiming, and recording what happened."""

    def __init__(self, engine: Engine, retry_seconds: float = RETRY_SECONDS) -> None:
        self.engine = engine
        self.retry_seconds = retry_seconds
        self.postgres = engine.dialect.name == "postgresql"
        self._schema_ready = False

    def create_schema(self) -> None:
        """Check the tables are this release's (created when the database is empty); see bot.storage.schema."""
        if not self._schema_ready:
            with_retries(lambda: ensure_schema(self.engine), self.retry_seconds, "outbox database")
            self._schema_ready = True

    def _due(self, channels: Sequence[str], now: datetime) -> sa.sql.ColumnElement[bool]:
        t = notifications.c
        return sa.and_(
            t.status == PENDING,
            t.channel.in_(list(channels)),
            t.next_attempt_at <= now,
            sa.or_(t.lease_until.is_(None), t.lease_until < now),
        )

    def claim(
        self,
        worker: str,
        channels: Sequence[str],
        limit: int = 10,
        lease_seconds: float = 120.0,
        now: Optional[datetime] = None,
    ) -> List[Notification]:
        """Lease up to ``limit`` due rows to ``worker``; no other worker gets them until the lease ends."""
        if not channels:
            return []
        self.create_schema()
        moment = _naive(now or utcnow())
        until = moment + timedelta(seconds=lease_seconds)
        t = notifications.c

        def take() -> List[Notification]:
            with self.engine.begin() as connection:
                candidates = sa.select(t.id).where(self._due(channels, moment)).order_by(t.id).limit(limit)
                if self.postgres:
                    candidates = candidates.with_for_update(skip_locked=True)
                ids = [row[0] for row in connection.execute(candidates)]
                if not ids:
                    return []
                # Conditional: on SQLite two workers may have read the same ids; only one UPDATE wins each row.
                connection.execute(
                    notifications.update()
                    .where(t.id.in_(ids), self._due(channels, moment))
                    .values(lease_owner=worker, lease_until=until)
                )
                rows = connection.execute(
                    sa.select(notifications).where(t.id.in_(ids), t.lease_owner == worker, t.lease_until == until)
                )
                return [
                    Notification(
                        row.id,
                        row.reference,
                        row.channel,
                        row.message_id,
                        EnquiryNote.from_json(row.content),
                        row.attempts,
                        _aware(row.created_at),
                    )
                    for row in rows
                ]

        return with_retries(take, self.retry_seconds, "outbox database")

    def _finish(self, notification: Notification, worker: str, **values: object) -> bool:
        t = notifications.c

        def update() -> bool:
            with self.engine.begin() as connection:
                result = connection.execute(
                    notifications.update()
                    .where(t.id == notification.id, t.lease_owner == worker)
                    .values(attempts=t.attempts + 1, lease_owner=None, lease_until=None, **values)
                )
                return bool(result.rowcount)

        kept = with_retries(update, self.retry_seconds, "outbox database")
        if not kept:
            logger.warning("Notification %s: lease lost before it was recorded", notification.id)
        return kept

    def mark_sent(self, notification: Notification, worker: str, now: Optional[datetime] = None) -> bool:
        return self._finish(notification, worker, status=SENT, sent_at=_naive(now or utcnow()), last_error=None)

    def mark_retry(
        self, notification: Notification, worker: str, error: str, delay: float, now: Optional[datetime] = None
    ) -> bool:
        moment = _naive(now or utcnow())
        return self._finish(
            notification, worker, next_attempt_at=moment + timedelta(seconds=delay), last_error=error[:300]
        )

    def mark_failed(self, notification: Notification, worker: str, error: str) -> bool:
        return self._finish(notification, worker, status=FAILED, last_error=error[:300])

    def counts(self) -> Dict[str, int]:
        self.create_schema()
        with self.engine.connect() as connection:
            query = sa.select(notifications.c.status, sa.func.count()).group_by(notifications.c.status)
            return {str(status): int(count) for status, count in connection.execute(query)}

    def rows(self, reference: Optional[str] = None) -> List[Dict[str, object]]:
        """Every row as a dict (for the CLI and tests)."""
        self.create_schema()
        query = sa.select(notifications).order_by(notifications.c.id)
        if reference is not None:
            query = query.where(notifications.c.reference == reference)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def retry_failed(self, now: Optional[datetime] = None) -> int:
        """Put refused notifications back in the queue (after the settings were fixed)."""
        self.create_schema()
        with self.engine.begin() as connection:
            result = connection.execute(
                notifications.update()
                .where(notifications.c.status == FAILED)
                .values(status=PENDING, next_attempt_at=_naive(now or utcnow()), last_error=None)
            )
            return int(result.rowcount or 0)

    def delete_for(self, references: Iterable[str]) -> int:
        """Erase the notifications of these enquiries (the privacy tool's ``forget``)."""
        refs = sorted(set(references))
        if not refs or not sa.inspect(self.engine).has_table(notifications.name):
            return 0
        with self.engine.begin() as connection:
            result = connection.execute(notifications.delete().where(notifications.c.reference.in_(refs)))
            return int(result.rowcount or 0)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment
