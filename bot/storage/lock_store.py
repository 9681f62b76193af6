"""Conversation locks: in memory for one process, Redis when replicas share conversations.

``endpoints.yml`` names :class:`EnvLockStore`. With ``PMO_REDIS_URL`` set it locks
through Redis; without, an in-memory store, which is only safe for a single
process, so it refuses to start when ``SANIC_WORKERS`` asks for more (Rasa itself
would silently accept any custom lock store there).

Rasa's ``RedisLockStore`` is synchronous inside async code: each of a turn's lock
calls blocks the event loop until Redis answers, so a Redis that hangs (rather
than refuses) stalls every visitor of the replica, up to the socket timeout per
call, one turn after another. Here every turn takes and gives back its lock with
:class:`AsyncRedisLocks` (redis' asyncio client, the same keys and ticket format
as Rasa's), each round trip bounded by ``socket_timeout`` (2 s) and each operation
as a whole by half a second more: a hung Redis costs
the turns that wait on it that bound and the apology (a ``LockError``), at the
same time rather than one after another, and costs nothing to anything else the
replica does meanwhile (health checks, connections, acknowledgements, rate limits).
Each read-modify-write of a lock is one Redis transaction (``WATCH``/``MULTI``),
so two replicas taking tickets for one conversation at the same instant get two
tickets (Rasa's read then write could hand out the same one).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable, Dict, Optional, Set, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.settings import REDIS_URL_ENV, RedisServer, load
from bot.storage.redis_clients import async_client, redis_settings

logger = logging.getLogger(__name__)

# Seconds any one Redis call may take (a lock round trip is well under a millisecond).
DEFAULT_SOCKET_TIMEOUT = 2.0
OVERALL_MARGIN = 0.5  # seconds one lock operation may take beyond the socket timeout (connect, conflicts)
GIVE_BACK_INTERVAL = 1.0  # seconds between tries to give a ticket back after Redis failed
MAX_CONFLICTS = 20  # transactions retried when another replica changed the same lock meanwhile

Change = Callable[[Optional[TicketLock]], Optional[TicketLock]]


class AsyncRedisLocks:
    """Rasa's ticket locks in Redis, through the asyncio client: nothing here blocks the event loop."""

    def __init__(self, server: RedisServer, key_prefix: str, timeout: float, connect_timeout: float) -> None:
        self.server, self.key_prefix = server, key_prefix
        self.timeout, self.connect_timeout = timeout, connect_timeout
        # One client per event loop: an asyncio connection belongs to the loop that opened it.
        self._clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any]" = weakref.WeakKeyDictionary()
        self._retries: "Set[asyncio.Task[None]]" = set()  # tickets being given back late (kept referenced)

    def _client(self) -> Any:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self._clients[loop] = async_client(self.server, self.timeout, self.connect_timeout, keepalive=True)
        return client

    async def _bounded(self, work: Any) -> Any:
        """One lock operation, bounded as a whole (connect, every round trip, conflicts).

        Any failure is Rasa's ``LockError`` (the turn is refused and the visitor gets the
        apology), named by its type only: a Redis error may quote what was sent.
        """
        try:
            # A little past the socket timeout, so that a hung read normally ends by that timeout
            # (the connection closed cleanly) and this is only the backstop.
            return await asyncio.wait_for(work, timeout=self.timeout + OVERALL_MARGIN)
        except LockError:
            raise
        except asyncio.TimeoutError:
            raise LockError(f"Redis did not answer within {self.timeout + OVERALL_MARGIN:g} s") from None
        except Exception as error:  # refused, reset, a read timed out...
            raise LockError(f"Error while acquiring lock. Error:\n{type(error).__name__}") from None

    async def get(self, conversation_id: Text) -> Optional[TicketLock]:
        raw = await self._bounded(self._client().get(self.key_prefix + conversation_id))
        return TicketLock.from_dict(_loads(raw)) if raw else None

    async def change(self, conversation_id: Text, change: Change) -> Optional[TicketLock]:
        """Read the lock, apply ``change``, write it back (or delete it on None), atomically."""
        lock: Optional[TicketLock] = await self._bounded(self._change(conversation_id, change))
        return lock

    async def _change(self, conversation_id: Text, change: Change) -> Optional[TicketLock]:
        import redis

        key = self.key_prefix + conversation_id
        async with self._client().pipeline(transaction=True) as pipe:
            for _ in range(MAX_CONFLICTS):
                try:
                    await pipe.watch(key)
                    raw = await pipe.get(key)
                    lock = change(TicketLock.from_dict(_loads(raw)) if raw else None)
                    pipe.multi()
                    if lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, lock.dumps())
                    await pipe.execute()
                    return lock
                except redis.WatchError:
                    continue  # another replica changed this lock meanwhile: read it again
        raise LockError(f"lock for a conversation changed {MAX_CONFLICTS} times while being updated")

    @asynccontextmanager
    async def lock(
        self, conversation_id: Text, lock_lifetime: float, wait_time_in_seconds: float
    ) -> AsyncIterator[TicketLock]:
        """Rasa's ``LockStore.lock``: a ticket, wait for its turn, give it back (see there)."""
        issued: Dict[str, int] = {}

        def issue(lock: Optional[TicketLock]) -> TicketLock:
            lock = lock or TicketLock(conversation_id)
            issued["ticket"] = lock.issue_ticket(lock_lifetime)
            return lock

        await self.change(conversation_id, issue)
        ticket = issued["ticket"]
        try:
            yield await self._acquire(conversation_id, ticket, wait_time_in_seconds)
        finally:
            try:
                await self.change(conversation_id, lambda lock: _finish(lock, ticket))
            except LockError:  # the turn is done: keep trying, so the next turn need not wait out the lifetime
                logger.warning("Lock not given back (Redis failed); trying again in the background")
                task = asyncio.create_task(self._give_back_later(conversation_id, ticket, lock_lifetime))
                self._retries.add(task)
                task.add_done_callback(self._retries.discard)

    async def _give_back_later(self, conversation_id: Text, ticket: int, lifetime: float) -> None:
        """Give a ticket back once Redis answers again; past its lifetime it has expired anyway."""
        deadline = asyncio.get_running_loop().time() + lifetime
        while asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(GIVE_BACK_INTERVAL)
            try:
                await self.change(conversation_id, lambda lock: _finish(lock, ticket))
                logger.info("Lock given back after Redis came back")
                return
            except LockError:
                continue

    async def _acquire(self, conversation_id: Text, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        while True:
            lock = await self.get(conversation_id)
            if lock is None:  # expired meanwhile
                break
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)
            await self.change(conversation_id, _without_expired)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")


def _loads(raw: Any) -> Dict[str, Any]:
    import json

    data = json.loads(raw)
    return data if isinstance(data, dict) else {}


def _without_expired(lock: Optional[TicketLock]) -> Optional[TicketLock]:
    if lock is not None:
        lock.remove_expired_tickets()
    return lock


def _finish(lock: Optional[TicketLock], ticket: int) -> Optional[TicketLock]:
    """The ticket served; the lock goes when no one else holds a ticket (Rasa's ``cleanup``)."""
    if lock is None:
        return None
    lock.remove_ticket_for(ticket)
    return lock if lock.is_someone_waiting() else None


class EnvLockStore(LockStore):
    """Built by Rasa from ``endpoints.yml``: the settings (:mod:`bot.settings`) are read here."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None) -> None:
        settings = dict(endpoint_config.kwargs) if endpoint_config else {}
        environment = load()
        url = environment.redis_url
        self._store: LockStore
        self._async: Optional[AsyncRedisLocks] = None
        if url:
            # Rasa's own store stays for its synchronous methods (and the check at start);
            # turns lock through ``lock`` below, off the event loop.
            timeout = float(settings.get("socket_timeout", DEFAULT_SOCKET_TIMEOUT))
            connect_timeout = float(settings.get("socket_connect_timeout", timeout))
            redis_store = RedisLockStore(
                **redis_settings(url), key_prefix=settings.get("key_prefix"), socket_timeout=timeout
            )
            redis_store.red.connection_pool.connection_kwargs.update(
                socket_connect_timeout=connect_timeout, socket_keepalive=True
            )
            redis_store.red.ping()  # fail at start-up, not on the first message
            self._store = redis_store
            server = environment.redis
            assert server is not None  # the URL is set
            self._async = AsyncRedisLocks(server, redis_store.key_prefix, timeout, connect_timeout)
        else:
            workers = environment.sanic_workers
            if settings.get("require_url") or workers != "1":
                raise ValueError(
                    f"{REDIS_URL_ENV} must be set for several Sanic workers or replicas "
                    f"(SANIC_WORKERS={workers}); an in-memory lock store is per process"
                )
            self._store = InMemoryLockStore()
        logger.info("Lock store: %s", type(self._store).__name__)
        super().__init__()

    @property
    def backend(self) -> LockStore:
        return self._store

    @asynccontextmanager
    async def lock(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncIterator[TicketLock]:
        if self._async is None:
            async with self._store.lock(conversation_id, lock_lifetime, wait_time_in_seconds) as held:
                yield held
        else:
            async with self._async.lock(conversation_id, lock_lifetime, wait_time_in_seconds) as held:
                yield held

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        return self._store.get_lock(conversation_id)

    def delete_lock(self, conversation_id: Text) -> None:
        self._store.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self._store.save_lock(lock)
