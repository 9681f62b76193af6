"""PostgreSQL and Redis for the production tests: fresh, isolated, and required.

These tests exist to prove the shared-store deployment works, so a missing
service is a failure with a reason, never a skip. Which servers they use is
decided by harness/throwaway.py: PMO_TEST_POSTGRES_URL / PMO_TEST_REDIS_URL
when set, else the machine's own on the usual ports when they answer, else
throwaway ones this session starts (PMO_TEST_SERVICES=throwaway forces those,
=machine forbids them). ``POSTGRES_ADMIN_URL`` and ``REDIS_URL`` are looked up
(and a throwaway server started) on first use, not at import.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from contextlib import contextmanager
from typing import Iterator, Optional, Tuple
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from harness import throwaway


def postgres_admin_url() -> str:
    try:
        return throwaway.postgres_url()
    except throwaway.ServiceError as error:
        pytest.fail(f"PostgreSQL is required for the scale-out tests: {error}", pytrace=False)


def redis_url() -> str:
    try:
        return throwaway.redis_url()
    except throwaway.ServiceError as error:
        pytest.fail(f"Redis is required for the scale-out tests: {error}", pytrace=False)


def __getattr__(name: str) -> str:
    """``services.POSTGRES_ADMIN_URL`` and ``services.REDIS_URL``, resolved when first read."""
    if name == "POSTGRES_ADMIN_URL":
        return postgres_admin_url()
    if name == "REDIS_URL":
        return redis_url()
    raise AttributeError(name)


def _admin_engine(admin_url: Optional[str] = None) -> sa.engine.Engine:
    return sa.create_engine(admin_url or postgres_admin_url(), isolation_level="AUTOCOMMIT", pool_pre_ping=True)


def require_postgres(admin_url: Optional[str] = None) -> None:
    try:
        with _admin_engine(admin_url).connect() as connection:
            connection.execute(sa.text("select 1"))
    except Exception as error:  # any reason at all: say it loudly
        where = admin_url or postgres_admin_url()
        pytest.fail(
            f"PostgreSQL is required for the scale-out tests and is unreachable at {where}: {error}",
            pytrace=False,
        )


def require_redis() -> None:
    import redis

    url = redis_url()
    try:
        redis.Redis.from_url(url, socket_timeout=3).ping()
    except Exception as error:
        pytest.fail(f"Redis is required for the scale-out tests and is unreachable at {url}: {error}", pytrace=False)


@contextmanager
def fresh_database(prefix: str = "pmo_test", admin_url: Optional[str] = None) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test run; dropped afterwards."""
    require_postgres(admin_url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine(admin_url)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _machine_cluster(port: int) -> Optional[Tuple[str, str]]:
    """(version, name) of the machine's cluster on ``port`` (Debian's pg_lsclusters), if any."""
    try:
        listed = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in listed.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[2] == str(port):
            return fields[0], fields[1]
    return None


def restart_postgres(timeout: float = 60.0) -> float:
    """Restart the PostgreSQL the tests use, as an operator would; returns the seconds it took.

    A throwaway server is stopped and started again on its port and data; the
    machine's cluster is restarted with pg_ctlcluster (the cluster listening on the
    URL's port). Any other server (a remote PMO_TEST_POSTGRES_URL) cannot be.
    """
    url = postgres_admin_url()
    started = time.monotonic()
    server = throwaway.started("postgres")
    if server is not None and server.url == url:
        server.restart(timeout)
    else:
        parts = urlsplit(url)
        cluster = _machine_cluster(parts.port or 5432) if parts.hostname in ("127.0.0.1", "localhost") else None
        if cluster is None:
            pytest.fail(
                f"cannot restart the PostgreSQL at {url}: neither a throwaway server of this session "
                "nor a local cluster pg_lsclusters lists",
                pytrace=False,
            )
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, "restart"],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
    while time.monotonic() - started < timeout:
        try:
            with _admin_engine().connect() as connection:
                connection.execute(sa.text("select 1"))
            return time.monotonic() - started
        except Exception:
            time.sleep(0.2)
    pytest.fail("PostgreSQL did not come back after a restart")
