"""The insights pages as data: one function per page, from the database to a template's context (no web code)."""

from __future__ import annotations

from typing import Any, Dict

from sqlalchemy.engine import Connection, Engine

from bot.insights import charts, queries
from bot.knowledge_base import KnowledgeBase

PERIODS = (7, 30, 90, 365)
DEFAULT_DAYS = 30
MENTION_TITLES = {"role": "Roles asked about", "course": "Courses asked about", "course_family": "Course families"}


def period(raw: str | None) -> int:
    """The number of days asked for, or the default when it is not one we offer."""
    try:
        days = int(raw or DEFAULT_DAYS)
    except ValueError:
        return DEFAULT_DAYS
    return days if days in PERIODS else DEFAULT_DAYS


def overview(engine: Engine, kb: KnowledgeBase, days: int) -> Dict[str, Any]:
    with engine.connect() as connection:
        return _overview(connection, kb, days)


def _overview(connection: Connection, kb: KnowledgeBase, days: int) -> Dict[str, Any]:
    since = queries.since_day(days)
    per_day = queries.per_day(connection, since)
    labels = [d.day for d in per_day]
    intents = queries.top_intents(connection, since)
    by_level, by_course = queries.recommendations_by_level(connection, kb, since)
    weeks = queries.enquiries_per_week(connection, since)
    mentioned = queries.mentions(connection, since)
    return {
        "days": days,
        "since": since,
        "totals": {
            "conversations": sum(d.conversations for d in per_day),
            "messages": sum(d.messages for d in per_day),
            "unanswered": sum(d.out_of_scope + d.fallback for d in per_day),
            "enquiries": sum(w.n for w in weeks),
        },
        "traffic": charts.columns(
            "Conversations and messages per day",
            labels,
            [[d.conversations for d in per_day], [d.messages for d in per_day]],
        ),
        "unanswered_share": charts.columns(
            "Share of messages answered 'outside what I can help with' or by a fallback",
            labels,
            [[d.unanswered_share for d in per_day]],
            percent=True,
        ),
        "intents": charts.rows("Most asked questions (by intent)", [(c.label, c.n) for c in intents]),
        "mentions": [
            charts.rows(MENTION_TITLES.get(kind, kind), [(c.label, c.n) for c in items])
            for kind, items in mentioned.items()
            if items
        ],
        "levels": charts.rows("Recommendations by level", [(c.label, c.n) for c in by_level]),
        "courses": by_course,
        "enquiries": charts.columns(
            "Enquiries per week (week starting)",
            [w.label for w in weeks],
            [[w.n for w in weeks]],
            every=max(1, len(weeks) // 8),
        ),
        "unanswered": queries.unanswered(connection, since, limit=10),
        "rated_down": queries.rated_down(connection, since, limit=10),
        "behind": queries.events_behind(connection),
    }


def unanswered(engine: Engine, days: int) -> Dict[str, Any]:
    since = queries.since_day(days)
    with engine.connect() as connection:
        return {"days": days, "since": since, "unanswered": queries.unanswered(connection, since, limit=500)}


def feedback(engine: Engine, days: int) -> Dict[str, Any]:
    since = queries.since_day(days)
    with engine.connect() as connection:
        return {"days": days, "since": since, "rated_down": queries.rated_down(connection, since, limit=500)}


def enquiries(engine: Engine, days: int) -> Dict[str, Any]:
    since = queries.since_day(days)
    with engine.connect() as connection:
        weeks = queries.enquiries_per_week(connection, since)
        return {
            "days": days,
            "since": since,
            "enquiries": queries.recent_enquiries(connection, since),
            "weekly": charts.columns(
                "Enquiries per week (week starting)", [w.label for w in weeks], [[w.n for w in weeks]]
            ),
            "total": sum(w.n for w in weeks),
        }
