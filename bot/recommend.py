"""Which course fits a user, from what they told us (pure and typed).

The evidence is what NLU found in the user's words: role titles (mapped to a
canonical role), experience cues and years. Years alone never fix a level:
many people spend a whole career at analyst level, so years without a role or
cue lead to a clarifying question instead of a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence, Tuple, Union

from bot.knowledge_base import Course, KnowledgeBase

# Experience cue -> (level, how the reason reads). Order is priority order.
CUE_LEVELS = {
    "several_pmos": (4, "you look after several PMOs, which is the work of a level 4 PMO Director"),
    "head_of": (4, "you said you head up the function, which is the executive level 4 (PMO Director)"),
    "runs_pmo": (3, "you said you run a PMO, which is level 3 (PMO Manager)"),
    "manages_team": (3, "you said you manage a team, which usually means level 3 (PMO Manager)"),
    "new_to_pmo": (1, "you said you're new to PMO, so level 1 (PMO Administrator) is the place to start"),
}


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

    @property
    def is_empty(self) -> bool:
        return not self.roles and not self.cues and self.years is None


@dataclass(frozen=True)
class Recommendation:
    level: int
    role: str
    reason: str
    main: Course
    next_courses: Tuple[Course, ...] = field(default_factory=tuple)
    free_ebook: bool = False


@dataclass(frozen=True)
class NeedLevel:
    """Not enough to go on: ask what the user does now."""

    years: Optional[int] = None


Outcome = Union[Recommendation, NeedLevel]


def level_from_evidence(kb: KnowledgeBase, evidence: Evidence) -> Optional[Tuple[int, str]]:
    """The level the evidence points to and the reason, or None."""
    if evidence.roles:
        mention = evidence.roles[0]
        role = kb.role(mention.role)
        typed = " ".join(mention.text.split())
        if not typed:  # a quick-reply button, not typed words
            reason = f"you're at the {role.name} level, level {role.level} ({role.level_label})"
        elif typed.lower() in {role.name.lower(), role.name.lower() + "s"}:
            reason = f"you mentioned the {role.name} role, which is level {role.level} ({role.level_label})"
        else:
            reason = (
                f"you mentioned {typed}, which is a level {role.level} {role.name} title"
            )
        return role.level, reason
    for cue, (level, reason) in CUE_LEVELS.items():
        if cue in evidence.cues:
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


def evidence_from_entities(kb: KnowledgeBase, entities: Sequence[dict]) -> Evidence:
    """Build evidence from Rasa entity dicts, dropping values the KB does not know.

    Entities may be forged (``/inform_experience{"role": "CEO"}``), so every
    value is checked against the knowledge base before it is trusted.
    """
    known_roles = {role.name for role in kb.roles}
    roles = []
    cues = []
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
