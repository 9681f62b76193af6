"""Serving patches for Rasa 3.6: same answers, less CPU per message, bounded failures.

Found by profiling one REST turn end to end (docs/bench.md). One module per patch:

- :mod:`bot.serving.validator`: a custom action's reply validated without
  re-checking Rasa's event schema each time (speed).
- :mod:`bot.serving.graph`: Rasa's graph run as a cached sequence of calls (speed).
- :mod:`bot.serving.events`: event types resolved once, slots copied directly (speed).
- :mod:`bot.serving.states`: the conversation's past dialogue states resumed from the
  last turn instead of replayed from the start (speed that does not fade with length).
- :mod:`bot.serving.gate`: messages admitted in arrival order, the place given up
  while a turn waits on another server (scheduling).
- :mod:`bot.serving.timeouts`: custom action calls bounded by ``PMO_ACTION_TIMEOUT``
  and failed turns reported to the channel (failure).
- :mod:`bot.serving.inprocess`: custom actions run in the Rasa process by rasa-sdk's
  executor when the endpoints file says ``actions_module`` (speed, memory).
- :mod:`bot.serving.questions`: one turn per question in a message (behaviour).
- :mod:`bot.serving.sentences`: a chatty message understood by its question (behaviour).
- :mod:`bot.serving.heap`: the objects loaded at start frozen out of full garbage
  collections (tail latency).
- :mod:`bot.serving.readiness`: a server whose model did not load refuses to start (failure).

``apply()`` is explicit and idempotent: ``python -m bot.serving run ...`` calls it
before handing over to Rasa's own command line. Each patch first checks that what it
replaces is what it was written for (Rasa's version, the function's signature, sync or
async, the source lines it relies on; :mod:`bot.serving.patching`) and raises
:class:`ServingPatchError`, installing nothing, otherwise. ``restore()`` undoes them
all (tests).
"""

from __future__ import annotations

import os
from typing import Callable, List, Tuple

from bot.serving import (
    events,
    gate,
    graph,
    heap,
    inprocess,
    questions,
    readiness,
    sentences,
    states,
    timeouts,
    validator,
)
from bot.serving.events import shallow_copy
from bot.serving.gate import ArrivalOrderGate, FifoGate
from bot.serving.graph import execution_plan
from bot.serving.patching import (
    EXPECTED_RASA_VERSION,
    ServingPatchError,
    expect,
    expect_function,
    originals,
    replaced,
    undo_all,
)
from bot.serving.validator import quick_check, validators_by_event
from bot.settings import (
    ACTION_TIMEOUT_ENV,
    DEFAULT_ACTION_TIMEOUT,
    DEFAULT_MAX_CONCURRENT,
    MAX_CONCURRENT_ENV,
    Settings,
)
from bot.turns import Admission, TurnOutcome, mark_action_failed, waiting_on_io, watch_turn

__all__ = [
    "ACTION_TIMEOUT_ENV",
    "DEFAULT_ACTION_TIMEOUT",
    "DEFAULT_MAX_CONCURRENT",
    "EXPECTED_RASA_VERSION",
    "MAX_CONCURRENT_ENV",
    "Admission",
    "ArrivalOrderGate",
    "FifoGate",
    "ServingPatchError",
    "TurnOutcome",
    "apply",
    "execution_plan",
    "expect",
    "expect_function",
    "mark_action_failed",
    "one_numeric_thread",
    "originals",
    "quick_check",
    "replaced",
    "restore",
    "shallow_copy",
    "validators_by_event",
    "waiting_on_io",
    "watch_turn",
]

ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

# In the order they are installed: the question split wraps the arrival-order gate, so
# each clause of a message is admitted as its own message. Each is handed the settings.
PATCHES: Tuple[Tuple[str, Callable[[Settings], None]], ...] = (
    (validator.NAME, lambda _: validator.install()),
    (graph.NAME, lambda _: graph.install()),
    (events.EVENT_LOOKUP, lambda _: events.install_event_lookup()),
    (events.SLOT_COPY, lambda _: events.install_slot_copy()),
    (states.NAME, states.install),
    (gate.ARRIVAL_ORDER, gate.install_arrival_order),
    (questions.NAME, lambda _: questions.install()),
    (gate.IO_RELEASE, lambda _: gate.install_io_release()),
    (timeouts.NAME, timeouts.install),
    (inprocess.NAME, inprocess.install),  # after the timeout patch: HTTP calls still go through it
    (sentences.NAME, lambda _: sentences.install()),
    (readiness.NAME, lambda _: readiness.install()),
    (heap.NAME, lambda _: heap.install()),
)

_applied: List[str] = []


def one_numeric_thread() -> None:
    """One BLAS/OpenMP thread unless the environment says otherwise.

    Works only before numpy is imported (this package imports none). OpenBLAS's
    worker threads spin after each matrix product; see ``python -m bot.serving``.
    """
    for name in ONE_THREAD:
        os.environ.setdefault(name, "1")


def apply(settings: Settings) -> List[str]:
    """Install every patch once, each checked first; returns the names of those installed.

    Raises :class:`ServingPatchError` (nothing installed) if Rasa is not the
    version and shape the patches were written for, and a
    :class:`bot.settings.SettingsError` on a malformed serving setting.
    """
    if not _applied:
        import rasa

        expect(
            rasa.__version__ == EXPECTED_RASA_VERSION,
            "all",
            f"Rasa {rasa.__version__} installed, the patches are for {EXPECTED_RASA_VERSION}",
        )
        _ = settings.action_timeout, settings.max_concurrent_messages  # a bad value fails here, at start
        try:
            for name, install in PATCHES:
                install(settings)
                _applied.append(name)
        except BaseException:
            restore()
            raise
    return list(_applied)


def restore() -> None:
    """Undo every patch (tests use this so no patch leaks into other tests)."""
    undo_all()
    _applied.clear()
