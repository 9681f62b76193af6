"""PostgreSQL and Redis for the production tests: fresh, isolated, and required.

These tests exist to prove the shared-store deployment works, so a missing
service is a failure with a reason, never a skip. Defaults match the
project's machines; PMO_TEST_POSTGRES_URL / PMO_TEST_REDIS_URL override them.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from contextlib import contextmanager
from typing import Iterator

import pytest
import sqlalchemy as sa

POSTGRES_ADMIN_URL = os.environ.get("PMO_TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PMO_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


def _admin_engine() -> sa.engine.Engine:
    return sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


def require_postgres() -> None:
    try:
        with _admin_engine().connect() as connection:
            connection.execute(sa.text("select 1"))
    except Exception as error:  # any reason at all: say it loudly
        pytest.fail(f"PostgreSQL is required for the scale-out tests and is unreachable at "
                    f"{POSTGRES_ADMIN_URL}: {error}", pytrace=False)


def require_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
    except Exception as error:
        pytest.fail(f"Redis is required for the scale-out tests and is unreachable at {REDIS_URL}: {error}",
                    pytrace=False)


@contextmanager
def fresh_database(prefix: str = "pmo_test") -> Iterator[str]:
    """A new, empty PostgreSQL database for one test run; dropped afterwards."""
    require_postgres()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"),
                {"name": name})
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def restart_postgres(timeout: float = 60.0) -> float:
    """Restart the local cluster the way an operator would; returns the seconds it took."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    started = time.monotonic()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
                   check=True, capture_output=True, timeout=timeout)
    while time.monotonic() - started < timeout:
        try:
            with _admin_engine().connect() as connection:
                connection.execute(sa.text("select 1"))
            return time.monotonic() - started
        except Exception:
            time.sleep(0.2)
    pytest.fail("PostgreSQL did not come back after a restart")
