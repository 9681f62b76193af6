"""Rasa's SQL tracker store, configured by environment variable and patient with restarts.

``endpoints.yml`` names :class:`EnvSQLTrackerStore`. Rasa cannot expand an
unset ``${VAR}`` there, so the database URL is read here instead: SQLite file
``db`` when ``PMO_DATABASE_URL`` is unset (the two-command set-up), that URL
otherwise. Reads and writes are retried while the database restarts.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Any, Awaitable, Callable, Iterable, Optional, Text, TypeVar

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import DBAPIError

from bot.storage.database import (
    DATABASE_URL_ENV,
    DEFAULT_SQLITE_FILE,
    RETRY_SECONDS,
    StorageUnavailable,
    database_url,
    is_transient,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")


class EnvSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,
        db: Text = DEFAULT_SQLITE_FILE,
        event_broker: Optional[EventBroker] = None,
        require_url: bool = False,
        retry_seconds: float = RETRY_SECONDS,
        **kwargs: Any,
    ) -> None:
        if require_url and not os.environ.get(DATABASE_URL_ENV):
            raise ValueError(f"{DATABASE_URL_ENV} must be set (this endpoints file is for production)")
        kwargs.pop("dialect", None)
        url = database_url(sqlite_file=db)
        super().__init__(domain=domain, host=url, db=db, event_broker=event_broker, **kwargs)
        # Same engine as Rasa's, plus a liveness check of pooled connections,
        # so the first query after a database restart reconnects instead of failing.
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.retry_seconds = float(retry_seconds)
        logger.info("Tracker store: %s", self.engine.url.get_backend_name())

    async def _retry(self, operation: Callable[[], Awaitable[T]]) -> T:
        deadline = time.monotonic() + self.retry_seconds
        delay = 0.2
        while True:
            try:
                return await operation()
            except DBAPIError as error:
                if not is_transient(error):
                    raise
                if time.monotonic() + delay > deadline:
                    raise StorageUnavailable(f"tracker store unreachable for {self.retry_seconds:.0f}s") from error
                logger.warning("Tracker store unreachable (%s), retrying in %.1fs", type(error.orig).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self._retry(lambda: super(EnvSQLTrackerStore, self).save(tracker))

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        parent = super(EnvSQLTrackerStore, self)._retrieve
        return await self._retry(lambda: parent(sender_id, fetch_events_from_all_sessions))

    async def keys(self) -> Iterable[Text]:
        return await self._retry(lambda: super(EnvSQLTrackerStore, self).keys())
