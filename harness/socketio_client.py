"""A socket.io visitor, as the website widget talks to Rasa (session_request, user_uttered)."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List


async def converse(
    url: str, session_id: str, text: str, timeout: float = 10.0, settle: float = 0.5
) -> List[Dict[str, Any]]:
    """Open a session, send ``text``, and return the bot_uttered messages that arrive.

    Waits up to ``timeout`` for the first reply, then ``settle`` seconds for any more.
    """
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    replies: List[Dict[str, Any]] = []
    confirmed, replied = asyncio.Event(), asyncio.Event()

    @client.on("session_confirm")
    async def on_confirm(_: Any) -> None:
        confirmed.set()

    @client.on("bot_uttered")
    async def on_reply(data: Dict[str, Any]) -> None:
        replies.append(data)
        replied.set()

    await client.connect(url, transports=["websocket"], wait_timeout=timeout)
    try:
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(confirmed.wait(), timeout)
        await client.emit("user_uttered", {"message": text, "session_id": session_id})
        try:
            await asyncio.wait_for(replied.wait(), timeout)
        except asyncio.TimeoutError:
            return replies
        await asyncio.sleep(settle)
        return replies
    finally:
        await client.disconnect()
