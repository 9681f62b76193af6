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
the others'. ``MessageProcessor.handle_message`` is let in at most
``PMO_MAX_CONCURRENT_MESSAGES`` (default 2) at a time, strictly in arrival order.
A turn gives its place up while it waits on another server (every request to an
endpoint: the action server, an NLG server; channels' own API calls through
:func:`waiting_on_io`) and takes it back ahead of every later arrival, so a slow
or hung server holds up only the turns that need it, never other visitors.
Messages finish in the order they came, which cut the p95 latency at 20
concurrent conversations from about 1.8x the median to about 1.4x.

Two more are about failure, not speed: a custom action call is bounded by
``PMO_ACTION_TIMEOUT`` (default 5 s; Rasa 3.6 waits 5 minutes), and a failed or
timed-out call is recorded in the turn's :class:`TurnOutcome` (``watch_turn``),
so every channel apologises with the contact route.

``apply()`` is explicit and idempotent: ``python -m bot.serving run ...`` calls
it before handing over to Rasa's own command line. Each patch first checks that
what it replaces is what it was written for (Rasa's version, the function's
signature, sync or async, the source lines it relies on) and raises
:class:`ServingPatchError`, installing nothing, otherwise. ``restore()`` undoes
them all (tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import heapq
import itertools
import os
import weakref
from typing import Any, AsyncIterator, Callable, Dict, Iterator, List, Optional, Text, Tuple, Type

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


class ServingPatchError(RuntimeError):
    """The installed Rasa is not shaped as a patch here expects: refuse to start."""


EXPECTED_RASA_VERSION = "3.6.21"
ACTION_TIMEOUT_ENV = "PMO_ACTION_TIMEOUT"
DEFAULT_ACTION_TIMEOUT = 5.0

# (owner, attribute, value before) for every attribute a patch replaced, in order.
_installed: List[Tuple[Any, str, Any]] = []


def _replace(owner: Any, attribute: str, value: Any) -> None:
    _installed.append((owner, attribute, owner.__dict__.get(attribute, _MISSING)))
    setattr(owner, attribute, value)


_MISSING = object()


def expect(condition: bool, patch: str, what: str) -> None:
    if not condition:
        raise ServingPatchError(f"bot.serving patch '{patch}' does not fit the installed Rasa: {what}; "
                                f"refusing to start (check bot/serving/__init__.py against Rasa's source)")


def expect_function(patch: str, owner: Any, attribute: str, parameters: Tuple[str, ...], is_async: bool,
                    source_has: Tuple[str, ...] = ()) -> Any:
    """The function ``owner.attribute`` as a patch expects it (signature, sync or async, source)."""
    import inspect

    raw = owner.__dict__.get(attribute)
    expect(raw is not None, patch, f"{owner.__qualname__}.{attribute} is missing")
    function = raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else raw
    expect(inspect.iscoroutinefunction(function) == is_async, patch,
           f"{owner.__qualname__}.{attribute} is {'not ' if is_async else ''}async")
    names = tuple(inspect.signature(function).parameters)
    expect(names == parameters, patch, f"{owner.__qualname__}.{attribute}{names} is not {attribute}{parameters}")
    if source_has:
        try:
            source = inspect.getsource(function)
        except (OSError, TypeError):
            source = ""
        for text in source_has:
            expect(text in source, patch, f"{owner.__qualname__}.{attribute} no longer contains {text!r}")
    return function


def apply() -> List[str]:
    """Install every patch once, each checked first; returns the names of those installed.

    Raises :class:`ServingPatchError` (nothing installed) if Rasa is not the
    version and shape the patches were written for.
    """
    if not _applied:
        import rasa

        expect(rasa.__version__ == EXPECTED_RASA_VERSION, "all",
               f"Rasa {rasa.__version__} installed, the patches are for {EXPECTED_RASA_VERSION}")
        action_timeout()  # a bad PMO_ACTION_TIMEOUT fails here, at start
        max_concurrent_messages()
        try:
            for name, install in (
                ("cached action result validator", _cache_action_result_validator),
                ("sequential graph runner", _run_graphs_sequentially),
                ("cached event type lookup", _cache_event_type_lookup),
                ("direct slot copy", _copy_slots_directly),
                ("messages admitted in arrival order", _admit_in_arrival_order),
                ("one turn per question in a message", _one_turn_per_question),
                ("admission released while waiting on other servers", _release_admission_for_io),
                ("custom action calls bounded by PMO_ACTION_TIMEOUT", _bound_action_calls),
                ("chatty messages understood by their question", _understand_chatty_messages),
            ):
                install()
                _applied.append(name)
        except BaseException:
            restore()
            raise
    return list(_applied)


def _understand_chatty_messages() -> None:
    """Behaviour, not speed: see :mod:`bot.serving.sentences`."""
    from bot.serving import sentences

    sentences.install()


def restore() -> None:
    """Undo every patch (tests use this so no patch leaks into other tests)."""
    while _installed:
        owner, attribute, before = _installed.pop()
        if before is _MISSING:
            delattr(owner, attribute)
        else:
            setattr(owner, attribute, before)
    _applied.clear()
    originals.clear()


def _cache_action_result_validator() -> None:
    import jsonschema
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    expect_function("cached action result validator", RemoteAction, "_validate_action_result",
                    ("self", "result"), is_async=False,
                    source_has=("validate(result, self.action_response_format_spec())",))
    expect(callable(getattr(RemoteAction, "action_response_format_spec", None)), "cached action result validator",
           "RemoteAction.action_response_format_spec is missing")
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
    _replace(RemoteAction, "_validate_action_result", _validate_action_result)


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

    expect_function("sequential graph runner", DaskGraphRunner, "run", ("self", "inputs", "targets"),
                    is_async=False)
    expect_function("sequential graph runner", DaskGraphRunner, "__init__",
                    ("self", "graph_schema", "model_storage", "execution_context", "hooks"), is_async=False,
                    source_has=("self._graph_schema = ", "self._instantiated_nodes"))

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
    _replace(DaskGraphRunner, "run", run)


def _cache_event_type_lookup() -> None:
    from rasa.shared.core.events import Event

    expect(isinstance(Event.__dict__.get("resolve_by_type"), staticmethod), "cached event type lookup",
           "Event.resolve_by_type is not a staticmethod")
    expect_function("cached event type lookup", Event, "resolve_by_type", ("type_name", "default"), is_async=False)
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

    _replace(Event, "resolve_by_type", staticmethod(resolve_by_type))


def shallow_copy(obj: Any) -> Any:
    """What ``copy.copy`` does for a plain object (no ``__slots__``, no custom state)."""
    new = obj.__class__.__new__(obj.__class__)
    new.__dict__.update(obj.__dict__)
    return new


def _copy_slots_directly() -> None:
    from rasa.shared.core.slots import Slot

    def custom(cls: type) -> bool:
        # An empty __slots__ (abc.ABC's) adds no state; until 30 November this check
        # counted it, so the patch was silently never installed while apply() listed it.
        return any((name in vars(k)) and (name != "__slots__" or bool(vars(k)[name]))
                   for k in cls.__mro__[:-1]
                   for name in ("__slots__", "__getstate__", "__setstate__", "__reduce__", "__reduce_ex__"))

    classes = [Slot, *_subclasses(Slot)]
    expect(not any(custom(cls) for cls in classes) and "__copy__" not in vars(Slot), "direct slot copy",
           "a slot class has its own copy state (__slots__, __getstate__, __reduce__ or __copy__)")
    originals["Slot.__copy__"] = Slot.__dict__.get("__copy__")
    _replace(Slot, "__copy__", shallow_copy)


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

    Each newcomer gets a ticket (a rising number). Unlike ``asyncio.Semaphore``
    (in Python 3.10), a newcomer never overtakes a waiter: a released place is
    handed straight to the waiter with the lowest ticket. A holder that steps out
    (to wait on another server) and comes back with its own ticket goes ahead of
    everyone who arrived after it. Use one per event loop.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.active = 0
        self._tickets = itertools.count()
        self._waiters: List[Tuple[int, "asyncio.Future[None]"]] = []  # a heap by ticket

    async def acquire(self, ticket: Optional[int] = None) -> int:
        """Wait for a place; returns the ticket (pass it back to re-enter in the same turn)."""
        if ticket is None:
            ticket = next(self._tickets)
        if self.active < self.limit and (not self._waiters or ticket < self._waiters[0][0]):
            self.active += 1
            return ticket
        waiter: "asyncio.Future[None]" = asyncio.get_running_loop().create_future()
        entry = (ticket, waiter)
        heapq.heappush(self._waiters, entry)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a place just as we were cancelled: pass it on
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(entry)
                    heapq.heapify(self._waiters)
            raise
        return ticket

    def release(self) -> None:
        while self._waiters:
            _, waiter = heapq.heappop(self._waiters)
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


class Admission:
    """The place one turn holds in the gate, given up while the turn waits on another server."""

    def __init__(self, gate: FifoGate, ticket: int) -> None:
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


_admission: "contextvars.ContextVar[Optional[Admission]]" = contextvars.ContextVar("pmo_admission", default=None)


@contextlib.asynccontextmanager
async def waiting_on_io() -> AsyncIterator[None]:
    """Give the current turn's admission place to others while waiting on I/O.

    The action server, a channel's API, anything awaited that is not this
    process's CPU: a hung server then holds up only its own turns. A no-op
    outside an admitted turn (or when the place is already given up).
    """
    admission = _admission.get()
    if admission is None or not admission.step_out():
        yield
        return
    try:
        yield
    finally:
        await admission.come_back()


def _admit_in_arrival_order() -> None:
    from rasa.core.processor import MessageProcessor

    original = expect_function("messages admitted in arrival order", MessageProcessor, "handle_message",
                               ("self", "message"), is_async=True)
    originals["MessageProcessor.handle_message"] = original
    gate = ArrivalOrderGate(max_concurrent_messages())

    async def handle_message(self: MessageProcessor, message: Any) -> Any:
        fifo = gate.gate()
        admission = Admission(fifo, await fifo.acquire())
        token = _admission.set(admission)
        try:
            return await original(self, message)
        finally:
            _admission.reset(token)
            admission.step_out()

    _replace(MessageProcessor, "handle_message", handle_message)


def _release_admission_for_io() -> None:
    """Every request Rasa makes to an endpoint (action server, NLG server) waits outside the gate."""
    from rasa.utils.endpoints import EndpointConfig

    original = expect_function("admission released while waiting on other servers", EndpointConfig, "request",
                               ("self", "method", "subpath", "content_type", "compress", "kwargs"), is_async=True)
    originals["EndpointConfig.request"] = original

    async def request(self: EndpointConfig, method: Text = "post", subpath: Optional[Text] = None,
                      content_type: Optional[Text] = "application/json", compress: bool = False,
                      **kwargs: Any) -> Any:
        async with waiting_on_io():
            return await original(self, method, subpath, content_type, compress, **kwargs)

    _replace(EndpointConfig, "request", request)


def action_timeout(env: Optional[Dict[str, str]] = None) -> float:
    """``PMO_ACTION_TIMEOUT`` in seconds (default 5): the longest one custom action call may take."""
    raw = (os.environ if env is None else env).get(ACTION_TIMEOUT_ENV, "").strip()
    try:
        value = float(raw) if raw else DEFAULT_ACTION_TIMEOUT
    except ValueError:
        raise ValueError(f"{ACTION_TIMEOUT_ENV} must be a number of seconds, not {raw!r}") from None
    if not 0 < value <= 300:
        raise ValueError(f"{ACTION_TIMEOUT_ENV} must be more than 0 and at most 300 seconds, not {raw!r}")
    return value


class TurnOutcome:
    """What a channel needs to know after a turn: did a custom action fail or time out?"""

    def __init__(self) -> None:
        self.failed_actions = 0

    @property
    def failed(self) -> bool:
        return self.failed_actions > 0


_outcome: "contextvars.ContextVar[Optional[TurnOutcome]]" = contextvars.ContextVar("pmo_turn", default=None)


@contextlib.contextmanager
def watch_turn() -> Iterator[TurnOutcome]:
    """Channels wrap a turn in this; the action-call patch records failures in it."""
    outcome = TurnOutcome()
    token = _outcome.set(outcome)
    try:
        yield outcome
    finally:
        _outcome.reset(token)


def mark_action_failed() -> None:
    outcome = _outcome.get()
    if outcome is not None:
        outcome.failed_actions += 1


def _bound_action_calls() -> None:
    """A custom action call gives up after ``PMO_ACTION_TIMEOUT`` s (Rasa waits 5 minutes).

    Rasa 3.6 passes ``timeout=DEFAULT_REQUEST_TIMEOUT`` (300 s) to the action
    endpoint itself, so no setting shortens it. A timed-out or failed call is
    handled by Rasa as an action server that is down (the action's events are
    dropped, the turn goes on) and the channel is told, so it apologises.
    """
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.shared.exceptions import RasaException

    original = expect_function("custom action calls bounded by PMO_ACTION_TIMEOUT", RemoteAction, "run",
                               ("self", "output_channel", "nlg", "tracker", "domain"), is_async=True,
                               source_has=("timeout=DEFAULT_REQUEST_TIMEOUT", "self.action_endpoint.request("))
    originals["RemoteAction.run"] = original
    limit = action_timeout()

    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        try:
            return await asyncio.wait_for(original(self, output_channel, nlg, tracker, domain), limit)
        except ActionExecutionRejection:
            raise  # the action declined: Rasa predicts another, nothing failed
        except asyncio.TimeoutError:
            mark_action_failed()
            raise ActionTimedOut(f"Custom action '{self.name()}' took longer than {limit:g}s "
                                 f"({ACTION_TIMEOUT_ENV}); its events are dropped") from None
        except Exception:
            mark_action_failed()
            raise

    class ActionTimedOut(RasaException):
        pass

    _replace(RemoteAction, "run", run)


def _one_turn_per_question() -> None:
    """ "what's a scheduler and which course suits them?": each question is its own turn.

    Not a speed-up: behaviour (see ``bot.nlu.clauses`` for why the text is split
    before NLU rather than with Rasa's multi-intents). Installed last, so each
    clause goes through the arrival-order gate as its own message.
    """
    import copy

    from rasa.core.processor import MessageProcessor

    from bot.nlu.clauses import split_questions

    original = expect_function("one turn per question in a message", MessageProcessor, "handle_message",
                               ("self", "message"), is_async=True)
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

    _replace(MessageProcessor, "handle_message", handle_message)
