"""Actions in the Rasa process: the actions package run by rasa-sdk's own executor, no HTTP, no JSON.

Chosen in the endpoints file the way Rasa Pro 3.10 spells it (its
``DirectCustomActionExecutor``; open-source Rasa 3.6 has no such setting)::

    action_endpoint:
      actions_module: actions

An endpoint with a ``url`` keeps the separate action server (``rasa run actions``),
exactly as before. In-process, each custom action call:

- is run by ``rasa_sdk.executor.ActionExecutor.run`` (the action server's own code:
  tracker built with ``Tracker.from_dict``, ``CollectingDispatcher``, event checks),
  the package registered once, at start, so a broken ``actions/`` stops the server;
- runs a synchronous action in a thread of its own pool, so an action that hangs
  or spins holds one thread, not the event loop every visitor needs; an async
  action runs on the loop (it awaits; ``asyncio.wait_for`` cancels it);
- is bounded by ``PMO_ACTION_TIMEOUT`` and counted as failed (the channel apologises)
  by :func:`bot.serving.timeouts.bounded`, as the HTTP call is, and gives up its
  admission place (:func:`bot.turns.waiting_on_io`) once it has run for
  ``HOLD_SECONDS`` (:func:`holding_place`);
- gets what the action server would have parsed from JSON, and nothing Rasa holds:
  the tracker's state is copied through JSON, but its events only when the action
  reads them (one by one, from the newest), so a turn no longer serialises the whole
  conversation (it grew with every turn: ``python -m benchmarks.lean``); the
  action's reply goes through JSON too, so Rasa sees the types it always saw.

The rasa-sdk plugins the package registers (``attach_sanic_app_extensions``: the
enquiry outbox's delivery thread) are attached to Rasa's own Sanic app.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import copy
import functools
import inspect
import json
import threading
from collections.abc import MutableSequence
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional, Text, TypeVar, Union, overload

from bot.serving.patching import expect, expect_function, originals, replace
from bot.serving.timeouts import bounded
from bot.settings import DEFAULT_ACTION_THREADS, Settings
from bot.turns import waiting_on_io

NAME = "custom actions run in the Rasa process"
MODULE_KEY = "actions_module"
HOLD_SECONDS = 0.05  # an action still running after this is waiting on something: others go first
T = TypeVar("T")


def actions_module(endpoint: Any) -> Optional[str]:
    """The package to run in-process, or None: no endpoint, or one with a URL (the action server)."""
    if endpoint is None or getattr(endpoint, "url", None):
        return None
    module = (getattr(endpoint, "kwargs", None) or {}).get(MODULE_KEY)
    return str(module) if module else None


def _as_json(value: Any) -> Any:
    """What the other side of an HTTP call would have: a fresh copy with JSON's types."""
    return json.loads(json.dumps(value))


class LazyEvents(MutableSequence):  # type: ignore[type-arg]
    """A tracker's events as rasa-sdk reads them, each turned into its JSON dict when first read.

    ``Tracker.from_dict`` keeps the list; an action that never looks at the events
    (every answering action here) costs nothing per event. Indexing, slicing,
    iteration from either end, ``append`` (``Tracker.add_slots``), equality and
    ``copy.deepcopy`` behave as on the list the action server would have built.
    """

    def __init__(self, events: List[Any]) -> None:
        self._source = events
        self._done: Dict[int, Dict[Text, Any]] = {}
        self._appended: List[Any] = []  # events the action added (rasa-sdk's add_slots)

    def __len__(self) -> int:
        return len(self._source) + len(self._appended)

    def _at(self, index: int) -> Any:
        if index >= len(self._source):
            return self._appended[index - len(self._source)]
        found = self._done.get(index)
        if found is None:
            found = self._done[index] = _as_json(self._source[index].as_dict())
        return found

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> List[Any]: ...

    def __getitem__(self, index: Union[int, slice]) -> Any:
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(len(self)))]
        size = len(self)
        position = index + size if index < 0 else index
        if not 0 <= position < size:
            raise IndexError("event index out of range")
        return self._at(position)

    def _materialise(self) -> List[Any]:
        return [self._at(i) for i in range(len(self))]

    def __setitem__(self, index: Any, value: Any) -> None:
        events = self._materialise()
        events[index] = value
        self._reset(events)

    def __delitem__(self, index: Any) -> None:
        events = self._materialise()
        del events[index]
        self._reset(events)

    def insert(self, index: int, value: Any) -> None:
        if index >= len(self):
            self._appended.append(value)
            return
        events = self._materialise()
        events.insert(index, value)
        self._reset(events)

    def _reset(self, events: List[Any]) -> None:
        self._source, self._done, self._appended = [], {}, events

    def __iter__(self) -> Iterator[Any]:
        return (self._at(i) for i in range(len(self)))

    def __reversed__(self) -> Iterator[Any]:
        return (self._at(i) for i in range(len(self) - 1, -1, -1))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (LazyEvents, list)):
            return self._materialise() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __deepcopy__(self, memo: Dict[int, Any]) -> List[Any]:
        return copy.deepcopy(self._materialise(), memo)

    def __repr__(self) -> str:
        return f"LazyEvents({len(self)} events)"


class InProcessActions:
    """One package's actions registered in rasa-sdk's executor; synchronous ones run in a thread pool."""

    def __init__(self, module: str, threads: int) -> None:
        from rasa_sdk.executor import ActionExecutor

        self.module = module
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=threads, thread_name_prefix="pmo-action")
        self.executor = ActionExecutor()
        self.executor.register_package(module)  # imports it: an error stops the server at start
        for name, function in list(self.executor.actions.items()):
            if not inspect.iscoroutinefunction(function):
                self.executor.actions[name] = self._threaded(function)
        self._domains: Dict[int, Any] = {}  # id(domain) -> (domain, its dict)

    def _threaded(self, function: Callable[..., Any]) -> Callable[..., Any]:
        pool = self.pool

        async def run(dispatcher: Any, tracker: Any, domain: Any) -> Any:
            context = contextvars.copy_context()
            call = functools.partial(context.run, function, dispatcher, tracker, domain)
            return await asyncio.get_running_loop().run_in_executor(pool, call)

        return run

    def domain_dict(self, domain: Any) -> Dict[Text, Any]:
        """``domain.as_dict()`` through JSON, once per domain (a new model brings a new domain)."""
        cached = self._domains.get(id(domain))
        if cached is None or cached[0] is not domain:
            cached = (domain, _as_json(domain.as_dict()))
            self._domains = {id(domain): cached}
        result: Dict[Text, Any] = cached[1]
        return result

    def call(self, action: Any, tracker: Any, domain: Any) -> Dict[Text, Any]:
        """The action call the action server would have received (``RemoteAction._action_call_format``)."""
        import rasa
        from rasa.shared.core.trackers import EventVerbosity

        state = _as_json(tracker.current_state(EventVerbosity.NONE))
        state["events"] = LazyEvents(list(tracker.events))
        result: Dict[Text, Any] = {
            "next_action": action.name(),
            "sender_id": tracker.sender_id,
            "tracker": state,
            "version": rasa.__version__,
        }
        if not action._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(action.name()):
            result["domain"] = self.domain_dict(domain)
        return result

    async def run(self, action: Any, tracker: Any, domain: Any) -> Dict[Text, Any]:
        """The action server's reply (``{"events": [...], "responses": [...]}``), or Rasa's own errors."""
        from rasa.core.actions.action import ActionExecutionRejection
        from rasa.shared.exceptions import RasaException
        from rasa_sdk.interfaces import ActionExecutionRejection as Rejected
        from rasa_sdk.interfaces import ActionNotFoundException

        name = action.name()
        try:
            response = await self.executor.run(self.call(action, tracker, domain))
        except Rejected as rejected:  # the server's 400: Rasa predicts another action
            raise ActionExecutionRejection(rejected.action_name, rejected.message) from None
        except ActionNotFoundException as missing:  # the server's 404
            raise RasaException(f"Failed to execute custom action '{name}': {missing}") from None
        if response is None:
            raise RasaException(f"Failed to execute custom action '{name}': no response")
        reply: Dict[Text, Any] = _as_json(response)
        return reply


async def holding_place(call: Awaitable[T], hold: float = HOLD_SECONDS) -> T:
    """``call``, keeping the turn's admission place for ``hold`` s, then giving it up until done.

    An action that answers at once (all of them, normally) keeps the place, so no later
    message starts meanwhile and overtakes it (when they did, every action turn came
    back behind them, and the 20-visitor p95 was twice the median); one that is still
    running after ``hold`` s is waiting on something, and others go ahead of it.
    """
    task = asyncio.ensure_future(call)
    try:
        done, _ = await asyncio.wait({task}, timeout=hold)
        if not done:
            async with waiting_on_io():
                await asyncio.wait({task})
        return task.result()
    finally:
        if not task.done():
            task.cancel()  # the turn timed out (PMO_ACTION_TIMEOUT) or was cancelled


_registry: Dict[str, InProcessActions] = {}
_threads = DEFAULT_ACTION_THREADS  # PMO_ACTION_THREADS as read when the patch was installed
_lock = threading.Lock()


def actions_for(module: str) -> InProcessActions:
    """The package's executor, registered on first use (at start, by the app patch)."""
    with _lock:
        found = _registry.get(module)
        if found is None:
            found = _registry[module] = InProcessActions(module, _threads)
        return found


def install(settings: Settings) -> None:
    """Custom actions run in-process when the endpoint names ``actions_module`` (after the timeout patch)."""
    global _threads
    import rasa.core.run
    from rasa.core.actions import action as rasa_action
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core import events as rasa_events

    original_run = expect_function(
        NAME, RemoteAction, "run", ("self", "output_channel", "nlg", "tracker", "domain"), is_async=True
    )
    for method in ("_utter_responses", "_validate_action_result", "_is_selective_domain_enabled"):
        expect(callable(getattr(RemoteAction, method, None)), NAME, f"RemoteAction.{method} is missing")
    expect_function(NAME, rasa_events, "deserialise_events", ("serialized_events",), is_async=False)
    expect_function(
        NAME,
        rasa_action.RemoteAction,
        "_action_call_format",
        ("self", "tracker", "domain"),
        is_async=False,
        source_has=("tracker.current_state(EventVerbosity.ALL)", '"next_action": self._name', "domain.as_dict()"),
    )
    configure_app = expect_function(
        NAME,
        rasa.core.run,
        "configure_app",
        (
            "input_channels",
            "cors",
            "auth_token",
            "enable_api",
            "response_timeout",
            "jwt_secret",
            "jwt_private_key",
            "jwt_method",
            "route",
            "port",
            "endpoints",
            "log_file",
            "conversation_id",
            "use_syslog",
            "syslog_address",
            "syslog_port",
            "syslog_protocol",
            "request_timeout",
            "server_listeners",
            "use_uvloop",
            "keep_alive_timeout",
        ),
        is_async=False,
    )
    _threads = settings.action_threads  # a bad PMO_ACTION_THREADS fails at start

    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        module = actions_module(self.action_endpoint)
        if module is None:
            return await original_run(self, output_channel, nlg, tracker, domain)
        actions = actions_for(module)

        async def in_process() -> Any:
            response = await holding_place(actions.run(self, tracker, domain))
            self._validate_action_result(response)
            bot_messages = await self._utter_responses(response.get("responses", []), output_channel, nlg, tracker)
            return [*bot_messages, *rasa_events.deserialise_events(response.get("events", []))]

        return await bounded(self.name(), in_process())

    signature = inspect.signature(configure_app)

    @functools.wraps(configure_app)  # bot.serving.shell reads configure_app's source through __wrapped__
    def configure(*args: Any, **kwargs: Any) -> Any:
        app = configure_app(*args, **kwargs)
        endpoints = signature.bind(*args, **kwargs).arguments.get("endpoints")
        module = actions_module(getattr(endpoints, "action", None))
        if module is not None:
            from rasa_sdk.plugin import plugin_manager

            actions_for(module)  # registered now: a broken package stops the server at start
            plugin_manager().hook.attach_sanic_app_extensions(app=app)
        return app

    originals["RemoteAction.run (in-process)"] = original_run
    originals["rasa.core.run.configure_app"] = configure_app
    replace(RemoteAction, "run", run)
    replace(rasa.core.run, "configure_app", configure)
