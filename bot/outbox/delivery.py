"""Sending what the outbox holds: SMTP and webhook senders, one worker, and a background thread.

Delivery is at-least-once. A send that surely failed (connection refused, a
4xx reply, a timeout) is retried with exponential backoff; a send the server
refused for good (a 5xx reply, a webhook's 4xx) is marked ``failed`` and
logged for the operator. A send that may have worked but was not recorded
(the worker died, the reply was lost) is sent again after the lease ends with
the same Message-ID, so mail clients and the test see one message.
Nothing here runs on an event loop: the action server runs :class:`Background`
in a thread of its own.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import socket
import ssl
import threading
import urllib.error
import urllib.request
import uuid
from datetime import datetime
from email.message import EmailMessage
from functools import lru_cache
from typing import List, Optional, Sequence

from bot.outbox.mail import build_email, webhook_payload
from bot.outbox.model import Notification, Outbox
from bot.outbox.settings import EMAIL, WEBHOOK, Settings, SmtpServer
from bot.settings import BACKOFF_SECONDS as BACKOFF_SECONDS
from bot.settings import LEASE_SECONDS as LEASE_SECONDS
from bot.settings import POLL_SECONDS as POLL_SECONDS

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 900.0
SEND_TIMEOUT = 20.0


class Refused(Exception):
    """The server said no for good (SMTP 5xx, HTTP 4xx): retrying would not help."""


class Unavailable(Exception):
    """The send failed, or may have: retry later."""


@lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """Certificate-checking TLS, made once: loading the system's CA certificates takes ~0.2 s."""
    return ssl.create_default_context()


def send_email(
    server: SmtpServer, message: EmailMessage, sender: str, recipients: Sequence[str], timeout: float = SEND_TIMEOUT
) -> None:
    """Hand ``message`` to the SMTP server; the envelope recipients are ``recipients``, never the headers."""
    try:
        smtp: smtplib.SMTP
        if server.security == "tls":
            smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=tls_context())
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=timeout)
        with smtp:
            if server.security == "starttls":
                smtp.starttls(context=tls_context())
            if server.username:
                smtp.login(server.username, server.password or "")
            smtp.send_message(message, from_addr=sender, to_addrs=list(recipients))
    except smtplib.SMTPRecipientsRefused as error:
        codes = sorted({code for code, _ in error.recipients.values()})
        text = f"SMTP recipients refused ({', '.join(map(str, codes))})"
        raise (Refused(text) if all(code >= 500 for code in codes) else Unavailable(text)) from None
    except smtplib.SMTPResponseException as error:
        text = f"SMTP {error.smtp_code} {_reply_text(error.smtp_error)}"
        raise (Refused(text) if 500 <= error.smtp_code < 600 else Unavailable(text)) from None
    except (smtplib.SMTPException, OSError) as error:  # refused, reset, timed out, TLS failed...
        raise Unavailable(f"SMTP {type(error).__name__}") from None


def _reply_text(raw: object) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())[:200]


def post_webhook(url: str, payload: object, timeout: float = SEND_TIMEOUT) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode("utf-8"), method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as error:
        text = f"webhook HTTP {error.code}"
        raise (Unavailable(text) if error.code == 429 or error.code >= 500 else Refused(text)) from None
    except (TimeoutError, urllib.error.URLError, OSError) as error:
        raise Unavailable(f"webhook {type(error).__name__}") from None


def backoff(attempts: int, base: float = BACKOFF_SECONDS, cap: float = MAX_BACKOFF_SECONDS) -> float:
    """Seconds before the next try after ``attempts`` failed ones: base, 2 x base, 4 x base... up to ``cap``."""
    return float(min(base * 2.0 ** max(attempts, 0), cap))


class Worker:
    """Claims due notifications, sends them, records the outcome. Several may run at once."""

    def __init__(
        self,
        outbox: Outbox,
        settings: Settings,
        name: Optional[str] = None,
        lease_seconds: float = LEASE_SECONDS,
        backoff_seconds: float = BACKOFF_SECONDS,
        max_backoff_seconds: float = MAX_BACKOFF_SECONDS,
        batch: int = 10,
        send_timeout: float = SEND_TIMEOUT,
    ) -> None:
        self.outbox = outbox
        self.settings = settings
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease_seconds = lease_seconds
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.batch = batch
        self.send_timeout = send_timeout

    def run_once(self, now: Optional[datetime] = None) -> int:
        """Deliver what is due now; returns how many notifications were tried."""
        claimed = self.outbox.claim(self.name, self.settings.channels, self.batch, self.lease_seconds, now)
        for notification in claimed:
            self.deliver(notification)
        return len(claimed)

    def deliver(self, notification: Notification) -> None:
        try:
            self.send(notification)
        except (Refused, ValueError) as error:  # ValueError: a header would carry a line break
            logger.error(
                "Notification %s (%s, %s) refused: %s. Fix the settings, then " "`python -m bot.outbox retry-failed`.",
                notification.reference,
                notification.channel,
                notification.message_id,
                error,
            )
            self.outbox.mark_failed(notification, self.name, str(error))
        except Unavailable as error:
            delay = backoff(notification.attempts, self.backoff_seconds, self.max_backoff_seconds)
            logger.warning(
                "Notification %s (%s) not delivered (%s); next try in %.0fs",
                notification.reference,
                notification.channel,
                error,
                delay,
            )
            self.outbox.mark_retry(notification, self.name, str(error), delay)
        else:
            self.outbox.mark_sent(notification, self.name)
            logger.info("Notification %s (%s) delivered", notification.reference, notification.channel)

    def send(self, notification: Notification) -> None:
        settings = self.settings
        if notification.channel == EMAIL and settings.smtp and settings.sender:
            message = build_email(
                notification.note,
                notification.message_id,
                settings.sender,
                settings.recipients,
                notification.created_at,
            )
            send_email(settings.smtp, message, settings.sender, settings.recipients, self.send_timeout)
        elif notification.channel == WEBHOOK and settings.webhook_url:
            post_webhook(settings.webhook_url, webhook_payload(notification.note), self.send_timeout)
        else:
            raise Unavailable(f"{notification.channel} is not configured here")

    def run(
        self, stop: threading.Event, poll_seconds: float = POLL_SECONDS, wake: Optional[threading.Event] = None
    ) -> None:
        """Deliver until ``stop`` is set, looking for work every ``poll_seconds`` or when woken."""
        wake = wake or threading.Event()
        while not stop.is_set():
            wake.clear()
            try:
                busy = self.run_once() >= self.batch
            except Exception as error:  # the database is away: keep the worker alive, try again later
                logger.error("Outbox worker: %s", type(error).__name__)
                busy = False
            if not busy:
                wake.wait(poll_seconds)


class Background:
    """A :class:`Worker` on a daemon thread, woken as soon as an enquiry is queued in this process."""

    def __init__(self, worker: Worker, poll_seconds: float = POLL_SECONDS) -> None:
        self.worker = worker
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pmo-outbox", daemon=True)

    def _run(self) -> None:
        self.worker.run(self._stop, self.poll_seconds, self._wake)

    def start(self) -> "Background":
        self._thread.start()
        _running.append(self)
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        if self in _running:
            _running.remove(self)


_running: List[Background] = []


def wake() -> None:
    """Tell this process's background worker (if any) that a notification was just queued."""
    for background in list(_running):
        background.wake()
