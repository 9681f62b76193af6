"""The enquiries table and conversation erasure, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from bot.enquiries import Enquiry
from bot.settings import load
from bot.storage import database
from bot.storage.conversations import conversations_mentioning, delete_conversations, events
from bot.storage.database import StorageUnavailable, database_url, make_engine, with_retries
from bot.storage.enquiry_store import EnquiryStore
from bot.storage.redis_clients import redis_settings
from bot.storage.schema import OWN_TABLES, VERSION_TABLE
from harness import services

JANE = Enquiry(
    conversation_id="conv-jane",
    name="Jane Smith",
    email="Jane.Smith@acme.co.uk",
    organisation="Acme",
    interest="P3O Foundation",
    team_size=12,
)


@pytest.fixture(scope="module")
def postgres_url():
    with services.fresh_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def engine(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    else:
        engine = make_engine(request.getfixturevalue("postgres_url"))
        for table in (*OWN_TABLES, VERSION_TABLE, "events"):  # an empty database for each test
            with engine.begin() as connection:
                connection.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
    yield engine
    engine.dispose()


def add_events(engine, sender_id, *texts):
    events.metadata.create_all(engine)
    with engine.begin() as connection:
        for text in texts:
            connection.execute(
                events.insert().values(sender_id=sender_id, data=json.dumps({"event": "user", "text": text}))
            )


def test_save_and_read_back(engine):
    store = EnquiryStore(engine)
    moment = datetime(2026, 11, 28, 12, 30, tzinfo=timezone.utc)
    saved = store.save(JANE, now=moment)
    [row] = store.all()
    assert row == saved
    assert (row.conversation_id, row.email, row.team_size, row.created_at) == (
        "conv-jane",
        "Jane.Smith@acme.co.uk",
        12,
        moment,
    )
    assert row.reference.startswith("ENQ-") and len(row.reference) == 12


def test_saving_twice_with_one_reference_keeps_one_row(engine):
    store = EnquiryStore(engine)
    store.save(JANE, reference="ENQ-SAME0001")
    store.save(JANE, reference="ENQ-SAME0001")  # a retry after a lost acknowledgement
    assert [r.reference for r in store.all()] == ["ENQ-SAME0001"]


def test_the_same_enquiry_from_one_conversation_is_one_row(engine):
    store = EnquiryStore(engine)
    first = store.save(JANE)
    again = store.save(JANE)  # the turn timed out in Rasa after the row was stored, and was sent again
    assert again == first and [r.reference for r in store.all()] == [first.reference]
    other = store.save(Enquiry("conv-other", JANE.name, JANE.email, JANE.organisation, JANE.interest, JANE.team_size))
    assert other.reference != first.reference and len(store.all()) == 2


def test_delete_by_email_ignores_case_and_keeps_others(engine):
    store = EnquiryStore(engine)
    store.save(JANE)
    store.save(Enquiry("conv-tom", "Tom", "tom@acme.co.uk", "Acme", "MoP"))
    assert store.conversations_of("jane.smith@ACME.co.uk") == ["conv-jane"]
    assert store.delete_by_email("jane.smith@ACME.co.uk") == 1
    assert [r.email for r in store.all()] == ["tom@acme.co.uk"]


def test_conversations_mentioning_an_address(engine):
    add_events(engine, "a", "hello", "my email is Jane.Smith@acme.co.uk")
    add_events(engine, "b", "jane-smith@acme.co.uk")
    add_events(engine, "c", "jane.smith@acme.co.uk.evil")  # contains it: erase too
    assert conversations_mentioning(engine, "jane.smith@acme.co.uk") == ["a", "c"]
    assert conversations_mentioning(engine, "jane_smith@acme.co.uk") == []  # "_" is no wildcard
    assert conversations_mentioning(engine, "%@acme.co.uk") == []
    assert delete_conversations(engine, ["a"]) == 2
    assert conversations_mentioning(engine, "jane.smith@acme.co.uk") == ["c"]


def test_no_events_table_means_nothing_to_erase(engine):
    assert conversations_mentioning(engine, "x@y.com") == []
    assert delete_conversations(engine, ["a"]) == 0


@pytest.mark.parametrize(
    "env,url",
    [
        ({}, "sqlite:///conversations.db"),
        ({"PMO_DATABASE_URL": "  "}, "sqlite:///conversations.db"),
        ({"PMO_DATABASE_URL": "postgres://u:p@db/pmo"}, "postgresql://u:p@db/pmo"),
        ({"PMO_DATABASE_URL": "postgresql+psycopg2://db/pmo"}, "postgresql+psycopg2://db/pmo"),
    ],
)
def test_database_url(env, url):
    assert database_url(load(env)) == url


@pytest.mark.parametrize(
    "url,settings",
    [
        (
            "redis://127.0.0.1:6379/1",
            {"host": "127.0.0.1", "port": 6379, "db": 1, "username": None, "password": None, "use_ssl": False},
        ),
        (
            "rediss://user:p%40ss@cache.internal",
            {"host": "cache.internal", "port": 6379, "db": 1, "username": "user", "password": "p@ss", "use_ssl": True},
        ),
    ],
)
def test_redis_settings(url, settings):
    assert redis_settings(url) == settings


def test_redis_settings_refuse_other_urls():
    with pytest.raises(ValueError, match="PMO_REDIS_URL must look like"):
        redis_settings("http://localhost:6379")


def test_retries_ride_out_a_short_outage():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("select 1", {}, Exception("connection refused"))
        return "ok"

    assert with_retries(flaky, seconds=5) == "ok" and len(calls) == 3


def test_retries_give_up_and_say_so():
    def down():
        raise OperationalError("select 1", {}, Exception("connection refused"))

    started = time.monotonic()
    with pytest.raises(StorageUnavailable):
        with_retries(down, seconds=0.5)
    assert time.monotonic() - started < 3


def test_a_bug_is_not_retried():
    calls = []

    def broken():
        calls.append(1)
        raise sa.exc.ProgrammingError("select nonsense", {}, Exception("syntax error"))

    with pytest.raises(sa.exc.ProgrammingError):
        with_retries(broken, seconds=5)
    assert len(calls) == 1


def test_the_async_retries_follow_the_same_policy_without_blocking_the_loop():
    import asyncio

    from bot.storage.database import with_retries_async
    from tests.support.loop import ticks_while

    calls = []

    async def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("select 1", {}, Exception("connection refused"))
        return "ok"

    ticks, result = asyncio.run(ticks_while(with_retries_async(flaky, seconds=5), every=0.02))
    assert result == "ok" and len(calls) == 3 and ticks >= 10  # waited 0.2 s + 0.4 s, the loop kept turning

    async def down():
        raise OperationalError("select 1", {}, Exception("connection refused"))

    with pytest.raises(StorageUnavailable, match="tracker store unreachable for 0s"):
        asyncio.run(with_retries_async(down, seconds=0.3, what="tracker store"))


def test_the_notifications_are_stored_with_the_enquiry_or_not_at_all(engine):
    """``also`` runs in the enquiry's transaction: if it fails, no enquiry is stored either."""
    store = EnquiryStore(engine)

    def failing(connection, stored):
        connection.execute(sa.text("SELECT 1"))
        raise RuntimeError("the outbox insert failed")

    with pytest.raises(RuntimeError):
        store.save(JANE, also=failing)
    assert store.all() == []
    seen = []
    saved = store.save(JANE, also=lambda connection, stored: seen.append(stored.reference))
    assert seen == [saved.reference] and len(store.all()) == 1
    store.save(JANE, also=lambda connection, stored: seen.append("again"))  # already stored: nothing more
    assert seen == [saved.reference]


def test_storage_modules_import_without_rasa():
    import subprocess
    import sys

    code = (
        "import sys, bot.enquiries, bot.storage.enquiry_store, bot.storage.conversations, bot.privacy, "
        "bot.outbox, bot.outbox.__main__, bot.review\n"
        "print(','.join(m for m in ('rasa', 'rasa_sdk', 'sanic', 'tensorflow') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
    assert database.DATABASE_URL_ENV == "PMO_DATABASE_URL"
