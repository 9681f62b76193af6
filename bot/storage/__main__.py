"""``python -m bot.storage migrate [upgrade|downgrade|current|history]``: the project's tables.

Uses ``PMO_DATABASE_URL`` (else the SQLite file ``conversations.db``, or ``--db``).
Run ``upgrade`` once when a release that changes the schema is deployed, before
its servers start (they refuse to start on an older schema and say so). It is
safe to run twice, or from two places at once: the second waits and does nothing.
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

from bot.settings import load
from bot.storage import schema
from bot.storage.database import DEFAULT_SQLITE_FILE, database_url, make_engine


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.storage", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    migrate = commands.add_parser("migrate", help="move the project's tables to this release's schema")
    migrate.add_argument("action", choices=["upgrade", "downgrade", "current", "history"])
    migrate.add_argument("target", nargs="?", help="upgrade: a revision (default head); downgrade: required (-1, 0001)")
    migrate.add_argument("--db", default=DEFAULT_SQLITE_FILE, help="SQLite file when PMO_DATABASE_URL is unset")
    args = parser.parse_args(argv)

    if args.action == "history":
        print("\n".join(schema.history()))
        return 0
    engine = make_engine(database_url(load(), sqlite_file=args.db))
    try:
        if args.action == "current":
            found = schema.state(engine)
            print(f"database: {found.revision or 'none'}; this release: {found.head}")
            problem = found.problem()
            if problem is not None:
                print(problem)
                return 1
            return 0
        if args.action == "downgrade":
            if not args.target:
                print("downgrade needs a target: -1 for the last step, or a revision", file=sys.stderr)
                return 2
            before, after = schema.downgrade(engine, args.target)
        else:
            before, after = schema.upgrade(engine, args.target or "head")
        print(f"schema revision {before or 'none'} -> {after or 'none'}")
        return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
