"""One lean process against the set-up before it and stock ``rasa init``, in one run (issue 20).

    python -m benchmarks.lean [--stock-project DIR] [--seconds 10] [--rates 20,40,60,90]
                              [--out bench/out/lean.json] [--no-lean] [--no-before] [--no-stock]
                              [--before-commit C] [--quick]

For each set-up: seconds to ready, resident memory of every process it needs (Rasa,
and the action server when there is one) idle and after the load, one visitor's p50/p95,
20 visitors without pause (p50/p95/mean, p95/p50), an open-loop ladder (capacity:
highest rate with p95 <= 300 ms and no error), and the **turn cost** as a
conversation grows: the median latency of one visitor's turn when the conversation
already holds about 1, 50 and 200 events (read from Rasa's API between turns, not timed).

- ``lean``: ``python -m bot.serving run`` as ``make run``/``web``/``serve`` start it now:
  actions in-process, no TensorFlow;
- ``before``: the action server over HTTP and TensorFlow loaded (``PMO_TENSORFLOW=on``),
  with this tree's ``bot/`` or, with ``--before-commit C``, ``bot/`` as it was at C
  (the code before issue 20: ``--before-commit ebce89d``);
- ``stock``: ``rasa run`` on a ``rasa init --no-prompt`` project (``--stock-project``,
  scaffolded and trained here when missing), which has no custom action.

In-memory tracker stores everywhere, loopback REST, one set-up at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import requests

from benchmarks import load, serving
from harness import servers

ROOT = Path(__file__).resolve().parents[1]
EVENT_MARKS = (1, 50, 200)
WINDOW = 0.25  # a turn counts for a mark when its events before are within 25% of it (1: the first turn)
SENDERS = 5


def events_of(server: servers.Server, sender: str) -> int:
    reply = requests.get(f"{server.url}/conversations/{sender}/tracker?include_events=ALL", timeout=60)
    reply.raise_for_status()
    return len(reply.json().get("events") or [])


def turn_cost(server: servers.Server, senders: int = SENDERS, most: int = 230) -> Dict[str, Any]:
    """Median turn latency at about 1, 50 and 200 events of one visitor's conversation."""
    url = server.url + "/webhooks/rest/webhook"
    samples: List[Tuple[int, float]] = []
    for number in range(senders):
        rng = random.Random(number)
        sender = f"cost-{number}-{uuid.uuid4().hex[:6]}"
        before = 0
        while before < most:
            for message in load.conversation(rng):
                began = time.perf_counter()
                reply = requests.post(url, json={"sender": sender, "message": message}, timeout=60)
                took = time.perf_counter() - began
                reply.raise_for_status()
                samples.append((before, took))
                before = events_of(server, sender)
    result: Dict[str, Any] = {}
    for mark in EVENT_MARKS:
        near = [t for e, t in samples if (e == 0 if mark == 1 else abs(e - mark) <= WINDOW * mark)]
        result[str(mark)] = {"turns": len(near), "p50_ms": round(statistics.median(near) * 1000, 1) if near else None}
    first, last = result["1"]["p50_ms"], result["200"]["p50_ms"]
    result["growth_200_over_1"] = round(last / first, 2) if first and last else None
    return result


def turn_cost_of(server: servers.Server, senders: int = SENDERS) -> Dict[str, Any]:
    """Start ``server`` with Rasa's API (to count events), measure :func:`turn_cost`, stop it."""
    server.args.append("--enable-api")
    server.start(timeout=300)
    try:
        url = server.url + "/webhooks/rest/webhook"
        requests.post(url, json={"sender": "warm", "message": "hi"}, timeout=60).raise_for_status()
        asyncio.run(load.run_level(url, 1, 2.0, seed=99))  # every code path once
        return turn_cost(server, senders=senders)
    finally:
        server.stop()


def rss_mb(pids: Sequence[int]) -> float:
    return round(sum(serving.rss_bytes(pid) for pid in pids) / 2**20, 1)


def one_setup(
    label: str,
    rasa: servers.Server,
    actions: Optional[servers.Server],
    seconds: float,
    rates: Sequence[float],
    quick: bool,
) -> Dict[str, Any]:
    rasa.args.append("--enable-api")  # only to count a conversation's events between turns
    print(f"{label}: starting", flush=True)
    began = time.monotonic()
    if actions is not None:
        actions.start(timeout=300)
    rasa.start(timeout=300)
    ready = time.monotonic() - began  # the action server (if any), then Rasa
    url = rasa.url + "/webhooks/rest/webhook"
    processes = [p.process.pid for p in (rasa, actions) if p is not None and p.process is not None]
    try:
        requests.post(url, json={"sender": "warm", "message": "hi"}, timeout=60).raise_for_status()
        asyncio.run(load.run_level(url, 1, 2.0, seed=99))  # every code path once
        idle = {p.name: rss_mb([p.process.pid]) for p in (rasa, actions) if p is not None and p.process is not None}
        result: Dict[str, Any] = {
            "ready_s": round(ready, 2),
            "rss_idle_mb": idle,
            "rss_idle_total_mb": rss_mb(processes),
        }
        one = asyncio.run(load.run_level(url, 1, seconds, seed=1)).summary()
        result["one_visitor"] = {k: one[k] for k in ("throughput_rps", "p50_ms", "p95_ms", "errors")}
        print(f"{label}: one visitor p50 {one['p50_ms']:.1f} ms p95 {one['p95_ms']:.1f} ms", flush=True)
        result["turn_cost"] = turn_cost(rasa, senders=2 if quick else SENDERS)
        print(f"{label}: turn cost {result['turn_cost']}", flush=True)
        level = asyncio.run(load.run_level(url, 20, seconds, seed=20))
        closed = level.summary()
        mean = statistics.fmean(level.latencies) * 1000 if level.latencies else float("nan")
        result["closed_20"] = {
            **{k: closed[k] for k in ("throughput_rps", "p50_ms", "p95_ms", "p99_ms", "errors")},
            "mean_ms": round(mean, 1),
            "p95_over_p50": round(closed["p95_ms"] / closed["p50_ms"], 2) if closed["p50_ms"] else None,
        }
        print(f"{label}: 20 visitors {result['closed_20']}", flush=True)
        rows = []
        for rate in rates:
            row = asyncio.run(load.run_open_loop(url, rate, seconds, seed=int(rate))).summary()
            rows.append({"rate": rate, **{k: row[k] for k in ("throughput_rps", "p50_ms", "p95_ms", "errors")}})
            print(f"{label}: open loop {rows[-1]}", flush=True)
            if row["p95_ms"] > 2000:
                break
        within = [r["rate"] for r in rows if r["p95_ms"] <= 300 and not r["errors"]]
        result["open_loop"] = {"rates": rows, "capacity_per_s": max(within) if within else 0}
        result["rss_after_mb"] = {
            p.name: rss_mb([p.process.pid]) for p in (rasa, actions) if p is not None and p.process is not None
        }
        result["rss_after_total_mb"] = rss_mb(processes)
        return result
    finally:
        rasa.stop()
        if actions is not None:
            actions.stop()


# ``python -m bot.serving`` would import this tree's bot (the working directory comes first).
RUN_FROM = "import sys, runpy; sys.path.insert(0, {tree!r}); runpy.run_module('bot.serving', run_name='__main__')"


def checkout(commit: str, where: Path) -> str:
    """``bot/`` as it was at ``commit`` (git archive), to serve the code before a change."""
    import subprocess

    where.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", commit, "bot"], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    return str(where)


def stock_model(project: Path) -> Path:
    models = sorted((project / "models").glob("*.tar.gz"))
    if not models:
        project.mkdir(parents=True, exist_ok=True)
        import subprocess

        subprocess.run(
            [str(servers.BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
            cwd=project,
            env=servers.base_env(),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        models = sorted((project / "models").glob("*.tar.gz"))
    return models[-1]


def run(args: argparse.Namespace) -> Dict[str, Any]:
    work = args.out.parent / "lean-work"
    work.mkdir(parents=True, exist_ok=True)
    rates = [float(r) for r in args.rates.split(",")]
    results: Dict[str, Any] = {"seconds": args.seconds, "rates": rates, "load_average_at_start": list(os.getloadavg())}

    if not args.no_lean:
        lean = serving.our_rasa_server(work / "lean", args.model, None, serving.IN_MEMORY)
        results["lean"] = one_setup("lean", lean, None, args.seconds, rates, args.quick)

    if not args.no_before:
        actions = servers.action_server(work / "before")
        before = serving.our_rasa_server(work / "before", args.model, actions.port, serving.IN_MEMORY)
        before.env["PMO_TENSORFLOW"] = "on"
        if args.before_commit:
            before.args[1:3] = ["-c", RUN_FROM.format(tree=checkout(args.before_commit, work / "before-tree"))]
            results["before_commit"] = args.before_commit
        results["before"] = one_setup("before", before, actions, args.seconds, rates, args.quick)

    if not args.no_stock:
        stock = serving.stock_rasa_server(work / "stock", args.stock_project, stock_model(args.stock_project))
        results["stock"] = one_setup("stock", stock, None, args.seconds, rates, args.quick)
    return results


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lean", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=servers.MODEL)
    parser.add_argument("--stock-project", type=Path, default=ROOT / "bench" / "stock-project")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rates", default="20,40,60,90,120")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "lean.json")
    parser.add_argument("--no-lean", action="store_true")
    parser.add_argument("--no-before", action="store_true")
    parser.add_argument(
        "--before-commit", help="serve 'before' with bot/ of this commit (e.g. the one before issue 20's branch)"
    )
    parser.add_argument("--no-stock", action="store_true")
    parser.add_argument("--quick", action="store_true", help="two senders for the turn cost")
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    results = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
