"""Throughput of one Rasa server with 1 and with 2 Sanic workers (SANIC_WORKERS).

    python -m benchmarks.workers [--workers 1 2] [--conversations 30] [--turns 10]

For each worker count it starts the action server and one Rasa server the
production way (scripts/rasa-server.sh, PostgreSQL tracker store in a fresh
database, Redis lock store, which SANIC_WORKERS > 1 needs), warms every worker
up, then runs concurrent REST conversations of fixed turns and reports turns
per second and latency percentiles. Nothing is kept: the database is dropped.
Figures depend on the machine (and on whatever else it is doing): compare
the two rows of one run, not runs on different days.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Sequence

import requests

from harness.stack import SCRIPT


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run_load(url: str, conversations: int, turns: int, tag: str) -> Dict[str, float]:
    def conversation(i: int) -> List[float]:
        sender, latencies = f"bench-{tag}-{i}-{uuid.uuid4().hex[:6]}", []
        for n in range(turns):
            started = time.monotonic()
            response = requests.post(url, json={"sender": sender, "message": SCRIPT[n % len(SCRIPT)]}, timeout=300)
            latencies.append(time.monotonic() - started)
            if response.status_code != 200 or not response.json():
                raise RuntimeError(f"turn {n} of {sender}: {response.status_code} {response.text[:200]}")
        return latencies

    started = time.monotonic()
    with ThreadPoolExecutor(conversations) as pool:
        latencies = [t for conv in pool.map(conversation, range(conversations)) for t in conv]
    elapsed = time.monotonic() - started
    return {
        "turns": len(latencies),
        "seconds": round(elapsed, 1),
        "turns_per_s": round(len(latencies) / elapsed, 2),
        "p50_s": round(statistics.median(latencies), 2),
        "p95_s": round(_percentile(latencies, 0.95), 2),
    }


def measure(workers: int, conversations: int, turns: int, admin_url: str, redis_url: str) -> Dict[str, float]:
    # The scale-out stack of tests/deploy/test_scale_out.py (harness/stack.py), one replica.
    from harness import services, stack
    from harness.servers import action_server, write_endpoints

    with services.fresh_database("pmo_bench", admin_url) as database_url:
        env = {"PMO_DATABASE_URL": database_url, "PMO_REDIS_URL": redis_url}
        workdir = Path(tempfile.mkdtemp(prefix="bench-workers-"))
        actions = action_server(workdir, env=env)
        endpoints = write_endpoints(
            workdir,
            actions.port,
            stack.TRACKER_STORE.format(db="unused.db"),
            stack.LOCK_STORE.format(extra=f"  key_prefix: bench{uuid.uuid4().hex[:6]}\n"),
        )
        rasa = stack.replica(workdir, endpoints, {**env, "SANIC_WORKERS": str(workers)})
        rasa.name = f"rasa x{workers}"
        try:
            actions.start()
            rasa.start(timeout=600)
            stack.wait_for_workers(rasa, workers, timeout=600)
            url = rasa.url + "/webhooks/rest/webhook"
            run_load(url, conversations=4 * workers, turns=3, tag="warmup")  # every worker loads its graph
            return {"workers": workers, **run_load(url, conversations, turns, tag=f"w{workers}")}
        finally:
            rasa.stop()
            actions.stop()


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workers", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--conversations", type=int, default=30, help="concurrent conversations")
    parser.add_argument("--turns", type=int, default=10, help="turns per conversation")
    parser.add_argument(
        "--admin-url",
        default="postgresql://root@127.0.0.1:5432/test",
        help="PostgreSQL URL allowed to create and drop a database",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/1")
    args = parser.parse_args(list(argv))
    rows = [measure(w, args.conversations, args.turns, args.admin_url, args.redis_url) for w in args.workers]
    print(f"{'workers':>7} {'turns':>6} {'seconds':>8} {'turns/s':>8} {'p50 s':>6} {'p95 s':>6}")
    for row in rows:
        print(
            f"{row['workers']:>7} {row['turns']:>6} {row['seconds']:>8} {row['turns_per_s']:>8} "
            f"{row['p50_s']:>6} {row['p95_s']:>6}"
        )
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
