"""Where one message's time goes: NLU components, policies, action call, tracker store.

    python -m benchmarks.profile_turn [--model M] [--store memory|sqlite] [--plain]
                                      [--conversations 40] [--cprofile out.prof]

Loads the model in this process as the server does, starts the real action server,
then runs five-turn conversations (benchmarks.load) through ``Agent.handle_message`` and
times each stage: wall time per call, and for graph nodes the CPU time of this thread.
``--plain`` leaves out the speed-ups of bot.serving, to see what they save.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import functools
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable, DefaultDict, List, Optional

from bot.serving import one_numeric_thread

one_numeric_thread()  # as ``python -m bot.serving`` serves (before numpy loads)

from benchmarks.load import conversation  # noqa: E402
from harness import servers  # noqa: E402

Timings = DefaultDict[str, List[float]]


def _timed(timings: Timings, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    if asyncio.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                timings[label].append(time.perf_counter() - began)
    else:

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                timings[label].append(time.perf_counter() - began)

    return wrapper


def instrument(timings: Timings) -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa.engine.graph import GraphNode

    for cls, name, label in (
        (MessageProcessor, "handle_message", "message, total"),
        (MessageProcessor, "fetch_tracker_and_update_session", "tracker store: load"),
        (MessageProcessor, "save_tracker", "tracker store: save"),
        (MessageProcessor, "parse_message", "NLU: parse"),
        (MessageProcessor, "_predict_next_with_tracker", "policies: one prediction"),
        (RemoteAction, "run", "custom action: call and validation"),
    ):
        setattr(cls, name, _timed(timings, label, getattr(cls, name)))

    original = GraphNode.__call__

    def call(self: Any, *args: Any) -> Any:
        began = time.thread_time()
        try:
            return original(self, *args)
        finally:
            timings[f"  node {self._node_name} (CPU)"].append(time.thread_time() - began)

    GraphNode.__call__ = call  # type: ignore[assignment]


async def converse(agent: Any, conversations: int, seed: int = 1) -> int:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    rng, turns = random.Random(seed), 0
    for _ in range(conversations):
        sender = uuid.uuid4().hex
        for text in conversation(rng):
            await agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender))
            turns += 1
    return turns


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(servers.MODEL))
    parser.add_argument("--store", choices=("memory", "sqlite"), default="memory")
    parser.add_argument("--plain", action="store_true", help="without the bot.serving speed-ups")
    parser.add_argument("--conversations", type=int, default=40)
    parser.add_argument("--cprofile", type=Path, help="also write a cProfile of the measured turns here")
    args = parser.parse_args(argv)

    from benchmarks.understanding import quiet_logging

    quiet_logging()
    if not args.plain:
        import bot.serving
        import bot.settings

        print("speed-ups:", ", ".join(bot.serving.apply(bot.settings.load())))
    from rasa.core.agent import Agent
    from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import EndpointConfig

    work = Path(tempfile.mkdtemp(prefix="profile-turn-"))
    actions = servers.action_server(work).start()
    try:
        store = (
            SQLTrackerStore(dialect="sqlite", db=str(work / "conversations.db"))
            if args.store == "sqlite"
            else InMemoryTrackerStore(Domain.empty())
        )
        agent = Agent.load(
            args.model, tracker_store=store, action_endpoint=EndpointConfig(f"http://127.0.0.1:{actions.port}/webhook")
        )
        asyncio.run(converse(agent, 2))  # warm-up: first calls build caches
        timings: Timings = collections.defaultdict(list)
        instrument(timings)
        profiler = cProfile.Profile() if args.cprofile else None
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        turns = asyncio.run(converse(agent, args.conversations))
        if profiler:
            profiler.disable()
            profiler.dump_stats(str(args.cprofile))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        actions.stop()

    print(
        f"{turns} turns, {args.store} tracker store{', plain Rasa' if args.plain else ''}: "
        f"{1000 * wall / turns:.1f} ms wall and {1000 * cpu / turns:.1f} ms CPU of this process a turn"
    )
    print(f"{'stage':56} {'calls':>6} {'mean ms':>8} {'ms/turn':>8}")
    for label, values in sorted(timings.items(), key=lambda kv: (kv[0].startswith("  "), -sum(kv[1]))):
        print(
            f"{label:56} {len(values):6d} {1000 * sum(values) / len(values):8.2f} " f"{1000 * sum(values) / turns:8.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
