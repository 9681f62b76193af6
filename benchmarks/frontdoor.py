"""Open-loop capacity through the front door (HAProxy) with one and with two replicas.

``python -m benchmarks.frontdoor --replicas 1,2 --open-loop 10,20,30,40 --open-seconds 15``
starts the stack of tests/frontdoor (HAProxy from deploy/haproxy/haproxy.cfg, replicas on a fresh
PostgreSQL database and Redis, the action server), once per replica count, and runs the same
open-loop ladder as ``python -m benchmarks.isolation --open-loop`` (benchmarks.load.run_open_loop:
Poisson arrivals, six-turn REST conversations) against ``https://.../webhooks/rest/webhook``.
Capacity is the highest rate with p95 <= 300 ms and no errors, as in benchmarks.serving.

``--url https://localhost:8443 --cafile build/frontdoor/selfsigned.crt`` measures a front door
that is already running (``make frontdoor``) instead. Rate limits are off in the stack it starts
(one load generator is one client address); for --url, start the front door with
PMO_RATE_LIMIT_PER_ADDRESS=0. Results as JSON on standard output.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import ssl
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import aiohttp

from benchmarks import load


def use_certificate(cafile: Optional[str]) -> None:
    """Make benchmarks.load's aiohttp sessions check the front door's certificate against ``cafile``."""
    if cafile:
        context = ssl.create_default_context(cafile=cafile)
        aiohttp.TCPConnector = functools.partial(aiohttp.TCPConnector, ssl=context)  # type: ignore[misc]


def ladder(url: str, rates: List[float], seconds: float, label: str) -> Dict[str, Any]:
    endpoint = url.rstrip("/") + "/webhooks/rest/webhook"
    rows = []
    asyncio.run(load.run_level(endpoint, 1, 2.0, seed=99))  # warm-up
    for rate in rates:
        row = asyncio.run(load.run_open_loop(endpoint, rate, seconds, seed=int(rate))).summary()
        row["rate"] = rate
        rows.append(row)
        print(
            f"{label}: open loop {rate:g}/s -> {row['throughput_rps']:.1f} msg/s, p50 {row['p50_ms']:.0f} ms, "
            f"p95 {row['p95_ms']:.0f} ms, {row['errors']} errors",
            file=sys.stderr,
            flush=True,
        )
        if row["p95_ms"] > 2000:
            break  # far past capacity
    within = [row["rate"] for row in rows if row["p95_ms"] <= 300 and not row["errors"]]
    return {"label": label, "rates": rows, "capacity_per_s": max(within) if within else 0}


def with_stack(replicas: int, rates: List[float], seconds: float) -> Dict[str, Any]:
    from harness import frontdoor as stack
    from harness import services

    work = Path(tempfile.mkdtemp(prefix=f"pmo-frontdoor-{replicas}-"))
    with services.fresh_database("pmo_bench") as url:
        started = time.monotonic()
        door = stack.start(work, url, services.REDIS_URL, rate="0", replicas=replicas)
        try:
            print(f"{replicas} replica(s) up in {time.monotonic() - started:.0f}s", file=sys.stderr, flush=True)
            use_certificate(door.certificate)
            result = ladder(door.url, rates, seconds, f"{replicas} replica(s)")
            result["served"] = door.sessions()
        finally:
            door.stop()
    result["replicas"] = replicas
    return result


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", default="1,2", help="replica counts to measure, e.g. 1,2")
    parser.add_argument("--open-loop", default="10,20,30,40", help="Poisson arrival rates to try")
    parser.add_argument("--open-seconds", type=float, default=15.0)
    parser.add_argument("--url", help="a running front door (https://host:port) instead of starting one")
    parser.add_argument("--cafile", help="the certificate to trust for --url (a self-signed one)")
    args = parser.parse_args(argv)
    rates = [float(rate) for rate in args.open_loop.split(",") if rate]
    result: Dict[str, Any] = {
        "commit": os.popen("git rev-parse --short HEAD").read().strip(),
        "cores": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "open_seconds": args.open_seconds,
    }
    if args.url:
        use_certificate(args.cafile)
        result["runs"] = [ladder(args.url, rates, args.open_seconds, args.url)]
    else:
        result["runs"] = [with_stack(int(n), rates, args.open_seconds) for n in args.replicas.split(",") if n]
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
