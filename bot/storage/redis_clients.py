"""The one place Redis clients are made: conversation locks, rate limits, channel marks.

Every client is redis-py's asyncio one, with the socket timeouts its caller passes (a
lock round trip may take 2 s, a rate-limit check a quarter of a second) and no retry on a
timeout: the callers bound their calls and fall back on their own. The server comes from
``PMO_REDIS_URL`` (:class:`bot.settings.RedisServer`), read once where a process starts.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, Optional, Union

from bot.settings import RedisServer, parse_redis_url


def redis_settings(url: str) -> Dict[str, Any]:
    """``redis://[[user]:password@]host[:port][/db]`` as Rasa's ``RedisLockStore`` arguments."""
    return dataclasses.asdict(parse_redis_url(url))


def async_client(
    server: Union[RedisServer, str],
    timeout: float,
    connect_timeout: Optional[float] = None,
    keepalive: bool = False,
) -> Any:
    """An asyncio Redis client for ``server`` (or its URL), each call bounded by ``timeout`` seconds."""
    import redis.asyncio

    if isinstance(server, str):
        server = parse_redis_url(server)
    extra: Dict[str, Any] = {"socket_keepalive": True} if keepalive else {}
    return redis.asyncio.Redis(
        host=server.host,
        port=server.port,
        db=server.db,
        username=server.username,
        password=server.password,
        ssl=server.use_ssl,
        socket_timeout=timeout,
        socket_connect_timeout=timeout if connect_timeout is None else connect_timeout,
        retry_on_timeout=False,
        **extra,
    )
