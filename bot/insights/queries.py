"""What the insights pages show, read from the insights tables (and, read only, the enquiries table)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Dict, List, Optional, Set, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.insights import schema
from bot.insights.extract import FALLBACK, OUT_OF_SCOPE
from bot.insights.refresh import READ_TYPES, events
from bot.knowledge_base import KnowledgeBase
from bot.storage.enquiry_store import FIELDS, StoredEnquiry, enquiries


@dataclass(frozen=True)
class Day:
    day: str
    conversations: int
    messages: int
    out_of_scope: int
    fallback: int

    @property
    def unanswered_share(self) -> float:
        return (self.out_of_scope + self.fallback) / self.messages if self.messages else 0.0


@dataclass(frozen=True)
class Counted:
    label: str
    n: int


@dataclass(frozen=True)
class Unanswered:
    text: str
    n: int
    outcome: str
    last_day: str


_TABLES_SEEN: Set[Tuple[str, str]] = set()


def has_table(connection: Connection, name: str) -> bool:
    """Whether the table exists; a yes is remembered (tables are created, never dropped, while we run)."""
    key = (str(connection.engine.url), name)
    if key not in _TABLES_SEEN and sa.inspect(connection).has_table(name):
        _TABLES_SEEN.add(key)
    return key in _TABLES_SEEN


def since_day(days: int, today: Optional[date] = None) -> str:
    today = today or datetime.now(timezone.utc).date()
    return (today - timedelta(days=days - 1)).isoformat()


def per_day(connection: Connection, since: str, today: Optional[date] = None) -> List[Day]:
    """One entry per calendar day from ``since`` to today, zeros included (a chart needs the gaps)."""
    d, c = schema.daily, schema.conversations_daily
    rows = connection.execute(
        sa.select(d.c.day, d.c.outcome, sa.func.sum(d.c.n)).where(d.c.day >= since).group_by(d.c.day, d.c.outcome)
    ).all()
    conversations = dict(connection.execute(sa.select(c.c.day, c.c.n).where(c.c.day >= since)).all())
    counts: Dict[str, Counter[str]] = defaultdict(Counter)
    for day, outcome, n in rows:
        counts[day][outcome] += int(n)
    first = date.fromisoformat(since)
    last = max([today or datetime.now(timezone.utc).date()] + [date.fromisoformat(x) for x in counts])
    out = []
    for offset in range((last - first).days + 1):
        day = (first + timedelta(days=offset)).isoformat()
        seen = counts.get(day, Counter())
        out.append(Day(day, int(conversations.get(day, 0)), sum(seen.values()), seen[OUT_OF_SCOPE], seen[FALLBACK]))
    return out


def top_intents(connection: Connection, since: str, limit: int = 15) -> List[Counted]:
    d = schema.daily
    total = sa.func.sum(d.c.n).label("total")
    rows = connection.execute(
        sa.select(d.c.intent, total)
        .where(d.c.day >= since)
        .group_by(d.c.intent)
        .order_by(total.desc(), d.c.intent)
        .limit(limit)
    ).all()
    return [Counted(intent, int(n)) for intent, n in rows]


def mentions(connection: Connection, since: str, limit: int = 15) -> Dict[str, List[Counted]]:
    m = schema.mentions_daily
    total = sa.func.sum(m.c.n).label("total")
    rows = connection.execute(
        sa.select(m.c.kind, m.c.value, total)
        .where(m.c.day >= since)
        .group_by(m.c.kind, m.c.value)
        .order_by(total.desc(), m.c.value)
    ).all()
    found: Dict[str, List[Counted]] = {"role": [], "course": [], "course_family": []}
    for kind, value, n in rows:
        if len(found.setdefault(kind, [])) < limit:
            found[kind].append(Counted(value, int(n)))
    return found


def recommendations_by_level(
    connection: Connection, kb: KnowledgeBase, since: str
) -> Tuple[List[Counted], List[Counted]]:
    """(per level, per course): the course named in each recommendation, its level from the knowledge base."""
    r = schema.recommendations_daily
    total = sa.func.sum(r.c.n).label("total")
    rows = connection.execute(
        sa.select(r.c.course, total).where(r.c.day >= since).group_by(r.c.course).order_by(total.desc(), r.c.course)
    ).all()
    levels: Counter[str] = Counter()
    for course_name, n in rows:
        course = kb.course_named(str(course_name))
        levels[f"Level {course.level}" if course is not None and course.level else "No level"] += int(n)
    return (
        [Counted(label, levels[label]) for label in sorted(levels)],
        [Counted(str(course), int(n)) for course, n in rows],
    )


def unanswered(connection: Connection, since: str, limit: int = 50) -> List[Unanswered]:
    """The most frequent unanswered messages: counted on the (day, text_key, event_id) index, then the latest
    message of each of the top texts read by its id."""
    u = schema.unanswered
    n = sa.func.count().label("n")
    top = connection.execute(
        sa.select(u.c.text_key, n, sa.func.max(u.c.day), sa.func.max(u.c.event_id))
        .where(u.c.day >= since)
        .group_by(u.c.text_key)
        .order_by(n.desc(), u.c.text_key)
        .limit(limit)
    ).all()
    if not top:
        return []
    latest = {
        event_id: (text, outcome)
        for event_id, text, outcome in connection.execute(
            sa.select(u.c.event_id, u.c.text, u.c.outcome).where(u.c.event_id.in_([row[3] for row in top]))
        )
    }
    return [Unanswered(latest[e][0], int(count), latest[e][1], last) for _, count, last, e in top]


def rated_down(connection: Connection, since: str, limit: int = 50) -> List[Counted]:
    f = schema.feedback
    n = sa.func.count().label("n")
    rows = connection.execute(
        sa.select(f.c.answer, n)
        .where(f.c.day >= since, f.c.rating == "down")
        .group_by(f.c.answer)
        .order_by(n.desc(), f.c.answer)
        .limit(limit)
    ).all()
    return [Counted(answer, int(count)) for answer, count in rows]


def _week(day: date) -> str:
    return (day - timedelta(days=day.weekday())).isoformat()


def _since_datetime(since: str) -> datetime:
    return datetime.combine(date.fromisoformat(since), datetime.min.time(), tzinfo=timezone.utc)


def enquiries_per_week(connection: Connection, since: str) -> List[Counted]:
    if not has_table(connection, "enquiries"):
        return []
    day = sa.func.date(enquiries.c.created_at)  # a date on PostgreSQL, 'YYYY-MM-DD' on SQLite
    per_day = connection.execute(
        sa.select(day, sa.func.count()).where(enquiries.c.created_at >= _since_datetime(since)).group_by(day)
    ).all()
    weeks: Counter[str] = Counter()
    for when, n in per_day:
        weeks[_week(when if isinstance(when, date) else date.fromisoformat(str(when)[:10]))] += int(n)
    first = date.fromisoformat(since)
    monday = first - timedelta(days=first.weekday())
    out = []
    while monday <= datetime.now(timezone.utc).date():
        out.append(Counted(monday.isoformat(), weeks.get(monday.isoformat(), 0)))
        monday += timedelta(days=7)
    return out


def recent_enquiries(connection: Connection, since: str, limit: int = 200) -> List[StoredEnquiry]:
    if not has_table(connection, "enquiries"):
        return []
    rows = connection.execute(
        sa.select(*[enquiries.c[f] for f in FIELDS])
        .where(enquiries.c.created_at >= _since_datetime(since))
        .order_by(enquiries.c.created_at.desc(), enquiries.c.id.desc())
        .limit(limit)
    )
    return [StoredEnquiry(**dict(row._mapping)) for row in rows]


def events_behind(connection: Connection, cap: int = 100_000) -> int:
    """How many events the insights have not counted yet (0 when up to date), counted up to ``cap``."""
    if not has_table(connection, "events"):
        return 0
    mark = (
        connection.execute(sa.select(schema.state.c.value).where(schema.state.c.name == schema.WATERMARK)).scalar() or 0
    )
    newer = sa.select(events.c.id).where(events.c.id > mark, events.c.type_name.in_(READ_TYPES)).limit(cap)
    return int(connection.execute(sa.select(sa.func.count()).select_from(newer.subquery())).scalar() or 0)
