"""Serving speed-ups for Rasa 3.6: same answers, less CPU per message.

Found by profiling one REST turn end to end (see docs/bench.md). Each fix keeps
Rasa's behaviour and only removes repeated work:

- ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which
  re-checks Rasa's large event schema against the JSON Schema meta-schema on
  every custom action call (tens of ms each, 5-20x the action itself). We build
  the validator once, and check each event against the schema of its own type
  instead of trying all 23 (the full validator still reports any error).
- ``DaskGraphRunner.run`` rebuilds the minimal graph (an unmemoised recursion),
  formats its inputs into a debug f-string and schedules through dask on every
  call, three times a turn. The graphs are small chains, so we cache the
  execution order per target list and call the same nodes in that order.
- ``Event.resolve_by_type`` walks every subclass of ``Event`` (with an
  ``inspect.isabstract`` check on each) for every event it deserialises. We
  remember the answer per type name.
- Every tracker Rasa builds (about nine a turn, replaying the conversation)
  copies each slot with ``copy.copy``, whose generic path (``__reduce_ex__``)
  costs more than the copy. ``Slot.__copy__`` does the same shallow copy directly.

One more changes scheduling, not results: Rasa starts every message as soon as it
arrives, so when many arrive together each one's CPU work is interleaved with all
the others', and a message that waits on the action server rejoins the back of
the queue. ``MessageProcessor.handle_message`` is let in at most
``PMO_MAX_CONCURRENT_MESSAGES`` (default 2: one can use the CPU while another
waits on the action server) at a time, strictly in arrival order. Throughput is
the same; messages finish in the order they came, which cut the p95 latency at
20 concurrent conversations from about 1.8x the median to about 1.4x.

``apply()`` is explicit and idempotent: ``python -m bot.serving run ...`` calls
it before handing over to Rasa's own command line.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import weakref
from typing import Any, Callable, Dict, List, Optional, Text, Tuple, Type

ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
MAX_CONCURRENT_ENV = "PMO_MAX_CONCURRENT_MESSAGES"
DEFAULT_MAX_CONCURRENT = 2

_applied: List[str] = []
# What each speed-up replaced, for tests that compare old and new behaviour.
originals: Dict[str, Any] = {}


def one_numeric_thread() -> None:
    """One BLAS/OpenMP thread unless the environment says otherwise.

    Works only before numpy is imported (this module imports none). OpenBLAS's
    worker threads spin after each matrix product; see ``python -m bot.serving``.
    """
    for name in ONE_THREAD:
        os.environ.setdefault(name, "1")


def apply() -> List[str]:
    """Install every speed-up once; returns the names of those installed."""
    if not _applied:
        for name, install in (
            ("cached action result validator", _cache_action_result_validator),
            ("sequential graph runner", _run_graphs_sequentially),
            ("cached event type lookup", _cache_event_type_lookup),
            ("direct slot copy", _copy_slots_directly),
            ("messages admitted in arrival order", _admit_in_arrival_order),
            ("one turn per question in a message", _one_turn_per_question),
        ):
            install()
            _applied.append(name)
    return list(_applied)


def _cache_action_result_validator() -> None:
    import jsonschema
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    validators: Dict[str, Any] = {}

    def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        validator = validators.get("response")
        if validator is None:
            schema = RemoteAction.action_response_format_spec()
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)  # once, as jsonschema.validate would every time
            validator = validators["response"] = cls(schema)
            validators["by_event"] = validators_by_event(schema, cls)
        if quick_check(result, validator, validators["by_event"]):
            return True
        error = jsonschema.exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            f". Failed to validate Action server response from API, make sure your "
            f"response from the Action endpoint is valid. For more information "
            f"about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error

    originals["RemoteAction._validate_action_result"] = RemoteAction._validate_action_result
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[assignment]


def validators_by_event(schema: Dict[str, Any], cls: Any) -> Optional[Dict[str, Any]]:
    """One validator per event type, or None if the schema is not shaped as expected.

    Rasa's event schema is ``{..., "oneOf": [branch per event]}`` where each branch
    fixes ``event`` to a different constant. An event is valid against the oneOf
    exactly when it is valid against the one branch for its own ``event`` (every
    other branch fails on the constant), so checking that branch alone gives the
    same answer for a fraction of the work.
    """
    try:
        items = schema["properties"]["events"]["items"]
        branches = items["oneOf"]
        consts = [branch["properties"]["event"]["const"] for branch in branches]
    except (KeyError, TypeError):
        return None
    if len(set(consts)) != len(consts) or "$ref" in repr(schema):
        return None
    base = {key: value for key, value in items.items() if key != "oneOf"}
    return {const: cls({**base, "allOf": [branch]}) for const, branch in zip(consts, branches, strict=True)}


def quick_check(result: Any, validator: Any, by_event: Optional[Dict[str, Any]]) -> bool:
    """True only if ``result`` is valid; False means "ask the full validator"."""
    if by_event is None or not isinstance(result, dict):
        return False
    events = result.get("events")
    if "events" in result:
        if not isinstance(events, list):
            return False
        for event in events:
            event_validator = by_event.get(event.get("event")) if isinstance(event, dict) else None
            if event_validator is None or not event_validator.is_valid(event):
                return False
    return bool(validator.is_valid({key: value for key, value in result.items() if key != "events"}))


Plan = List[Tuple[Text, List[Text]]]


def execution_plan(schema: Any, targets: List[Text]) -> Plan:
    """Nodes needed for ``targets`` in an order where parents come first."""
    order: List[Text] = []
    seen: Dict[Text, bool] = {}

    def visit(name: Text) -> None:
        if name in seen or name not in schema.nodes:
            return  # placeholders such as __message__ are inputs, not nodes
        seen[name] = True
        for parent in schema.nodes[name].needs.values():
            visit(parent)
        order.append(name)

    for target in targets:
        visit(target)
    return [(name, list(schema.nodes[name].needs.values())) for name in order]


def _run_graphs_sequentially() -> None:
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    def run(
        self: DaskGraphRunner,
        inputs: Optional[Dict[Text, Any]] = None,
        targets: Optional[List[Text]] = None,
    ) -> Dict[Text, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        plans: Dict[Tuple[Text, ...], Plan] = self.__dict__.setdefault("_sequential_plans", {})
        key = tuple(run_targets)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = execution_plan(self._graph_schema, list(run_targets))
        results: Dict[Text, Any] = {}
        for name, value in (inputs or {}).items():
            if name in self._graph_schema.nodes:
                raise GraphRunError(
                    f"Input value '{name}' clashes with a node name. Make sure that none "
                    f"of the input names passed to the `run` method are the same as "
                    f"node names in the graph schema."
                )
            results[name] = (name, value)
        try:
            for name, needs in plan:
                # Like dask, an unresolved input is passed as its bare name.
                results[name] = self._instantiated_nodes[name](*[results.get(n, n) for n in needs])
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e
        return dict(results[t] for t in run_targets)

    originals["DaskGraphRunner.run"] = DaskGraphRunner.run
    DaskGraphRunner.run = run  # type: ignore[assignment]


def _cache_event_type_lookup() -> None:
    from rasa.shared.core.events import Event

    original: Callable[..., Optional[Type[Event]]] = Event.resolve_by_type
    originals["Event.resolve_by_type"] = original
    known: Dict[Text, Type[Event]] = {}

    def resolve_by_type(
        type_name: Text, default: Optional[Type[Event]] = None
    ) -> Optional[Type[Event]]:
        cls = known.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            if cls is not None and cls is not default:
                known[type_name] = cls
        return cls

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[assignment]


def shallow_copy(obj: Any) -> Any:
    """What ``copy.copy`` does for a plain object (no ``__slots__``, no custom state)."""
    new = obj.__class__.__new__(obj.__class__)
    new.__dict__.update(obj.__dict__)
    return new


def _copy_slots_directly() -> None:
    from rasa.shared.core.slots import Slot

    def custom(cls: type) -> bool:
        return any(name in vars(k) for k in cls.__mro__[:-1]
                   for name in ("__slots__", "__getstate__", "__setstate__", "__reduce__", "__reduce_ex__"))

    classes = [Slot, *_subclasses(Slot)]
    if any(custom(cls) for cls in classes):
        return  # a slot class with its own copy state: leave copy.copy to it
    originals["Slot.__copy__"] = Slot.__dict__.get("__copy__")
    Slot.__copy__ = shallow_copy  # type: ignore[attr-defined]


def _subclasses(cls: type) -> List[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def max_concurrent_messages(env: Optional[Dict[str, str]] = None) -> int:
    """``PMO_MAX_CONCURRENT_MESSAGES`` as a positive int (0 or unset: the default)."""
    raw = (os.environ if env is None else env).get(MAX_CONCURRENT_ENV, "").strip()
    try:
        value = int(raw) if raw else DEFAULT_MAX_CONCURRENT
    except ValueError:
        raise ValueError(f"{MAX_CONCURRENT_ENV} must be a whole number, not {raw!r}") from None
    return value if value > 0 else DEFAULT_MAX_CONCURRENT


class FifoGate:
    """At most ``limit`` holders at once; the others wait and get in strictly in arrival order.

    Unlike ``asyncio.Semaphore`` (in Python 3.10), a newcomer never overtakes a waiter:
    a released place is handed straight to the longest waiter. Use one per event loop.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.active = 0
        self._waiters: "collections.deque[asyncio.Future[None]]" = collections.deque()

    async def acquire(self) -> None:
        if self.active < self.limit and not self._waiters:
            self.active += 1
            return
        waiter: "asyncio.Future[None]" = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a place just as we were cancelled: pass it on
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the place goes to the waiter; ``active`` is unchanged
                return
        self.active -= 1

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(self, *exc: Any) -> None:
        self.release()


class ArrivalOrderGate:
    """A ``FifoGate`` per running event loop (tests and tools start several loops)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._gates: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, FifoGate]" = (
            weakref.WeakKeyDictionary()
        )

    def gate(self) -> FifoGate:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = FifoGate(self.limit)
        return gate

    async def __aenter__(self) -> FifoGate:
        gate = self.gate()
        await gate.acquire()
        return gate

    async def __aexit__(self, *exc: Any) -> None:
        self.gate().release()


def _admit_in_arrival_order() -> None:
    from rasa.core.processor import MessageProcessor

    original = MessageProcessor.handle_message
    originals["MessageProcessor.handle_message"] = original
    gate = ArrivalOrderGate(max_concurrent_messages())

    async def handle_message(self: MessageProcessor, message: Any) -> Any:
        async with gate:
            return await original(self, message)

    MessageProcessor.handle_message = handle_message  # type: ignore[assignment]


def _one_turn_per_question() -> None:
    """ "what's a scheduler and which course suits them?": each question is its own turn.

    Not a speed-up: behaviour (see ``bot.nlu.clauses`` for why the text is split
    before NLU rather than with Rasa's multi-intents). Installed last, so each
    clause goes through the arrival-order gate as its own message.
    """
    import copy

    from rasa.core.processor import MessageProcessor

    from bot.nlu.clauses import split_questions

    original = MessageProcessor.handle_message
    originals["MessageProcessor.handle_message (questions)"] = original

    async def handle_message(self: MessageProcessor, message: Any) -> Any:
        clauses = split_questions(message.text) if isinstance(message.text, str) else [message.text]
        if len(clauses) < 2:
            return await original(self, message)
        result = None
        for index, clause in enumerate(clauses):
            part = copy.copy(message)
            part.text = clause
            if index and part.message_id:
                part.message_id = f"{part.message_id}-{index}"
            # A collecting channel (REST) gathers every clause's replies in one list,
            # which each call returns; other channels have sent theirs already.
            result = await original(self, part)
        return result

    MessageProcessor.handle_message = handle_message  # type: ignore[assignment]
