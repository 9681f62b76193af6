"""Answering in the background, for platforms that want their HTTP 200 at once.

Slack retries an event it has not had a 200 for within 3 seconds, and the Bot
Framework expects a quick answer too, so their connectors acknowledge first and
run the conversation turn as a task. The tasks are kept referenced until they
finish (asyncio keeps only weak references), and a failure is logged by its type
only: the user's text never reaches the logs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Coroutine, Optional, Set

from rasa.core.channels.channel import UserMessage

logger = logging.getLogger(__name__)


class BackgroundTasks:
    """Runs conversation turns (and other sends) as tasks that are kept until done."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self._tasks: Set["asyncio.Task[Any]"] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def start(self, coroutine: Coroutine[Any, Any, Any]) -> "asyncio.Task[Any]":
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def answer(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        message: UserMessage,
        before: Optional[Callable[[], Awaitable[None]]] = None,
    ) -> None:
        """Hand ``message`` to Rasa in the background (after ``before``, e.g. a typing indicator)."""
        self.start(self._answer(on_new_message, message, before))

    async def _answer(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        message: UserMessage,
        before: Optional[Callable[[], Awaitable[None]]] = None,
    ) -> None:
        """One turn; a failed one (a custom action down or past ``PMO_ACTION_TIMEOUT``) gets the apology.

        The same apology and contact route as the REST channel and the widget,
        so a Slack or Teams user is never left without an answer.
        """
        from bot.channels.rest import APOLOGY, run_turn

        if before is not None:
            try:
                await before()
            except Exception as exc:  # a nicety: the turn goes on without it
                logger.warning("%s: before the turn: %s", self.channel, type(exc).__name__)
        if not await run_turn(on_new_message, message, self.channel):
            return
        try:
            await message.output_channel.send_text_message(message.sender_id, APOLOGY)
        except Exception as exc:  # the platform is unreachable too: nothing more to do
            logger.error("%s apology not sent: %s", self.channel, type(exc).__name__)
