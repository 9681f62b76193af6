"""Conversation locks: in memory for one process, Redis when replicas share conversations.

``endpoints.yml`` names :class:`EnvLockStore`. With ``PMO_REDIS_URL`` set it is
Rasa's ``RedisLockStore``; without, an in-memory store, which is only safe for
a single process, so it refuses to start when ``SANIC_WORKERS`` asks for more
(Rasa itself would silently accept any custom lock store there).
"""

from __future__ import annotations

import logging
import os
from typing import Optional, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.storage.database import REDIS_URL_ENV, redis_settings

logger = logging.getLogger(__name__)

# Seconds any one Redis call may take (a lock round trip is well under a millisecond).
DEFAULT_SOCKET_TIMEOUT = 2.0


class EnvLockStore(LockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None) -> None:
        settings = dict(endpoint_config.kwargs) if endpoint_config else {}
        url = os.environ.get(REDIS_URL_ENV, "").strip()
        self._store: LockStore
        if url:
            # Rasa's Redis lock store is synchronous inside async code: a Redis that hangs
            # (rather than refuses) blocks the whole event loop for as long as a call may
            # take, so every call is bounded: connect, read and write.
            timeout = float(settings.get("socket_timeout", DEFAULT_SOCKET_TIMEOUT))
            self._store = RedisLockStore(
                **redis_settings(url), key_prefix=settings.get("key_prefix"), socket_timeout=timeout
            )
            self._store.red.connection_pool.connection_kwargs.update(
                socket_connect_timeout=float(settings.get("socket_connect_timeout", timeout)), socket_keepalive=True
            )
            self._store.red.ping()  # fail at start-up, not on the first message
        else:
            workers = os.environ.get("SANIC_WORKERS", "1").strip() or "1"
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

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        return self._store.get_lock(conversation_id)

    def delete_lock(self, conversation_id: Text) -> None:
        self._store.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self._store.save_lock(lock)
