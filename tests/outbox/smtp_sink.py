"""A real SMTP server for the outbox tests (aiosmtpd), run as its own process.

    python -m tests.outbox.smtp_sink --port 2525 --dir /tmp/mail [--reply 451] [--hold-first 30] [--delay 0.1]
        [--tls starttls|smtps --cert cert.pem --key key.pem --login user:password]

Each accepted message is written to ``<dir>/<n>.eml`` (with ``<n>.rcpt``, the
envelope recipients); ``--reply`` answers DATA with that code instead;
``--hold-first`` stores the first message, then waits that long before saying
250 (a worker killed meanwhile has sent but not recorded); ``--tls`` serves
STARTTLS (required) or implicit TLS, ``--login`` requires AUTH with those
credentials. Prints ``ready``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import signal
import ssl
import threading
from pathlib import Path
from typing import Any, Dict

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


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
    parser.add_argument("--tls", choices=("starttls", "smtps"))
    parser.add_argument("--cert", type=Path)
    parser.add_argument("--key", type=Path)
    parser.add_argument("--login", help="user:password the client must give (AUTH PLAIN or LOGIN)")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    options: Dict[str, Any] = {}
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        options.update(ssl_context=context) if args.tls == "smtps" else options.update(
            tls_context=context, require_starttls=True
        )
    if args.login:
        user, _, password = args.login.partition(":")

        def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            ok = isinstance(data, LoginPassword) and (data.login, data.password) == (user.encode(), password.encode())
            return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535

        # aiosmtpd counts only STARTTLS as TLS for AUTH; with smtps the whole connection is TLS already.
        options.update(authenticator=authenticator, auth_required=True, auth_require_tls=args.tls == "starttls")
    controller = Controller(
        Sink(args.dir, args.reply, args.hold_first, args.delay), hostname="127.0.0.1", port=args.port, **options
    )
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
