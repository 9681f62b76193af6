"""Where notifications go: :class:`bot.settings.Notifications`, under the outbox's own names.

``PMO_SMTP_URL`` (``smtp://host:25``, ``smtp+starttls://user:pass@host:587``,
``smtps://user:pass@host:465``), ``PMO_ENQUIRY_TO`` (comma-separated) and
``PMO_ENQUIRY_FROM`` turn email on (all three are needed);
``PMO_ENQUIRY_WEBHOOK_URL`` (a Slack or Teams incoming webhook) turns the
chat post on. Addresses are checked with email-validator (no DNS lookups).
Parsed, with their errors, in :mod:`bot.settings` (``settings.notifications``);
nothing is queued when nothing is set.
"""

from __future__ import annotations

from bot.settings import (
    EMAIL,
    FROM_ENV,
    SMTP_URL_ENV,
    TO_ENV,
    WEBHOOK,
    WEBHOOK_URL_ENV,
    SettingsError,
    SmtpServer,
    checked_address,
    parse_smtp_url,
)
from bot.settings import Notifications as Settings

__all__ = [
    "EMAIL",
    "FROM_ENV",
    "SMTP_URL_ENV",
    "TO_ENV",
    "WEBHOOK",
    "WEBHOOK_URL_ENV",
    "Settings",
    "SettingsError",
    "SmtpServer",
    "checked_address",
    "parse_smtp_url",
]
