"""Data-protection requests: export the enquiries, erase everything held about an email.

    python -m bot.privacy export --format csv [--out enquiries.csv]
    python -m bot.privacy export --format json
    python -m bot.privacy forget jane.smith@acme.co.uk [--dry-run]
    python -m bot.privacy purge [--days 365] [--dry-run]

Uses the same database as the assistant: ``PMO_DATABASE_URL``, or the SQLite
file ``conversations.db`` in the working folder (``--database-url`` overrides).
``forget`` deletes the enquiries with that address (and the team's
notifications of them) and every conversation that mentions it or sent one of
those enquiries, whole (all sessions). ``purge`` deletes the conversations whose
last message is older than ``PMO_RETENTION_DAYS`` (default 365); enquiries stay
until their sender asks to be forgotten.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from dataclasses import dataclass
from typing import List, Optional, Sequence, TextIO

from sqlalchemy.engine import Engine

from bot.outbox.model import Outbox
from bot.settings import DEFAULT_RETENTION_DAYS, RETENTION_ENV, load
from bot.storage.conversations import conversations_idle_since, conversations_mentioning, delete_conversations
from bot.storage.database import database_url, make_engine
from bot.storage.enquiry_store import FIELDS, EnquiryStore, StoredEnquiry

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value: object) -> str:
    """Spreadsheets run a cell starting with = + - @ as a formula: neutralise it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: Sequence[StoredEnquiry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in rows:
        data = row.as_dict()
        writer.writerow([_csv_safe(data[f]) for f in FIELDS])
    return out.getvalue()


def to_json(rows: Sequence[StoredEnquiry]) -> str:
    return json.dumps([row.as_dict() for row in rows], ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True)
class Erasure:
    enquiries: int
    conversations: List[str]
    events: int


def forget(engine: Engine, email: str, dry_run: bool = False) -> Erasure:
    """Delete every enquiry with ``email`` and every conversation holding it."""
    store = EnquiryStore(engine)
    email = email.strip()
    conversations = sorted(set(store.conversations_of(email)) | set(conversations_mentioning(engine, email)))
    if dry_run:
        return Erasure(len([e for e in store.all() if e.email.lower() == email.lower()]), conversations, 0)
    events = delete_conversations(engine, conversations)
    Outbox(engine).delete_for(store.references_of(email))
    deleted = store.delete_by_email(email)
    return Erasure(deleted, conversations, events)


@dataclass(frozen=True)
class Purge:
    conversations: int
    events: int


def purge(engine: Engine, days: int, dry_run: bool = False, now: Optional[float] = None) -> Purge:
    """Delete the conversations whose last event is more than ``days`` old (enquiries are kept)."""
    cutoff = (time.time() if now is None else now) - days * 86400
    idle = conversations_idle_since(engine, cutoff)
    return Purge(len(idle), 0 if dry_run else delete_conversations(engine, idle))


def main(argv: Optional[Sequence[str]] = None, stdout: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.privacy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="defaults to PMO_DATABASE_URL, else sqlite:///conversations.db")
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write every enquiry as CSV or JSON")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--out", help="file to write (default: standard output)")
    erase = commands.add_parser("forget", help="delete the enquiries and conversations of an email address")
    erase.add_argument("email")
    erase.add_argument("--dry-run", action="store_true", help="only say what would be deleted")
    expire = commands.add_parser("purge", help="delete conversations idle for longer than the retention period")
    expire.add_argument("--days", type=int, help=f"defaults to {RETENTION_ENV}, else {DEFAULT_RETENTION_DAYS}")
    expire.add_argument("--dry-run", action="store_true", help="only say what would be deleted")
    args = parser.parse_args(argv)
    settings = load()  # the one read of the environment

    if args.command == "forget" and "@" not in args.email:
        parser.error("forget needs an email address")
    if args.command == "purge":
        try:
            days = args.days if args.days is not None else settings.retention_days
        except ValueError as error:
            parser.error(str(error))
        if days < 1:
            parser.error("--days must be at least 1")
    engine = make_engine(args.database_url or database_url(settings))
    try:
        if args.command == "purge":
            done = purge(engine, days, dry_run=args.dry_run)
            verb = "Would delete" if args.dry_run else "Deleted"
            print(
                f"{verb} {done.conversations} conversations idle for more than {days} days"
                + ("" if args.dry_run else f" ({done.events} events)")
                + "; enquiries are kept.",
                file=stdout,
            )
            return 0
        if args.command == "export":
            rows = EnquiryStore(engine).all()
            text = to_csv(rows) if args.format == "csv" else to_json(rows)
            if args.out:
                with open(args.out, "w", encoding="utf-8", newline="") as handle:
                    handle.write(text)
                print(f"{len(rows)} enquiries written to {args.out}", file=stdout)
            else:
                stdout.write(text)
            return 0
        result = forget(engine, args.email, dry_run=args.dry_run)
        verb = "Would delete" if args.dry_run else "Deleted"
        print(
            f"{verb} {result.enquiries} enquiries and {len(result.conversations)} conversations"
            + ("" if args.dry_run else f" ({result.events} events)")
            + (": " + ", ".join(result.conversations) if result.conversations else "."),
            file=stdout,
        )
        return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
