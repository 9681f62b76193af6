"""``python -m bot.insights [serve|migrate|refresh]``: the staff insights site and its tables."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Optional, Sequence

from bot.insights import schema
from bot.insights.refresh import DEFAULT_LAG_SECONDS, prune, refresh
from bot.settings import PASSWORD_ENV, load
from bot.storage.database import database_url, make_engine
from bot.storage.schema import SchemaBehind, upgrade

DEFAULT_PORT = 8300


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.insights", description=__doc__)
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate", "refresh"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--db", default="conversations.db", help="SQLite file when PMO_DATABASE_URL is unset")
    parser.add_argument("--refresh-seconds", type=float, default=10.0)
    parser.add_argument("--lag-seconds", type=float, default=DEFAULT_LAG_SECONDS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    settings = load()  # the one read of the environment
    password = settings.insights_password
    if args.command == "serve" and not password:
        print(
            f"Refusing to start: set {PASSWORD_ENV} (at least 8 characters); the pages show what visitors "
            "wrote and are never served without a password.",
            file=sys.stderr,
        )
        return 2
    engine = make_engine(database_url(settings, sqlite_file=args.db))
    if args.command == "migrate":  # kept for old scripts: the one migration command of every table
        before, after = upgrade(engine)
        print(f"schema revision {before or 'none'} -> {after}; insights tables ready")
        return 0
    try:
        schema.create_schema(engine)
    except SchemaBehind as error:
        print(error, file=sys.stderr)
        return 2
    if args.command == "refresh":
        started = time.perf_counter()
        result = refresh(engine, lag=args.lag_seconds)
        removed = prune(engine)
        print(
            f"{result.events_read} events read, {result.facts} facts, watermark {result.watermark}, "
            f"{removed} erased rows removed, {time.perf_counter() - started:.1f} s"
        )
        return 0

    from bot.insights.web import create_app  # Sanic only for the site

    try:
        app = create_app(engine, password, refresh_seconds=args.refresh_seconds, lag_seconds=args.lag_seconds)
    except ValueError as error:
        print(f"Refusing to start: {error} ({PASSWORD_ENV}).", file=sys.stderr)
        return 2
    print(f"Insights at http://{args.host}:{args.port}/ (any user name, the password from {PASSWORD_ENV})")
    app.run(host=args.host, port=args.port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
