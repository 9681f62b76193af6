"""Every setting the project reads from the environment: its name, default, parser and error, here only.

The one place that reads ``os.environ`` is :func:`load`, called where a process (or a class
Rasa builds from ``endpoints.yml`` / ``credentials.yml``) starts; everything else is handed the
:class:`Settings` it returns, or a value taken from it. ``python -m bot.settings --markdown``
prints the README's table of them (``tests/test_settings.py`` keeps the two equal).

Why a small typed module rather than pydantic-settings: ``requirements.lock`` pins
pydantic 1.10.9 (Rasa 3.6 needs ``pydantic<1.10.10``) and no pydantic-settings, whose
releases need pydantic 2; pydantic v1's own ``BaseSettings`` would parse every variable when
the object is built, so a malformed Teams variable would stop the privacy tool too. Here each
:class:`Setting` is parsed the first time it is used, with the same error as before the move
(a :class:`SettingsError`, a ``ValueError``), and remembered: a bad value fails where it is
needed, at start, and nowhere else. Frozen dataclasses and plain functions, no new dependency.
"""

from __future__ import annotations

import ipaddress
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Generic, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union, overload
from urllib.parse import unquote, urlsplit

T = TypeVar("T")
Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


class SettingsError(ValueError):
    """A variable is set but unusable; the message names it."""


# Groups, in the order the README table shows them.
STORAGE = "Storage"
CHANNELS = "Channels"
SLACK = "Slack"
TEAMS = "Microsoft Teams"
SERVING = "Serving"
NOTIFICATIONS = "Enquiry notifications"
STAFF = "Privacy and staff pages"
TESTS = "Tests and benchmarks"
GROUPS = (STORAGE, CHANNELS, SLACK, TEAMS, SERVING, NOTIFICATIONS, STAFF, TESTS)

_REGISTRY: List["Setting[Any]"] = []


class Setting(Generic[T]):
    """One environment variable: a typed attribute of :class:`Settings`, parsed on first use.

    ``parse`` gets the raw value, or None when the variable is unset, and returns the
    value (the default included) or raises :class:`SettingsError`.
    """

    def __init__(self, name: str, group: str, default: str, about: str, parse: Callable[[Optional[str]], T]) -> None:
        self.name, self.group, self.default, self.about, self.parse = name, group, default, about, parse
        _REGISTRY.append(self)

    @overload
    def __get__(self, settings: None, owner: Any) -> "Setting[T]": ...

    @overload
    def __get__(self, settings: "Settings", owner: Any) -> T: ...

    def __get__(self, settings: Optional["Settings"], owner: Any) -> Union["Setting[T]", T]:
        if settings is None:
            return self
        return settings.value(self)


# -- parsers: raw value (None when unset) -> value -------------------------------------------


def text(default: str = "") -> Callable[[Optional[str]], str]:
    """The value as given (secrets are not stripped), or ``default`` when unset or empty."""
    return lambda raw: raw or default


def stripped(raw: Optional[str]) -> Optional[str]:
    value = (raw or "").strip()
    return value or None


def switch(name: str) -> Callable[[Optional[str]], bool]:
    """``on``/``1``/``true``/``yes`` or ``off``/``0``/``false``/``no`` (unset: off)."""

    def parse(raw: Optional[str]) -> bool:
        value = (raw or "").strip().lower()
        if value in ("", "off", "0", "false", "no"):
            return False
        if value in ("on", "1", "true", "yes"):
            return True
        raise SettingsError(f"{name} must be on or off, not {value!r}")

    return parse


def seconds(name: str, default: float) -> Callable[[Optional[str]], float]:
    """A positive number of seconds (unset or empty: ``default``)."""

    def parse(raw: Optional[str]) -> float:
        try:
            value = float(raw or default)
        except ValueError:
            raise SettingsError(f"{name} must be a number of seconds") from None
        if value <= 0:
            raise SettingsError(f"{name} must be more than 0")
        return value

    return parse


def database_url(raw: Optional[str]) -> Optional[str]:
    """``PMO_DATABASE_URL`` as SQLAlchemy 1.4 takes it (Heroku's ``postgres://`` renamed), or None."""
    url = (raw or "").strip()
    if not url:
        return None
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    return url


@dataclass(frozen=True)
class RedisServer:
    """``redis://[[user]:password@]host[:port][/db]``, split as the Redis clients take it."""

    host: str
    port: int
    db: int
    username: Optional[str]
    password: Optional[str]
    use_ssl: bool

    def __repr__(self) -> str:  # never print the password
        return f"RedisServer({self.host}:{self.port}/{self.db}, ssl={self.use_ssl})"


def parse_redis_url(url: str) -> RedisServer:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise SettingsError(f"{REDIS_URL_ENV} must look like redis://host:6379/1")
    db = parts.path.strip("/")
    return RedisServer(
        host=parts.hostname,
        port=parts.port or 6379,
        db=int(db) if db else 1,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_ssl=parts.scheme == "rediss",
    )


def redis_url(raw: Optional[str]) -> Optional[str]:
    """``PMO_REDIS_URL``, checked (:func:`parse_redis_url`), or None when unset."""
    url = stripped(raw)
    if url is not None:
        parse_redis_url(url)
    return url


def optional_seconds(name: str) -> Callable[[Optional[str]], Optional[float]]:
    def parse(raw: Optional[str]) -> Optional[float]:
        value = stripped(raw)
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            raise SettingsError(f"{name} must be a number of seconds, not {value!r}") from None

    return parse


def body_bytes(raw: Optional[str]) -> int:
    value = (raw or "").strip()
    if not value:
        return DEFAULT_MAX_BODY_BYTES
    if not value.isdigit() or int(value) < 1024:
        raise SettingsError(f"{MAX_BODY_BYTES_ENV} must be a whole number of bytes, at least 1024, not {value!r}")
    return int(value)


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: float


def parse_rate(value: Optional[str], name: str = "rate") -> Optional[Rate]:
    """``"20/60"`` as 20 messages per 60 s; ``"0"``, ``"off"`` or ``""`` as no limit."""
    written = (value or "").strip().lower()
    if written in ("", "0", "off", "none"):
        return None
    count, slash, per = written.partition("/")
    try:
        rate = Rate(int(count), float(per) if slash else 60.0)
    except ValueError:
        raise SettingsError(f"{name} must look like 20/60 (messages/seconds) or 0, not {value!r}") from None
    if rate.count < 0 or not 0 < rate.seconds <= 86_400 or not math.isfinite(rate.seconds):
        raise SettingsError(f"{name} must look like 20/60 (messages/seconds) or 0, not {value!r}")
    return rate if rate.count else None


def rate(name: str, default: str) -> Callable[[Optional[str]], Optional[Rate]]:
    """Unset: ``default``; set but empty: no limit."""
    return lambda raw: parse_rate(default if raw is None else raw, name)


def parse_proxies(value: Optional[str]) -> Tuple[Network, ...]:
    """``PMO_TRUSTED_PROXIES``: comma-separated IPs or CIDRs (``10.0.0.0/8, 192.168.1.7``)."""
    networks = []
    for part in (value or "").split(","):
        part = part.strip()
        if part:
            try:
                networks.append(ipaddress.ip_network(part))
            except ValueError:
                raise SettingsError(f"{TRUSTED_PROXIES_ENV}: {part!r} is not an IP address or network") from None
    return tuple(networks)


def whole_number(name: str, default: int, low: int, high: int, between: bool) -> Callable[[Optional[str]], int]:
    """A whole number; ``between``: from ``low`` to ``high`` or an error, else below ``low`` means the default."""

    def parse(raw: Optional[str]) -> int:
        value_text = (raw or "").strip()
        try:
            value = int(value_text) if value_text else default
        except ValueError:
            raise SettingsError(f"{name} must be a whole number, not {value_text!r}") from None
        if not between:
            return value if value >= low else default
        if not low <= value <= high:
            raise SettingsError(f"{name} must be between {low} and {high}, not {value_text!r}")
        return value

    return parse


def action_timeout(raw: Optional[str]) -> float:
    value_text = (raw or "").strip()
    try:
        value = float(value_text) if value_text else DEFAULT_ACTION_TIMEOUT
    except ValueError:
        raise SettingsError(f"{ACTION_TIMEOUT_ENV} must be a number of seconds, not {value_text!r}") from None
    if not 0 < value <= 300:
        raise SettingsError(f"{ACTION_TIMEOUT_ENV} must be more than 0 and at most 300 seconds, not {value_text!r}")
    return value


def shell_log(raw: Optional[str]) -> Optional[Path]:
    """Unset: ``shell.log``; ``-`` or empty: the terminal (None)."""
    value = (DEFAULT_SHELL_LOG if raw is None else raw).strip()
    return None if value in ("", "-") else Path(value)


def retention(raw: Optional[str]) -> int:
    value = (raw or "").strip()
    try:
        days = int(value) if value else DEFAULT_RETENTION_DAYS
    except ValueError:
        raise SettingsError(f"{RETENTION_ENV} must be a whole number of days, not {value!r}") from None
    if days < 1:
        raise SettingsError(f"{RETENTION_ENV} must be at least 1 day")
    return days


def one_of(name: str, choices: Sequence[str]) -> Callable[[Optional[str]], str]:
    def parse(raw: Optional[str]) -> str:
        value = (raw or "").strip().lower() or choices[0]
        if value not in choices:
            raise SettingsError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
        return value

    return parse


# -- enquiry notifications ---------------------------------------------------------------------

EMAIL = "email"
WEBHOOK = "webhook"
_SMTP_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


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
class Notifications:
    """Where enquiry notifications go; nothing is queued when nothing is set."""

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
    if parts.scheme not in _SMTP_PORTS or not parts.hostname:
        raise SettingsError(
            f"{SMTP_URL_ENV} must look like smtp://host:25, smtp+starttls://user:pass@host:587 "
            "or smtps://user:pass@host:465"
        )
    try:
        port = parts.port or _SMTP_PORTS[parts.scheme]
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
    """An email address as email-validator normalises it (no DNS look-ups)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return str(validate_email(value.strip(), check_deliverability=False, globally_deliverable=False).normalized)
    except EmailNotValidError as error:
        raise SettingsError(f"{variable}: {error}") from None


def notifications(env: Mapping[str, str]) -> Notifications:
    """The four notification variables together (one needs the others); checked in this order."""
    smtp_url = env.get(SMTP_URL_ENV, "").strip()
    sender = env.get(FROM_ENV, "").strip()
    recipients = tuple(checked_address(a, TO_ENV) for a in env.get(TO_ENV, "").split(",") if a.strip())
    webhook = env.get(WEBHOOK_URL_ENV, "").strip()
    if webhook and urlsplit(webhook).scheme not in ("https", "http"):
        raise SettingsError(f"{WEBHOOK_URL_ENV} must be an http(s) URL")
    if smtp_url and not (sender and recipients):
        raise SettingsError(f"{SMTP_URL_ENV} is set: {FROM_ENV} and {TO_ENV} are needed too")
    return Notifications(
        smtp=parse_smtp_url(smtp_url) if smtp_url else None,
        sender=checked_address(sender, FROM_ENV) if sender else None,
        recipients=recipients,
        webhook_url=webhook or None,
    )


# -- the Teams app ------------------------------------------------------------------------------

MULTI_TENANT = "botframework.com"


@dataclass(frozen=True)
class TeamsApp:
    """The Teams app's credentials and Microsoft's endpoints (single-tenant bots: their own tenant)."""

    app_id: str
    app_password: str
    tenant_id: str
    openid_url: str
    login_url: str
    issuers: Tuple[str, ...]

    @property
    def enabled(self) -> bool:
        return bool(self.app_id and self.app_password)

    @property
    def single_tenant(self) -> bool:
        return self.tenant_id != MULTI_TENANT

    @property
    def token_url(self) -> str:
        return f"{self.login_url}/{self.tenant_id}/oauth2/v2.0/token"


def teams_app(env: Mapping[str, str]) -> TeamsApp:
    """The seven Teams variables together (the app type decides the tenant)."""
    app_type = (env.get(APP_TYPE_ENV) or "").strip().lower()
    tenant = (env.get(TENANT_ENV) or "").strip()
    if app_type == "multitenant":
        tenant = MULTI_TENANT
    elif app_type not in ("", "singletenant"):
        raise SettingsError(
            f"{APP_TYPE_ENV} must be SingleTenant or MultiTenant (managed identities are not supported)"
        )
    elif app_type == "singletenant" and not tenant:
        raise SettingsError(f"{APP_TYPE_ENV}=SingleTenant needs {TENANT_ENV}")
    issuers = tuple(i.strip() for i in (env.get(ISSUER_ENV) or DEFAULT_ISSUER).split(",") if i.strip())
    return TeamsApp(
        app_id=(env.get(APP_ID_ENV) or "").strip(),
        app_password=env.get(APP_PASSWORD_ENV) or "",
        tenant_id=tenant or MULTI_TENANT,
        openid_url=env.get(OPENID_ENV) or DEFAULT_OPENID_URL,
        login_url=(env.get(LOGIN_ENV) or DEFAULT_LOGIN_URL).rstrip("/"),
        issuers=issuers,
    )


# -- names and defaults ------------------------------------------------------------------------

DATABASE_URL_ENV = "PMO_DATABASE_URL"
REDIS_URL_ENV = "PMO_REDIS_URL"
STORE_TIMEOUT_ENV = "PMO_STORE_TIMEOUT"
WORKERS_ENV = "SANIC_WORKERS"
MAX_BODY_BYTES_ENV = "PMO_MAX_BODY_BYTES"
PER_SENDER_ENV = "PMO_RATE_LIMIT_PER_SENDER"
PER_ADDRESS_ENV = "PMO_RATE_LIMIT_PER_ADDRESS"
TRUSTED_PROXIES_ENV = "PMO_TRUSTED_PROXIES"
SLACK_TOKEN_ENV = "SLACK_BOT_TOKEN"
SLACK_SECRET_ENV = "SLACK_SIGNING_SECRET"
SLACK_API_URL_ENV = "SLACK_API_URL"
APP_ID_ENV = "MICROSOFT_APP_ID"
APP_PASSWORD_ENV = "MICROSOFT_APP_PASSWORD"
APP_TYPE_ENV = "MICROSOFT_APP_TYPE"
TENANT_ENV = "MICROSOFT_APP_TENANT_ID"
OPENID_ENV = "TEAMS_OPENID_METADATA_URL"
LOGIN_ENV = "TEAMS_LOGIN_URL"
ISSUER_ENV = "TEAMS_TOKEN_ISSUER"
ACTION_TIMEOUT_ENV = "PMO_ACTION_TIMEOUT"
MAX_CONCURRENT_ENV = "PMO_MAX_CONCURRENT_MESSAGES"
ACTION_THREADS_ENV = "PMO_ACTION_THREADS"
TENSORFLOW_ENV = "PMO_TENSORFLOW"
CHECK_STATES_ENV = "PMO_CHECK_STATES"
SHELL_LOG_ENV = "PMO_SHELL_LOG"
SMTP_URL_ENV = "PMO_SMTP_URL"
TO_ENV = "PMO_ENQUIRY_TO"
FROM_ENV = "PMO_ENQUIRY_FROM"
WEBHOOK_URL_ENV = "PMO_ENQUIRY_WEBHOOK_URL"
POLL_ENV = "PMO_OUTBOX_POLL_SECONDS"
BACKOFF_ENV = "PMO_OUTBOX_BACKOFF_SECONDS"
LEASE_ENV = "PMO_OUTBOX_LEASE_SECONDS"
RETENTION_ENV = "PMO_RETENTION_DAYS"
PASSWORD_ENV = "PMO_INSIGHTS_PASSWORD"
TEST_MODEL_ENV = "PMO_TEST_MODEL"
TEST_ACTIONS_ENV = "PMO_TEST_ACTIONS"
TEST_SERVICES_ENV = "PMO_TEST_SERVICES"
TEST_SERVICES_USER_ENV = "PMO_TEST_SERVICES_USER"
TEST_POSTGRES_URL_ENV = "PMO_TEST_POSTGRES_URL"
TEST_REDIS_URL_ENV = "PMO_TEST_REDIS_URL"

DEFAULT_SQLITE_FILE = "conversations.db"
DEFAULT_CALL_TIMEOUT = 10.0  # seconds one read or write of a conversation may take
DEFAULT_MAX_BODY_BYTES = 64 * 1024
DEFAULT_PER_SENDER = "20/60"
DEFAULT_PER_ADDRESS = "120/60"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
DEFAULT_LOGIN_URL = "https://login.microsoftonline.com"
DEFAULT_ISSUER = "https://api.botframework.com"
DEFAULT_ACTION_TIMEOUT = 5.0
DEFAULT_MAX_CONCURRENT = 2
DEFAULT_ACTION_THREADS = 8
DEFAULT_SHELL_LOG = "shell.log"
POLL_SECONDS = 5.0
BACKOFF_SECONDS = 10.0
LEASE_SECONDS = 120.0
DEFAULT_RETENTION_DAYS = 365
TEST_SERVICES_MODES = ("auto", "machine", "throwaway")


def as_given(raw: Optional[str]) -> Optional[str]:
    """A variable parsed with others (:attr:`Settings.teams`, :attr:`Settings.notifications`): its raw value."""
    return raw


@dataclass(frozen=True)
class Settings:
    """The environment as the project reads it: one typed attribute per variable.

    Build it with :func:`load`. Each attribute is parsed on first use and kept. The Teams and
    notification variables depend on one another: :attr:`teams` and :attr:`notifications` check
    them together. The repr shows which variables are set, never their values (secrets).
    """

    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    _parsed: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    database_url = Setting(
        DATABASE_URL_ENV,
        STORAGE,
        f"the SQLite file `{DEFAULT_SQLITE_FILE}`",
        "the database of conversations, enquiries and notifications (`postgresql://user:pass@host/db`)",
        database_url,
    )
    redis_url = Setting(
        REDIS_URL_ENV,
        STORAGE,
        "none: locks, rate limits and channel marks in memory",
        "Redis shared by replicas (`redis://host:6379/1`): conversation locks, rate limits, channel marks",
        redis_url,
    )
    store_timeout = Setting(
        STORE_TIMEOUT_ENV,
        STORAGE,
        f"`{DEFAULT_CALL_TIMEOUT:g}` (or `call_timeout` in the endpoints file)",
        "seconds one read or write of a conversation may take",
        optional_seconds(STORE_TIMEOUT_ENV),
    )
    sanic_workers = Setting(
        WORKERS_ENV,
        STORAGE,
        "`1`",
        f"Rasa's worker processes; more than one needs `{REDIS_URL_ENV}` (a lock store per process)",
        lambda raw: (raw or "1").strip() or "1",
    )
    max_body_bytes = Setting(
        MAX_BODY_BYTES_ENV,
        CHANNELS,
        f"`{DEFAULT_MAX_BODY_BYTES}`",
        "the longest request body the REST, Slack and Teams webhooks read (at least 1024)",
        body_bytes,
    )
    rate_per_sender = Setting(
        PER_SENDER_ENV,
        CHANNELS,
        f"`{DEFAULT_PER_SENDER}`",
        "messages per seconds from one sender id (`0` or `off`: no limit)",
        rate(PER_SENDER_ENV, DEFAULT_PER_SENDER),
    )
    rate_per_address = Setting(
        PER_ADDRESS_ENV,
        CHANNELS,
        f"`{DEFAULT_PER_ADDRESS}`",
        "messages per seconds from one client address, and new socket.io connections counted apart",
        rate(PER_ADDRESS_ENV, DEFAULT_PER_ADDRESS),
    )
    trusted_proxies = Setting(
        TRUSTED_PROXIES_ENV,
        CHANNELS,
        "none",
        "comma-separated IPs or CIDRs of the proxies whose `X-Forwarded-For` is believed",
        parse_proxies,
    )
    slack_token = Setting(SLACK_TOKEN_ENV, SLACK, "none: the webhook answers 503", "the Slack app's bot token", text())
    slack_secret = Setting(
        SLACK_SECRET_ENV, SLACK, "none: the webhook answers 503", "the Slack app's signing secret", text()
    )
    slack_api_url = Setting(
        SLACK_API_URL_ENV,
        SLACK,
        f"`{DEFAULT_SLACK_API_URL}`",
        "Slack's Web API (a stub in tests)",
        text(DEFAULT_SLACK_API_URL),
    )
    teams_app_id = Setting(
        APP_ID_ENV, TEAMS, "none: the webhook answers 503", "the Teams (Bot Framework) app id", as_given
    )
    teams_app_password = Setting(
        APP_PASSWORD_ENV, TEAMS, "none: the webhook answers 503", "the app's client secret", as_given
    )
    teams_app_type = Setting(
        APP_TYPE_ENV,
        TEAMS,
        "single-tenant with a tenant id, else multi-tenant",
        "`SingleTenant` (needs the tenant id) or `MultiTenant`",
        as_given,
    )
    teams_tenant = Setting(
        TENANT_ENV, TEAMS, "none", "the tenant of a single-tenant bot (implies single-tenant)", as_given
    )
    teams_openid_url = Setting(
        OPENID_ENV, TEAMS, f"`{DEFAULT_OPENID_URL}`", "where Microsoft's signing keys are found", as_given
    )
    teams_login_url = Setting(LOGIN_ENV, TEAMS, f"`{DEFAULT_LOGIN_URL}`", "where the bot gets its own token", as_given)
    teams_issuers = Setting(
        ISSUER_ENV, TEAMS, f"`{DEFAULT_ISSUER}`", "comma-separated accepted token issuers", as_given
    )
    action_timeout = Setting(
        ACTION_TIMEOUT_ENV,
        SERVING,
        f"`{DEFAULT_ACTION_TIMEOUT:g}`",
        "seconds one custom action call may take (more than 0, at most 300)",
        action_timeout,
    )
    max_concurrent_messages = Setting(
        MAX_CONCURRENT_ENV,
        SERVING,
        f"`{DEFAULT_MAX_CONCURRENT}`",
        "messages Rasa works on at once, admitted in arrival order (`0`: the default)",
        whole_number(MAX_CONCURRENT_ENV, DEFAULT_MAX_CONCURRENT, 1, 0, between=False),
    )
    action_threads = Setting(
        ACTION_THREADS_ENV,
        SERVING,
        f"`{DEFAULT_ACTION_THREADS}`",
        "synchronous actions run at once inside Rasa (1 to 256)",
        whole_number(ACTION_THREADS_ENV, DEFAULT_ACTION_THREADS, 1, 256, between=True),
    )
    tensorflow = Setting(
        TENSORFLOW_ENV,
        SERVING,
        "`off`",
        "`on` keeps TensorFlow in the serving process (left out by default)",
        switch(TENSORFLOW_ENV),
    )
    check_states = Setting(
        CHECK_STATES_ENV,
        SERVING,
        "`off`",
        "`on`: every turn compares the resumed dialogue states with Rasa's (tests)",
        lambda raw: (raw or "").strip() in ("1", "on", "true", "yes"),
    )
    shell_log = Setting(
        SHELL_LOG_ENV,
        SERVING,
        f"`{DEFAULT_SHELL_LOG}`",
        "where `python -m bot.serving shell` writes the libraries' messages (`-`: the terminal)",
        shell_log,
    )
    smtp_url = Setting(
        SMTP_URL_ENV,
        NOTIFICATIONS,
        "none: no email",
        "`smtp://host:25`, `smtp+starttls://user:pass@host:587` or `smtps://user:pass@host:465`",
        as_given,
    )
    enquiry_to = Setting(
        TO_ENV, NOTIFICATIONS, "none", "comma-separated addresses the enquiries are mailed to", as_given
    )
    enquiry_from = Setting(FROM_ENV, NOTIFICATIONS, "none", "the sender of those emails", as_given)
    enquiry_webhook_url = Setting(
        WEBHOOK_URL_ENV,
        NOTIFICATIONS,
        "none: no chat post",
        "a Slack or Teams incoming webhook each enquiry is posted to",
        as_given,
    )
    outbox_poll_seconds = Setting(
        POLL_ENV,
        NOTIFICATIONS,
        f"`{POLL_SECONDS:g}`",
        "seconds between the delivery worker's looks at the outbox",
        seconds(POLL_ENV, POLL_SECONDS),
    )
    outbox_backoff_seconds = Setting(
        BACKOFF_ENV,
        NOTIFICATIONS,
        f"`{BACKOFF_SECONDS:g}`",
        "the first wait before a failed notification is tried again (doubling)",
        seconds(BACKOFF_ENV, BACKOFF_SECONDS),
    )
    outbox_lease_seconds = Setting(
        LEASE_ENV,
        NOTIFICATIONS,
        f"`{LEASE_SECONDS:g}`",
        "how long a worker holds a notification it is sending",
        seconds(LEASE_ENV, LEASE_SECONDS),
    )
    retention_days = Setting(
        RETENTION_ENV,
        STAFF,
        f"`{DEFAULT_RETENTION_DAYS}`",
        "days a conversation is kept after its last event (`python -m bot.privacy purge`)",
        retention,
    )
    insights_password = Setting(
        PASSWORD_ENV,
        STAFF,
        "none: the staff pages refuse to start",
        "the staff pages' password (`make insights`)",
        text(),
    )
    test_model = Setting(
        TEST_MODEL_ENV, TESTS, "`models/pmo.tar.gz`", "the trained model the test servers load", stripped
    )
    test_actions = Setting(
        TEST_ACTIONS_ENV,
        TESTS,
        "an action server",
        "`in-process`: every test server runs the actions inside Rasa",
        lambda raw: raw or "",
    )
    test_services = Setting(
        TEST_SERVICES_ENV,
        TESTS,
        "`auto`",
        "`machine`: the machine's PostgreSQL and Redis only; `throwaway`: always start throwaway ones",
        one_of(TEST_SERVICES_ENV, TEST_SERVICES_MODES),
    )
    test_services_user = Setting(
        TEST_SERVICES_USER_ENV,
        TESTS,
        "`nobody`",
        "the user the throwaway PostgreSQL runs as when the tests run as root",
        text("nobody"),
    )
    test_postgres_url = Setting(
        TEST_POSTGRES_URL_ENV, TESTS, "the machine's, else a throwaway one", "the PostgreSQL the tests use", stripped
    )
    test_redis_url = Setting(
        TEST_REDIS_URL_ENV, TESTS, "the machine's, else a throwaway one", "the Redis the tests use", stripped
    )

    def __repr__(self) -> str:
        return f"Settings(set={sorted(self.env)})"

    def value(self, setting: Setting[T]) -> T:
        if setting.name not in self._parsed:
            self._parsed[setting.name] = setting.parse(self.env.get(setting.name))
        parsed: T = self._parsed[setting.name]
        return parsed

    @property
    def redis(self) -> Optional[RedisServer]:
        url = self.redis_url
        return parse_redis_url(url) if url is not None else None

    @property
    def notifications(self) -> Notifications:
        """The enquiry notifications (email, webhook), checked together."""
        if "notifications" not in self._parsed:
            self._parsed["notifications"] = notifications(self.env)
        found: Notifications = self._parsed["notifications"]
        return found

    @property
    def teams(self) -> TeamsApp:
        """The Teams app, its variables checked together."""
        if "teams" not in self._parsed:
            self._parsed["teams"] = teams_app(self.env)
        found: TeamsApp = self._parsed["teams"]
        return found

    def check(self) -> None:
        """Parse every variable now (raises the first :class:`SettingsError`)."""
        for setting in SETTINGS:
            self.value(setting)
        _ = self.notifications, self.teams


SETTINGS: Tuple[Setting[Any], ...] = tuple(_REGISTRY)


def load(env: Optional[Mapping[str, str]] = None) -> Settings:
    """The settings from ``env`` (the process's environment when None); nothing is parsed yet."""
    source = os.environ if env is None else env
    return Settings({s.name: source[s.name] for s in SETTINGS if s.name in source})


def markdown() -> str:
    """The README's table: every variable, by group, with its default and what it sets."""
    rows = ["| Variable | Default | What it sets |", "| --- | --- | --- |"]
    for group in GROUPS:
        rows.append(f"| **{group}** | | |")
        rows.extend(f"| `{s.name}` | {s.default} | {s.about} |" for s in SETTINGS if s.group == group)
    return "\n".join(rows) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--markdown"]:
        sys.stdout.write(markdown())
        return 0
    if args == ["--check"]:
        try:
            load().check()
        except SettingsError as error:
            print(error, file=sys.stderr)
            return 1
        print(f"{len(SETTINGS)} settings read; none is malformed")
        return 0
    print("usage: python -m bot.settings --markdown | --check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
