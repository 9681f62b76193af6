"""Keep the insights tables up to date with Rasa's ``events`` table, each event counted once.

Events are read in id order after the watermark (the last event id counted).
Facts final up to :attr:`Extractor.safe_id` are written in one transaction
together with the new watermark, which is moved with a compare-and-set: two
refreshers at once (two staff pages, or a page and ``python -m bot.insights
refresh``) never count an event twice; the loser's transaction is rolled back.
Events younger than ``lag`` seconds are left for the next run, so a Rasa turn
still being written (PostgreSQL hands out ids before commit) is not skipped.
Conversations erased from ``events`` (``bot.privacy``) lose their rows here
too at the next :func:`prune`; the per-day counters are anonymous and stay.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Set, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.insights import schema
from bot.insights.extract import ANSWERED, SLOTS_READ, Extractor, Fact, Feedback, Message, Recommendation
from bot.insights.mask import text_key

logger = logging.getLogger(__name__)

CHUNK = 20_000
BATCH = 500
DEFAULT_LAG_SECONDS = 5.0
READ_TYPES = ("user", "action", "slot", "session_started")

_events_meta = sa.MetaData()
events = sa.Table(
    "events",
    _events_meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


@dataclass
class RefreshResult:
    events_read: int = 0
    facts: int = 0
    watermark: int = 0
    conflict: bool = False


def _write(connection: Connection, table: sa.Table, rows: Sequence[Tuple[Any, ...]], add_n: bool) -> None:
    """Insert many rows in few statements; on a key already there add ``n`` (counters) or keep the row.

    SQLAlchemy 1.4 sends an ``INSERT ... ON CONFLICT`` with many rows one row at a
    time on psycopg2, so the statement (table and column names from
    :mod:`bot.insights.schema`, never from input) goes to the driver directly:
    ``execute_values`` on PostgreSQL, ``executemany`` on SQLite.
    """
    if not rows:
        return
    columns = [c.name for c in table.columns]
    keys = ", ".join(c.name for c in table.primary_key.columns)
    action = f"DO UPDATE SET n = {table.name}.n + excluded.n" if add_n else "DO NOTHING"
    raw = connection.connection
    cursor = raw.cursor()
    try:
        if connection.dialect.name == "postgresql":
            from psycopg2.extras import execute_values

            sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES %s ON CONFLICT ({keys}) {action}"
            execute_values(cursor, sql, list(rows), page_size=BATCH)
        elif connection.dialect.name == "sqlite":
            marks = ", ".join("?" for _ in columns)
            sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks}) ON CONFLICT ({keys}) {action}"
            cursor.executemany(sql, list(rows))
        else:
            raise ValueError(f"insights support PostgreSQL and SQLite, not {connection.dialect.name}")
    finally:
        cursor.close()


def _add_counts(connection: Connection, table: sa.Table, counts: "Counter[Tuple[str, ...]]") -> None:
    _write(connection, table, [(*key, n) for key, n in sorted(counts.items())], add_n=True)


def _count_conversations(connection: Connection, days: Set[Tuple[str, str]]) -> None:
    """Record each (day, conversation) once, and count the new ones in the per-day counter."""
    pairs = schema.conversation_days
    senders = sorted({sender for _, sender in days})
    seen: Set[Tuple[str, str]] = set()
    for start in range(0, len(senders), BATCH):
        query = sa.select(pairs.c.day, pairs.c.sender_id).where(pairs.c.sender_id.in_(senders[start : start + BATCH]))
        seen.update((day, sender) for day, sender in connection.execute(query))
    new = sorted(days - seen)
    _write(connection, pairs, new, add_n=False)
    _add_counts(connection, schema.conversations_daily, Counter((day,) for day, _ in new))


def write_facts(connection: Connection, facts: Sequence[Fact]) -> None:
    messages: "Counter[Tuple[str, ...]]" = Counter()
    mentions: "Counter[Tuple[str, ...]]" = Counter()
    recommended: "Counter[Tuple[str, ...]]" = Counter()
    days: Set[Tuple[str, str]] = set()
    unanswered: List[Tuple[Any, ...]] = []
    rated: List[Tuple[Any, ...]] = []
    for fact in facts:
        if isinstance(fact, Message):
            messages[(fact.day, fact.intent, fact.outcome)] += 1
            days.add((fact.day, fact.sender_id))
            for kind, value in fact.mentions:
                mentions[(fact.day, kind, value)] += 1
            if fact.outcome != ANSWERED and fact.text.strip():
                unanswered.append(
                    (fact.event_id, fact.sender_id, fact.day, fact.outcome, text_key(fact.text), fact.text)
                )
        elif isinstance(fact, Recommendation):
            recommended[(fact.day, fact.course)] += 1
        elif isinstance(fact, Feedback):
            rated.append((fact.event_id, fact.sender_id, fact.day, fact.rating, fact.answer))
    _add_counts(connection, schema.daily, messages)
    _add_counts(connection, schema.mentions_daily, mentions)
    _add_counts(connection, schema.recommendations_daily, recommended)
    _count_conversations(connection, days)
    _write(connection, schema.unanswered, unanswered, add_n=False)
    _write(connection, schema.feedback, rated, add_n=False)


def watermark(engine: Engine) -> int:
    with engine.connect() as connection:
        value = connection.execute(sa.select(schema.state.c.value).where(schema.state.c.name == schema.WATERMARK))
        return int(value.scalar() or 0)


def _commit(engine: Engine, old: int, new: int, facts: Sequence[Fact]) -> bool:
    """Write the facts and move the watermark from ``old`` to ``new``, or nothing if someone else moved it."""
    with engine.connect() as connection, connection.begin() as transaction:
        moved = connection.execute(
            schema.state.update()
            .where(schema.state.c.name == schema.WATERMARK, schema.state.c.value == old)
            .values(value=new)
        )
        if moved.rowcount != 1:
            transaction.rollback()
            return False
        write_facts(connection, facts)
    return True


def refresh(
    engine: Engine, lag: float = DEFAULT_LAG_SECONDS, chunk: int = CHUNK, now: Optional[float] = None
) -> RefreshResult:
    """Count every event after the watermark that is older than ``lag`` seconds."""
    result = RefreshResult()
    if not sa.inspect(engine).has_table("events"):
        return result
    cutoff = (now if now is not None else time.time()) - lag
    start = watermark(engine)
    committed, position = start, start
    extractor = Extractor()
    # Rasa stores an action's or slot's name in its own column: the JSON is fetched only where it is needed.
    needed = sa.or_(events.c.type_name == "user", events.c.action_name.in_(SLOTS_READ))
    data = sa.case((needed, events.c.data), else_=sa.null())
    query = (
        sa.select(events.c.id, events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.action_name, data)
        .where(events.c.id > sa.bindparam("after"), events.c.type_name.in_(READ_TYPES))
        .order_by(events.c.id)
        .limit(chunk)
    )
    while True:
        with engine.connect() as connection:
            rows = connection.execute(query, {"after": position}).all()
        young = next((i for i, row in enumerate(rows) if (row[3] or 0) >= cutoff), None)
        ripe = rows if young is None else rows[:young]
        extractor.feed(tuple(row) for row in ripe)
        result.events_read += len(ripe)
        if ripe:
            position = int(ripe[-1][0])
        finished = young is not None or len(rows) < chunk
        if finished:
            extractor.close_stale(cutoff)
        facts, safe = extractor.take_final()
        if not finished and not facts:
            continue
        if safe > committed:
            if not _commit(engine, committed, safe, facts):
                result.conflict = True
                logger.info("Insights: another refresh moved the watermark; stopping this one")
                break
            committed = safe
            result.facts += len(facts)
        if finished:
            break
    result.watermark = committed
    return result


def prune(engine: Engine) -> int:
    """Remove the per-conversation rows of conversations no longer in ``events``; returns rows removed."""
    if not sa.inspect(engine).has_table("events"):
        return 0
    removed = 0
    with engine.begin() as connection:
        for table in (schema.unanswered, schema.feedback, schema.conversation_days):
            gone = ~sa.exists().where(events.c.sender_id == table.c.sender_id)
            if table is schema.conversation_days:
                days = Counter(connection.execute(sa.select(table.c.day).where(gone)).scalars())
                for day, n in days.items():
                    counter = schema.conversations_daily
                    connection.execute(counter.update().where(counter.c.day == day).values(n=counter.c.n - n))
            removed += int(connection.execute(table.delete().where(gone)).rowcount or 0)
    return removed
