"""Which Slack messages the bot answers, where, and in which conversation (pure).

- A direct message: one conversation per DM channel (``slack:D…``); the answer goes
  to the DM (into the thread when the message was in one).
- A mention in a channel: one conversation per thread (``slack:C…:<thread ts>``),
  shared by everyone in it, as in a group chat; a mention at the top of a channel
  starts a thread under that message, a mention inside a thread answers there. The
  bot then takes part in that thread.
- Any other message inside a thread the bot takes part in: the same conversation,
  without a new mention (the caller checks the shared record of the bot's threads).
- A message in the one channel named by ``slack_channel`` in ``credentials.yml``:
  as a mention.

Everything else (bots, edits, joins, top-level chatter, messages that mention the
bot, which Slack also sends as ``app_mention``) is ignored here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Sequence

DIRECT = "im"


@dataclass(frozen=True)
class Route:
    conversation_id: str
    channel: str
    thread_ts: Optional[str]  # answer in this thread (None: at the top of the channel)
    joins_thread: bool = False  # the bot now takes part in the thread
    needs_bot_thread: bool = False  # answer only if the bot already takes part in the thread


def is_direct(event: Mapping[str, Any]) -> bool:
    return event.get("channel_type") == DIRECT or str(event.get("channel") or "").startswith("D")


def mentions(text: str, bot_ids: Sequence[str]) -> bool:
    return any(f"<@{bot}>" in text or f"<@{bot}|" in text for bot in bot_ids)


def route(event: Mapping[str, Any], bot_ids: Sequence[str], listen_channel: Optional[str] = None) -> Optional[Route]:
    """Where a user's message is answered, or None when the bot stays silent."""
    kind, channel, ts = event.get("type"), event.get("channel"), event.get("ts")
    if kind not in ("message", "app_mention") or event.get("bot_id") or event.get("subtype"):
        return None
    if not isinstance(channel, str) or not channel or not isinstance(ts, str) or not ts or not event.get("text"):
        return None
    thread = event.get("thread_ts") if isinstance(event.get("thread_ts"), str) else None
    if is_direct(event):
        return Route(f"slack:{channel}", channel, thread)
    if kind == "app_mention" or channel == listen_channel:
        root = thread or ts
        return Route(f"slack:{channel}:{root}", channel, root, joins_thread=True)
    if thread and thread != ts and not mentions(str(event.get("text")), bot_ids):
        return Route(f"slack:{channel}:{thread}", channel, thread, needs_bot_thread=True)
    return None


def bot_user_ids(body: Mapping[str, Any]) -> List[str]:
    """The app's own user ids in an Events API body (to drop its mentions from the text)."""
    users = body.get("authed_users")
    if not isinstance(users, list) or not users:
        authorizations = body.get("authorizations")
        first = authorizations[:1] if isinstance(authorizations, list) else []
        users = [a.get("user_id") for a in first if isinstance(a, dict)]
    return [u for u in users if isinstance(u, str)]
