"""What the Slack connector remembers, shared by every replica through Redis.

- the events and messages already taken (Slack delivers an event again when it got
  no 200 in time, and a mention in a channel arrives twice: as ``app_mention`` and
  as a channel ``message``), for an hour;
- the threads the bot takes part in, so a follow-up there reaches it without a new
  mention, for 30 days;
- the button clicks already taken (a signed click sent again while its signature is
  valid, five minutes, is a replay), for an hour;
- the users already welcomed in their direct messages, and when each one's App
  Home was last drawn.

These are :mod:`bot.channels.marks`: Redis keys with a time to live when
``PMO_REDIS_URL`` is set (shared by replicas, kept across restarts; a hung Redis
costs a message a bounded wait, then this process's memory decides), else memory.
"""

from __future__ import annotations

from typing import Optional

from bot.channels.marks import Marks, MemoryMarks, RedisMarks, marks_for
from bot.settings import Settings

__all__ = ["Marks", "MemoryMarks", "RedisMarks", "SlackState"]

SEEN_SECONDS = 3_600.0  # Slack retries within minutes
THREAD_SECONDS = 30 * 24 * 3_600.0
WELCOME_SECONDS = 365 * 24 * 3_600.0
HOME_SECONDS = 24 * 3_600.0  # the App Home view is drawn again at most once a day per user
PREFIX = "pmo:slack:"


class SlackState:
    """The connector's questions, answered from :class:`Marks`."""

    def __init__(self, marks: Marks) -> None:
        self.marks = marks

    @classmethod
    def from_settings(cls, settings: Settings) -> "SlackState":
        return cls(marks_for(PREFIX, "Slack state", settings))

    async def first_delivery(
        self, event_id: Optional[str], channel: Optional[str] = None, ts: Optional[str] = None
    ) -> bool:
        """True the first time an event, and the message it carries, are seen (by any replica)."""
        if event_id and not await self.marks.add(f"event:{event_id}", SEEN_SECONDS):
            return False
        return not (channel and ts) or await self.marks.add(f"message:{channel}:{ts}", SEEN_SECONDS)

    async def first_click(self, click_id: str) -> bool:
        """True the first time a click (an interactivity request) is seen (by any replica)."""
        return await self.marks.add(f"click:{click_id}", SEEN_SECONDS)

    async def join_thread(self, channel: str, thread_ts: str) -> None:
        await self.marks.add(f"thread:{channel}:{thread_ts}", THREAD_SECONDS)

    async def in_thread(self, channel: str, thread_ts: str) -> bool:
        return await self.marks.has(f"thread:{channel}:{thread_ts}")

    async def first_welcome(self, team: str, user: str) -> bool:
        return await self.marks.add(f"welcome:{team}:{user}", WELCOME_SECONDS)

    async def home_due(self, team: str, user: str) -> bool:
        return await self.marks.add(f"home:{team}:{user}", HOME_SECONDS)
