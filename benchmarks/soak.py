"""The soak: the production set-up under steady open-loop traffic for half an hour, sampled every 5 minutes.

    python -m benchmarks.soak                      # 30 min at half the capacity measured first
    python -m benchmarks.soak --rate 5             # a fixed rate instead of the capacity ladder
    python -m benchmarks.soak --smoke              # 1 minute at 2 msg/s, a sample every 15 s, half the
                                                   # conversations enquiring (tests/benchmarks/test_soak.py)

The stack is the one a deployment runs: a fresh PostgreSQL database migrated by
``python -m bot.storage migrate upgrade`` first (the operator's step), Redis
locks, one Rasa server started by ``scripts/rasa-server.sh`` with
``endpoints.production.yml``, the action server (which runs an outbox worker
thread), a second outbox worker on its own (``python -m bot.outbox run``), the
insights site with its refresher (``python -m bot.insights serve``, refreshing
every 10 s) and an SMTP server (aiosmtpd in this process) taking the enquiry mails.

Before the soak, an open-loop ladder (Poisson arrivals, 45 s a rate) finds the
capacity (the highest rate with p95 <= 300 ms and no error) on this stack and
this machine at this time; the soak then runs at half of it. Traffic: the
benchmark's five-turn conversation, and one conversation in ten is a whole
enquiry (seven turns: recommendation, "I want to book", the form, consent), so
enquiries, notifications and mails accumulate as they would.

Every ``--interval`` seconds it records, per process (the Rasa server, the action
server, the outbox worker, the insights site): RSS, open file descriptors,
threads, sockets to PostgreSQL and to Redis; the database's connections
(``pg_stat_activity``) and size; the window's messages, p50/p95 and errors; the
outbox (pending, sent, mails received), the insights refresher's lag (events not
yet read) and the machine's load average. Writes ``<out>/soak.json`` and
``<out>/soak.png`` (bench/out by default); ``--docs`` copies both to docs/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import aiohttp
import sqlalchemy as sa

from benchmarks import load
from harness import throwaway
from harness.servers import BIN, MODEL, ROOT, Server, base_env, free_port, session_pids, tcp_sockets

OUT = ROOT / "bench" / "out"
P95_LIMIT = 0.300
LADDER = (4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 20.0, 24.0, 28.0, 32.0, 40.0)
ENQUIRY_SHARE = 0.1
ENQUIRY = (
    "I work as a PMO analyst, which course should I do?",
    "I want to book",
    "my name is Sam Soak",
    "sam.soak@acme.co.uk",
    "I work for Acme Soak Ltd",
    "about 6 people",
    "yes please",
)
PASSWORD = "soak-" + uuid.uuid4().hex


# ---- the stack -------------------------------------------------------------------------------


@dataclass
class Stack:
    workdir: Path
    database_url: str
    redis_url: str
    servers: Dict[str, Server] = field(default_factory=dict)
    smtp: Any = None
    mails: List[float] = field(default_factory=list)

    def stop(self) -> None:
        for server in reversed(list(self.servers.values())):
            server.stop()
        if self.smtp is not None:
            self.smtp.stop()


class _Sink:
    def __init__(self, mails: List[float]) -> None:
        self.mails = mails
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.mails.append(time.time())
        return "250 OK"


def _process(name: str, args: List[str], workdir: Path, env: Dict[str, str], port: int, ready: str) -> Server:
    return Server(name=name, args=args, port=port, ready_path=ready, log=workdir / f"{name}.log", env=env)


def start_stack(workdir: Path, database_url: str, redis_url: str, say: Any) -> Stack:
    from aiosmtpd.controller import Controller

    stack = Stack(workdir, database_url, redis_url)
    smtp_port = free_port()
    stack.smtp = Controller(_Sink(stack.mails), hostname="127.0.0.1", port=smtp_port)
    stack.smtp.start()
    common = {
        "PMO_DATABASE_URL": database_url,
        "PMO_REDIS_URL": redis_url,
        "PMO_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "PMO_ENQUIRY_TO": "learning@pmo-learning.co.uk",
        "PMO_ENQUIRY_FROM": "assistant@pmo-learning.co.uk",
    }
    migrated = subprocess.run(
        [str(BIN / "python"), "-m", "bot.storage", "migrate", "upgrade"],
        cwd=ROOT,
        env=base_env(**common),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if migrated.returncode != 0:
        raise RuntimeError(f"migrate upgrade failed: {migrated.stderr[-2000:]}")
    say(f"database migrated: {migrated.stdout.strip()}")
    try:
        actions_port = free_port()
        stack.servers["actions"] = _process(
            "actions",
            [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(actions_port)],
            workdir,
            base_env(**common),
            actions_port,
            "/health",
        ).start()
        rasa_port = free_port()
        stack.servers["rasa"] = _process(
            "rasa",
            [str(ROOT / "scripts" / "rasa-server.sh")],
            workdir,
            base_env(
                PYTHON_BIN=str(BIN / "python"),
                RASA_PORT=str(rasa_port),
                RASA_ENDPOINTS=str(ROOT / "endpoints.production.yml"),
                RASA_MODEL=str(MODEL),
                ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook",
                **common,
            ),
            rasa_port,
            "/",
        ).start(timeout=600)
        worker_port = free_port()  # unused: the worker serves nothing; readiness is its log line
        worker = _process(
            "outbox",
            [str(BIN / "python"), "-m", "bot.outbox", "run"],
            workdir,
            base_env(**common),
            worker_port,
            "/",
        )
        _start_without_http(worker)
        stack.servers["outbox"] = worker
        insights_port = free_port()
        stack.servers["insights"] = _process(
            "insights",
            [
                str(BIN / "python"),
                "-m",
                "bot.insights",
                "serve",
                "--port",
                str(insights_port),
                "--refresh-seconds",
                "10",
                "--lag-seconds",
                "0",
            ],
            workdir,
            base_env(PMO_INSIGHTS_PASSWORD=PASSWORD, **common),
            insights_port,
            "/healthz",
        )
        _start_insights(stack.servers["insights"])
    except BaseException:
        stack.stop()
        raise
    return stack


def _start_without_http(server: Server) -> None:
    handle = open(server.log, "ab")  # noqa: SIM115 - the process writes to it for its whole life
    server.process = subprocess.Popen(
        server.args, cwd=ROOT, env=server.env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )
    time.sleep(3)
    if server.process.poll() is not None:
        raise RuntimeError(f"{server.name} exited: {server.tail()}")


def _start_insights(server: Server) -> None:
    import requests

    _start_without_http(server)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            requests.get(server.url + "/", timeout=2, auth=("staff", PASSWORD))
            return
        except requests.RequestException:
            time.sleep(0.5)
    raise RuntimeError(f"insights not up: {server.tail()}")


# ---- what is measured --------------------------------------------------------------------------


def _socket_ports() -> Dict[str, int]:
    """Socket inode -> remote port, for every TCP connection on the machine."""
    return {s.inode: s.remote_port for s in tcp_sockets()}


def process_sample(leader: int, postgres_port: int, redis_port: int, ports: Dict[str, int]) -> Dict[str, int]:
    rss = fds = threads = pg = redis = 0
    for pid in session_pids(leader):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss += int(line.split()[1])
            elif line.startswith("Threads:"):
                threads += int(line.split()[1])
        fds += len(links)
        for link in links:
            if link.startswith("socket:["):
                port = ports.get(link[8:-1])
                pg += port == postgres_port
                redis += port == redis_port
    return {"rss_mb": round(rss / 1024), "fds": fds, "threads": threads, "pg_sockets": pg, "redis_sockets": redis}


def database_sample(engine: sa.engine.Engine, name: str) -> Dict[str, Any]:
    with engine.connect() as connection:
        states = dict(
            connection.execute(
                sa.text("SELECT coalesce(state, '?'), count(*) FROM pg_stat_activity WHERE datname = :n GROUP BY 1"),
                {"n": name},
            ).all()
        )
        size = connection.execute(sa.text("SELECT pg_database_size(:n)"), {"n": name}).scalar()
        events = connection.execute(sa.text("SELECT count(*), coalesce(max(id), 0) FROM events")).one()
        watermark = connection.execute(
            sa.text("SELECT value FROM insights_state WHERE name = 'last_event_id'")
        ).scalar()
        outbox = dict(
            connection.execute(sa.text("SELECT status, count(*) FROM enquiry_notifications GROUP BY 1")).all()
        )
        enquiries = connection.execute(sa.text("SELECT count(*) FROM enquiries")).scalar()
    return {
        "db_connections": int(sum(states.values())),
        "db_connections_by_state": {str(k): int(v) for k, v in states.items()},
        "db_size_mb": round(int(size or 0) / 2**20, 1),
        "events": int(events[0]),
        "insights_lag_events": int(events[1]) - int(watermark or 0),
        "enquiries": int(enquiries or 0),
        "outbox": {str(k): int(v) for k, v in outbox.items()},
    }


# ---- the traffic -------------------------------------------------------------------------------


@dataclass
class Window:
    latencies: List[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: Dict[str, int] = field(default_factory=dict)
    enquiries_confirmed: int = 0

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def summary(self) -> Dict[str, Any]:
        lat = self.latencies
        return {
            "messages": len(lat),
            "errors": self.errors,
            "error_kinds": self.error_kinds,
            "p50_ms": round(1000 * load.percentile(lat, 50), 1) if lat else None,
            "p95_ms": round(1000 * load.percentile(lat, 95), 1) if lat else None,
            "enquiries_confirmed": self.enquiries_confirmed,
        }


class Traffic:
    """Open-loop arrivals at ``rate``: each is the next turn of a visitor who is not waiting for a reply."""

    def __init__(self, url: str, rate: float, seed: int = 0, enquiry_share: float = ENQUIRY_SHARE) -> None:
        self.url, self.rate, self.enquiry_share = url, rate, enquiry_share
        self.rng = random.Random(seed)
        self.window = Window()
        self.total = Window()

    def take_window(self) -> Window:
        window, self.window = self.window, Window()
        return window

    def _visitor(self) -> Dict[str, Any]:
        turns = list(ENQUIRY) if self.rng.random() < self.enquiry_share else load.conversation(self.rng)
        return {"sender": f"soak-{uuid.uuid4().hex[:12]}", "turns": turns, "next": 0, "enquiry": len(turns) == 7}

    async def run(self, seconds: float) -> None:
        visitors: List[Dict[str, Any]] = []
        in_flight: set = set()
        tasks: set = set()
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as session:

            async def send(index: int) -> None:
                visitor = visitors[index]
                turn = int(visitor["next"])
                started = time.perf_counter()
                kind = ""
                try:
                    async with session.post(
                        self.url, json={"sender": visitor["sender"], "message": visitor["turns"][turn]}
                    ) as reply:
                        body = await reply.json(content_type=None)
                        if reply.status != 200:
                            kind = f"http {reply.status}"
                        elif not isinstance(body, list) or not body:
                            kind = "empty reply"
                        elif reply.headers.get("X-PMO-Turn") == "failed":
                            kind = "apology"
                except asyncio.TimeoutError:
                    kind = "timeout"
                except (aiohttp.ClientError, ValueError) as error:
                    kind = type(error).__name__
                for window in (self.window, self.total):
                    if kind:
                        window.error(kind)
                    else:
                        window.latencies.append(time.perf_counter() - started)
                last = turn + 1 >= len(visitor["turns"])
                if not kind and last and visitor["enquiry"]:
                    text = " ".join(m.get("text") or "" for m in body)
                    if "reference ENQ-" in text:
                        self.window.enquiries_confirmed += 1
                        self.total.enquiries_confirmed += 1
                    else:
                        for window in (self.window, self.total):
                            window.error("enquiry not confirmed")
                if last or kind:
                    visitors[index] = self._visitor()
                else:
                    visitor["next"] = turn + 1
                in_flight.discard(index)

            began = time.monotonic()
            next_at = began
            while True:
                next_at += self.rng.expovariate(self.rate)
                if next_at >= began + seconds:
                    break
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                free = [i for i in range(len(visitors)) if i not in in_flight]
                if not free or self.rng.random() < 0.2:
                    visitors.append(self._visitor())
                    free = [len(visitors) - 1]
                index = self.rng.choice(free)
                in_flight.add(index)
                task = asyncio.create_task(send(index))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            if tasks:
                await asyncio.gather(*tasks)


def find_capacity(url: str, rates: Sequence[float], seconds: float, say: Any) -> float:
    """The highest rate of the ladder whose p95 stays within 300 ms with no error (0 when none)."""
    capacity = 0.0
    for rate in rates:
        result = asyncio.run(load.run_open_loop(url, rate, seconds, seed=int(rate)))
        summary = result.summary()
        ok = result.errors == 0 and bool(result.latencies) and summary["p95_ms"] <= 1000 * P95_LIMIT
        say(f"ladder {rate:g} msg/s: p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, {result.errors} errors")
        if not ok:
            break
        capacity = rate
    return capacity


def soak(
    stack: Stack, rate: float, seconds: float, interval: float, say: Any, db_name: str, enquiry_share: float
) -> List[Dict[str, Any]]:
    url = stack.servers["rasa"].url + "/webhooks/rest/webhook"
    traffic = Traffic(url, rate, seed=22, enquiry_share=enquiry_share)
    postgres_port = sa.engine.make_url(stack.database_url).port or 5432
    redis_port = int(stack.redis_url.split(":")[2].split("/")[0]) if stack.redis_url.count(":") >= 2 else 6379
    # Checked before each use: the machine's PostgreSQL may be restarted by other work meanwhile.
    db = sa.create_engine(stack.database_url, pool_size=1, max_overflow=0, pool_pre_ping=True)
    samples: List[Dict[str, Any]] = []
    began = time.monotonic()

    def sample(minute: float) -> None:
        try:
            measure(minute)
        except Exception as error:  # a failed sample is reported and the soak goes on
            say(f"t={minute:.1f} min: sample failed: {type(error).__name__}: {str(error)[:200]}")
            samples.append({"minute": round(minute, 2), "sample_error": f"{type(error).__name__}: {error}"[:300]})

    def measure(minute: float) -> None:
        ports = _socket_ports()
        row: Dict[str, Any] = {
            "minute": round(minute, 2),
            "at": time.strftime("%H:%M:%S", time.gmtime()),
            "load_avg_1m": round(os.getloadavg()[0], 2),
            "processes": {
                name: process_sample(server.process.pid, postgres_port, redis_port, ports)
                for name, server in stack.servers.items()
                if server.process is not None
            },
            **traffic.take_window().summary(),
            **database_sample(db, db_name),
            "mails_received": len(stack.mails),
        }
        dead = [name for name, server in stack.servers.items() if server.process and server.process.poll() is not None]
        row["dead_processes"] = dead
        samples.append(row)
        procs = ", ".join(
            f"{n} {p['rss_mb']} MB/{p['fds']} fd/{p['pg_sockets']} pg" for n, p in row["processes"].items()
        )
        say(
            f"t={row['minute']:.1f} min: {row['messages']} msgs, p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
            f"{row['errors']} errors; {procs}; db {row['db_connections']} conns, {row['db_size_mb']} MB; "
            f"enquiries {row['enquiries']}, mails {row['mails_received']}, outbox {row['outbox']}; "
            f"insights lag {row['insights_lag_events']} events; load {row['load_avg_1m']}"
            + (f"; DEAD {dead}" if dead else "")
        )

    async def sampler(done: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sample, 0.0)  # the baseline, before any soak traffic
        traffic.take_window()
        n = 1
        while not done.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(done.wait(), max(0.0, began + n * interval - time.monotonic()))
            if done.is_set():
                break
            await loop.run_in_executor(None, sample, (time.monotonic() - began) / 60)
            n += 1

    async def both() -> None:
        done = asyncio.Event()
        watcher = asyncio.create_task(sampler(done))
        await traffic.run(seconds)
        done.set()
        await watcher

    asyncio.run(both())
    time.sleep(min(15.0, interval))  # let the outbox and the refresher catch up, then the last sample
    sample((time.monotonic() - began) / 60)
    samples[-1]["final"] = True
    samples[-1]["totals"] = traffic.total.summary()
    db.dispose()
    return samples


# ---- the report --------------------------------------------------------------------------------


def plot(samples: List[Dict[str, Any]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    samples = [s for s in samples if "processes" in s]  # not the failed ones
    minutes = [s["minute"] for s in samples]
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True)
    names = list(samples[0]["processes"])
    for name in names:
        axes[0][0].plot(minutes, [s["processes"].get(name, {}).get("rss_mb") for s in samples], marker="o", label=name)
        axes[0][1].plot(minutes, [s["processes"].get(name, {}).get("fds") for s in samples], marker="o", label=name)
    axes[0][0].set_ylabel("RSS (MB)")
    axes[0][1].set_ylabel("open file descriptors")
    axes[0][0].legend(fontsize=8)
    traffic = [s for s in samples if s["p95_ms"] is not None]
    axes[1][0].plot([s["minute"] for s in traffic], [s["p50_ms"] for s in traffic], marker="o", label="p50")
    axes[1][0].plot([s["minute"] for s in traffic], [s["p95_ms"] for s in traffic], marker="o", label="p95")
    axes[1][0].set_ylabel("latency in the window (ms)")
    axes[1][0].legend(fontsize=8)
    axes[1][1].plot(minutes, [s["db_connections"] for s in samples], marker="o", label="PostgreSQL connections")
    axes[1][1].plot(minutes, [s["errors"] for s in samples], marker="x", label="errors in the window")
    axes[1][1].set_ylabel("count")
    axes[1][1].legend(fontsize=8)
    for ax in axes[1]:
        ax.set_xlabel("minutes")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def markdown(result: Dict[str, Any]) -> str:
    """The samples as the Markdown table of docs/bench.md."""
    names = ["rasa", "actions", "outbox", "insights"]
    lines = [
        "| min | msgs | p50 / p95 ms | errors | RSS MB (" + " / ".join(names) + ") | open fds (same order) "
        "| PostgreSQL connections (total; rasa / actions) | DB MB | enquiries / mails | insights lag | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in result["samples"]:
        if "processes" not in s:
            lines.append(f"| {round(s['minute'], 1):g} | sample failed: {s.get('sample_error', '')[:60]} |")
            continue
        p = s["processes"]
        lines.append(
            f"| {round(s['minute'], 1):g} | {s['messages']} | "
            + (f"{s['p50_ms']:.0f} / {s['p95_ms']:.0f}" if s["p95_ms"] is not None else "-")
            + f" | {s['errors']} | "
            + " / ".join(str(p[n]["rss_mb"]) for n in names)
            + " | "
            + " / ".join(str(p[n]["fds"]) for n in names)
            + f" | {s['db_connections']}; {p['rasa']['pg_sockets']} / {p['actions']['pg_sockets']} | "
            f"{s['db_size_mb']:.0f} | {s['enquiries']} / {s['mails_received']} | {s['insights_lag_events']} "
            f"| {s['load_avg_1m']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--interval", type=float, default=300.0, help="seconds between samples")
    parser.add_argument("--rate", type=float, help="msg/s; default: half the capacity the ladder finds")
    parser.add_argument("--ladder", default=",".join(f"{r:g}" for r in LADDER), help="rates to try, msg/s")
    parser.add_argument("--ladder-seconds", type=float, default=45.0)
    parser.add_argument("--enquiry-share", type=float, default=ENQUIRY_SHARE, help="conversations that enquire")
    parser.add_argument("--smoke", action="store_true", help="1 minute at 2 msg/s, a sample every 15 s")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--docs", action="store_true", help="copy soak.json and soak.png to docs/")
    parser.add_argument("--table", type=Path, help="print the Markdown table of a soak.json and stop")
    args = parser.parse_args(argv)
    if args.table:
        print(markdown(json.loads(args.table.read_text())))
        return 0
    if args.smoke:
        args.minutes, args.interval, args.rate = 1.0, 15.0, args.rate or 2.0
        args.enquiry_share = max(args.enquiry_share, 0.5)  # so that a minute surely holds a few
    began = time.monotonic()

    def say(message: str) -> None:
        print(f"[{time.monotonic() - began:6.0f} s] {message}", flush=True)

    if not MODEL.exists():
        print(f"no trained model at {MODEL}: run `make train`", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the stack and drop the database
    admin = sa.create_engine(throwaway.postgres_url(), isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    redis_url = throwaway.redis_url()
    db_name = f"pmo_soak_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{db_name}"'))
    database_url = admin.url.set(database=db_name).render_as_string(hide_password=False)
    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    stack: Optional[Stack] = None
    try:
        say(f"starting the stack in {workdir} (database {db_name}, load {os.getloadavg()[0]:.1f})")
        stack = start_stack(workdir, database_url, redis_url, say)
        url = stack.servers["rasa"].url + "/webhooks/rest/webhook"
        asyncio.run(load.run_open_loop(url, 2.0, 10.0, seed=99))  # warm-up: first turns load lazily
        capacity: Optional[float] = None
        rate, ladder = args.rate, [float(r) for r in args.ladder.split(",")]
        if rate is None:
            capacity = find_capacity(url, ladder, args.ladder_seconds, say)
            rate = max(1.0, capacity / 2)
            if capacity == max(ladder):
                say(f"every rate of the ladder passed: the capacity is {capacity:g} msg/s or more")
        say(f"soak: {args.minutes:g} min at {rate:g} msg/s (capacity {capacity}), a sample every {args.interval:g} s")
        samples = soak(stack, rate, args.minutes * 60, args.interval, say, db_name, args.enquiry_share)
        result = {
            "command": "python -m benchmarks.soak" + (" --smoke" if args.smoke else ""),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "minutes": args.minutes,
            "rate": rate,
            "capacity": capacity,
            "capacity_at_least": capacity is not None and capacity == max(ladder),  # the ladder ran out
            "p95_limit_ms": P95_LIMIT * 1000,
            "cpus": os.cpu_count(),
            "samples": samples,
        }
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "soak.json").write_text(json.dumps(result, indent=1))
        plot(samples, args.out / "soak.png", f"soak: {args.minutes:g} min at {rate:g} msg/s ({result['date']})")
        if args.docs:
            shutil.copy(args.out / "soak.json", ROOT / "docs" / "soak.json")
            shutil.copy(args.out / "soak.png", ROOT / "docs" / "soak.png")
        say(f"wrote {args.out / 'soak.json'} and soak.png")
        return 0
    finally:
        if stack is not None:
            stack.stop()
        with admin.connect() as connection:
            connection.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": db_name}
            )
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{db_name}"'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
