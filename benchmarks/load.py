"""Closed-loop REST load: N simulated visitors, each holding realistic conversations.

Every visitor runs conversations back to back with no think time (greet, ask about
a role, ask for a course, answer the level question, thank), each under a new
sender id, and sends the next message as soon as the previous reply arrives. So
latency at N visitors is what a visitor waits when N people type at once, and
throughput is what the server sustains.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

import aiohttp

# Each turn draws one phrasing; none of these is in the held-out test sets.
CONVERSATION: Sequence[Sequence[str]] = (
    ("hi", "hello there", "good morning", "hey"),
    (
        "what does a project support officer do?",
        "what is a PMO analyst?",
        "whats a controls and reporting co-ordinator?",
        "what does a head of PMO do?",
        "tell me about the PMO manager role",
    ),
    (
        "which course is right for me?",
        "what course should I take?",
        "can you recommend a course?",
        "which training would suit me?",
    ),
    (
        "I work as a project co-ordinator",
        "I'm a PMO analyst",
        "I run the programme office",
        "I'm brand new to PMO",
        "I look after several PMOs",
    ),
    ("thanks!", "thank you, that's helpful", "cheers"),
)
ANSWER_TURN = 3  # the reply to this turn should be a recommendation


def conversation(rng: random.Random) -> List[str]:
    return [rng.choice(options) for options in CONVERSATION]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


@dataclass
class LevelResult:
    concurrency: int
    seconds: float
    latencies: List[float] = field(default_factory=list)
    by_turn: Dict[int, List[float]] = field(default_factory=dict)  # turn index -> latencies
    errors: int = 0
    conversations: int = 0
    answers_checked: int = 0
    answers_ok: int = 0

    def summary(self) -> Dict[str, float]:
        lat = self.latencies or [float("nan")]
        n = len(self.latencies)
        return {
            "concurrency": self.concurrency,
            "requests": n,
            "errors": self.errors,
            "conversations": self.conversations,
            "seconds": round(self.seconds, 2),
            "throughput_rps": round(n / self.seconds, 2) if self.seconds else 0.0,
            "p50_ms": round(1000 * percentile(lat, 50), 1),
            "p95_ms": round(1000 * percentile(lat, 95), 1),
            "p99_ms": round(1000 * percentile(lat, 99), 1),
            "mean_ms": round(1000 * sum(lat) / len(lat), 1),
            "answers_ok": (self.answers_ok / self.answers_checked) if self.answers_checked else None,
            # Which turns wait longest: greet, role, course question, answer, thanks.
            "p50_ms_by_turn": [round(1000 * percentile(self.by_turn[t], 50), 1) for t in sorted(self.by_turn)],
        }


async def run_level(
    url: str,
    concurrency: int,
    seconds: float,
    check_answer: Optional[Callable[[List[dict]], bool]] = None,
    seed: int = 0,
    timeout: float = 60.0,
    progress: Optional[Callable[[LevelResult, float], None]] = None,
) -> LevelResult:
    """Keep ``concurrency`` visitors busy for ``seconds`` (requests in flight finish)."""
    result = LevelResult(concurrency, 0.0)
    stop_at = time.monotonic() + seconds
    client_timeout = aiohttp.ClientTimeout(total=timeout)

    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0, force_close=False), timeout=client_timeout
    ) as session:

        async def visitor(index: int) -> None:
            rng = random.Random(seed * 1000 + index)
            while time.monotonic() < stop_at:
                sender = f"bench-{index}-{uuid.uuid4().hex[:12]}"
                for turn, text in enumerate(conversation(rng)):
                    if time.monotonic() >= stop_at:
                        break  # an unfinished conversation is not counted
                    started = time.perf_counter()
                    try:
                        async with session.post(url, json={"sender": sender, "message": text}) as reply:
                            body = await reply.json(content_type=None)
                            ok = reply.status == 200 and isinstance(body, list) and bool(body)
                    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                        ok, body = False, None
                    if not ok:
                        result.errors += 1
                        break
                    latency = time.perf_counter() - started
                    result.latencies.append(latency)
                    result.by_turn.setdefault(turn, []).append(latency)
                    if check_answer is not None and turn == ANSWER_TURN:
                        result.answers_checked += 1
                        result.answers_ok += bool(check_answer(body))
                else:
                    result.conversations += 1

        async def report() -> None:
            while True:
                await asyncio.sleep(5)
                if progress:
                    progress(result, time.monotonic() - began)

        began = time.monotonic()
        reporter = asyncio.ensure_future(report())
        try:
            await asyncio.gather(*(visitor(i) for i in range(concurrency)))
        finally:
            reporter.cancel()
        result.seconds = time.monotonic() - began
    return result


def recommends(replies: List[dict]) -> bool:
    """The assistant's answer turn names a course it recommends."""
    return any("recommend" in (r.get("text") or "") for r in replies)


async def run_open_loop(
    url: str,
    rate: float,
    seconds: float,
    seed: int = 0,
    timeout: float = 30.0,
) -> LevelResult:
    """Messages arrive at ``rate`` a second (Poisson), whatever the replies are doing.

    Each arrival is the next turn of one of many visitors' conversations: a visitor
    whose previous message is still unanswered is skipped (real people wait for the
    reply), a finished conversation is replaced by a new one under a new sender id.
    What a closed loop hides, an open loop shows: when the server falls behind, the
    queue (and latency) grows instead of the load easing off. ``concurrency`` in the
    result is the rate.
    """
    rng = random.Random(seed)
    result = LevelResult(concurrency=int(rate), seconds=0.0)
    visitors: List[Dict[str, object]] = []
    in_flight: set = set()
    tasks: List["asyncio.Task[None]"] = []

    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=timeout)
    ) as session:

        async def send(index: int) -> None:
            visitor = visitors[index]
            turns: List[str] = visitor["turns"]  # type: ignore[assignment]
            turn = int(visitor["next"])  # type: ignore[arg-type]
            started = time.perf_counter()
            try:
                async with session.post(url, json={"sender": visitor["sender"], "message": turns[turn]}) as reply:
                    body = await reply.json(content_type=None)
                    ok = reply.status == 200 and isinstance(body, list) and bool(body)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                ok = False
            if ok:
                latency = time.perf_counter() - started
                result.latencies.append(latency)
                result.by_turn.setdefault(turn, []).append(latency)
            else:
                result.errors += 1
            if turn + 1 >= len(turns) or not ok:
                result.conversations += ok
                visitors[index] = new_visitor()
            else:
                visitor["next"] = turn + 1
            in_flight.discard(index)

        def new_visitor() -> Dict[str, object]:
            return {"sender": f"open-{uuid.uuid4().hex[:12]}", "turns": conversation(rng), "next": 0}

        began = time.monotonic()
        stop_at = began + seconds
        next_at = began
        while True:
            next_at += rng.expovariate(rate)
            if next_at >= stop_at:
                break
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            free = [i for i in range(len(visitors)) if i not in in_flight]
            if not free or rng.random() < 0.2:  # now and then a new visitor arrives
                visitors.append(new_visitor())
                free = [len(visitors) - 1]
            index = rng.choice(free)
            in_flight.add(index)
            tasks.append(asyncio.create_task(send(index)))
        if tasks:
            await asyncio.gather(*tasks)
        result.seconds = time.monotonic() - began
    return result
