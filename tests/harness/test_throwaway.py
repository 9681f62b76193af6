"""Throwaway PostgreSQL and Redis (harness/throwaway.py), as `make test` uses them
on a machine without its own, and as PMO_TEST_SERVICES=throwaway forces them anywhere."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
import redis
import sqlalchemy as sa

from harness import services, throwaway

DEAD_POSTGRES = "postgresql://root@127.0.0.1:1/test"
DEAD_REDIS = "redis://127.0.0.1:1/1"


@pytest.fixture
def own_session(monkeypatch):
    """A session of our own: the test session's servers and settings are left alone."""
    monkeypatch.setattr(throwaway, "_STARTED", {})
    for variable in (throwaway.MODE_VARIABLE, throwaway.POSTGRES_VARIABLE, throwaway.REDIS_VARIABLE):
        monkeypatch.delenv(variable, raising=False)
    yield monkeypatch
    throwaway.stop_all()


@pytest.mark.slow
def test_forced_throwaway_servers_start_store_restart_and_stop(own_session):
    own_session.setenv(throwaway.MODE_VARIABLE, "throwaway")
    postgres_url, redis_url = services.postgres_admin_url(), services.redis_url()
    postgres, cache = throwaway.started("postgres"), throwaway.started("redis")
    assert postgres is not None and cache is not None
    assert (postgres.url, cache.url) == (postgres_url, redis_url) == (services.POSTGRES_ADMIN_URL, services.REDIS_URL)
    assert postgres_url != throwaway.MACHINE_POSTGRES_URL and redis_url != throwaway.MACHINE_REDIS_URL
    assert throwaway.os.environ[throwaway.POSTGRES_VARIABLE] == postgres_url  # child processes see the same

    with services.fresh_database("pmo_throwaway") as url:
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text("create table enquiry (id serial primary key, course text)"))
            connection.execute(sa.text("insert into enquiry (course) values ('P3O Foundation')"))
        engine.dispose()
        took = services.restart_postgres()  # the throwaway one, not the machine's cluster
        assert took < 60
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            assert connection.execute(sa.text("select course from enquiry")).scalars().all() == ["P3O Foundation"]
        engine.dispose()

    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    client.set("pmo:throwaway", "stored", ex=60)
    assert client.get("pmo:throwaway") == b"stored"
    client.close()

    directories = [Path(postgres.directory), Path(cache.directory)]
    throwaway.stop_all()
    assert not throwaway.usable(postgres_url) and not throwaway.usable(redis_url)
    assert not any(d.exists() for d in directories)
    assert throwaway.POSTGRES_VARIABLE not in throwaway.os.environ


class _Started(throwaway.Server):
    """A server that is already up: only its URL is read."""

    @property
    def url(self) -> str:
        return f"fake://{self.name}"

    def command(self) -> List[str]:
        raise AssertionError("a started server is never started again")

    def ready(self) -> bool:
        return True


def test_nothing_on_the_usual_ports_means_throwaway_servers(own_session, tmp_path):
    own_session.setattr(throwaway, "MACHINE_POSTGRES_URL", DEAD_POSTGRES)
    own_session.setattr(throwaway, "MACHINE_REDIS_URL", DEAD_REDIS)
    own_session.setattr(throwaway, "start_postgres", lambda: _Started("postgres", tmp_path, 0))
    own_session.setattr(throwaway, "start_redis", lambda: _Started("redis", tmp_path, 0))
    assert (throwaway.postgres_url(), throwaway.redis_url()) == ("fake://postgres", "fake://redis")


def test_the_machines_servers_are_used_when_they_let_us_in(own_session):
    own_session.setattr(throwaway, "start_postgres", lambda: pytest.fail("started a throwaway PostgreSQL"))
    own_session.setattr(throwaway, "start_redis", lambda: pytest.fail("started a throwaway Redis"))
    own_session.setenv(throwaway.MODE_VARIABLE, "machine")
    own_session.setattr(throwaway, "MACHINE_POSTGRES_URL", DEAD_POSTGRES)
    # machine: never a throwaway server, even when the machine's is missing (the tests then fail, loudly)
    assert throwaway.postgres_url() == DEAD_POSTGRES
    own_session.setenv(throwaway.MODE_VARIABLE, "auto")
    own_session.setenv(throwaway.REDIS_VARIABLE, "redis://cache.example:6379/0")
    assert throwaway.redis_url() == "redis://cache.example:6379/0"  # a URL given is used as it is


def test_an_unknown_mode_is_refused(own_session):
    own_session.setenv(throwaway.MODE_VARIABLE, "docker")
    with pytest.raises(throwaway.ServiceError, match="PMO_TEST_SERVICES must be one of"):
        throwaway.postgres_url()
