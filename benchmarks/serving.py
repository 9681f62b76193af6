"""Serving figures: start-to-ready time, resident memory, REST latency and throughput.

Servers are real processes on free 127.0.0.1 ports, started with the helpers in
harness/servers.py; the load comes from this process (benchmarks.load).
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import requests

from benchmarks import load
from harness import servers

Progress = Callable[[str], None]

# Our REST channel only: the bench measures the REST path, not connectors that
# need secrets or browsers.
REST_ONLY_CREDENTIALS = "bot.channels.rest.RestInput:\n"


def process_tree(pid: int) -> List[int]:
    """``pid`` and all its descendants (from /proc)."""
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants."""
    total = 0
    for member in process_tree(pid):
        try:
            with open(f"/proc/{member}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


class RssSampler:
    """Samples a process tree's RSS in a thread; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes(self.pid))


def our_rasa_server(
    workdir: Path, model: Path, action_port: Optional[int], tracker_store: Optional[str]
) -> servers.Server:
    """Our assistant served the production way: ``python -m bot.serving run`` (actions in-process if no port)."""
    workdir.mkdir(parents=True, exist_ok=True)
    credentials = workdir / "credentials-rest.yml"
    credentials.write_text(REST_ONLY_CREDENTIALS)
    endpoints = servers.write_endpoints(workdir, action_port, tracker_store)
    server = servers.rasa_server(workdir, endpoints, credentials=credentials, model=model)
    assert server.args[1:3] == ["-m", "bot.serving"], server.args  # the one entry point (harness/servers.py)
    server.args = [sys.executable, *server.args[1:]]
    server.name = "rasa server (this assistant)"
    # The load comes from one address and few senders: no rate limits (bot/channels/limits.py).
    server.env.update(PMO_RATE_LIMIT_PER_SENDER="0", PMO_RATE_LIMIT_PER_ADDRESS="0")
    return server


def stock_rasa_server(workdir: Path, project: Path, model: Path) -> servers.Server:
    """The stock assistant with its own endpoints and credentials, via plain ``rasa run``."""
    workdir.mkdir(parents=True, exist_ok=True)
    server = servers.rasa_server(
        workdir, project / "endpoints.yml", credentials=project / "credentials.yml", model=model
    )
    # Stock Rasa as its users start it: plain `rasa run`, none of bot.serving's patches.
    assert server.args[1:3] == ["-m", "bot.serving"], server.args
    server.args = [str(servers.BIN / "rasa"), *server.args[3:]]
    server.name = "rasa server (stock rasa init)"
    return server


IN_MEMORY = "tracker_store:\n  type: InMemoryTrackerStore\n"


def measure(
    label: str,
    server: servers.Server,
    levels: Sequence[int],
    seconds: float,
    progress: Progress,
    check_answer: Optional[Callable[[List[dict]], bool]] = None,
    start_timeout: float = 300.0,
) -> Dict[str, Any]:
    """Start ``server``, time it to ready, load it at each level, stop it."""
    progress(f"{label}: starting server")
    began = time.monotonic()
    server.start(timeout=start_timeout)
    ready = time.monotonic() - began
    url = server.url + "/webhooks/rest/webhook"
    try:
        reply = requests.post(url, json={"sender": "bench-warmup", "message": "hi"}, timeout=60)
        reply.raise_for_status()
        first_reply = time.monotonic() - began
        progress(f"{label}: ready after {ready:.1f} s (first reply after {first_reply:.1f} s)")
        assert server.process is not None
        idle_rss = rss_bytes(server.process.pid)
        results = []
        with RssSampler(server.process.pid) as sampler:
            # Warm-up, not measured: every code path once (first calls trace and cache).
            asyncio.run(load.run_level(url, 1, 2.0, seed=99))
            for level in levels:

                def tick(partial: load.LevelResult, elapsed: float, level: int = level) -> None:
                    rate = len(partial.latencies) / elapsed if elapsed else 0.0
                    progress(
                        f"{label}: {level} concurrent, {elapsed:4.0f}/{seconds:.0f} s, "
                        f"{len(partial.latencies)} replies ({rate:.1f}/s), {partial.errors} errors"
                    )

                level_result = asyncio.run(
                    load.run_level(url, level, seconds, check_answer=check_answer, seed=level, progress=tick)
                )
                summary = level_result.summary()
                results.append(summary)
                progress(
                    f"{label}: {level} concurrent -> {summary['throughput_rps']:.1f} msg/s, "
                    f"p50 {summary['p50_ms']:.0f} ms, p95 {summary['p95_ms']:.0f} ms, "
                    f"p99 {summary['p99_ms']:.0f} ms, {summary['errors']} errors"
                )
        return {
            "ready_s": round(ready, 2),
            "first_reply_s": round(first_reply, 2),
            "rss_idle_mb": round(idle_rss / 2**20, 1),
            "rss_peak_mb": round(sampler.peak / 2**20, 1),
            "levels": results,
        }
    finally:
        server.stop()


def open_loop(
    server: servers.Server,
    rates: Sequence[float],
    seconds: float,
    progress: Callable[[str], None] = print,
    label: str = "",
) -> Dict[str, Any]:
    """p95 at each arrival rate; capacity = the highest rate with p95 <= 300 ms and no errors.

    Messages arrive at a fixed rate (Poisson), each the next turn of one of many visitors
    (benchmarks.load.run_open_loop); the ladder stops once p95 passes 2 s.
    """
    server.start(timeout=300)
    url = server.url + "/webhooks/rest/webhook"
    rows = []
    try:
        asyncio.run(load.run_level(url, 1, 2.0, seed=99))  # warm-up
        for rate in rates:
            summary_ = asyncio.run(load.run_open_loop(url, rate, seconds, seed=int(rate))).summary()
            summary_["rate"] = rate
            rows.append(summary_)
            progress(
                f"{label}open loop {rate:g}/s -> {summary_['throughput_rps']:.1f} msg/s, "
                f"p50 {summary_['p50_ms']:.0f} ms, p95 {summary_['p95_ms']:.0f} ms, {summary_['errors']} errors"
            )
            if summary_["p95_ms"] > 2000:
                break  # far past capacity: higher rates only queue more
    finally:
        server.stop()
    within = [row["rate"] for row in rows if row["p95_ms"] <= 300 and not row["errors"]]
    return {"rates": rows, "capacity_per_s": max(within) if within else 0}
