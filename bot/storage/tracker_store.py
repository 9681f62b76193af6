"""Rasa's SQL tracker store, configured by environment variable and patient with restarts.

``endpoints.yml`` names :class:`EnvSQLTrackerStore`. Rasa cannot expand an
unset ``${VAR}`` there, so the database URL is read here instead: SQLite file
``db`` when ``PMO_DATABASE_URL`` is unset (the two-command set-up), that URL
otherwise. Reads and writes are retried while the database restarts.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from typing import Any, Awaitable, Callable, Dict, Iterable, Optional, Text, TypeVar

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.settings import DEFAULT_CALL_TIMEOUT, load
from bot.storage.database import (
    DATABASE_URL_ENV,
    DEFAULT_SQLITE_FILE,
    RETRY_SECONDS,
    StorageUnavailable,
    database_url,
    with_retries,
    with_retries_async,
)
from bot.storage.schema import ensure_schema
from bot.turns import waiting_on_io

logger = logging.getLogger(__name__)
T = TypeVar("T")

_pool: Optional[concurrent.futures.ThreadPoolExecutor] = None


def _executor() -> concurrent.futures.ThreadPoolExecutor:
    """Threads for tracker store calls, apart from asyncio's default pool (small on 2 cores)."""
    global _pool
    if _pool is None:
        _pool = concurrent.futures.ThreadPoolExecutor(max_workers=16, thread_name_prefix="tracker-store")
    return _pool


def _drive(operation: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine that never really awaits (Rasa's SQL store without a broker) to its end."""
    coroutine = operation()
    try:
        coroutine.send(None)  # type: ignore[attr-defined]
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coroutine.close()  # type: ignore[attr-defined]
    raise RuntimeError("the tracker store awaited something; it cannot run in a thread")


def bounded_engine_kwargs(url: str, seconds: float) -> Dict[str, Any]:
    """Rasa's engine arguments plus bounds on connecting and on each statement (PostgreSQL)."""
    kwargs: Dict[str, Any] = dict(create_engine_kwargs(url))
    if url.startswith("postgres"):
        connect_args = dict(kwargs.get("connect_args") or {})
        milliseconds = int(seconds * 1000)
        options = connect_args.get("options", "")
        connect_args["options"] = (
            f"{options} -c statement_timeout={milliseconds} " f"-c lock_timeout={milliseconds}"
        ).strip()
        connect_args.update(
            connect_timeout=max(1, int(seconds)),
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            keepalives_count=3,
            tcp_user_timeout=milliseconds,
        )
        kwargs["connect_args"] = connect_args
    return kwargs


class EnvSQLTrackerStore(SQLTrackerStore):
    engine: sa.engine.Engine

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
        settings = load()  # built by Rasa from endpoints.yml: the settings are read here
        if require_url and not settings.database_url:
            raise ValueError(f"{DATABASE_URL_ENV} must be set (this endpoints file is for production)")
        kwargs.pop("dialect", None)
        call_timeout = kwargs.pop("call_timeout", None) or settings.store_timeout or DEFAULT_CALL_TIMEOUT
        url = database_url(settings, sqlite_file=db)
        super().__init__(domain=domain, host=url, db=db, event_broker=event_broker, **kwargs)
        # Same engine as Rasa's, plus a liveness check of pooled connections,
        # so the first query after a database restart reconnects instead of failing.
        self.engine.dispose()
        self.call_timeout = float(call_timeout)
        self.engine = sa.create_engine(url, pool_pre_ping=True, **bounded_engine_kwargs(url, self.call_timeout))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.retry_seconds = float(retry_seconds)
        # The project's own tables must be this release's before the server takes a message
        # (created on an empty database; SchemaBehind, naming the command to run, otherwise).
        with_retries(lambda: ensure_schema(self.engine), self.retry_seconds, "database")
        logger.info("Tracker store: %s", self.engine.url.get_backend_name())

    async def _off_the_loop(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run Rasa's (synchronous inside ``async def``) store code in a thread, bounded in time.

        The event loop, and with it every other conversation, never waits on the
        database; a database that hangs costs this turn ``call_timeout`` seconds
        (then :class:`StorageUnavailable`, and Rasa's fail-safe store takes over),
        not the whole server. With an event broker Rasa's code really awaits, so
        it then runs on the loop as before.
        """
        if self.event_broker is not None:
            return await operation()
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(_executor(), _drive, operation)
        try:
            async with waiting_on_io():
                return await asyncio.wait_for(future, self.call_timeout)
        except asyncio.TimeoutError:
            raise StorageUnavailable(f"tracker store did not answer within {self.call_timeout:g}s") from None

    async def _retry(self, operation: Callable[[], Awaitable[T]]) -> T:
        return await with_retries_async(lambda: self._off_the_loop(operation), self.retry_seconds, "tracker store")

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self._retry(lambda: super(EnvSQLTrackerStore, self).save(tracker))

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        parent = super()._retrieve
        return await self._retry(lambda: parent(sender_id, fetch_events_from_all_sessions))

    async def keys(self) -> Iterable[Text]:
        return await self._retry(lambda: super(EnvSQLTrackerStore, self).keys())
