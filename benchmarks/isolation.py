"""Closed-loop latency at a few levels, and what a frozen action server costs other visitors.

``python -m benchmarks.isolation --levels 1,20 --seconds 20`` serves the trained
model (``models/pmo.tar.gz``, no training) through ``python -m bot.serving run``
with the in-memory tracker store, exactly as ``make bench`` does, and loads it
with ``benchmarks.load``. ``--frozen`` adds the chaos measure: the greeting
visitors' latency (a turn that needs no custom action) at 20 visitors with the
action server running, then with it stopped by SIGSTOP while half the visitors
ask questions that need it; it reports both p95s, their ratio and how long the
apologies took. Used for the before/after figures in docs/bench.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List

import aiohttp

from benchmarks import load
from benchmarks.serving import IN_MEMORY, measure, open_loop, our_rasa_server
from harness import servers

GREETINGS = ("hi", "hello", "good morning", "hey there")
NEEDS_ACTION = ("what does a PMO analyst do?", "which course is right for a PMO manager?")


async def mixed_load(url: str, visitors: int, seconds: float, timeout: float = 30.0) -> Dict[str, List[float]]:
    """Half the visitors greet (no custom action), half ask about roles (custom action)."""
    out: Dict[str, List[float]] = {"greet": [], "action": [], "apology": [], "errors": []}
    stop_at = time.monotonic() + seconds
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:

        async def visitor(index: int) -> None:
            kind = "greet" if index % 2 == 0 else "action"
            texts = GREETINGS if kind == "greet" else NEEDS_ACTION
            turn = 0
            while time.monotonic() < stop_at:
                sender = f"iso-{index}-{uuid.uuid4().hex[:8]}"
                started = time.perf_counter()
                try:
                    async with session.post(url, json={"sender": sender, "message": texts[turn % len(texts)]}) as r:
                        body = await r.json(content_type=None)
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                    out["errors"].append(time.perf_counter() - started)
                    continue
                took = time.perf_counter() - started
                apology = any("problem on my side" in (m.get("text") or "") for m in body or [])
                out["apology" if apology else kind].append(took)
                turn += 1

        await asyncio.gather(*(visitor(i) for i in range(visitors)))
    return out


def summary(values: List[float]) -> Dict[str, Any]:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50_ms": round(1000 * load.percentile(values, 50), 1),
        "p95_ms": round(1000 * load.percentile(values, 95), 1),
        "max_ms": round(1000 * max(values), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,20")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--frozen", action="store_true", help="also measure with the action server frozen")
    parser.add_argument("--frozen-seconds", type=float, default=10.0)
    parser.add_argument("--open-loop", default="", help="Poisson arrival rates to try, e.g. 20,40,60,80")
    parser.add_argument("--open-seconds", type=float, default=15.0)
    parser.add_argument("--label", default="this assistant")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pmo-isolation-"))
    actions = servers.action_server(work).start()
    result: Dict[str, Any] = {
        "label": args.label,
        "commit": os.popen("git rev-parse --short HEAD").read().strip(),
        "env": {k: v for k, v in os.environ.items() if k.startswith("PMO_")},
    }
    try:
        server = our_rasa_server(work / "ours", servers.MODEL, actions.port, IN_MEMORY)
        levels = [int(level) for level in args.levels.split(",") if level]
        if levels:
            result["levels"] = measure(
                args.label, server, levels, args.seconds, progress=print, check_answer=load.recommends
            )["levels"]
        if args.open_loop:
            result["open_loop"] = open_loop(server, [float(r) for r in args.open_loop.split(",")], args.open_seconds)
        if args.frozen:
            server.start(timeout=300)
            url = server.url + "/webhooks/rest/webhook"
            try:
                asyncio.run(mixed_load(url, 4, 2.0))  # warm-up
                normal = asyncio.run(mixed_load(url, 20, args.frozen_seconds))
                assert actions.process is not None
                os.killpg(actions.process.pid, signal.SIGSTOP)
                try:
                    frozen = asyncio.run(mixed_load(url, 20, args.frozen_seconds))
                finally:
                    os.killpg(actions.process.pid, signal.SIGCONT)
                after = asyncio.run(mixed_load(url, 20, 3.0))
            finally:
                server.stop()
            result["frozen"] = {
                "normal": {k: summary(v) for k, v in normal.items()},
                "frozen": {k: summary(v) for k, v in frozen.items()},
                "after_sigcont": {k: summary(v) for k, v in after.items()},
            }
            greet_normal = load.percentile(normal["greet"], 95) if normal["greet"] else float("nan")
            greet_frozen = load.percentile(frozen["greet"], 95) if frozen["greet"] else float("nan")
            result["frozen"]["greet_p95_ratio"] = round(greet_frozen / greet_normal, 2)
    finally:
        actions.stop()
    print(json.dumps(result, indent=1))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
