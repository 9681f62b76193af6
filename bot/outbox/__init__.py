"""Telling the PMO Learning team about each enquiry: a transactional outbox.

The enquiry and its notifications are written in one transaction
(:func:`bot.outbox.model.queue`, called from ``EnquiryStore.save``); workers
(:class:`bot.outbox.delivery.Worker`) deliver them afterwards, by email and
optionally to a Slack or Teams webhook. The action server runs one in a
background thread (``actions/__init__.py``); ``python -m bot.outbox run`` runs
one on its own. Settings: :mod:`bot.settings` (``settings.notifications``).
"""

from __future__ import annotations

from typing import Optional

from sqlalchemy.engine import Connection

from bot.enquiries import Enquiry
from bot.outbox.content import Gist, note_for
from bot.outbox.delivery import Background, Worker, wake
from bot.outbox.model import Outbox, queue
from bot.outbox.settings import Settings, SettingsError
from bot.settings import Settings as AllSettings
from bot.storage.database import database_url, make_engine
from bot.storage.enquiry_store import EnquiryStore, StoredEnquiry


def save_and_notify(store: EnquiryStore, enquiry: Enquiry, gist: Gist, settings: Settings) -> StoredEnquiry:
    """Store the enquiry and its notifications in one transaction (blocking: callers on a loop use a thread).

    With no channel configured nothing is queued, so turning email on later
    does not mail a backlog. A repeated save (a retried turn) queues nothing more.
    """
    if not settings.channels:
        return store.save(enquiry)
    Outbox(store.engine, store.retry_seconds).create_schema()

    def notifications(connection: Connection, stored: StoredEnquiry) -> None:
        queue(connection, note_for(stored, gist), settings)

    return store.save(enquiry, also=notifications)


def worker_for(settings: AllSettings, database: Optional[str] = None, name: Optional[str] = None) -> Optional[Worker]:
    """A worker for the configured channels, or None when no channel is configured.

    Raises :class:`SettingsError` on a malformed notification or outbox setting.
    """
    notifications = settings.notifications
    if not notifications.channels:
        return None
    outbox = Outbox(make_engine(database or database_url(settings)))
    return Worker(
        outbox,
        notifications,
        name=name,
        lease_seconds=settings.outbox_lease_seconds,
        backoff_seconds=settings.outbox_backoff_seconds,
    )


__all__ = [
    "Background",
    "Outbox",
    "Settings",
    "SettingsError",
    "Worker",
    "queue",
    "save_and_notify",
    "wake",
    "worker_for",
]
