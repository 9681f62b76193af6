"""Telling the PMO Learning team about each enquiry: a transactional outbox.

The enquiry and its notifications are written in one transaction
(:func:`bot.outbox.model.queue`, called from ``EnquiryStore.save``); workers
(:class:`bot.outbox.delivery.Worker`) deliver them afterwards, by email and
optionally to a Slack or Teams webhook. The action server runs one in a
background thread (``actions/__init__.py``); ``python -m bot.outbox run`` runs
one on its own. Settings: :mod:`bot.outbox.settings`.
"""

from __future__ import annotations

import os
from typing import Mapping, Optional

from sqlalchemy.engine import Connection

from bot.enquiries import Enquiry
from bot.outbox.content import Gist, note_for
from bot.outbox.delivery import BACKOFF_SECONDS, LEASE_SECONDS, POLL_SECONDS, Background, Worker, wake
from bot.outbox.model import Outbox, queue
from bot.outbox.settings import Settings, SettingsError, settings_from_env
from bot.storage.database import database_url, make_engine
from bot.storage.enquiry_store import EnquiryStore, StoredEnquiry

POLL_ENV = "PMO_OUTBOX_POLL_SECONDS"
BACKOFF_ENV = "PMO_OUTBOX_BACKOFF_SECONDS"
LEASE_ENV = "PMO_OUTBOX_LEASE_SECONDS"


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    try:
        value = float(env.get(name, "") or default)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds") from None
    if value <= 0:
        raise SettingsError(f"{name} must be more than 0")
    return value


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


def worker_from_env(
    env: Optional[Mapping[str, str]] = None, database: Optional[str] = None, name: Optional[str] = None
) -> Optional[Worker]:
    """A worker for the configured channels, or None when no channel is configured."""
    env = os.environ if env is None else env
    settings = settings_from_env(env)
    if not settings.channels:
        return None
    outbox = Outbox(make_engine(database or database_url(env)))
    return Worker(
        outbox,
        settings,
        name=name,
        lease_seconds=_seconds(env, LEASE_ENV, LEASE_SECONDS),
        backoff_seconds=_seconds(env, BACKOFF_ENV, BACKOFF_SECONDS),
    )


def poll_seconds(env: Optional[Mapping[str, str]] = None) -> float:
    return _seconds(os.environ if env is None else env, POLL_ENV, POLL_SECONDS)


__all__ = [
    "Background",
    "Outbox",
    "Settings",
    "SettingsError",
    "Worker",
    "poll_seconds",
    "queue",
    "save_and_notify",
    "settings_from_env",
    "wake",
    "worker_from_env",
]
