"""The ``enquiries`` table: saved once the user agrees, exported and erased on request."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.enquiries import Enquiry
from bot.storage.database import RETRY_SECONDS, with_retries
from bot.storage.schema import ensure_schema

logger = logging.getLogger(__name__)

metadata = sa.MetaData()

enquiries = sa.Table(
    "enquiries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # Given to the user; also makes a retried insert idempotent.
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
# Migration 0002: the privacy tool looks enquiries up by lower(email).
sa.Index("ix_enquiries_email_lower", sa.func.lower(enquiries.c.email))


@dataclass(frozen=True)
class StoredEnquiry:
    reference: str
    conversation_id: str
    created_at: datetime
    name: str
    email: str
    organisation: str
    team_size: Optional[int]
    interest: str

    def as_dict(self) -> Dict[str, Any]:
        row = asdict(self)
        row["created_at"] = self.created_at.isoformat()
        return row


FIELDS = [f for f in StoredEnquiry.__dataclass_fields__]
AlsoInsert = Callable[[Connection, StoredEnquiry], None]


def reference_for(enquiry: Enquiry) -> str:
    """The same reference for the same enquiry from the same conversation.

    A turn that timed out in Rasa may still have been stored by the action
    server; when the user sends it again, the retry lands on the same row
    (one enquiry, one reference) instead of a second one.
    """
    key = "\x1f".join(
        str(part)
        for part in (
            enquiry.conversation_id,
            enquiry.name,
            enquiry.email.lower(),
            enquiry.organisation,
            enquiry.team_size,
            enquiry.interest,
        )
    )
    return "ENQ-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:8].upper()


class EnquiryStore:
    def __init__(self, engine: Engine, retry_seconds: float = RETRY_SECONDS) -> None:
        self.engine = engine
        self.retry_seconds = retry_seconds
        self._schema_ready = False

    def create_schema(self) -> None:
        """Check the tables are this release's (created when the database is empty); see bot.storage.schema."""
        with_retries(lambda: ensure_schema(self.engine), self.retry_seconds, "enquiry database")
        self._schema_ready = True

    def _ready(self) -> None:
        if not self._schema_ready:
            self.create_schema()

    def save(
        self,
        enquiry: Enquiry,
        reference: Optional[str] = None,
        now: Optional[datetime] = None,
        also: Optional[AlsoInsert] = None,
    ) -> StoredEnquiry:
        """Insert the enquiry once: the same enquiry from the same conversation is one row.

        The reference is derived from the conversation and the details
        (:func:`reference_for`) unless given; saving again returns the row
        already stored, under its first reference and time. ``also`` writes
        more rows (the outbox's notifications) in the same transaction, so
        both are stored or neither; it runs only when the enquiry is new.
        """
        self._ready()
        stored = StoredEnquiry(
            reference=reference or reference_for(enquiry),
            conversation_id=enquiry.conversation_id,
            created_at=now or datetime.now(timezone.utc),
            name=enquiry.name,
            email=enquiry.email,
            organisation=enquiry.organisation,
            team_size=enquiry.team_size,
            interest=enquiry.interest,
        )

        def insert() -> StoredEnquiry:
            existing = self._stored(stored.reference)
            if existing is not None:
                return existing
            try:
                with self.engine.begin() as connection:
                    connection.execute(enquiries.insert().values(consent=True, **asdict(stored)))
                    if also is not None:
                        also(connection, stored)
            except IntegrityError:
                # A concurrent retry, or the first attempt committed before the connection dropped.
                existing = self._stored(stored.reference)
                if existing is None:
                    raise
                return existing
            return stored

        saved = with_retries(insert, self.retry_seconds, "enquiry database")
        if saved.conversation_id != stored.conversation_id:
            raise IntegrityError("enquiry reference already used by another conversation", None, Exception())
        logger.info("Enquiry %s %s", saved.reference, "saved" if saved is stored else "already saved")
        return saved

    def _stored(self, reference: str) -> Optional[StoredEnquiry]:
        with self.engine.connect() as connection:
            query = sa.select(*[enquiries.c[f] for f in FIELDS]).where(enquiries.c.reference == reference)
            row = connection.execute(query).first()
            return StoredEnquiry(**_aware(dict(row._mapping))) if row is not None else None

    def all(self) -> List[StoredEnquiry]:
        self._ready()

        def select() -> List[StoredEnquiry]:
            with self.engine.connect() as connection:
                rows = connection.execute(
                    sa.select(*[enquiries.c[f] for f in FIELDS]).order_by(enquiries.c.created_at, enquiries.c.id)
                )
                return [StoredEnquiry(**_aware(dict(row._mapping))) for row in rows]

        return with_retries(select, self.retry_seconds, "enquiry database")

    def conversations_of(self, email: str) -> List[str]:
        self._ready()
        with self.engine.connect() as connection:
            query = sa.select(enquiries.c.conversation_id).where(sa.func.lower(enquiries.c.email) == email.lower())
            return sorted({row[0] for row in connection.execute(query)})

    def references_of(self, email: str) -> List[str]:
        self._ready()
        with self.engine.connect() as connection:
            query = sa.select(enquiries.c.reference).where(sa.func.lower(enquiries.c.email) == email.lower())
            return sorted(row[0] for row in connection.execute(query))

    def delete_by_email(self, email: str) -> int:
        self._ready()
        with self.engine.begin() as connection:
            result = connection.execute(enquiries.delete().where(sa.func.lower(enquiries.c.email) == email.lower()))
            return int(result.rowcount or 0)


def _aware(row: Dict[str, Any]) -> Dict[str, Any]:
    """SQLite returns naive datetimes; everything we store is UTC."""
    created = row["created_at"]
    if isinstance(created, datetime) and created.tzinfo is None:
        row["created_at"] = created.replace(tzinfo=timezone.utc)
    return row
