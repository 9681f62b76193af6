"""Deliver the enquiry notifications from the command line (production, cron, debugging).

    python -m bot.outbox run            # until stopped (SIGTERM or Ctrl-C); several may run at once
    python -m bot.outbox run --once     # deliver what is due now, then exit
    python -m bot.outbox status         # how many pending, sent, failed
    python -m bot.outbox retry-failed   # re-queue refused notifications after fixing the settings

Same database as the assistant (``PMO_DATABASE_URL`` or ``conversations.db``)
and the settings of :mod:`bot.outbox.settings`.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from types import FrameType
from typing import Optional, Sequence, TextIO

from bot.outbox import Outbox, SettingsError, worker_for
from bot.settings import load
from bot.storage.database import database_url, make_engine


def main(argv: Optional[Sequence[str]] = None, stdout: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.outbox", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--database-url", help="defaults to PMO_DATABASE_URL, else sqlite:///conversations.db")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="deliver notifications until stopped")
    run.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    commands.add_parser("status", help="count notifications by status")
    commands.add_parser("retry-failed", help="queue refused notifications again")
    args = parser.parse_args(argv)
    settings = load()  # the one read of the environment
    url = args.database_url or database_url(settings)

    if args.command != "run":
        outbox = Outbox(make_engine(url))
        if args.command == "status":
            counts = outbox.counts()
            print(", ".join(f"{counts.get(s, 0)} {s}" for s in ("pending", "sent", "failed")), file=stdout)
        else:
            print(f"{outbox.retry_failed()} notifications queued again", file=stdout)
        return 0

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        worker = worker_for(settings, database=url)
        poll = settings.outbox_poll_seconds
    except SettingsError as error:
        parser.error(str(error))
    if worker is None:
        print(
            "Nothing to deliver to: set PMO_SMTP_URL, PMO_ENQUIRY_TO and PMO_ENQUIRY_FROM "
            "(and/or PMO_ENQUIRY_WEBHOOK_URL).",
            file=sys.stderr,
        )
        return 2
    if args.once:
        while worker.run_once() >= worker.batch:
            pass
        return 0
    stop, wake = threading.Event(), threading.Event()

    def stopping(signum: int, frame: Optional[FrameType]) -> None:
        stop.set()
        wake.set()

    signal.signal(signal.SIGTERM, stopping)
    signal.signal(signal.SIGINT, stopping)
    logging.getLogger(__name__).info("Outbox worker %s started (%s)", worker.name, ", ".join(worker.settings.channels))
    worker.run(stop, poll, wake)
    return 0


if __name__ == "__main__":
    sys.exit(main())
