"""A real SMTP server for the outbox tests (aiosmtpd), run as its own process.

    python -m tests.outbox.smtp_sink --port 2525 --dir /tmp/mail [--reply 451] [--hold-first 30] [--delay 0.1]

Each accepted message is written to ``<dir>/<n>.eml`` (with ``<n>.rcpt``, the
envelope recipients); ``--reply`` answers DATA with that code instead;
``--hold-first`` stores the first message, then waits that long before saying
250 (a worker killed meanwhile has sent but not recorded). Prints ``ready``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import signal
import threading
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder: Path, reply: int, hold_first: float, delay: float) -> None:
        self.folder, self.reply, self.hold_first, self.delay = folder, reply, hold_first, delay
        self.counter = itertools.count(1)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reply != 250:
            return f"{self.reply} {'try again later' if self.reply < 500 else 'relaying denied'}"
        n = next(self.counter)
        (self.folder / f"{n}.rcpt").write_text("\n".join(envelope.rcpt_tos))
        (self.folder / f"{n}.eml.tmp").write_bytes(envelope.original_content)
        (self.folder / f"{n}.eml.tmp").rename(self.folder / f"{n}.eml")
        if n == 1 and self.hold_first:
            await asyncio.sleep(self.hold_first)
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--reply", type=int, default=250)
    parser.add_argument("--hold-first", type=float, default=0.0)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    controller = Controller(Sink(args.dir, args.reply, args.hold_first, args.delay),
                            hostname="127.0.0.1", port=args.port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
