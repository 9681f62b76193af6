"""What one turn carries with it across the channels, the stores and the serving patches.

Two context variables, set by :mod:`bot.serving` around each turn and read by whoever
handles it, so no lower layer imports the serving patches:

- the turn's place in the arrival-order gate (:class:`Admission`), given up while the turn
  waits on another server (:func:`waiting_on_io`: the action server, a channel's API, the
  tracker store), so a slow or hung server holds up only its own turns;
- the turn's :class:`TurnOutcome` (:func:`watch_turn`, :func:`mark_action_failed`): did a
  custom action fail or time out, so the channel apologises with the contact route.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import AsyncIterator, Iterator, Optional, Protocol


class Place(Protocol):
    """A gate's places, as an admission uses them (:class:`bot.serving.gate.FifoGate`)."""

    async def acquire(self, ticket: Optional[int] = None) -> int: ...

    def release(self) -> None: ...


class Admission:
    """The place one turn holds in the gate, given up while the turn waits on another server."""

    def __init__(self, gate: Place, ticket: int) -> None:
        self.gate = gate
        self.ticket = ticket
        self.held = True

    def step_out(self) -> bool:
        if not self.held:
            return False
        self.held = False
        self.gate.release()
        return True

    async def come_back(self) -> None:
        await self.gate.acquire(self.ticket)  # ahead of everyone who arrived later
        self.held = True


current_admission: "contextvars.ContextVar[Optional[Admission]]" = contextvars.ContextVar("pmo_admission", default=None)


@contextlib.asynccontextmanager
async def waiting_on_io() -> AsyncIterator[None]:
    """Give the current turn's admission place to others while waiting on I/O.

    The action server, a channel's API, anything awaited that is not this
    process's CPU: a hung server then holds up only its own turns. A no-op
    outside an admitted turn (or when the place is already given up).
    """
    admission = current_admission.get()
    if admission is None or not admission.step_out():
        yield
        return
    try:
        yield
    finally:
        await admission.come_back()


class TurnOutcome:
    """What a channel needs to know after a turn: did a custom action fail or time out?"""

    def __init__(self) -> None:
        self.failed_actions = 0

    @property
    def failed(self) -> bool:
        return self.failed_actions > 0


current_outcome: "contextvars.ContextVar[Optional[TurnOutcome]]" = contextvars.ContextVar("pmo_turn", default=None)


@contextlib.contextmanager
def watch_turn() -> Iterator[TurnOutcome]:
    """Channels wrap a turn in this; the action-call patch records failures in it."""
    outcome = TurnOutcome()
    token = current_outcome.set(outcome)
    try:
        yield outcome
    finally:
        current_outcome.reset(token)


def mark_action_failed() -> None:
    outcome = current_outcome.get()
    if outcome is not None:
        outcome.failed_actions += 1
