"""Failure, not speed: a custom action call is bounded, and the channel is told it failed.

A custom action call is bounded by ``PMO_ACTION_TIMEOUT`` (default 5 s; Rasa 3.6
waits 5 minutes), and a failed or timed-out call is recorded in the turn's
:class:`bot.turns.TurnOutcome` (:func:`bot.turns.watch_turn`), so every channel
apologises with the contact route.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any, Awaitable, Optional, TypeVar

from bot.serving.patching import expect_function, originals, replace
from bot.settings import ACTION_TIMEOUT_ENV, DEFAULT_ACTION_TIMEOUT, Settings
from bot.turns import mark_action_failed

NAME = "custom action calls bounded by PMO_ACTION_TIMEOUT"


T = TypeVar("T")
_limit: Optional[float] = None  # PMO_ACTION_TIMEOUT as read when the patch was installed


@functools.cache
def timed_out_error() -> type:
    """The error a timed-out call raises: a ``RasaException``, which Rasa handles as a failed action."""
    from rasa.shared.exceptions import RasaException

    class ActionTimedOut(RasaException):
        """A custom action call took longer than ``PMO_ACTION_TIMEOUT``."""

    return ActionTimedOut


async def bounded(name: str, call: Awaitable[T]) -> T:
    """``call`` (one custom action, over HTTP or in-process) given ``PMO_ACTION_TIMEOUT`` s at most.

    A timeout or an error is recorded in the turn's :class:`TurnOutcome`, so the channel
    apologises; a rejection (the action declined, Rasa predicts another) is no failure.
    """
    from rasa.core.actions.action import ActionExecutionRejection

    limit = _limit if _limit is not None else DEFAULT_ACTION_TIMEOUT
    try:
        return await asyncio.wait_for(call, limit)
    except ActionExecutionRejection:
        raise  # the action declined: Rasa predicts another, nothing failed
    except asyncio.TimeoutError:
        mark_action_failed()
        raise timed_out_error()(
            f"Custom action '{name}' took longer than {limit:g}s ({ACTION_TIMEOUT_ENV}); its events are dropped"
        ) from None
    except Exception:
        mark_action_failed()
        raise


def install(settings: Settings) -> None:
    """A custom action call gives up after ``PMO_ACTION_TIMEOUT`` s (Rasa waits 5 minutes).

    Rasa 3.6 passes ``timeout=DEFAULT_REQUEST_TIMEOUT`` (300 s) to the action
    endpoint itself, so no setting shortens it. A timed-out or failed call is
    handled by Rasa as an action server that is down (the action's events are
    dropped, the turn goes on) and the channel is told, so it apologises.
    """
    global _limit
    from rasa.core.actions.action import RemoteAction

    original = expect_function(
        "custom action calls bounded by PMO_ACTION_TIMEOUT",
        RemoteAction,
        "run",
        ("self", "output_channel", "nlg", "tracker", "domain"),
        is_async=True,
        source_has=("timeout=DEFAULT_REQUEST_TIMEOUT", "self.action_endpoint.request("),
    )
    originals["RemoteAction.run"] = original
    _limit = settings.action_timeout

    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        return await bounded(self.name(), original(self, output_channel, nlg, tracker, domain))

    replace(RemoteAction, "run", run)
