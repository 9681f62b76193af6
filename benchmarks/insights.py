"""Page load times of the staff insights site at 100,000 conversations in PostgreSQL.

    python -m benchmarks.insights [--conversations 100000] [--days 90] [--repeat 5] [--keep] [--screenshot PNG]

Fills a fresh PostgreSQL database (harness/services.py, dropped at
the end unless --keep) with synthetic conversations written the way Rasa's
SQL tracker store writes them (its own ``events`` table definition; event
JSON shaped like real rows: session start, user with parse_data and intent
ranking, user_featurization, action, bot with buttons, slots, action_listen),
by COPY. Some conversations go outside what the assistant can help with or
end in a fallback, get a course recommended, rate an answer down or leave an
enquiry. Then it times ``python -m bot.insights refresh`` (the one-off
catch-up over every event), each page through the real server (median and
worst of --repeat loads, after one warm-up), and the catch-up of 1,000 new
conversations (what the background refresh does while the site runs).

Over 300 lines on purpose: the synthetic data generator (realistic Rasa events) and the page
timings are one benchmark.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "benchmark-" + uuid.uuid4().hex[:12]
PAGES = ["/", "/?days=7", "/?days=90", "/unanswered?days=90", "/feedback?days=90", "/enquiries?days=90"]
META = {"model_id": "51378cc340f44c218d56b7d817641ba3", "assistant_id": "pmo_learning_assistant"}
INTENTS = [
    "greet",
    "ask_role_description",
    "ask_course_recommendation",
    "inform_experience",
    "ask_course_details",
    "ask_capabilities",
    "thank",
    "out_of_scope",
    "ask_beyond_scope",
    "ask_training_options",
    "goodbye",
]
ROLES = ["PMO Administrator", "PMO Analyst", "PMO Manager", "PMO Director"]
COURSES = [
    "Essentials for PMO Administrators",
    "Essentials for PMO Analysts",
    "Essentials for PMO Managers",
    "Essentials for PMO Directors",
    "P3O Foundation",
    "P3O Practitioner",
]
# (intent, text, entities, action, reply)
ANSWERED = [
    (
        "ask_role_description",
        "what does a {role} do?",
        "role",
        "action_describe_role",
        "A {role} is a role in a PMO. Want to know more about what they do day to day?",
    ),
    (
        "ask_course_recommendation",
        "which course is right for me?",
        None,
        "action_recommend_course",
        "Happy to help you choose. Which of these is closest to what you do now?",
    ),
    (
        "ask_course_details",
        "how long is {course}?",
        "course",
        "action_course_details",
        "{course} takes 3 days. More about it is on the course page.",
    ),
    ("greet", "hi", None, "utter_greet", "Hi! I'm the PMO Learning assistant."),
    ("ask_capabilities", "what can you do?", None, "utter_capabilities", "I can explain PMO roles and courses."),
    (
        "ask_training_options",
        "can my whole team do it?",
        None,
        "action_training_options",
        "Yes: in-house training for teams is available.",
    ),
]
OUT_OF_SCOPE = [
    "what's the weather today?",
    "can you book me a taxi",
    "tell me a joke",
    "who won the football",
    "what is the capital of France",
    "mail me at sam.jones@example.com please",
    "call me on 07700 900123",
    "<script>alert(1)</script>",
    "do you sell laptops",
    "how do I reset my password",
]
FALLBACK = ["asdkjh qwe", "hmm", "pmo thing", "ok so", "the blue one?"]


META_JSON = json.dumps(META)
NULL = "\\N"


class Writer:
    """Events as Rasa's SQLTrackerStore stores them, as COPY lines (JSON assembled from cached pieces: fast)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.buffer = io.StringIO()
        self.events = 0
        self._json: Dict[str, str] = {}
        self._rankings: Dict[str, List[str]] = {}

    def quoted(self, text: str) -> str:
        if text not in self._json:
            self._json[text] = json.dumps(text)
        return self._json[text]

    def ranking(self, intent: str) -> str:
        """One of a few intent rankings per intent, shaped like the classifier's (ten intents)."""
        if intent not in self._rankings:
            variants = []
            for _ in range(8):
                others = self.rng.sample([i for i in INTENTS if i != intent], 9)
                top = 0.9 + self.rng.random() * 0.099
                ranked = [{"name": intent, "confidence": top}] + [
                    {"name": n, "confidence": (1 - top) * self.rng.random() / 3} for n in others
                ]
                variants.append(json.dumps(ranked))
            self._rankings[intent] = variants
        return self.rng.choice(self._rankings[intent])

    def add(
        self,
        sender: str,
        ts: float,
        type_name: str,
        body: str,
        intent: Optional[str] = None,
        action: Optional[str] = None,
    ) -> None:
        data = f'{{"event": "{type_name}", "timestamp": {ts!r}, "metadata": {META_JSON}{body}}}'.replace("\\", "\\\\")
        self.buffer.write(f"{sender}\t{type_name}\t{ts!r}\t{intent or NULL}\t{action or NULL}\t{data}\n")
        self.events += 1

    def action(self, sender: str, ts: float, name: str, policy: Optional[str] = "RulePolicy") -> None:
        policy_json = f'"{policy}"' if policy else "null"
        self.add(
            sender,
            ts,
            "action",
            f', "name": "{name}", "policy": {policy_json}, "confidence": 1.0, '
            '"action_text": null, "hide_rule_turn": false',
            action=name,
        )

    def slot(self, sender: str, ts: float, name: str, value: Any) -> None:
        self.add(sender, ts, "slot", f', "name": "{name}", "value": {json.dumps(value)}', action=name)

    def turn(
        self, sender: str, ts: float, intent: str, text: str, entities: List[Dict[str, Any]], action: str, reply: str
    ) -> float:
        message_id = f"{self.rng.getrandbits(128):032x}"
        tokens = json.dumps([[i, i + 3] for i in range(0, len(text), 4)])
        parse = (
            f'{{"intent": {{"name": "{intent}", "confidence": 0.97}}, "entities": {json.dumps(entities)}, '
            f'"text": {self.quoted(text)}, "message_id": "{message_id}", "metadata": {{}}, '
            f'"text_tokens": {tokens}, "intent_ranking": {self.ranking(intent)}}}'
        )
        self.add(
            sender,
            ts,
            "user",
            f', "text": {self.quoted(text)}, "parse_data": {parse}, "input_channel": "rest", '
            f'"message_id": "{message_id}"',
            intent=intent,
        )
        self.add(sender, ts + 0.001, "user_featurization", ', "use_text_for_featurization": false')
        self.action(sender, ts + 0.01, action)
        self.add(
            sender,
            ts + 0.02,
            "bot",
            f', "text": {self.quoted(reply)}, "data": {{"elements": null, '
            '"quick_replies": null, "buttons": [{"title": "Which course is right for me?", "payload": '
            '"/ask_course_recommendation"}, {"title": "What can you do?", "payload": "/ask_capabilities"}], '
            '"attachment": null, "image": null, "custom": null}',
        )
        return ts + 0.03

    def conversation(self, sender: str, start: float) -> None:
        rng = self.rng
        self.action(sender, start, "action_session_start", None)
        self.add(sender, start, "session_started", "")
        self.action(sender, start, "action_listen", None)
        ts = start
        for _ in range(rng.choice([2, 3, 3, 4, 4, 5, 6])):
            ts += rng.uniform(3, 40)
            roll = rng.random()
            if roll < 0.08:
                text = rng.choices(OUT_OF_SCOPE, weights=range(len(OUT_OF_SCOPE), 0, -1))[0]
                end = self.turn(
                    sender,
                    ts,
                    "out_of_scope",
                    text,
                    [],
                    "action_out_of_scope",
                    "Sorry, that's outside what I can help with.",
                )
            elif roll < 0.12:
                end = self.turn(
                    sender,
                    ts,
                    "nlu_fallback",
                    rng.choice(FALLBACK),
                    [],
                    "action_fallback",
                    "Sorry, I didn't quite get that.",
                )
            elif roll < 0.25:
                course = rng.choice(COURSES[:4])
                end = self.turn(
                    sender,
                    ts,
                    "inform_experience",
                    "I'm brand new to PMO",
                    [{"entity": "experience", "value": "new_to_pmo", "start": 10, "end": 20}],
                    "action_recommend_course",
                    f"Because you're new to PMO, {course} fits.",
                )
                self.slot(sender, end, "pmo_level", float(COURSES.index(course) + 1))
                self.slot(sender, end, "recommended_course", course)
            else:
                intent, template, kind, action, reply = rng.choice(ANSWERED)
                role, course = rng.choice(ROLES), rng.choice(COURSES)
                text = template.format(role=role.lower(), course=course)
                entities = (
                    [
                        {
                            "entity": kind,
                            "value": role if kind == "role" else course,
                            "start": 0,
                            "end": 5,
                            "extractor": "PMOEntityExtractor",
                        }
                    ]
                    if kind
                    else []
                )
                end = self.turn(sender, ts, intent, text, entities, action, reply.format(role=role, course=course))
                self.slot(sender, end, "context_topic", "role" if kind == "role" else "course")
                if rng.random() < 0.03:
                    self.slot(
                        sender,
                        end + 0.5,
                        "answer_feedback",
                        {
                            "rating": rng.choice(["up", "down", "down"]),
                            "answer": reply.format(role=role, course=course),
                        },
                    )
            self.action(sender, ts + 0.05, "action_listen")


def create_tables(url: str) -> None:
    """Rasa's own table (its SQLTrackerStore model) and the project's enquiries table."""
    from rasa.core.tracker_store import SQLTrackerStore

    from bot.storage.schema import ensure_schema

    engine = sa.create_engine(url)
    SQLTrackerStore.Base.metadata.create_all(engine)
    ensure_schema(engine)  # the project's tables, through the migrations
    engine.dispose()


def fill(
    url: str, conversations: int, days: int, seed: int = 7, batch: int = 5000, enquiries_too: bool = True
) -> Tuple[int, float]:
    rng = random.Random(seed)
    now = time.time()
    engine = sa.create_engine(url)
    started, total = time.perf_counter(), 0
    raw = engine.raw_connection()
    try:
        for first in range(0, conversations, batch):
            writer = Writer(rng)
            for _ in range(min(batch, conversations - first)):
                writer.conversation(uuid.UUID(int=rng.getrandbits(128)).hex, now - rng.uniform(60, days * 86400))
            writer.buffer.seek(0)
            with raw.cursor() as cursor:
                cursor.copy_expert(
                    "COPY events (sender_id, type_name, timestamp, intent_name, action_name, data) " "FROM STDIN",
                    writer.buffer,
                )
            raw.commit()
            total += writer.events
        enquiries = []
        for i in range(conversations // 30 if enquiries_too else 0):
            created = datetime.now(timezone.utc) - timedelta(seconds=rng.uniform(60, days * 86400))
            enquiries.append(
                (
                    f"ENQ-{i:08X}",
                    uuid.uuid4().hex,
                    created,
                    "Sam Example",
                    f"sam{i}@example.com",
                    "Example Ltd",
                    rng.choice([None, 3, 12]),
                    "PMO Analyst training",
                    True,
                )
            )
        with raw.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO enquiries (reference, conversation_id, created_at, name, email, "
                "organisation, team_size, interest, consent) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                enquiries,
            )
            cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()
    return total, time.perf_counter() - started


def run_module(url: str, *args: str) -> Tuple[float, str]:
    env = {**os.environ, "PMO_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot.insights", *args, "--lag-seconds", "0"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return time.perf_counter() - started, done.stdout.strip().splitlines()[-1]


def screenshot(base: str, path: Path) -> None:
    """The overview over 90 days in Debian's Chromium (as tests/insights/test_browser.py drives it)."""
    from playwright.sync_api import sync_playwright

    from harness.browser import CHROMIUM, FLAGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            context = browser.new_context(
                http_credentials={"username": "staff", "password": PASSWORD},
                viewport={"width": 1280, "height": 900},
                locale="en-GB",
            )
            page = context.new_page()
            page.goto(base + "/?days=90")
            page.screenshot(path=str(path), full_page=True)
        finally:
            browser.close()


def time_pages(url: str, repeat: int, shot: Optional[Path] = None) -> Dict[str, Dict[str, float]]:
    from harness.servers import free_port

    port = free_port()
    env = {**os.environ, "PMO_DATABASE_URL": url, "PMO_INSIGHTS_PASSWORD": PASSWORD, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.insights", "--port", str(port), "--refresh-seconds", "3600"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base, auth = f"http://127.0.0.1:{port}", ("staff", PASSWORD)
    try:
        for _ in range(120):
            try:
                if requests.get(base + "/insights.css", auth=auth, timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        results = {}
        for page in PAGES:
            requests.get(base + page, auth=auth, timeout=60).raise_for_status()  # warm-up
            seconds = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = requests.get(base + page, auth=auth, timeout=60)
                seconds.append(time.perf_counter() - started)
                response.raise_for_status()
            results[page] = {
                "median_ms": round(statistics.median(seconds) * 1000, 1),
                "max_ms": round(max(seconds) * 1000, 1),
                "bytes": len(response.content),
            }
        if shot is not None:
            screenshot(base, shot)
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="print the database URL and do not drop it")
    parser.add_argument("--screenshot", type=Path, help="save a screenshot of the overview (90 days) here")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from harness.services import fresh_database

    report: Dict[str, Any] = {"conversations": args.conversations, "days": args.days}
    with fresh_database("pmo_insights_bench") as url:
        create_tables(url)
        events, seconds = fill(url, args.conversations, args.days)
        report.update(events=events, fill_seconds=round(seconds, 1))
        print(f"filled {args.conversations} conversations, {events} events in {seconds:.1f} s", flush=True)
        report["catch_up_seconds"], report["catch_up"] = run_module(url, "refresh")
        print(f"catch-up (python -m bot.insights refresh): {report['catch_up']}", flush=True)
        report["pages"] = time_pages(url, args.repeat, args.screenshot)
        more, _ = fill(url, 1000, 1, seed=11, enquiries_too=False)
        report["refresh_1000_seconds"], report["refresh_1000"] = run_module(url, "refresh")
        print(json.dumps(report, indent=2), flush=True)
        if args.keep:
            print(f"kept: {url}")
            input("press Enter to drop the database ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
