"""Someone else in the conversation: "what about her?", "how long is hers?", "she mostly takes minutes".

Visitors often ask for a boss, a colleague or a new starter, then switch between that person
and themselves. The context keeps the PMO role of the other person last talked about
(:attr:`Context.other`); a follow-up that points at them with "she", "his" or "their" is
answered for them:

- new facts about them ("actually she mostly takes minutes") give their course again;
- a course detail ("how long is hers?") is about their course;
- "what about her?", "is there one for someone at her level?" give their course.

A message that names a topic of its own, or says something about the visitor ("and me?"),
is not about them. Pure: no Rasa.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

from bot import answers
from bot.dialogue.context import COURSE_ATTRIBUTES, THIRD_PERSON, Context, Outcome, Turn, attribute_of, course_for_level
from bot.knowledge_base import KnowledgeBase
from bot.nlu.reading import normalised
from bot.words import dialogue_words

# "she runs our programme office": someone else's work that is a PMO Manager's (level 3).
_RUNS_AN_OFFICE = re.compile(
    r"\b(she|he|who)(?:'s| is)? (?:basically |actually |really |now )?(runs|leads|manages|is in charge of|looks after|"
    r"running|leading|managing|setting up|"
    r"sets up|set up|building|builds) "
    r"(the|our|a|their|his|her|an)? ?(\w+ )?(pmo|programme office|program office|project office|portfolio office)\b"
)
# Words that make the message about the visitor instead.
_FIRST_PERSON = frozenset({"me", "myself", "mine"})
# "Does that count?", "would that be enough?": whether experience stands in for a prerequisite.
_COUNTS = re.compile(
    r"\b(does|would|will|could|can) (that|this|it|experience|her experience|his experience|my experience) "
    r"(count|be enough|be equivalent|do|qualify)\b|\bcount(s)? as\b|\bequivalent\b|\bis (that|this|it) enough\b"
)


def remember(kb: KnowledgeBase, turn: Turn, before: Context, after: Context, about_someone: bool) -> Context:
    """The context after a turn, with the other person the turn talked about (if it named one)."""
    known = {r.name for r in kb.roles}
    reading = turn.reading
    course = kb.course_named(after.recommended or "")
    if about_someone and course is not None and course.level:  # a course was recommended for someone else
        return replace(after, other=kb.role_at_level(course.level).name)
    theirs = [r for r in reading.others if r in known]
    if theirs:
        return replace(after, other=theirs[0])
    if after.other is None and before.other is not None:
        return replace(after, other=before.other)
    return after


def _points_at_them(turn: Turn) -> bool:
    return bool(turn.asked_words & THIRD_PERSON) and not (turn.words & _FIRST_PERSON)  # "them" is often a team


def about_them(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """The answer to a follow-up about the other person, or None when the message is not about them."""
    reading = turn.reading
    if reading.team or reading.members:
        return None  # "she's thinking of getting the whole PMO trained": a team request
    if reading.own_roles or reading.current or reading.now or turn.values("course") or turn.values("course_family"):
        return None  # "does she need to do P3O as well": the course named answers
    if turn.values("certification") or turn.values("pmo_type"):
        return None
    from bot.dialogue.roles import recommend_course

    theirs = [r for r in reading.others if r in {x.name for x in kb.roles}]
    office = _RUNS_AN_OFFICE.search(normalised(turn.text)) if not reading.cues else None  # not "I'm the one who runs"
    if not theirs and office:  # "what about my manager, she runs our programme office"
        theirs = [kb.role_at_level(4 if office.group(4) in ("enterprise ", "epmo ") else 3).name]
    described = tuple(
        {"entity": "role", "value": r, "role": "other"} for r in theirs if r not in reading.others
    )  # "she's setting up an enterprise PMO": the level her work says
    asked_for_them = (*turn.entities, *described, {"entity": "asking_for", "value": "other"})
    if (
        (theirs or (reading.others_cues and turn.words & THIRD_PERSON)) and ctx.topic and _wants_course_for_them(turn)
    ):  # "my colleague is the programme office manager, what's hers?"
        return _theirs(kb, recommend_course(kb, Turn("ask_course_recommendation", asked_for_them, turn.text), ctx))
    if ctx.other is None or not _points_at_them(turn):
        return None
    if reading.others_cues or theirs:  # "actually she's only been here 2 months and mostly takes minutes"
        return _theirs(kb, recommend_course(kb, Turn("ask_course_recommendation", asked_for_them, turn.text), ctx))
    role = kb.role(ctx.other)
    course = course_for_level(kb, role.level)
    attribute = attribute_of(turn, COURSE_ATTRIBUTES)
    if attribute and attribute != "next":  # "how long is hers?"
        from bot.dialogue.courses import course_question

        named = Turn(turn.intent, (*turn.entities, {"entity": "course", "value": course.name}), turn.text)
        return course_question(kb, named, ctx)
    wants_course = bool(turn.words & (dialogue_words().course_words | {"one", "level", "something", "anything"}))
    if wants_course or "what about" in turn.text.lower() or "how about" in turn.text.lower():
        entities = (
            {"entity": "role", "value": role.name, "role": "other"},
            {"entity": "asking_for", "value": "other"},
        )
        return _theirs(kb, recommend_course(kb, Turn("ask_course_recommendation", entities, turn.text), ctx))
    return None


def _wants_course_for_them(turn: Turn) -> bool:
    """ "what's hers?", "wants in too", "is there one for him?": a course asked for the person named."""
    low = turn.text.lower()
    return bool(
        turn.words & (THIRD_PERSON | {"too", "also", "wants", "course", "one"}) or "as well" in low or "?" in low
    )


def _theirs(kb: KnowledgeBase, outcome: Outcome) -> Outcome:
    """A recommendation made for the other person: they are still the one talked about."""
    course = kb.course_named(outcome.context.recommended or "")
    if course is not None and course.level and outcome.context.topic == "recommendation":
        outcome.context = replace(outcome.context, other=kb.role_at_level(course.level).name)
    return outcome


def counts_as_equivalent(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """ "She was a project manager for years, does that count?" after a course's prerequisites: what
    the course asks for, and that the team confirms whether experience stands in for it."""
    if ctx.attribute != "prerequisites" or not _COUNTS.search(turn.text.lower()):
        return None
    course = kb.course_named(ctx.course or ctx.recommended or "")
    if course is None:
        return None
    return Outcome([answers.counts_as_equivalent(kb, course, whose(turn))], ctx)


def whose(turn: Turn) -> str:
    """The possessive for the person the message is about: "her", "his", "their", else "your"."""
    if turn.words & {"she", "her", "shes"}:
        return "her"
    if turn.words & {"he", "him", "his", "hes"}:
        return "his"
    if turn.words & {"they", "them", "their"}:
        return "their"
    return "your"


def about_someone(kb: KnowledgeBase, turn: Turn) -> bool:
    """Whether a recommendation made for this turn was for someone else."""
    from bot.dialogue.precedence import visitor_evidence

    return visitor_evidence(kb, turn).about_someone
