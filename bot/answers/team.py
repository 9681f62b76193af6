"""Training for a team: the in-house route and a course for each group (pure text)."""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from bot.answers.common import Reply, button, join
from bot.knowledge_base import Course, KnowledgeBase

# How a group of people at one level is called in a list ("3 administrators").
_GROUP = {1: "administrators", 2: "analysts", 3: "managers", 4: "directors"}
_CONSTRAINTS = {
    "online": (
        "The public courses run live online in a virtual classroom; the team can tell you how an in-house "
        "course would be delivered."
    ),
    "sites": "With people on several sites, ask the team about running it online so everyone can join.",
    "evenings": "For timings that fit around work, the team can tell you what's possible.",
    "budget": "I can't quote prices here.",
    "date": "For dates, the team can tell you what's available.",
}


def _main_course(kb: KnowledgeBase, level: int) -> Course:
    return kb.course(kb.recommendation_for(level).main)


def team_training(
    kb: KnowledgeBase,
    groups: Sequence[Tuple[int, Optional[int]]],
    own_level: Optional[int] = None,
    size: Optional[int] = None,
    constraints: Sequence[str] = (),
) -> Reply:
    """In-house training for a team: a course per group (level, count), the visitor's own, the enquiry offered."""
    who = f"your team of {size}" if size else "your team"
    lines = [
        f"For {who}, PMO Learning can run a course in-house: brought to your organisation so the whole "
        "team trains together."
    ]
    rows: List[str] = []
    for level, count in sorted(groups, reverse=True):
        people = f"{count} {_GROUP[level] if count != 1 else _GROUP[level][:-1]}" if count else f"the {_GROUP[level]}"
        rows.append(f"- {people}: {_main_course(kb, level).name}")
    if own_level is not None and all(level != own_level for level, _ in groups):
        rows.insert(0, f"- you, leading it: {_main_course(kb, own_level).name}")
    if groups:
        lines += ["", "A course for each group:", *rows]
    else:
        own = [f"For you, leading it: {_main_course(kb, own_level).name}."] if own_level is not None else []
        lines += [
            "",
            *own,
            'Who\'s in the team? Tell me roughly (for example "two analysts and three administrators") '
            "and I'll suggest a course for each group.",
        ]
    notes = [_CONSTRAINTS[c] for c in constraints if c in _CONSTRAINTS][:2]
    lines += ["", " ".join([*notes, "The team can put together a quote: shall I pass your details on?"])]
    buttons = [button("Ask the team for a quote", "request_human")]
    return Reply("\n".join(lines), buttons, kind="team")


def team_course(kb: KnowledgeBase, course: Course) -> Reply:
    """ "Would MoP make sense for them?" about a team: who the course is for, and the in-house route."""
    certified = (
        course.certification if course.certification.startswith("certified") else f"certified by {course.certification}"
    )
    return Reply(
        f"{course.name} is for {course.audience}; it's {certified}. PMO Learning can run it in-house so the "
        "group trains together, and the team can help you decide and put a quote together.",
        [
            button(f"About {course.name}", "ask_course_details", course=course.name),
            button("Ask the team for a quote", "request_human"),
        ],
        kind=f"team_course:{course.name}",
    )


def team_format(kb: KnowledgeBase) -> Reply:
    """How a team can take a course when people are in other places."""
    way = next((w for w in kb.ways_to_train if "public" in w.name.lower()), None)
    public = f"{way.name}: {way.description}." if way else ""
    return Reply(
        f"{public} For an in-house course for your team, the team can tell you how it would be delivered, "
        "online included, and put a quote together.",
        [button("Ask the team for a quote", "request_human")],
        kind="team_format",
    )


def other_language(kb: KnowledgeBase) -> Reply:
    """A message in another language: say plainly that answers are in English, and offer the courses."""
    return Reply(
        "Sorry, I can only answer in English. I can tell you about PMO roles and PMO Learning's courses, "
        f"or the team can help: {kb.contact.website}",
        [
            button("See the courses", "ask_course_list"),
            button("PMO roles explained", "ask_role_description"),
            button("Talk to the team", "request_human"),
        ],
        kind="language",
    )


def clarify_pmo(kb: KnowledgeBase, named: Sequence[str]) -> Reply:
    """A PMO message we could not place: one short question with the likely choices, never "outside"."""
    about = f" about {join(list(named)[:2])}" if named else ""
    return Reply(
        f"I'd like to help{about}. What would you like to know?",
        [
            button("What the role involves", "ask_role_description"),
            button("Which course is right for me?", "ask_course_recommendation"),
            button("See the courses", "ask_course_list"),
            button("Train my whole team", "request_human"),
        ],
        kind="clarify",
    )
