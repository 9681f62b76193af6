"""Which course fits a user, from what they told us (pure and typed).

The evidence is what NLU found in the user's words: role titles (mapped to a
canonical role), experience cues and years. Years alone never fix a level:
many people spend a whole career at analyst level, so years without a role or
cue lead to a clarifying question instead of a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, List, Mapping, Optional, Sequence, Tuple, Union

from bot.knowledge_base import Course, KnowledgeBase

# Experience cue -> (level, how the reason reads). Order is priority order.
CUE_LEVELS = {
    "several_pmos": (4, "you look after several PMOs, which is the work of a level 4 PMO Director"),
    "head_of": (4, "you said you head up the function, which is the executive level 4 (PMO Director)"),
    "runs_pmo": (3, "you run or are setting up a PMO, which is level 3 (PMO Manager) work"),
    "manages_team": (3, "you said you manage a team, which usually means level 3 (PMO Manager)"),
    "analyst_work": (
        2,
        "the work you describe (reporting, analysis, planning and control) is level 2 (PMO Analyst) work",
    ),
    "support_work": (
        1,
        "the work you describe (meetings, minutes, registers, timesheets...) is what a PMO Administrator does at "
        "level 1",
    ),
    "new_to_pmo": (1, "you're new to PMO, and level 1 (PMO Administrator) is where people start"),
}
# Experienced support staff belong at level 2 (the facts' recommendation table):
# a level 1 title with at least this many years moves up a level.
EXPERIENCED_SUPPORT_YEARS = 3


@dataclass(frozen=True)
class RoleMention:
    """A role title as the user typed it, and the canonical role it names."""

    role: str
    text: str = ""


@dataclass(frozen=True)
class Evidence:
    roles: Tuple[RoleMention, ...] = ()
    cues: Tuple[str, ...] = ()
    years: Optional[int] = None
    # "I'm a project administrator and want to move up": recommend the next level's course.
    moving_up: bool = False
    # The role comes from the conversation (a role just described), not from the user's own job.
    about_someone: bool = False
    # The level is one the user gave earlier in the conversation.
    remembered: bool = False


@dataclass(frozen=True)
class Recommendation:
    level: int
    role: str
    reason: str
    main: Course
    next_courses: Tuple[Course, ...] = field(default_factory=tuple)
    free_ebook: bool = False
    done: Tuple[Course, ...] = ()  # courses the visitor has done that ``main`` moved past
    after_done: Tuple[Tuple[Course, Course], ...] = ()  # (a course done, its next step) beside ``main``


@dataclass(frozen=True)
class NeedLevel:
    """Not enough to go on: ask what the user does now."""

    years: Optional[int] = None


Outcome = Union[Recommendation, NeedLevel]


def _article(phrase: str) -> str:
    return "an" if phrase[:1].lower() in "aeiou" else "a"


def level_from_evidence(kb: KnowledgeBase, evidence: Evidence) -> Optional[Tuple[int, str]]:
    """The level the evidence points to and the reason, or None."""
    if evidence.roles:
        mention = evidence.roles[0]
        role = kb.role(mention.role)
        typed = " ".join(mention.text.split())
        if evidence.about_someone:
            return role.level, f"a {role.name} works at level {role.level} ({role.level_label})"
        if evidence.remembered:
            return role.level, f"from what you've told me, level {role.level} ({role.name}) fits"
        if evidence.moving_up and role.level < 4:
            following = kb.role_at_level(role.level + 1)
            what = typed or role.name
            return role.level + 1, (
                f"you're {_article(what)} {what} wanting to move up, and the next step is "
                f"{following.name} (level {following.level})"
            )
        if role.level == 1 and (evidence.years or 0) >= EXPERIENCED_SUPPORT_YEARS:
            following = kb.role_at_level(2)
            return 2, (
                f"with {evidence.years} years in project support you're ready for the level 2 "
                f"({following.name}) course"
            )
        if not typed:  # a quick-reply button, not typed words
            reason = f"you're at the {role.name} level, level {role.level} ({role.level_label})"
        elif typed.lower() in {role.name.lower(), role.name.lower() + "s"}:
            reason = f"you mentioned the {role.name} role, which is level {role.level} ({role.level_label})"
        else:
            reason = f"you mentioned {typed}, which is a level {role.level} {role.name} title"
        return role.level, reason
    for cue, (level, reason) in CUE_LEVELS.items():
        if cue in evidence.cues and evidence.about_someone:  # "she runs our programme office"
            role = kb.role_at_level(level)
            if cue == "new_to_pmo":  # "my sister has been a practice manager for 9 years"
                return level, f"someone new to PMO starts at level {level} ({role.name})"
            return level, f"the work described is what a {role.name} does, at level {level} ({role.level_label})"
        if cue in evidence.cues:
            if cue == "support_work" and ((evidence.years or 0) >= EXPERIENCED_SUPPORT_YEARS or evidence.moving_up):
                following = kb.role_at_level(2)  # "3 years of minutes and registers, I want to progress"
                return 2, (
                    f"you've done the support work for a while and want to move on, so the level 2 "
                    f"({following.name}) course is the next step"
                )
            return level, reason
    return None


def recommend(kb: KnowledgeBase, evidence: Evidence) -> Outcome:
    found = level_from_evidence(kb, evidence)
    if found is None:
        return NeedLevel(years=evidence.years)
    level, reason = found
    plan = kb.recommendation_for(level)
    return Recommendation(
        level=level,
        role=kb.role_at_level(level).name,
        reason=reason,
        main=kb.course(plan.main),
        next_courses=tuple(kb.course(c) for c in plan.next),
        free_ebook=plan.free_ebook,
    )


def past_done(kb: KnowledgeBase, rec: Recommendation, done: Sequence[str]) -> Recommendation:
    """The suggestion for someone who has done some courses ("Course name" or "family:<id>") already: the main
    course moves on past the ones done, and the next step of the furthest course done in each line is kept."""
    have: List[Course] = []
    for item in done:
        family = kb.family_named(item[7:]) if item.startswith("family:") else None
        named: List[Optional[Course]] = [kb.course(c) for c in family.courses] if family else [kb.course_named(item)]
        have += [c for c in named if c is not None and c not in have]
    if not have:
        return rec
    main, passed = rec.main, []
    while main in have:
        following = [c for c in kb.next_courses(main) if c not in have]
        if not following:
            break
        passed.append(main)
        main = following[0]
    steps: List[Tuple[Course, Course]] = []
    for course in have:
        following = [c for c in kb.next_courses(course) if c not in have]
        if following and following[0] != main and not any(s[1] == following[0] for s in steps):
            steps.append((course, following[0]))
    return replace(rec, main=main, done=tuple(passed), after_done=tuple(steps))


def evidence_from_entities(kb: KnowledgeBase, entities: Sequence[Mapping[str, Any]]) -> Evidence:
    """Build evidence from Rasa entity dicts, dropping values the KB does not know.

    Entities may be forged (``/inform_experience{"role": "CEO"}``), so every
    value is checked against the knowledge base before it is trusted.
    """
    known_roles = {role.name for role in kb.roles}
    roles: List[RoleMention] = []
    cues: List[str] = []
    years = None
    for entity in entities:
        name, value = entity.get("entity"), entity.get("value")
        if not isinstance(value, str):
            continue
        if name == "role" and value in known_roles:
            mention = RoleMention(role=value, text=str(entity.get("text") or ""))
            if all(m.role != value for m in roles):
                roles.append(mention)
        elif name == "experience" and value in CUE_LEVELS and value not in cues:
            cues.append(value)
        elif name == "years" and value.isdigit() and 0 < int(value) <= 60 and years is None:
            years = int(value)
    return Evidence(roles=tuple(roles), cues=tuple(cues), years=years)
