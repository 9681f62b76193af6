"""bot.serving: each speed-up gives the same answers as the Rasa code it replaces.

Over 300 lines: each serving patch checked against Rasa's own behaviour.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import jsonschema
import pytest

import bot.serving
import bot.turns
from bot.serving import execution_plan
from bot.settings import load
from harness.servers import MODEL


@pytest.fixture(scope="module", autouse=True)
def applied():
    installed = bot.serving.apply(load())
    yield installed
    bot.serving.restore()  # no patch leaks into other tests in this process


def test_apply_is_idempotent(applied):
    assert bot.serving.apply(load()) == applied
    assert applied == [
        "cached action result validator",
        "sequential graph runner",
        "cached event type lookup",
        "direct slot copy",
        "past dialogue states resumed, not replayed",
        "messages admitted in arrival order",
        "one turn per question in a message",
        "admission released while waiting on other servers",
        "custom action calls bounded by PMO_ACTION_TIMEOUT",
        "custom actions run in the Rasa process",
        "chatty messages understood by their question",
        "a server whose model did not load refuses to start",
        "start-up objects frozen out of full garbage collections",
    ]


def schema(**needs):
    return SimpleNamespace(nodes={name: SimpleNamespace(needs=n) for name, n in needs.items()})


def test_execution_plan_puts_parents_first_and_skips_unneeded_nodes():
    graph = schema(
        tokens={"messages": "__message__"},
        features={"messages": "tokens"},
        intent={"messages": "features", "tokens": "tokens"},
        unused={"messages": "__message__"},
    )
    assert execution_plan(graph, ["intent"]) == [
        ("tokens", ["__message__"]),
        ("features", ["tokens"]),
        ("intent", ["features", "tokens"]),
    ]


VALID = {
    "events": [{"event": "slot", "name": "awaiting_level", "value": True}],
    "responses": [{"text": "hello", "buttons": []}],
}
INVALID = [
    {"events": [{"event": "slot"}]},  # a slot event without a name
    {"events": "not a list"},
    {"responses": ["not an object"]},
    {"events": [{"event": "no_such_event"}]},
]


def test_cached_validator_accepts_what_rasa_accepts():
    from rasa.core.actions.action import RemoteAction

    jsonschema.validate(VALID, RemoteAction.action_response_format_spec())
    assert RemoteAction("action_x", None)._validate_action_result(VALID) is True


@pytest.mark.parametrize("result", INVALID)
def test_cached_validator_rejects_what_rasa_rejects(result):
    from rasa.core.actions.action import RemoteAction

    with pytest.raises(jsonschema.ValidationError) as rasa_error:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as ours:
        RemoteAction("action_x", None)._validate_action_result(result)
    assert ours.value.message.startswith(rasa_error.value.message)
    assert "Failed to validate Action server response" in ours.value.message


def test_event_lookup_matches_rasa_for_every_event_type():
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    original = bot.serving.originals["Event.resolve_by_type"]
    names = {cls.type_name for cls in all_subclasses(Event)}
    for name in sorted(names):
        assert Event.resolve_by_type(name) is original(name), name
        assert Event.resolve_by_type(name) is original(name)  # from the cache
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", default=Event) is Event
    assert Event.resolve_by_type("topic") is None


@pytest.mark.slow
def test_sequential_runner_parses_like_dask():
    from rasa.core.agent import Agent
    from rasa.engine.runner.dask import DaskGraphRunner

    agent = Agent.load(str(MODEL))
    runner = agent.processor.graph_runner
    texts = [
        "hi",
        "what does a project support officer do?",
        "I'm a PMO analyst, which course?",
        "how do I fix my bike",
        "",
        '/ask_role_description{"role": "CEO"}',
    ]

    async def parse_all():
        return [await agent.parse_message(t) for t in texts]

    ours = asyncio.run(parse_all())
    runner.run = bot.serving.originals["DaskGraphRunner.run"].__get__(runner, DaskGraphRunner)
    try:
        dask = asyncio.run(parse_all())
    finally:
        del runner.run
    assert ours == dask


def every_event_type():
    from rasa.core.actions.action import RemoteAction

    branches = RemoteAction.action_response_format_spec()["properties"]["events"]["items"]["oneOf"]
    return [branch["properties"]["event"]["const"] for branch in branches]


def test_every_event_type_has_its_own_validator():
    from rasa.core.actions.action import RemoteAction

    by_event = bot.serving.validators_by_event(
        RemoteAction.action_response_format_spec(), jsonschema.Draft202012Validator
    )
    assert by_event is not None and sorted(by_event) == sorted(every_event_type())


@pytest.mark.parametrize(
    "result",
    [
        VALID,
        {"events": [], "responses": []},
        {"responses": [{"text": "hi"}]},
        {
            "events": [
                {"event": "bot", "text": "hi", "data": {}},
                {"event": "action", "name": "action_listen"},
                {"event": "slot", "name": "pmo_level", "value": 2.0},
                {"event": "followup", "name": "x"},
                {"event": "session_started"},
                {"event": "restart"},
            ]
        },
        {"events": [{"event": "slot", "name": 3}]},
        {"events": [{"event": "user", "text": 3}]},
        {"events": [{"name": "no event key"}]},
        {"events": [None]},
        {"events": [{"event": "bot"}], "responses": "x"},
        [],
    ],
)
def test_quick_check_agrees_with_the_full_validator(result):
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    full = jsonschema.validators.validator_for(schema)(schema)
    by_event = bot.serving.validators_by_event(schema, jsonschema.validators.validator_for(schema))
    if bot.serving.quick_check(result, full, by_event):
        assert full.is_valid(result)
    expected = full.is_valid(result)
    if expected:
        assert RemoteAction("action_x", None)._validate_action_result(result) is True
    else:
        with pytest.raises(jsonschema.ValidationError):
            RemoteAction("action_x", None)._validate_action_result(result)


def test_quick_check_accepts_real_action_server_answers():
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    full = jsonschema.validators.validator_for(schema)(schema)
    by_event = bot.serving.validators_by_event(schema, jsonschema.validators.validator_for(schema))
    answer = {
        "events": [{"event": "slot", "timestamp": None, "name": "awaiting_level", "value": True}],
        "responses": [
            {
                "text": "Which of these is closest?",
                "buttons": [{"title": "a", "payload": "/x"}],
                "elements": [],
                "custom": {},
                "template": None,
                "response": None,
                "image": None,
                "attachment": None,
            }
        ],
    }
    assert full.is_valid(answer) and bot.serving.quick_check(answer, full, by_event)
    assert bot.serving.quick_check(VALID, full, by_event)


@pytest.mark.parametrize(
    "env,expected",
    [
        ({}, bot.serving.DEFAULT_MAX_CONCURRENT),
        ({"PMO_MAX_CONCURRENT_MESSAGES": "4"}, 4),
        ({"PMO_MAX_CONCURRENT_MESSAGES": " 0 "}, bot.serving.DEFAULT_MAX_CONCURRENT),
    ],
)
def test_max_concurrent_messages_from_the_environment(env, expected):
    assert load(env).max_concurrent_messages == expected


def test_max_concurrent_messages_refuses_nonsense():
    with pytest.raises(ValueError, match="PMO_MAX_CONCURRENT_MESSAGES"):
        _ = load({"PMO_MAX_CONCURRENT_MESSAGES": "lots"}).max_concurrent_messages


def test_fifo_gate_lets_in_at_most_its_limit_in_arrival_order():
    async def scenario():
        gate, inside, peak, order = bot.serving.FifoGate(2), [], [0], []

        async def visitor(name, hold):
            async with gate:
                inside.append(name)
                peak[0] = max(peak[0], len(inside))
                order.append(name)
                await asyncio.sleep(hold)
                inside.remove(name)

        first = [asyncio.create_task(visitor(n, 0.02)) for n in "ab"]
        await asyncio.sleep(0)  # a and b are in
        late = [asyncio.create_task(visitor(n, 0.0)) for n in "cdef"]
        await asyncio.sleep(0.03)
        newcomer = asyncio.create_task(visitor("g", 0.0))  # must not overtake c..f
        await asyncio.gather(*first, *late, newcomer)
        return order, peak[0], gate.active

    order, peak, active = asyncio.run(scenario())
    assert order == list("abcdefg") and peak == 2 and active == 0


def test_fifo_gate_survives_cancelled_waiters():
    async def scenario():
        gate = bot.serving.FifoGate(1)
        await gate.acquire()
        waiting = asyncio.create_task(gate.acquire())
        handed = asyncio.create_task(gate.acquire())
        await asyncio.sleep(0)
        waiting.cancel()  # gave up while waiting
        gate.release()  # the place skips the cancelled waiter
        await asyncio.sleep(0)
        assert handed.done() and gate.active == 1
        handed_then_cancelled = asyncio.create_task(gate.acquire())
        await asyncio.sleep(0)
        gate.release()  # handed over ...
        handed_then_cancelled.cancel()  # ... and cancelled before it ran: the place is passed on
        with pytest.raises(asyncio.CancelledError):
            await handed_then_cancelled
        assert gate.active == 0
        await asyncio.wait_for(gate.acquire(), 1)  # and free again

    asyncio.run(scenario())


@pytest.mark.slow  # starts the entry point in a Python process of its own
def test_server_entry_point_keeps_numerical_libraries_to_one_thread():
    import subprocess
    import sys

    code = (
        "import runpy, sys, os; sys.argv = ['x', '--version'];\n"
        "try: runpy.run_module('bot.serving', run_name='__main__')\n"
        "except SystemExit: pass\n"
        "print('threads', os.environ['OPENBLAS_NUM_THREADS'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in __import__("os").environ.items() if k != "OPENBLAS_NUM_THREADS"},
    )
    assert "threads 1" in done.stdout, done.stderr[-2000:]


def test_slot_copy_is_what_copy_copy_did():
    import copy

    from rasa.shared.core.slots import AnySlot, BooleanSlot, CategoricalSlot, FloatSlot, ListSlot, TextSlot

    assert "direct slot copy" in bot.serving.apply(load())
    mappings = [{"type": "from_entity", "entity": "role"}]
    for slot, value in (
        (TextSlot("t", mappings), "hello"),
        (BooleanSlot("b", mappings), True),
        (FloatSlot("f", mappings), 2.0),
        (ListSlot("l", mappings), ["x"]),
        (AnySlot("a", mappings), {"k": 1}),
        (CategoricalSlot("c", mappings, values=["PMO Analyst", "PMO Manager"]), "PMO Analyst"),
    ):
        slot.value = value
        copied = copy.copy(slot)
        assert type(copied) is type(slot) and copied is not slot
        assert copied.__dict__ == slot.__dict__ == bot.serving.shallow_copy(slot).__dict__
        assert copied.value is slot.value  # shallow, as copy.copy was
        copied.value = None
        assert slot.value == value  # the copy has its own attributes


def test_a_turn_that_steps_out_comes_back_ahead_of_later_arrivals():
    async def scenario():
        gate, order = bot.serving.FifoGate(1), []

        async def turn(name, io):
            fifo_ticket = await gate.acquire()
            admission = bot.serving.Admission(gate, fifo_ticket)
            token = bot.turns.current_admission.set(admission)
            try:
                order.append(f"{name} in")
                if io:
                    async with bot.serving.waiting_on_io():  # the action server call
                        order.append(f"{name} waits")
                        await asyncio.sleep(0.05)
                    order.append(f"{name} back")
            finally:
                bot.turns.current_admission.reset(token)
                admission.step_out()

        first = asyncio.create_task(turn("a", io=True))
        await asyncio.sleep(0.01)
        others = [asyncio.create_task(turn(n, io=False)) for n in "bc"]  # get in while a waits
        await asyncio.sleep(0.1)
        late = [asyncio.create_task(turn(n, io=False)) for n in "de"]
        await asyncio.gather(first, *others, *late)
        return order, gate.active

    order, active = asyncio.run(scenario())
    assert order[:4] == ["a in", "a waits", "b in", "c in"] and "a back" in order and active == 0


def test_a_returning_turn_goes_before_newcomers_that_queued_meanwhile():
    async def scenario():
        gate = bot.serving.FifoGate(1)
        early = await gate.acquire()  # ticket 0 holds the place
        gate.release()  # ... and steps out to wait on I/O
        newcomer_in = await gate.acquire()  # ticket 1 gets in
        newcomer_2 = asyncio.create_task(gate.acquire())  # ticket 2 waits
        back = asyncio.create_task(gate.acquire(early))  # ticket 0 comes back and waits
        await asyncio.sleep(0)
        gate.release()  # ticket 1 leaves: 0 goes before 2
        await asyncio.sleep(0)
        return newcomer_in, back.done(), newcomer_2.done()

    newcomer_in, back_done, second_done = asyncio.run(scenario())
    assert newcomer_in == 1 and back_done and not second_done


def test_patches_check_what_they_replace_and_refuse_another_shape():
    class Rasa:
        async def handle_message(self, message, extra):
            pass

        def run(self, inputs=None, targets=None):
            pass

    with pytest.raises(bot.serving.ServingPatchError, match=r"handle_message\('self', 'message', 'extra'\)"):
        bot.serving.expect_function("p", Rasa, "handle_message", ("self", "message"), is_async=True)
    with pytest.raises(bot.serving.ServingPatchError, match="is not async"):
        bot.serving.expect_function("p", Rasa, "run", ("self", "inputs", "targets"), is_async=True)
    with pytest.raises(bot.serving.ServingPatchError, match="no longer contains"):
        bot.serving.expect_function(
            "p", Rasa, "run", ("self", "inputs", "targets"), is_async=False, source_has=("self._instantiated_nodes",)
        )


def test_apply_refuses_another_rasa_version_and_installs_nothing(monkeypatch):
    import rasa
    from rasa.core.processor import MessageProcessor

    bot.serving.restore()
    original = MessageProcessor.handle_message
    try:
        monkeypatch.setattr(rasa, "__version__", "3.6.22")
        with pytest.raises(bot.serving.ServingPatchError, match="Rasa 3.6.22 installed"):
            bot.serving.apply(load())
        assert MessageProcessor.handle_message is original and bot.serving.replaced == []
    finally:
        monkeypatch.undo()
        bot.serving.apply(load())


def test_restore_puts_back_what_rasa_had():
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.slots import Slot

    patched = MessageProcessor.handle_message
    bot.serving.restore()
    try:
        assert MessageProcessor.handle_message is not patched
        assert MessageProcessor.handle_message.__module__ == "rasa.core.processor"
        assert RemoteAction.run.__module__ == "rasa.core.actions.action"
        assert "__copy__" not in vars(Slot)
    finally:
        bot.serving.apply(load())


@pytest.mark.parametrize("env,expected", [({}, 5.0), ({"PMO_ACTION_TIMEOUT": "2.5"}, 2.5)])
def test_action_timeout_from_the_environment(env, expected):
    assert load(env).action_timeout == expected


@pytest.mark.parametrize("raw", ["soon", "0", "-1", "301"])
def test_action_timeout_refuses_nonsense(raw):
    with pytest.raises(ValueError, match="PMO_ACTION_TIMEOUT"):
        _ = load({"PMO_ACTION_TIMEOUT": raw}).action_timeout


def test_a_hung_action_server_times_out_and_the_turn_is_marked_failed(monkeypatch):
    """A server that accepts the call and never answers (as one frozen with SIGSTOP)."""
    import time

    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.exceptions import RasaException
    from rasa.utils.endpoints import EndpointConfig

    async def scenario():
        hung = asyncio.Event()

        async def never_answers(reader, writer):
            await hung.wait()

        server = await asyncio.start_server(never_answers, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        action = RemoteAction("action_anything", EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
        tracker = DialogueStateTracker.from_events("someone", [])
        started = time.monotonic()
        with bot.serving.watch_turn() as outcome, pytest.raises(RasaException, match="took longer than 0.3s"):
            await action.run(CollectingOutputChannel(), None, tracker, Domain.empty())
        hung.set()
        server.close()
        return time.monotonic() - started, outcome.failed

    bot.serving.restore()
    monkeypatch.setenv("PMO_ACTION_TIMEOUT", "0.3")
    bot.serving.apply(load())
    try:
        took, failed = asyncio.run(scenario())
    finally:
        bot.serving.restore()
        monkeypatch.delenv("PMO_ACTION_TIMEOUT")
        bot.serving.apply(load())
    assert 0.3 <= took < 1.5 and failed
