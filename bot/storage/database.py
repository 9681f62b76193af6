"""One database URL for the whole assistant, and riding out a database restart.

``PMO_DATABASE_URL`` (e.g. ``postgresql://pmo@db-host/pmo``) points the
tracker store, the enquiries table and the privacy tool at the same database;
unset, all three use the SQLite file ``conversations.db`` in the working folder.
Engines check a pooled connection before using it (``pool_pre_ping``) and
:func:`with_retries` (or :func:`with_retries_async`, one policy: :class:`Retrying`)
repeats an operation while the database is briefly away, so a PostgreSQL restart
costs a user a short wait, not a lost message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Dict, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.settings import DATABASE_URL_ENV as DATABASE_URL_ENV
from bot.settings import DEFAULT_SQLITE_FILE as DEFAULT_SQLITE_FILE
from bot.settings import REDIS_URL_ENV as REDIS_URL_ENV
from bot.settings import Settings

logger = logging.getLogger(__name__)

RETRY_SECONDS = 30.0

T = TypeVar("T")


class StorageUnavailable(RuntimeError):
    """The database stayed unreachable for longer than we are willing to wait."""


def database_url(settings: Settings, sqlite_file: str = DEFAULT_SQLITE_FILE) -> str:
    """The configured database URL (``PMO_DATABASE_URL``, :mod:`bot.settings`), or the SQLite file."""
    return settings.database_url or f"sqlite:///{sqlite_file}"


def make_engine(url: str) -> Engine:
    kwargs: Dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 15}  # wait for the other process's write lock
    return sa.create_engine(url, **kwargs)


def is_transient(error: BaseException) -> bool:
    """A lost or refused connection, as opposed to a bug in the query."""
    if isinstance(error, OperationalError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


class Retrying:
    """The one retry policy for database calls: back off 0.2 s, doubling to 2 s, for ``seconds`` in all.

    :func:`with_retries` (blocking callers) and :func:`with_retries_async`
    (the tracker store, on the event loop) both ask it what to do after an error.
    """

    def __init__(self, seconds: float = RETRY_SECONDS, what: str = "database") -> None:
        self.seconds = seconds
        self.what = what
        self.deadline = time.monotonic() + seconds
        self.delay = 0.2

    def pause_after(self, error: DBAPIError) -> float:
        """Seconds to wait before the next attempt; raises when there should be none."""
        if not is_transient(error):
            raise error
        if time.monotonic() + self.delay > self.deadline:
            raise StorageUnavailable(f"{self.what} unreachable for {self.seconds:.0f}s") from error
        delay = self.delay
        logger.warning("%s unreachable (%s), retrying in %.1fs", self.what, type(error.orig).__name__, delay)
        self.delay = min(self.delay * 2, 2.0)
        return delay


def with_retries(operation: Callable[[], T], seconds: float = RETRY_SECONDS, what: str = "database") -> T:
    """Run ``operation``, retrying with back-off while the database is unreachable."""
    policy = Retrying(seconds, what)
    while True:
        try:
            return operation()
        except DBAPIError as error:
            time.sleep(policy.pause_after(error))


async def with_retries_async(
    operation: Callable[[], Awaitable[T]], seconds: float = RETRY_SECONDS, what: str = "database"
) -> T:
    """:func:`with_retries` for a coroutine: the waits are ``asyncio.sleep``, never blocking the loop."""
    policy = Retrying(seconds, what)
    while True:
        try:
            return await operation()
        except DBAPIError as error:
            await asyncio.sleep(policy.pause_after(error))
