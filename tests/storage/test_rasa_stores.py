"""The Rasa-facing stores named in endpoints.yml: chosen by environment variable."""

from __future__ import annotations

import asyncio
import subprocess
import uuid

import pytest
from sqlalchemy.exc import OperationalError

from harness import services
from harness.servers import ROOT, base_env
from tests.support.loop import ticks_while


@pytest.fixture(scope="module")
def domain():
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain.yml"))


def a_tracker(domain, sender):
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    return DialogueStateTracker.from_events(
        sender,
        [
            ActionExecuted("action_listen"),
            UserUttered("which course is right for me?"),
            ActionExecuted("action_recommend_course"),
            SlotSet("awaiting_level", True),
        ],
        slots=domain.slots,
    )


def round_trip(store, domain):
    sender = uuid.uuid4().hex
    asyncio.run(store.save(a_tracker(domain, sender)))
    return asyncio.run(store.retrieve(sender)).get_slot("awaiting_level")


def test_sqlite_file_by_default(domain, tmp_path, monkeypatch):
    from bot.storage.tracker_store import EnvSQLTrackerStore

    monkeypatch.delenv("PMO_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    store = EnvSQLTrackerStore(domain=domain, db="conversations.db")
    assert round_trip(store, domain) is True
    assert (tmp_path / "conversations.db").exists() and store.engine.dialect.name == "sqlite"


def test_postgresql_when_the_url_is_set(domain, monkeypatch):
    from bot.storage.tracker_store import EnvSQLTrackerStore

    with services.fresh_database() as url:
        monkeypatch.setenv("PMO_DATABASE_URL", url)
        store = EnvSQLTrackerStore(domain=domain)
        assert store.engine.dialect.name == "postgresql" and store.engine.pool._pre_ping
        assert round_trip(store, domain) is True
        store.engine.dispose()


def test_production_endpoints_need_the_url(domain, monkeypatch):
    from bot.storage.tracker_store import EnvSQLTrackerStore

    monkeypatch.delenv("PMO_DATABASE_URL", raising=False)
    with pytest.raises(ValueError, match="PMO_DATABASE_URL must be set"):
        EnvSQLTrackerStore(domain=domain, require_url=True)


def test_save_rides_out_a_dropped_connection(domain, tmp_path, monkeypatch):
    from rasa.core.tracker_store import SQLTrackerStore

    from bot.storage.tracker_store import EnvSQLTrackerStore

    monkeypatch.setenv("PMO_DATABASE_URL", f"sqlite:///{tmp_path / 'c.db'}")
    store = EnvSQLTrackerStore(domain=domain)
    real_save, failures = SQLTrackerStore.save, []

    async def flaky_save(self, tracker):
        if len(failures) < 2:
            failures.append(1)
            raise OperationalError("insert", {}, Exception("server closed the connection unexpectedly"))
        await real_save(self, tracker)

    monkeypatch.setattr(SQLTrackerStore, "save", flaky_save)
    assert round_trip(store, domain) is True and len(failures) == 2


def test_a_hung_database_costs_one_turn_a_bounded_wait_and_never_blocks_the_event_loop(domain, tmp_path, monkeypatch):
    import time

    from rasa.core.tracker_store import SQLTrackerStore

    from bot.storage.database import StorageUnavailable
    from bot.storage.tracker_store import EnvSQLTrackerStore

    monkeypatch.setenv("PMO_DATABASE_URL", f"sqlite:///{tmp_path / 'h.db'}")
    store = EnvSQLTrackerStore(domain=domain, call_timeout=0.3)

    async def hung_retrieve(self, sender_id, fetch_events_from_all_sessions):
        time.sleep(1.0)  # Rasa's store is synchronous: a database that does not answer blocks right here

    monkeypatch.setattr(SQLTrackerStore, "_retrieve", hung_retrieve)

    started = time.monotonic()
    ticks, error = asyncio.run(ticks_while(store._retrieve("someone", False)))
    took = time.monotonic() - started
    assert isinstance(error, StorageUnavailable) and "did not answer within 0.3s" in str(error)
    assert took < 0.8 and ticks >= 15  # bounded, and the loop kept serving others meanwhile


def test_postgresql_connections_are_bounded():
    from bot.storage.tracker_store import bounded_engine_kwargs

    args = bounded_engine_kwargs("postgresql://pmo@db/pmo", 10)["connect_args"]
    assert args["connect_timeout"] == 10 and args["keepalives"] == 1 and args["tcp_user_timeout"] == 10_000
    assert "statement_timeout=10000" in args["options"] and "lock_timeout=10000" in args["options"]
    assert bounded_engine_kwargs("sqlite:///x.db", 10) == {}


def test_in_memory_locks_for_one_process(monkeypatch):
    from rasa.core.lock_store import InMemoryLockStore

    from bot.storage.lock_store import EnvLockStore

    monkeypatch.delenv("PMO_REDIS_URL", raising=False)
    monkeypatch.delenv("SANIC_WORKERS", raising=False)
    assert isinstance(EnvLockStore().backend, InMemoryLockStore)


@pytest.mark.parametrize("workers,require", [("2", False), ("1", True)])
def test_no_in_memory_locks_for_several_workers(monkeypatch, workers, require):
    from rasa.utils.endpoints import EndpointConfig

    from bot.storage.lock_store import EnvLockStore

    monkeypatch.delenv("PMO_REDIS_URL", raising=False)
    monkeypatch.setenv("SANIC_WORKERS", workers)
    config = EndpointConfig(type="bot.storage.lock_store.EnvLockStore", require_url=require)
    with pytest.raises(ValueError, match="PMO_REDIS_URL must be set"):
        EnvLockStore(config)


def test_redis_locks_are_shared(monkeypatch):
    from rasa.core.lock_store import RedisLockStore

    from bot.storage.lock_store import EnvLockStore

    services.require_redis()
    monkeypatch.setenv("PMO_REDIS_URL", services.REDIS_URL)
    prefix = "t" + uuid.uuid4().hex[:8]
    from rasa.utils.endpoints import EndpointConfig

    first = EnvLockStore(EndpointConfig(type="x", key_prefix=prefix))
    second = EnvLockStore(EndpointConfig(type="x", key_prefix=prefix))
    assert isinstance(first.backend, RedisLockStore)
    ticket = first.issue_ticket("conv-1")
    assert second.get_lock("conv-1").is_someone_waiting()  # the other replica sees the ticket
    first.cleanup("conv-1", ticket)
    assert second.get_lock("conv-1") is None
    # Every Redis call is bounded (Rasa's lock store blocks the event loop while it waits).
    kwargs = first.backend.red.connection_pool.connection_kwargs
    assert kwargs["socket_timeout"] == kwargs["socket_connect_timeout"] == 2.0 and kwargs["socket_keepalive"]


def _stores_from(endpoints_file, domain):
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import AvailableEndpoints

    endpoints = AvailableEndpoints.read_endpoints(str(endpoints_file))
    return endpoints, TrackerStore.create(endpoints.tracker_store, domain), LockStore.create(endpoints.lock_store)


def test_the_shipped_endpoints_file_needs_no_environment(domain, tmp_path, monkeypatch):
    """What `make run` gets: SQLite conversations.db in the working folder, locks in memory."""
    from rasa.core.lock_store import InMemoryLockStore

    for name in ("PMO_DATABASE_URL", "PMO_REDIS_URL", "SANIC_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    from bot.serving.inprocess import actions_module

    endpoints, trackers, locks = _stores_from(ROOT / "endpoints.yml", domain)
    # The actions run inside the Rasa process (issue 20): no action server URL, the actions package named.
    assert endpoints.action.url is None and actions_module(endpoints.action) == "actions"
    assert round_trip(trackers, domain) is True and (tmp_path / "conversations.db").exists()
    assert isinstance(locks.backend, InMemoryLockStore)


def test_the_shipped_endpoints_file_with_postgres_and_redis(domain, monkeypatch):
    from rasa.core.lock_store import RedisLockStore

    services.require_redis()
    with services.fresh_database() as url:
        monkeypatch.setenv("PMO_DATABASE_URL", url)
        monkeypatch.setenv("PMO_REDIS_URL", services.REDIS_URL)
        monkeypatch.setenv("SANIC_WORKERS", "2")
        _, trackers, locks = _stores_from(ROOT / "endpoints.yml", domain)
        assert round_trip(trackers, domain) is True
        assert trackers.engine.dialect.name == "postgresql"
        assert isinstance(locks.backend, RedisLockStore)
        trackers.engine.dispose()


def test_the_production_endpoints_file_reads_the_action_server_url(monkeypatch):
    """Rasa expands ${VAR} only in plain YAML values: a quoted one reached Rasa as the literal text."""
    from rasa.core.utils import read_endpoints_from_path

    monkeypatch.setenv("ACTION_SERVER_URL", "http://actions.internal:5055/webhook")
    endpoints = read_endpoints_from_path(ROOT / "endpoints.production.yml")
    assert endpoints.action.url == "http://actions.internal:5055/webhook"


def test_the_production_endpoints_file_refuses_to_run_half_configured(domain, monkeypatch):
    from rasa.utils.endpoints import EndpointConfig

    from bot.storage.lock_store import EnvLockStore

    for name in ("ACTION_SERVER_URL", "PMO_DATABASE_URL", "PMO_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    launcher = subprocess.run(
        [str(ROOT / "scripts" / "rasa-server.sh")],
        capture_output=True,
        text=True,
        timeout=30,
        env=base_env(RASA_BIN="echo", RASA_ENDPOINTS=str(ROOT / "endpoints.production.yml")),
    )
    assert launcher.returncode == 2 and "needs ACTION_SERVER_URL to be set" in launcher.stderr
    monkeypatch.setenv("ACTION_SERVER_URL", "http://actions.internal:5055/webhook")
    with pytest.raises(ValueError, match="PMO_DATABASE_URL must be set"):
        _stores_from(ROOT / "endpoints.production.yml", domain)
    with pytest.raises(ValueError, match="PMO_REDIS_URL must be set"):
        EnvLockStore(EndpointConfig(type="bot.storage.lock_store.EnvLockStore", require_url=True))
