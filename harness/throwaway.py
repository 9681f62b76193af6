"""Throwaway PostgreSQL and Redis servers for a test session.

The production tests need a real PostgreSQL and a real Redis. A machine whose own
servers answer on the usual ports (127.0.0.1:5432 and :6379) lends them; on one
where nothing answers there, the tests start their own instead of failing: each
server on a free port, in its own temporary directory, stopped (and its directory
removed) when the session ends. PostgreSQL's ``initdb`` refuses to run as root,
so when the tests run as root both ``initdb`` and ``postgres`` run as an
unprivileged user (``nobody``, or ``PMO_TEST_SERVICES_USER``) through
``setpriv``. The binaries are Debian's (``scripts/test-services.sh`` installs
them with apt-get when missing).

Which servers the tests use (``harness/services.py`` asks
:func:`postgres_url` and :func:`redis_url`):

- ``PMO_TEST_POSTGRES_URL`` / ``PMO_TEST_REDIS_URL``, when set: those;
- ``PMO_TEST_SERVICES=throwaway``: throwaway ones even where the machine's own
  answer, so CI can exercise this path anywhere;
- ``PMO_TEST_SERVICES=machine``: the machine's, and a failure when they are missing;
- otherwise: the machine's when they answer on the usual port and let the tests
  in (as ``root`` to database ``test``; Redis database 1), else throwaway ones.

A throwaway server is started on first use and its URL is put in the
environment, so later look-ups and child processes (the servers and pytest runs
that tests start) use the same one.

Over 300 lines: PostgreSQL and Redis, each started, checked, restarted and removed.
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import urlsplit

from bot.settings import (
    TEST_POSTGRES_URL_ENV,
    TEST_REDIS_URL_ENV,
    TEST_SERVICES_ENV,
    TEST_SERVICES_MODES,
    Settings,
    SettingsError,
    load,
)

MODE_VARIABLE = TEST_SERVICES_ENV
POSTGRES_VARIABLE = TEST_POSTGRES_URL_ENV
REDIS_VARIABLE = TEST_REDIS_URL_ENV
MACHINE_POSTGRES_URL = "postgresql://root@127.0.0.1:5432/test"
MACHINE_REDIS_URL = "redis://127.0.0.1:6379/1"
MODES = TEST_SERVICES_MODES
SUPERUSER = "pmo_test"
START_TIMEOUT = 60.0


class ServiceError(RuntimeError):
    """A throwaway server could not be started; the message says why and what to do."""


def mode(settings: Optional[Settings] = None) -> str:
    """``PMO_TEST_SERVICES`` (:mod:`bot.settings`), read now unless ``settings`` are given."""
    try:
        return (load() if settings is None else settings).test_services
    except SettingsError as error:
        raise ServiceError(str(error)) from None


def usable(url: str, timeout: float = 2.0) -> bool:
    """True when the server at ``url`` answers and lets us in (a query, a PING)."""
    try:
        if urlsplit(url).scheme.startswith("redis"):
            import redis

            return bool(redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout).ping())
        import psycopg2

        connection = psycopg2.connect(url, connect_timeout=max(1, int(timeout)))
        try:
            with connection.cursor() as cursor:
                cursor.execute("select 1")
            return True
        finally:
            connection.close()
    except Exception:  # refused, unknown role or database, timeout...: not usable
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _binary_dir(name: str) -> Path:
    """Where PostgreSQL's server binaries are: Debian's newest, else wherever ``name`` is on PATH."""
    installed = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if installed:
        return installed[-1].parent
    found = shutil.which(name)
    if found:
        return Path(found).resolve().parent
    raise ServiceError(
        f"PostgreSQL's {name} is not installed: run scripts/test-services.sh "
        "(apt-get install postgresql) or point PMO_TEST_POSTGRES_URL at a server"
    )


def _unprivileged(args: List[str], directory: Path) -> List[str]:
    """``args`` run as an unprivileged user when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return args
    account = pwd.getpwnam(load().test_services_user)
    shutil.chown(directory, account.pw_uid, account.pw_gid)
    return ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--clear-groups", "--", *args]


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass
class Server(ABC):
    """One throwaway server process, its directory and port (each kind says how to start and check it)."""

    name: str
    directory: Path
    port: int
    process: Optional["subprocess.Popen[bytes]"] = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.directory / f"{self.name}.log"

    @property
    @abstractmethod
    def url(self) -> str:
        """What clients connect to."""

    @abstractmethod
    def command(self) -> List[str]:
        """The server in the foreground, logging to its output."""

    @abstractmethod
    def ready(self) -> bool:
        """Whether it answers yet."""

    def start(self, timeout: float = START_TIMEOUT) -> "Server":
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.directory
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServiceError(f"throwaway {self.name} exited at start:\n{_tail(self.log)}")
            if self.ready():
                return self
            time.sleep(0.1)
        self.stop()
        raise ServiceError(f"throwaway {self.name} not ready after {timeout:.0f}s:\n{_tail(self.log)}")

    def stop(self, timeout: float = 30.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)  # PostgreSQL's fast shutdown; Redis shuts down too
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def kill(self) -> None:
        """Kills the server at once (SIGKILL), as a crash would; :meth:`start` brings it back on its port."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self, timeout: float = START_TIMEOUT) -> float:
        """Stops and starts the server on the same port and data; returns the seconds it took."""
        started = time.monotonic()
        self.stop()
        self.start(timeout)
        return time.monotonic() - started

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class Postgres(Server):
    @property
    def url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def initdb(self) -> None:
        args = _unprivileged(
            [
                str(_binary_dir("initdb") / "initdb"),
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            self.directory,
        )
        done = subprocess.run(
            args, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, cwd=self.directory
        )
        if done.returncode != 0:
            raise ServiceError(f"initdb failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")

    def command(self) -> List[str]:
        return _unprivileged(
            [
                str(_binary_dir("postgres") / "postgres"),
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-k",
                str(self.directory),
                "-c",
                "listen_addresses=127.0.0.1",
                # test data: no durability needed, and start-up and commits should be quick
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ],
            self.directory,
        )

    def ready(self) -> bool:
        return usable(self.url)


class Redis(Server):
    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/1"

    def command(self) -> List[str]:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            raise ServiceError(
                "redis-server is not installed: run scripts/test-services.sh "
                "(apt-get install redis-server) or point PMO_TEST_REDIS_URL at a server"
            )
        return [
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.directory),
            "--daemonize",
            "no",
        ]

    def ready(self) -> bool:
        return usable(self.url)


def _directory(kind: str) -> Path:
    # In the system's temporary directory (world-traversable), not under pytest's
    # root-only one, so the unprivileged PostgreSQL user can reach its directory.
    return Path(tempfile.mkdtemp(prefix=f"pmo-test-{kind}-"))


def start_postgres(timeout: float = START_TIMEOUT) -> Postgres:
    """A new PostgreSQL cluster on a free port; :meth:`Server.remove` stops it and deletes it."""
    server = Postgres("postgres", _directory("postgres"), free_port())
    try:
        server.initdb()
        server.start(timeout)
    except BaseException:
        server.remove()
        raise
    return server


def start_redis(timeout: float = START_TIMEOUT) -> Redis:
    """A new Redis (nothing kept on disk) on a free port; :meth:`Server.remove` stops it."""
    server = Redis("redis", _directory("redis"), free_port())
    try:
        server.start(timeout)
    except BaseException:
        server.remove()
        raise
    return server


# The servers this process started for its session, by kind.
_STARTED: Dict[str, Server] = {}


def _session_url(kind: str, variable: str, machine_url: str) -> str:
    settings = load()
    configured = settings.test_postgres_url if variable == POSTGRES_VARIABLE else settings.test_redis_url
    if configured:
        return configured
    chosen = mode()
    if chosen == "machine" or (chosen == "auto" and usable(machine_url)):
        return machine_url
    if kind not in _STARTED:
        if not _STARTED:
            atexit.register(stop_all)
        _STARTED[kind] = start_postgres() if kind == "postgres" else start_redis()
    url = _STARTED[kind].url
    os.environ[variable] = url
    return url


def own_postgres() -> Optional[Postgres]:
    """A throwaway PostgreSQL that is this session's from now on (:func:`postgres_url` answers it).

    For a stack whose tests restart PostgreSQL (tests/deploy/test_scale_out.py): restarting a
    server of the session's own disturbs no test that another pytest worker runs meanwhile on
    the machine's. Started once; :func:`stop_all` removes it with the others. None, and nothing
    started, when ``PMO_TEST_SERVICES=machine`` or ``PMO_TEST_POSTGRES_URL`` names a server: that
    one is used and restarted (run such a session in one process, ``PYTEST_WORKERS=0``).
    """
    if mode() == "machine" or (os.environ.get(POSTGRES_VARIABLE) and "postgres" not in _STARTED):
        return None
    server = _STARTED.get("postgres")
    if not isinstance(server, Postgres):
        if not _STARTED:
            atexit.register(stop_all)
        server = _STARTED["postgres"] = start_postgres()
    os.environ[POSTGRES_VARIABLE] = server.url
    return server


def postgres_url() -> str:
    """The admin URL of the PostgreSQL the tests use (see the module docstring)."""
    return _session_url("postgres", POSTGRES_VARIABLE, MACHINE_POSTGRES_URL)


def redis_url() -> str:
    """The URL (database 1) of the Redis the tests use (see the module docstring)."""
    return _session_url("redis", REDIS_VARIABLE, MACHINE_REDIS_URL)


def started(kind: str) -> Optional[Server]:
    """The throwaway server of this kind this session started, if any."""
    return _STARTED.get(kind)


def stop_all() -> None:
    """Stops and deletes every throwaway server this session started (idempotent)."""
    for kind in list(_STARTED):
        server = _STARTED.pop(kind)
        server.remove()
        variable = POSTGRES_VARIABLE if kind == "postgres" else REDIS_VARIABLE
        if os.environ.get(variable) == server.url:
            del os.environ[variable]
