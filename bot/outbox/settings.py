"""Where notifications go, from the environment; nothing is queued when nothing is set.

``PMO_SMTP_URL`` (``smtp://host:25``, ``smtp+starttls://user:pass@host:587``,
``smtps://user:pass@host:465``), ``PMO_ENQUIRY_TO`` (comma-separated) and
``PMO_ENQUIRY_FROM`` turn email on (all three are needed);
``PMO_ENQUIRY_WEBHOOK_URL`` (a Slack or Teams incoming webhook) turns the
chat post on. Addresses are checked with email-validator (no DNS lookups).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional, Tuple
from urllib.parse import unquote, urlsplit

from email_validator import EmailNotValidError, validate_email

SMTP_URL_ENV = "PMO_SMTP_URL"
TO_ENV = "PMO_ENQUIRY_TO"
FROM_ENV = "PMO_ENQUIRY_FROM"
WEBHOOK_URL_ENV = "PMO_ENQUIRY_WEBHOOK_URL"

EMAIL = "email"
WEBHOOK = "webhook"
_DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class SettingsError(ValueError):
    """A notification variable is set but unusable (said at start, not at the first enquiry)."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: str  # "none", "starttls" or "tls"
    username: Optional[str] = None
    password: Optional[str] = None

    def __repr__(self) -> str:  # never print the password
        return f"SmtpServer({self.security}://{self.host}:{self.port}, user={'yes' if self.username else 'no'})"


@dataclass(frozen=True)
class Settings:
    smtp: Optional[SmtpServer] = None
    sender: Optional[str] = None
    recipients: Tuple[str, ...] = ()
    webhook_url: Optional[str] = None

    @property
    def channels(self) -> Tuple[str, ...]:
        """The channels configured now: what is queued for a new enquiry and what a worker delivers."""
        email = (EMAIL,) if self.smtp and self.sender and self.recipients else ()
        return email + ((WEBHOOK,) if self.webhook_url else ())


def parse_smtp_url(url: str) -> SmtpServer:
    parts = urlsplit(url.strip())
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise SettingsError(
            f"{SMTP_URL_ENV} must look like smtp://host:25, smtp+starttls://user:pass@host:587 "
            "or smtps://user:pass@host:465"
        )
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError as error:
        raise SettingsError(f"{SMTP_URL_ENV} has an invalid port") from error
    security = {"smtp": "none", "smtp+starttls": "starttls", "smtps": "tls"}[parts.scheme]
    return SmtpServer(
        host=parts.hostname,
        port=port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def checked_address(value: str, variable: str) -> str:
    try:
        return str(validate_email(value.strip(), check_deliverability=False, globally_deliverable=False).normalized)
    except EmailNotValidError as error:
        raise SettingsError(f"{variable}: {error}") from None


def settings_from_env(env: Optional[Mapping[str, str]] = None) -> Settings:
    """The settings as the environment gives them; raises :class:`SettingsError` on a bad value."""
    env = os.environ if env is None else env
    smtp_url = env.get(SMTP_URL_ENV, "").strip()
    sender = env.get(FROM_ENV, "").strip()
    recipients = tuple(checked_address(a, TO_ENV) for a in env.get(TO_ENV, "").split(",") if a.strip())
    webhook = env.get(WEBHOOK_URL_ENV, "").strip()
    if webhook and urlsplit(webhook).scheme not in ("https", "http"):
        raise SettingsError(f"{WEBHOOK_URL_ENV} must be an http(s) URL")
    if smtp_url and not (sender and recipients):
        raise SettingsError(f"{SMTP_URL_ENV} is set: {FROM_ENV} and {TO_ENV} are needed too")
    return Settings(
        smtp=parse_smtp_url(smtp_url) if smtp_url else None,
        sender=checked_address(sender, FROM_ENV) if sender else None,
        recipients=recipients,
        webhook_url=webhook or None,
    )
