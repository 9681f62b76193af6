"""The unanswered messages, grouped and counted, as Rasa NLU data a person can label.

    python -m bot.review export [--since 7d] [--out data/review/unanswered.yml]

A message is *unanswered* when its turn ended in "outside what I can help with"
or a fallback, exactly as the insights pages count it
(:class:`bot.insights.extract.Extractor`, read from Rasa's ``events`` table).
Messages that are the same question (masked, case and spaces ignored) are one
group; the most frequent first. Each group is one NLU item with the placeholder
intent ``label_me`` and a comment with its count: a person replaces the
placeholder with the right intent (or ``out_of_scope``), deletes what should
stay unanswered, and merges the file into ``data/`` before retraining.
Emails and phone numbers are masked. Same database as the assistant.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, TextIO

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine

from bot.insights.extract import ANSWERED, Extractor, Message
from bot.insights.mask import text_key
from bot.settings import load
from bot.storage.database import database_url, make_engine
from bot.text import plain_text

PLACEHOLDER = "label_me"
DOMAIN = Path(__file__).resolve().parents[1] / "domain.yml"
_SINCE = re.compile(r"^\s*(\d+)\s*([hdw])\s*$")
_UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400}
_events = sa.table(
    "events",
    sa.column("id"),
    sa.column("sender_id"),
    sa.column("type_name"),
    sa.column("timestamp"),
    sa.column("action_name"),
    sa.column("data"),
)


def parse_since(text: str) -> float:
    """``7d``, ``24h`` or ``2w`` as seconds."""
    match = _SINCE.match(text)
    if not match or int(match.group(1)) < 1:
        raise ValueError("--since takes a number and h, d or w, such as 24h, 7d or 2w")
    return int(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True)
class Group:
    text: str  # the most frequent wording (masked)
    count: int
    outcomes: Dict[str, int]
    intents: Dict[str, int]  # what the classifier thought
    last_seen: str  # YYYY-MM-DD


def group_unanswered(messages: Iterable[Message]) -> List[Group]:
    """Unanswered messages grouped by :func:`text_key`, most frequent first."""
    by_key: Dict[str, List[Message]] = {}
    for message in messages:
        if message.outcome != ANSWERED and text_key(message.text):
            by_key.setdefault(text_key(message.text), []).append(message)
    groups = []
    for members in by_key.values():
        wordings = Counter(" ".join(plain_text(m.text).split()) for m in members)
        groups.append(
            Group(
                text=wordings.most_common(1)[0][0],  # a tie goes to the earliest wording
                count=len(members),
                outcomes=dict(Counter(m.outcome for m in members)),
                intents=dict(Counter(m.intent for m in members)),
                last_seen=max(m.day for m in members),
            )
        )
    return sorted(groups, key=lambda g: (-g.count, g.text.lower()))


def unanswered_since(engine: Engine, since: float) -> List[Message]:
    """The messages since ``since`` (Unix time) with their outcome, read in event order."""
    if not sa.inspect(engine).has_table("events"):
        return []
    extractor = Extractor()
    e = _events.c
    query = (
        sa.select(e.id, e.sender_id, e.type_name, e.timestamp, e.action_name, e.data)
        .where(e.timestamp >= since, e.type_name.in_(["user", "action", "session_started"]))
        .order_by(e.id)
    )
    with engine.connect() as connection:
        extractor.feed(connection.execute(query).yield_per(2000))
    extractor.close_stale(now=float("inf"))  # every turn counts as it stands
    facts, _ = extractor.take_final()
    return [f for f in facts if isinstance(f, Message)]


def _counts(values: Dict[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in sorted(values.items(), key=lambda item: (-item[1], item[0])))


def _intents(domain: Path) -> List[str]:
    try:
        return [str(i) for i in (yaml.safe_load(domain.read_text(encoding="utf-8")) or {}).get("intents") or []]
    except (OSError, yaml.YAMLError):
        return []


def to_nlu_yaml(groups: Sequence[Group], period: str, intents: Sequence[str] = ()) -> str:
    """Rasa 3 NLU YAML: one ``label_me`` item per group, its count and outcomes in a comment."""
    lines = [
        f"# Unanswered messages, {period}: {sum(g.count for g in groups)} messages in {len(groups)} groups,",
        "# most frequent first (python -m bot.review export). To label: replace label_me with the",
        "# intent each should have (or out_of_scope), delete what should stay unanswered, then merge",
        "# into data/ and retrain. Emails and phone numbers are masked as [email] and [phone].",
    ]
    if intents:
        lines += textwrap.wrap("Intents: " + ", ".join(intents), 100, initial_indent="# ", subsequent_indent="#   ")
    lines += ['version: "3.1"', "nlu:" if groups else "nlu: []"]
    for group in groups:
        lines.append(
            f"# {group.count}x, last {group.last_seen}; {_counts(group.outcomes)}; "
            f"classified as {_counts(group.intents)}"
        )
        lines += [f"- intent: {PLACEHOLDER}", "  examples: |", f"    - {group.text}"]
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None, stdout: TextIO = sys.stdout, now: Optional[float] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.review", description=(__doc__ or "").split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write the unanswered messages as NLU YAML to label")
    export.add_argument("--database-url", help="defaults to PMO_DATABASE_URL, else sqlite:///conversations.db")
    export.add_argument("--since", default="7d", help="how far back: 24h, 7d (default), 2w...")
    export.add_argument("--out", help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    try:
        seconds = parse_since(args.since)
    except ValueError as error:
        parser.error(str(error))
    moment = time.time() if now is None else now
    engine = make_engine(args.database_url or database_url(load()))
    try:
        groups = group_unanswered(unanswered_since(engine, moment - seconds))
    finally:
        engine.dispose()
    start = datetime.fromtimestamp(moment - seconds, timezone.utc).strftime("%Y-%m-%d %H:%M")
    text = to_nlu_yaml(groups, f"since {start} UTC (--since {args.since})", _intents(DOMAIN))
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"{len(groups)} groups ({sum(g.count for g in groups)} messages) written to {args.out}", file=stdout)
    else:
        stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
