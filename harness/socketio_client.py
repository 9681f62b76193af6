"""A socket.io visitor, as the website widget talks to Rasa (session_request, user_uttered)."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Dict, List


class Session:
    """An open widget session: every bot_uttered message that arrived, in order."""

    def __init__(self, client: Any, session_id: str) -> None:
        self.client, self.session_id = client, session_id
        self.replies: List[Dict[str, Any]] = []
        self.replied = asyncio.Event()

    async def say(self, text: str, timeout: float = 10.0, settle: float = 0.5) -> List[Dict[str, Any]]:
        """Send ``text``; return the replies to it: waits up to ``timeout`` for the first, then ``settle`` seconds."""
        start = len(self.replies)
        self.replied.clear()
        await self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})
        try:
            await asyncio.wait_for(self.replied.wait(), timeout)
        except asyncio.TimeoutError:
            return self.replies[start:]
        await asyncio.sleep(settle)
        return self.replies[start:]

    async def call(self, event: str, data: Dict[str, Any], timeout: float = 20.0) -> Any:
        """Emit ``event`` and return the server's acknowledgement."""
        return await self.client.call(event, data, timeout=timeout)


@asynccontextmanager
async def session(url: str, session_id: str, timeout: float = 10.0) -> AsyncIterator[Session]:
    """Connect over websocket and open ``session_id`` (waits up to ``timeout`` for session_confirm)."""
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    opened = Session(client, session_id)
    confirmed = asyncio.Event()

    @client.on("session_confirm")
    async def on_confirm(_: Any) -> None:
        confirmed.set()

    @client.on("bot_uttered")
    async def on_reply(data: Dict[str, Any]) -> None:
        opened.replies.append(data)
        opened.replied.set()

    await client.connect(url, transports=["websocket"], wait_timeout=timeout)
    try:
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(confirmed.wait(), timeout)
        yield opened
    finally:
        await client.disconnect()


async def converse(
    url: str, session_id: str, text: str, timeout: float = 10.0, settle: float = 0.5
) -> List[Dict[str, Any]]:
    """Open a session, send ``text``, and return the bot_uttered messages that arrive.

    Waits up to ``timeout`` for the first reply, then ``settle`` seconds for any more.
    """
    async with session(url, session_id, timeout) as visitor:
        return await visitor.say(text, timeout, settle)
