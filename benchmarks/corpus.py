"""What real visitors write: the corpus, the distractors and the confidently wrong count (issue 19).

    python -m benchmarks.corpus [--model models/pmo.tar.gz] [--json out.json] [--failures out.txt]

Starts the real action server and Rasa server the way the conversation tests do
(harness/servers.py: ``python -m bot.serving run``, SQLite tracker store in a temporary
folder), then over REST, each from a fresh sender id:

- every first message of ``benchmarks/corpus/*/first_messages.yml`` as a conversation of its own;
- every conversation of ``benchmarks/corpus/*/conversations.yml``, turn by turn (every turn is
  checked, also after a failed one; a conversation passes when all its turns do);
- the distractors of benchmarks/distractors.py and the plain questions they come from.

The corpus is written by people who have not read the code (format: the comment block of each
file, and docs/bench.md). Each checked turn's reply (its texts joined) must contain every
``expect`` string, one of ``expect_any``, none of ``not``; a ``wrong`` string in the reply text
is a *confidently wrong* answer (the turn fails and is counted apart) unless the turn is a
clarifying question; ``clarify_ok`` lets a clarifying question pass the turn when no wrong
string appears; ``decline`` wants a polite "I can't advise on that". A fallback ("didn't quite
understand", "outside what I can help with") fails any other turn; the channel's error apology
fails every turn. Only the replies are read: nothing here depends on the assistant's code.

The pure parts (loading, checking, the report) are tested in tests/benchmarks/test_corpus.py; the
gate on the figures is tests/conversations/test_corpus.py.
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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence

import yaml

from benchmarks import distractors as distractor_tests

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "benchmarks" / "corpus"
GATES_FILE = CORPUS_DIR / "gates.yml"
# Batches kept out of development: measured (`python -m benchmarks.corpus --corpus benchmarks/heldout`), never tuned on.
HELDOUT_DIR = ROOT / "benchmarks" / "heldout"
CONVERSATIONS_FILE = ROOT / "tests" / "conversations" / "conversations.yml"
REQUEST_TIMEOUT = 60.0

# The assistant's fallback replies (tests/conversations/test_context.py, bot/answers/beyond.py):
# a failure unless the turn wants a decline.
FALLBACKS = ("didn't quite understand", "outside what i can help", "something went wrong", "having trouble")
# A polite decline: "I'm sorry, I can't advise on ..." (bot/answers/beyond.py) and its kin.
DECLINES = (
    "can't advise",
    "cannot advise",
    "can't help with",
    "cannot help with",
    "outside what i can help",
    "not something i can",
    "not able to",
    "unable to",
    "i can't",
    "i cannot",
)
# "Sorry, I didn't quite understand that": never a decline, though it says sorry.
NOT_UNDERSTOOD = "didn't quite understand"
# The REST channel's apology when a turn produced nothing (bot/channels/rest.py): always a failure.
ERRORS = ("problem on my side", "traceback")

# Keys of the corpus format.
LIST_KEYS = ("expect", "expect_any", "not", "wrong")
FLAG_KEYS = ("clarify_ok", "decline")
ITEM_KEYS = {"id", "source", "text", "why", *LIST_KEYS, *FLAG_KEYS}
CONVERSATION_KEYS = {"id", "source", "turns", "why"}
TURN_KEYS = {"user", "why", *LIST_KEYS, *FLAG_KEYS}
MIN_TURNS, MAX_TURNS = 3, 6


# ---------------------------------------------------------------- loading


@dataclass
class Corpus:
    first_messages: List[Dict[str, Any]] = field(default_factory=list)
    conversations: List[Dict[str, Any]] = field(default_factory=list)
    files: List[Path] = field(default_factory=list)


def corpus_files(directory: Path = CORPUS_DIR) -> List[Path]:
    """Each writer's files: ``<directory>/<writer>/first_messages.yml`` and ``conversations.yml``."""
    return sorted([*directory.glob("*/first_messages.yml"), *directory.glob("*/conversations.yml")])


def load_file(path: Path) -> List[Dict[str, Any]]:
    """The ``messages:`` or ``conversations:`` list of one corpus file; ValueError names the file."""
    key = "messages" if path.name == "first_messages.yml" else "conversations"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise ValueError(f"{path}: no top-level '{key}:' list")
    return list(data[key])


def load_corpus(directory: Path = CORPUS_DIR) -> Corpus:
    corpus = Corpus()
    for path in corpus_files(directory):
        items = load_file(path)
        (corpus.first_messages if path.name == "first_messages.yml" else corpus.conversations).extend(items)
        corpus.files.append(path)
    return corpus


def words(text: str) -> int:
    return len(str(text).split())


def median_words(texts: Sequence[str]) -> float:
    return float(statistics.median([words(t) for t in texts])) if texts else 0.0


def _strings(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v.strip() for v in value)


def _turn_problems(where: str, turn: Dict[str, Any], allowed: set) -> List[str]:
    problems = []
    if set(turn) - allowed:
        problems.append(f"{where}: unknown keys {sorted(set(turn) - allowed)}")
    if not (turn.get("expect") or turn.get("expect_any") or turn.get("decline")):
        problems.append(f"{where}: needs expect, expect_any or decline")
    for key in LIST_KEYS:
        if key in turn and not _strings(turn[key]):
            problems.append(f"{where}: {key} must be a non-empty list of strings")
    for key in FLAG_KEYS:
        if key in turn and not isinstance(turn[key], bool):
            problems.append(f"{where}: {key} must be true or false")
    return problems


def schema_problems(corpus: Corpus) -> List[str]:
    """Every way the corpus breaks its format (SCHEMA: ids unique, a source each, checks per turn)."""
    problems: List[str] = []
    ids: List[str] = []
    for number, item in enumerate(corpus.first_messages, 1):
        where = f"first message {item.get('id') or f'#{number}'}"
        if not isinstance(item, dict):
            problems.append(f"{where}: not a mapping")
            continue
        ids.append(str(item.get("id") or ""))
        for key in ("id", "source", "text"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                problems.append(f"{where}: needs {key}")
        problems.extend(_turn_problems(where, item, ITEM_KEYS))
    for number, conversation in enumerate(corpus.conversations, 1):
        where = f"conversation {conversation.get('id') or f'#{number}'}"
        if not isinstance(conversation, dict):
            problems.append(f"{where}: not a mapping")
            continue
        ids.append(str(conversation.get("id") or ""))
        for key in ("id", "source"):
            if not isinstance(conversation.get(key), str) or not conversation[key].strip():
                problems.append(f"{where}: needs {key}")
        if set(conversation) - CONVERSATION_KEYS:
            problems.append(f"{where}: unknown keys {sorted(set(conversation) - CONVERSATION_KEYS)}")
        turns = conversation.get("turns")
        if not isinstance(turns, list) or not MIN_TURNS <= len(turns) <= MAX_TURNS:
            problems.append(f"{where}: needs {MIN_TURNS} to {MAX_TURNS} turns")
            continue
        for turn_no, turn in enumerate(turns, 1):
            if not isinstance(turn, dict) or not isinstance(turn.get("user"), str) or not turn["user"].strip():
                problems.append(f"{where}, turn {turn_no}: needs user")
                continue
            problems.extend(_turn_problems(f"{where}, turn {turn_no}", turn, TURN_KEYS))
    duplicates = sorted({i for i in ids if ids.count(i) > 1 and i})
    if duplicates:
        problems.append(f"ids used more than once: {duplicates}")
    return problems


def corpus_texts(corpus: Corpus) -> List[str]:
    """Every message a visitor sends in the corpus (first messages and every conversation turn)."""
    texts = [str(item.get("text") or "") for item in corpus.first_messages]
    texts += [str(turn.get("user") or "") for c in corpus.conversations for turn in c.get("turns") or []]
    return [t for t in texts if t.strip()]


# ---------------------------------------------------------------- checking one turn


def norm(text: str) -> str:
    """Lower case, with typographic apostrophes and dashes made plain."""
    return (
        str(text)
        .lower()
        .replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u2011", "-")
        .replace("\u2010", "-")
        .replace("\u2013", "-")
    )


def reply_text(messages: Sequence[Dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


def reply_buttons(messages: Sequence[Dict[str, Any]]) -> List[Dict[str, str]]:
    return [
        {"title": str(b.get("title") or ""), "payload": str(b.get("payload") or "")}
        for m in messages
        for b in (m.get("buttons") or [])
    ]


def _has(text: str, phrase: str) -> bool:
    return norm(phrase) in text


def is_clarifying(messages: Sequence[Dict[str, Any]], wrong: Sequence[str] = ()) -> bool:
    """A clarifying question: the last reply asks (a '?') with buttons to choose from, no earlier
    reply of the turn says a wrong string, and it is not a fallback or a decline."""
    if not messages:
        return False
    last = messages[-1]
    text = norm(str(last.get("text") or ""))
    if not last.get("buttons") or "?" not in text:
        return False
    if any(_has(text, p) for p in (*FALLBACKS, *DECLINES)):
        return False
    earlier = norm(reply_text(messages[:-1]))
    return not any(_has(earlier, w) for w in wrong)


def _in_order(text: str, items: Sequence[str]) -> bool:
    position = 0
    for item in items:
        found = text.find(norm(item), position)
        if found < 0:
            return False
        position = found + len(item)
    return True


def _button_matches(button: Dict[str, str], wanted: Any) -> bool:
    haystack = norm(f"{button['title']}\n{button['payload']}")
    return all(norm(str(p)) in haystack for p in (wanted if isinstance(wanted, list) else [wanted]))


@dataclass
class Verdict:
    passed: bool
    problems: List[str]
    confidently_wrong: bool = False
    clarifying: bool = False


def judge(checks: Dict[str, Any], messages: Sequence[Dict[str, Any]]) -> Verdict:
    """The verdict on one turn's reply ``messages`` (REST's list) against its ``checks``.

    Corpus keys (expect, expect_any, not, wrong, clarify_ok, decline) and the conversation
    tests' (order, buttons, allow_decline), all case-insensitive on the reply texts joined.
    """
    text = norm(reply_text(messages))
    wrong = list(checks.get("wrong") or [])
    clarifying = is_clarifying(messages, wrong)
    said_wrong = [w for w in wrong if _has(text, w)]
    confidently_wrong = bool(said_wrong) and not clarifying

    broken: List[str] = []  # always a failure
    if not messages or not text.strip():
        broken.append("no reply text")
    broken += [f"error reply ({p!r})" for p in ERRORS if p in text]
    if confidently_wrong:
        broken.append(f"confidently wrong: says {said_wrong!r}")

    content: List[str] = []  # a failure unless a clarifying question may stand in
    content += [f"expected {p!r}" for p in checks.get("expect") or [] if not _has(text, p)]
    any_of = checks.get("expect_any") or []
    if any_of and not any(_has(text, p) for p in any_of):
        content.append(f"expected one of {any_of!r}")
    content += [f"must not say {p!r}" for p in checks.get("not") or [] if _has(text, p)]
    order = checks.get("order") or []
    if order and not _in_order(text, order):
        content.append(f"expected in this order: {order!r}")
    buttons = reply_buttons(messages)
    content += [
        f"expected a button with {b!r}"
        for b in checks.get("buttons") or []
        if not any(_button_matches(x, b) for x in buttons)
    ]
    if checks.get("decline"):
        if not any(_has(text, p) for p in DECLINES) or _has(text, NOT_UNDERSTOOD):
            content.append("expected a polite decline")
    elif not checks.get("allow_decline"):
        content += [f"fallback ({p!r}) where an answer was expected" for p in FALLBACKS if p in text]

    if checks.get("clarify_ok") and clarifying and not said_wrong and not broken:
        return Verdict(True, [], False, True)
    problems = broken + content
    return Verdict(not problems, problems, confidently_wrong, clarifying)


# ---------------------------------------------------------------- talking to the server


@dataclass
class Exchange:
    user: str
    messages: List[Dict[str, Any]]
    seconds: float
    error: str = ""


def send(session: Any, url: str, sender: str, text: str, timeout: float = REQUEST_TIMEOUT) -> Exchange:
    import requests

    began = time.perf_counter()
    try:
        response = session.post(url, json={"sender": sender, "message": text}, timeout=timeout)
    except requests.RequestException as exc:
        return Exchange(text, [], time.perf_counter() - began, f"request failed: {type(exc).__name__}")
    seconds = time.perf_counter() - began
    if response.status_code != 200:
        return Exchange(text, [], seconds, f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        return Exchange(text, [], seconds, "reply is not JSON")
    return Exchange(text, list(body) if isinstance(body, list) else [], seconds)


@dataclass
class Job:
    """One fresh conversation: the messages in order; ``checks[i]`` (or None) for message i."""

    kind: str  # first_message | conversation | distractor | plain
    id: str
    messages: List[str]
    checks: List[Optional[Dict[str, Any]]]


def run_job(url: str, job: Job) -> List[Exchange]:
    import requests

    sender = f"corpus-{uuid.uuid4().hex}"
    with requests.Session() as session:
        return [send(session, url, sender, text) for text in job.messages]


def jobs_for(corpus: Corpus, distractors: Sequence[distractor_tests.Distractor]) -> List[Job]:
    jobs = [Job("first_message", str(i["id"]), [str(i["text"])], [i]) for i in corpus.first_messages]
    jobs += [
        Job("conversation", str(c["id"]), [str(t["user"]) for t in c["turns"]], list(c["turns"]))
        for c in corpus.conversations
    ]
    plain = {d.source: d for d in distractors}
    jobs += [Job("plain", name, [d.question], [d.checks]) for name, d in plain.items()]
    for d in distractors:
        jobs.append(Job("distractor", d.id, list(d.messages), [None] * (len(d.messages) - 1) + [d.checks]))
    return jobs


def run_jobs(url: str, jobs: Sequence[Job], workers: int = 1) -> List[List[Exchange]]:
    """Each job's exchanges, in the jobs' order; ``workers`` conversations at once."""
    if workers <= 1:
        return [run_job(url, job) for job in jobs]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda job: run_job(url, job), jobs))


# ---------------------------------------------------------------- the report (pure)


def _row(job: Job, number: int, exchange: Exchange, checks: Dict[str, Any]) -> Dict[str, Any]:
    verdict = judge(checks, exchange.messages)
    problems = [exchange.error, *verdict.problems] if exchange.error else verdict.problems
    return {
        "kind": job.kind,
        "id": job.id if job.kind != "conversation" else f"{job.id} turn {number}",
        "job": job.id,
        "turn": number,
        "text": exchange.user,
        "reply": reply_text(exchange.messages),
        "buttons": [b["title"] for b in reply_buttons(exchange.messages)],
        "passed": verdict.passed and not exchange.error,
        "problems": problems,
        "confidently_wrong": verdict.confidently_wrong,
        "clarifying": verdict.clarifying,
    }


def _rate(passed: int, total: int) -> float:
    return round(passed / total, 4) if total else 0.0


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summarise(jobs: Sequence[Job], exchanges: Sequence[Sequence[Exchange]], corpus: Corpus) -> Dict[str, Any]:
    """Every figure of the run, and a row per checked turn (pure: no servers)."""
    rows: List[Dict[str, Any]] = []
    for job, done in zip(jobs, exchanges):
        for number, (exchange, checks) in enumerate(zip(done, job.checks), 1):
            if checks is not None:
                rows.append(_row(job, number, exchange, checks))
    by_kind: Dict[str, List[Dict[str, Any]]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], []).append(row)

    firsts = by_kind.get("first_message", [])
    turns = by_kind.get("conversation", [])
    conversations: Dict[str, bool] = {}
    for row in turns:
        conversations[row["job"]] = conversations.get(row["job"], True) and row["passed"]
    plain = {row["job"]: row for row in by_kind.get("plain", [])}
    variants = by_kind.get("distractor", [])
    for row in variants:
        source = row["job"].rsplit(" / ", 1)[0]
        reference = plain.get(source)
        row["plain_reply"] = reference["reply"] if reference else ""
        row["same_reply"] = bool(reference) and " ".join(row["reply"].split()) == " ".join(reference["reply"].split())
    wrong = [row["id"] for row in rows if row["confidently_wrong"] and row["kind"] in ("first_message", "conversation")]
    seconds = [e.seconds for done in exchanges for e in done if not e.error]
    corpus_seconds = [
        e.seconds for job, done in zip(jobs, exchanges) if job.kind in ("first_message", "conversation") for e in done
    ]
    return {
        "first_messages": {
            "total": len(firsts),
            "passed": sum(r["passed"] for r in firsts),
            "rate": _rate(sum(r["passed"] for r in firsts), len(firsts)),
            "median_words": median_words([str(i.get("text") or "") for i in corpus.first_messages]),
        },
        "conversations": {
            "total": len(conversations),
            "passed": sum(conversations.values()),
            "rate": _rate(sum(conversations.values()), len(conversations)),
            "first_turn_median_words": median_words(
                [str((c.get("turns") or [{}])[0].get("user") or "") for c in corpus.conversations]
            ),
        },
        "turns": {
            "total": len(turns),
            "passed": sum(r["passed"] for r in turns),
            "rate": _rate(sum(r["passed"] for r in turns), len(turns)),
        },
        "confidently_wrong": {"count": len(wrong), "ids": wrong},
        "distractors": {
            "questions": len(plain),
            "plain_passed": sum(r["passed"] for r in plain.values()),
            "total": len(variants),
            "passed_checks": sum(r["passed"] for r in variants),
            "same_reply": sum(r["same_reply"] for r in variants),
            "passed": sum(r["passed"] and r["same_reply"] for r in variants),
            "rate": _rate(sum(r["passed"] and r["same_reply"] for r in variants), len(variants)),
            "checks_rate": _rate(sum(r["passed"] for r in variants), len(variants)),
            "same_rate": _rate(sum(r["same_reply"] for r in variants), len(variants)),
            "by_kind": {
                kind: {
                    "total": sum(r["id"].endswith(f" / {kind}") for r in variants),
                    "passed": sum(r["id"].endswith(f" / {kind}") and r["passed"] and r["same_reply"] for r in variants),
                }
                for kind in distractor_tests.KINDS
            },
        },
        "latency_ms": {
            "requests": len(seconds),
            "p50": round(1000 * _percentile(seconds, 0.5), 1),
            "p95": round(1000 * _percentile(seconds, 0.95), 1),
            "corpus_p50": round(1000 * _percentile(corpus_seconds, 0.5), 1),
            "corpus_p95": round(1000 * _percentile(corpus_seconds, 0.95), 1),
        },
        "rows": rows,
    }


def summary_line(result: Dict[str, Any]) -> str:
    f, c, t, w, d = (
        result[k] for k in ("first_messages", "conversations", "turns", "confidently_wrong", "distractors")
    )
    return (
        f"corpus: first messages {f['passed']}/{f['total']}, conversations {c['passed']}/{c['total']}, "
        f"turns {t['passed']}/{t['total']}, confidently wrong {w['count']}; "
        f"distractors {d['passed']}/{d['total']} (checks {d['passed_checks']}, same reply {d['same_reply']}); "
        f"median first message {f['median_words']:g} words; "
        f"p50/p95 {result['latency_ms']['p50']:.0f}/{result['latency_ms']['p95']:.0f} ms"
    )


def _indent(text: str, prefix: str = "      ") -> str:
    return "\n".join(prefix + line for line in (text.splitlines() or [""]))


def failures_report(result: Dict[str, Any]) -> str:
    """A readable list of every failed turn (id, what was sent, the reply, what was wrong)."""
    lines = [summary_line(result), ""]
    titles = {
        "first_message": "FIRST MESSAGES",
        "conversation": "CONVERSATION TURNS (every turn of a conversation is sent; later turns may fail "
        "because an earlier one did)",
        "plain": "DISTRACTORS: THE PLAIN QUESTIONS",
        "distractor": "DISTRACTORS: THE VARIANTS (must pass the plain question's checks and give its reply)",
    }
    wrong = set(result["confidently_wrong"]["ids"])
    lines.append(f"CONFIDENTLY WRONG ({len(wrong)}): {', '.join(sorted(wrong)) or 'none'}")
    for kind, title in titles.items():
        failed = [
            r
            for r in result["rows"]
            if r["kind"] == kind and (not r["passed"] or (kind == "distractor" and not r.get("same_reply")))
        ]
        lines += ["", f"==== {title}: {len(failed)} failed", ""]
        for row in failed:
            problems = list(row["problems"])
            if kind == "distractor" and not row.get("same_reply"):
                problems.append("not the plain question's reply")
            marker = " [CONFIDENTLY WRONG]" if row["confidently_wrong"] else ""
            lines.append(f"-- {row['id']}{marker}")
            lines.append(f"   user: {row['text']}")
            lines.append("   bot:")
            lines.append(_indent(row["reply"]))
            if row["buttons"]:
                lines.append(f"   buttons: {' | '.join(row['buttons'])}")
            if kind == "distractor" and not row.get("same_reply"):
                lines.append("   plain question's reply:")
                lines.append(_indent(row.get("plain_reply") or ""))
            lines.append(f"   why failed: {'; '.join(problems)}")
            lines.append("")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the whole run


def load_distractors(path: Path = CONVERSATIONS_FILE) -> List[distractor_tests.Distractor]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return distractor_tests.generate(data["conversations"])


def evaluate(
    url: str, corpus: Corpus, distractors: Sequence[distractor_tests.Distractor], workers: int = 1
) -> Dict[str, Any]:
    jobs = jobs_for(corpus, distractors)
    began = time.monotonic()
    exchanges = run_jobs(url, jobs, workers)
    result = summarise(jobs, exchanges, corpus)
    result["seconds"] = round(time.monotonic() - began, 1)
    result["workers"] = workers
    return result


@contextmanager
def servers_for(workdir: Path, model: Path) -> Iterator[str]:
    """The action server and Rasa server as tests/conversations starts them; yields the REST URL."""
    from harness import servers

    actions = servers.action_server(workdir, env={"PMO_DATABASE_URL": f"sqlite:///{workdir / 'enquiries.db'}"})
    actions.start()
    try:
        rasa = servers.rasa_server(workdir, servers.write_endpoints(workdir, actions.port), model=model)
        try:
            rasa.start(timeout=300)
            yield rasa.url + "/webhooks/rest/webhook"
        finally:
            rasa.stop()
    finally:
        actions.stop()


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "pmo.tar.gz")
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR, help="folder of <writer>/*.yml")
    parser.add_argument("--json", type=Path, help="write every figure and every checked turn here")
    parser.add_argument(
        "--failures", type=Path, default=ROOT / "bench" / "out" / "corpus-failures.txt", help="readable failure list"
    )
    parser.add_argument("--workers", type=int, default=1, help="conversations at once (1: latency of one visitor)")
    parser.add_argument("--no-distractors", action="store_true")
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if not args.model.exists():
        print(f"no trained model at {args.model}: run `make train`", file=sys.stderr)
        return 1
    corpus = load_corpus(args.corpus)
    for problem in schema_problems(corpus):
        print(f"corpus: {problem}", file=sys.stderr)
    distractors = [] if args.no_distractors else load_distractors()
    print(
        f"{len(corpus.first_messages)} first messages, {len(corpus.conversations)} conversations "
        f"from {len(corpus.files)} files; {len(distractors)} distractors",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="corpus-") as tmp, servers_for(Path(tmp), args.model) as url:
        result = evaluate(url, corpus, distractors, args.workers)
    result["model"] = str(args.model)
    args.failures.parent.mkdir(parents=True, exist_ok=True)
    args.failures.write_text(failures_report(result), encoding="utf-8")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(summary_line(result))
    print(f"confidently wrong: {', '.join(result['confidently_wrong']['ids']) or 'none'}")
    print(f"failures: {args.failures}" + (f"; every figure: {args.json}" if args.json else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
