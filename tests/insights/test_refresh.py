"""The insights tables follow Rasa's events table: every event counted once, erased conversations removed.

Run on SQLite here and on PostgreSQL in the slow set (the compare-and-set and the upserts differ by dialect)."""

from __future__ import annotations

import threading
from typing import Iterator, List

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.insights import queries, schema
from bot.insights.refresh import prune, refresh
from bot.storage.conversations import delete_conversations
from bot.storage.database import make_engine
from tests.insights import rasa_events
from tests.insights.rasa_events import Conversation

START = 1_796_000_000.0  # 2026-11-30 00:53 UTC
NOW = START + 3600


def conversations(count: int, prefix: str = "c") -> List[Conversation]:
    made = []
    for i in range(count):
        c = Conversation(f"{prefix}{i}", START + i)
        c.turn("what does a PMO analyst do?", "ask_role_description", "action_describe_role", [("role", "PMO Analyst")])
        c.turn("<script>alert(1)</script>", "out_of_scope", "action_out_of_scope")
        c.turn("call me on 07700 900123", "nlu_fallback", "action_fallback")
        made.append(c)
    return made


def add(engine: Engine, made: List[Conversation]) -> None:
    rasa_events.insert(engine, [row for c in made for row in c.rows])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def engine(request, tmp_path) -> Iterator[Engine]:
    if request.param == "sqlite":
        made = make_engine(f"sqlite:///{tmp_path / 'conversations.db'}")
        rasa_events.create(made)
        schema.create_schema(made)
        yield made
        made.dispose()
        return
    from harness.services import fresh_database

    with fresh_database("pmo_insights") as url:
        made = make_engine(url)
        rasa_events.create(made)
        schema.create_schema(made)
        yield made
        made.dispose()


def counts(engine: Engine):
    with engine.connect() as connection:
        days = queries.per_day(connection, "2026-11-29")
        return (
            sum(d.messages for d in days),
            sum(d.conversations for d in days),
            sum(d.out_of_scope for d in days),
            sum(d.fallback for d in days),
            [(u.text, u.n) for u in queries.unanswered(connection, "2026-11-29")],
            [(c.label, c.n) for c in queries.mentions(connection, "2026-11-29")["role"]],
        )


def test_counts_each_event_once(engine):
    add(engine, conversations(3))
    assert refresh(engine, lag=0, now=NOW).facts == 9
    assert refresh(engine, lag=0, now=NOW).facts == 0
    assert counts(engine) == (
        9,
        3,
        3,
        3,
        [("<script>alert(1)</script>", 3), ("call me on [phone]", 3)],
        [("PMO Analyst", 3)],
    )
    add(engine, conversations(2, prefix="d"))
    refresh(engine, lag=0, now=NOW, chunk=7)  # small chunks: turns split across reads
    assert counts(engine)[:4] == (15, 5, 5, 5)


def test_young_events_wait_for_the_next_run(engine):
    add(engine, conversations(1))
    assert refresh(engine, lag=60, now=START + 10).facts == 0
    assert refresh(engine, lag=60, now=NOW).facts == 3


def test_two_refreshes_at_once_count_once(engine):
    add(engine, conversations(40))
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(refresh(engine, lag=0, now=NOW, chunk=50))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3  # none of them failed
    refresh(engine, lag=0, now=NOW)
    assert counts(engine)[:4] == (120, 40, 40, 40)


def test_erased_conversations_leave_the_insights(engine):
    add(engine, conversations(2))
    refresh(engine, lag=0, now=NOW)
    delete_conversations(engine, ["c0"])
    assert prune(engine) == 3  # c0's two unanswered messages and its conversation-day
    with engine.connect() as connection:
        senders = connection.execute(sa.select(schema.unanswered.c.sender_id).distinct()).scalars().all()
    assert senders == ["c1"]
    assert counts(engine)[:2] == (6, 1)  # messages are anonymous counts and stay; one conversation left


def test_migrate_is_idempotent_and_an_empty_database_is_fine(tmp_path):
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    schema.create_schema(empty)
    schema.create_schema(empty)
    assert refresh(empty).facts == 0 and prune(empty) == 0
    with empty.connect() as connection:
        assert queries.events_behind(connection) == 0
