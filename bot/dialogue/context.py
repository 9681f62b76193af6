"""The conversation's context and the latest message, and the small readers the jobs share.

The context lives in Rasa slots between turns (:data:`SLOTS`); it is read back through
the knowledge base, so a forged slot value is dropped rather than trusted. The cue words
the readers use are data, in ``bot/knowledge/dialogue_words.yml`` (:func:`bot.words.dialogue_words`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from bot.answers import Reply
from bot.knowledge_base import Course, KnowledgeBase
from bot.nlu.reading import Reading, question_spans, read
from bot.nlu.reading import words as reading_words
from bot.recommend import RoleMention, evidence_from_entities
from bot.words import dialogue_words

COURSE_ATTRIBUTES = (
    "length",
    "exam",
    "prerequisites",
    "accreditation",
    "next",
    "audience",
    "team",
    "format",
    "price",
    "dates",
    "content",
    "resit",
    "recognition",
    "acronym",
)
# Attributes that only a course has: "what if I fail?" right after a course is about that course.
COURSE_ONLY_ATTRIBUTES = ("exam", "prerequisites", "accreditation", "content", "resit", "recognition", "acronym")


ROLE_ATTRIBUTES = ("duties", "skills", "titles")
# Words that point at one other person ("them" is too often a team).
THIRD_PERSON = frozenset({"she", "her", "hers", "herself", "he", "him", "his", "himself", "shes", "hes"})
# Topics after which "it" is a course: one discussed, recommended, a family, or the one course of a team's answer.
COURSE_TOPICS = ("course", "recommendation", "family", "team", "instead")


@dataclass(frozen=True)
class Turn:
    """The latest user message as NLU understood it."""

    intent: str = ""
    entities: Tuple[Mapping[str, Any], ...] = ()
    text: str = ""

    def own_values(self, name: str) -> List[str]:
        """Like :meth:`values`, without the entities the reader gave to someone else ("my boss, the controls
        manager")."""
        return [
            v
            for v in self.values(name)
            if any(e.get("entity") == name and e.get("value") == v and e.get("role") != "other" for e in self.entities)
        ]

    def values(self, name: str) -> List[str]:
        """Distinct string values of one entity type, in the order they were written."""
        found: List[str] = []
        for entity in self.entities:
            value = entity.get("value")
            if entity.get("entity") == name and isinstance(value, str) and value not in found:
                found.append(value)
        return found

    def texts(self, name: str) -> List[str]:
        return [str(e.get("text") or "") for e in self.entities if e.get("entity") == name]

    @cached_property
    def reading(self) -> Reading:
        """How the message names things: whose job, when, for a team (:mod:`bot.nlu.reading`)."""
        return read(self.entities)

    @cached_property
    def words(self) -> Set[str]:
        return set("".join(ch if ch.isalnum() else " " for ch in self.text.lower()).split())

    @cached_property
    def asked_text(self) -> str:
        """The message's question sentences, in lower case ("Half my team have it. Is it worth it?": the last)."""
        return " ".join(self.text[a:b] for a, b in question_spans(self.text)).lower()

    @cached_property
    def asked_words(self) -> Set[str]:
        """The words of the message's question sentences ("Half my team have it. Is it worth it?": no "team")."""
        return set(re.findall(r"[a-z]+", self.asked_text))


@dataclass(frozen=True)
class Context:
    """What the conversation is about, kept in slots between turns."""

    role: Optional[str] = None  # the role last described, compared or recommended
    title: Optional[str] = None  # the job title the visitor used for it ("ePMO manager")
    course: Optional[str] = None  # a course name, or "family:<id>"
    compared: Tuple[str, ...] = ()
    listed: Tuple[str, ...] = ()  # the last list shown: "course:<name>" / "role:<name>"
    topic: Optional[str] = None  # what the last answer was about: role, compare, course, catalogue...
    attribute: Optional[str] = None  # what was last asked about it ("exam"), for "and the practitioner?"
    level: Optional[int] = None
    recommended: Optional[str] = None
    awaiting_level: bool = False
    other: Optional[str] = None  # the PMO role of the other person last talked about ("my boss", "she")


@dataclass
class Outcome:
    replies: List[Reply] = field(default_factory=list)
    context: Context = field(default_factory=Context)


# Slots that hold the context, and how to read and write them.
SLOTS = (
    "context_role",
    "context_title",
    "context_course",
    "context_compared",
    "context_listed",
    "context_topic",
    "context_attribute",
    "pmo_level",
    "recommended_course",
    "awaiting_level",
    "context_other",
)


def context_from_slots(kb: KnowledgeBase, slots: Mapping[str, Any]) -> Context:
    """Read the context from slot values, dropping anything the knowledge base does not know."""
    roles = {r.name for r in kb.roles}
    role = slots.get("context_role")
    course = slots.get("context_course")
    if isinstance(course, str) and not (
        kb.course_named(course) or (course.startswith("family:") and kb.family_named(course[7:]))
    ):
        course = None
    level: Optional[int] = None
    try:
        raw_level = slots.get("pmo_level")
        level = int(float(raw_level)) if raw_level is not None else None
    except (TypeError, ValueError):
        level = None
    recommended = slots.get("recommended_course")
    return Context(
        role=role if role in roles else None,
        title=str(slots["context_title"])[:60] if role in roles and slots.get("context_title") else None,
        course=course if isinstance(course, str) else None,
        compared=tuple(r for r in (slots.get("context_compared") or []) if r in roles)[:2],
        listed=tuple(str(x) for x in (slots.get("context_listed") or []) if isinstance(x, str))[:10],
        topic=str(slots["context_topic"]) if slots.get("context_topic") else None,
        attribute=(
            slots.get("context_attribute")
            if slots.get("context_attribute") in COURSE_ATTRIBUTES + ROLE_ATTRIBUTES
            else None
        ),
        level=level if level in (1, 2, 3, 4) else None,
        recommended=recommended if isinstance(recommended, str) and kb.course_named(recommended) else None,
        awaiting_level=bool(slots.get("awaiting_level")),
        other=slots["context_other"] if slots.get("context_other") in roles else None,
    )


def slots_from_context(before: Context, after: Context) -> Dict[str, Any]:
    """The slot values that changed."""
    pairs = {
        "context_role": (before.role, after.role),
        "context_title": (before.title, after.title),
        "context_course": (before.course, after.course),
        "context_compared": (list(before.compared) or None, list(after.compared) or None),
        "context_listed": (list(before.listed) or None, list(after.listed) or None),
        "context_topic": (before.topic, after.topic),
        "context_attribute": (before.attribute, after.attribute),
        "pmo_level": (before.level, after.level),
        "recommended_course": (before.recommended, after.recommended),
        "awaiting_level": (before.awaiting_level, after.awaiting_level),
        "context_other": (before.other, after.other),
    }
    changed: Dict[str, Any] = {name: new for name, (old, new) in pairs.items() if old != new}
    if changed.get("pmo_level") is not None:
        changed["pmo_level"] = float(changed["pmo_level"])
    return changed


def courses_named(kb: KnowledgeBase, turn: Turn) -> List[Course]:
    return [c for c in (kb.course_named(v) for v in turn.values("course")) if c]


def first_person_first(turn: Turn, mentions: List[RoleMention]) -> List[RoleMention]:
    """ "My boss is a PMO manager. I'm a project assistant": the visitor's own role first."""

    def own(mention: RoleMention) -> bool:
        for entity in turn.entities:
            if entity.get("entity") == "role" and entity.get("value") == mention.role:
                start = int(entity.get("start") or 0)
                before = turn.text[max(0, start - 18) : start].lower().replace("\u2019", "'")
                return any(cue in before for cue in dialogue_words().own_title_before)
        return False

    return sorted(mentions, key=lambda m: not own(m))


def roles_named(kb: KnowledgeBase, turn: Turn) -> List[RoleMention]:
    return list(evidence_from_entities(kb, turn.entities).roles)


def attribute_of(turn: Turn, allowed: Sequence[str]) -> Optional[str]:
    values = turn.values("attribute")
    for specific in ("recognition", "resit", "acronym"):  # "recognised abroad?"
        if specific in values and specific in allowed:
            return specific
    if "accreditation" in allowed and (
        ("accreditation" in values and turn.words & {"body", "board", "bodies", "certifies", "awards", "who"})
        or ("exam" in values and turn.words & {"body", "bodies", "awarding"})
    ):
        return "accreditation"  # "who's the exam body for P3O?": who certifies it, not the exam
    exam_words = {"exam", "exams", "questions", "multiple", "book", "pass"}
    if "exam" in values and "exam" in allowed and ("format" not in values or turn.words & exam_words):
        return "exam"  # "how long is the exam?", "the format of the exam": the exam, not the course
    if "format" in values and "format" in allowed:
        return "format"  # "self-paced for my team?"
    if "dates" in values and "dates" in allowed and "when" in turn.words:
        return "dates"  # "when is the next one?" asks for a date, not the next course
    found = next((a for a in values if a in allowed), None)
    if found is None and "team" in allowed and "team" in turn.words and turn.words & {"my", "our", "whole"}:
        found = "team"  # "can my team of five do it?" (read as a team-size cue by the ruler)
    if (
        found is None
        and "prerequisites" in allowed
        and all(turn.words & w for w in dialogue_words().prerequisites_asked)
    ):
        found = "prerequisites"  # "do I need PRINCE2 first?"
    return found


@lru_cache(maxsize=1)
def _question_openers() -> frozenset[str]:
    """Words that open a question of its own even in a message of three words or fewer: the shared
    question_words (reading.yml) but for the short follow-ups' openers ("tell me more", "would it?")."""
    return reading_words().question_words - dialogue_words().short_follow_up_openers


def elliptical(turn: Turn) -> bool:
    """ "and for the practitioner?", "the practitioner one": leans on the last question asked."""
    words = turn.text.lower().replace(",", " ").split()
    while words and words[0] in ("ok", "okay", "ok.", "so", "right", "hmm", "and", "&", "or", "then", "n"):
        if words[0] in ("and", "&", "or", "n"):
            return True
        words = words[1:]
    if " ".join(words).startswith(("what about", "how about")):
        return True
    return 0 < len(words) <= 3 and words[0] not in _question_openers()


def mentioned_item(turn: Turn, ctx: Context) -> Optional[str]:
    """ "the second one" -> the second item of the last list shown; "the foundation one" -> the
    item whose name shares most of its words with the message (only when one clearly does)."""
    if not ctx.listed:
        return None
    if "other" in turn.words and len(ctx.listed) == 2:  # "and the other one?" after a pair
        current = {f"role:{ctx.role}", f"course:{ctx.course}"}
        others = [item for item in ctx.listed if item not in current]
        if len(others) == 1:
            return others[0]
    for value in turn.values("mention"):
        if value == "last":
            return ctx.listed[-1]
        if value.isdigit() and 1 <= int(value) <= len(ctx.listed):
            return ctx.listed[int(value) - 1]
    scores = []
    for item in ctx.listed:
        words = set(item.split(":", 1)[1].lower().split()) - dialogue_words().name_filler
        shared = len(words & turn.words)
        scores.append((shared / len(words | (turn.words & words)) if shared and words else 0.0, item))
    scores.sort(reverse=True)
    if scores and scores[0][0] > 0 and (len(scores) == 1 or scores[0][0] > scores[1][0]):
        return scores[0][1]
    return None


def with_attribute(turn: Turn, attribute: Optional[str]) -> Turn:
    if not attribute or attribute in turn.values("attribute"):
        return turn
    return Turn(turn.intent, (*turn.entities, {"entity": "attribute", "value": attribute}), turn.text)


def only_attribute(turn: Turn, attribute: str) -> Turn:
    """The turn asking this one detail (the message's other details left for their own answers)."""
    rest = tuple(e for e in turn.entities if e.get("entity") != "attribute")
    return Turn(turn.intent, (*rest, {"entity": "attribute", "value": attribute}), turn.text)


def context_course(kb: KnowledgeBase, ctx: Context) -> Optional[str]:
    """The course "it" means: after a team's answer, its one course (None when it named several)."""
    if ctx.topic == "team":
        courses = team_courses(kb, ctx)
        return courses[0].name if len(courses) == 1 else None
    if ctx.course or ctx.recommended:
        return ctx.course or ctx.recommended
    if ctx.role and ctx.topic in ("role", "compare", "career", "entry"):  # "how long is it?" after a role: its course
        return course_for_level(kb, kb.role(ctx.role).level).name
    return None


def team_courses(kb: KnowledgeBase, ctx: Context) -> List[Course]:
    """The courses a team's answer named, in order."""
    if ctx.topic != "team":
        return []
    return [c for c in (kb.course_named(item[7:]) for item in ctx.listed if item.startswith("course:")) if c]


def course_for_level(kb: KnowledgeBase, level: int) -> Course:
    return kb.course(kb.recommendation_for(level).main)


def said_course(ctx: Context, name: str) -> Context:
    return replace(ctx, course=name, topic="course")


def first_start(turn: Turn, name: str) -> int:
    """Where the first entity of this type starts (a large number when there is none)."""
    return min((int(e.get("start") or 0) for e in turn.entities if e.get("entity") == name), default=10**6)


def says(turn: Turn, phrases: Sequence[str]) -> bool:
    text = " ".join(turn.text.lower().replace("\u2019", "'").split())
    return any(phrase in text for phrase in phrases)
