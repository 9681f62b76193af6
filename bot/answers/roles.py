"""Answers about roles, the career path and recommendations."""

from __future__ import annotations

from typing import List, Optional, Sequence

from bot.answers.common import (
    FIRST_REPLY_CHARS,
    Button,
    Reply,
    button,
    canonical_title,
    capitalised,
    ebook_line,
    join,
    roles_by_level,
)
from bot.knowledge_base import Course, KnowledgeBase, Role
from bot.recommend import NeedLevel, Recommendation


def role_buttons(role: Role) -> List[Button]:
    return [
        button("What they do day to day", "ask_role_description", role=role.name, attribute="duties"),
        button("Skills needed", "ask_role_description", role=role.name, attribute="skills"),
        button("Other job titles", "ask_role_description", role=role.name, attribute="titles"),
        button("Which course suits this role?", "ask_course_recommendation", role=role.name),
        button("Compare with another role", "compare_roles", role=role.name),
    ]


def describe_role(kb: KnowledgeBase, role_name: str, typed: str = "") -> Reply:
    """The essentials of a role in two or three sentences, with "more" buttons."""
    role = kb.role(role_name)
    title = canonical_title(kb, typed) if typed else None
    if title and title != role.name:
        opening = (
            f"{title} is one of the job titles for a {role.name}, the level {role.level} role ({role.level_label})."
        )
    else:
        opening = f"A {role.name} is the level {role.level} role in a PMO ({role.level_label})."
    others = [t for t in role.titles if t != title][:3]
    text = f"{opening} It is {role.summary}.\n\nOther titles include {join(others)}."
    while len(text) > FIRST_REPLY_CHARS and len(others) > 1:
        others = others[:-1]
        text = f"{opening} It is {role.summary}.\n\nOther titles include {join(others)}."
    return Reply(text, role_buttons(role), kind=f"role:{role.name}")


def role_detail(kb: KnowledgeBase, role_name: str, attribute: str) -> Reply:
    """One part of a role: duties, skills, titles or where they work."""
    role = kb.role(role_name)
    if attribute == "duties":
        lines = [f"Day to day, a {role.name}:", ""] + [f"- {duty}" for duty in role.duties]
        text = "\n".join(lines)
        if role.notes:
            text += f"\n\n{role.notes}"
    elif attribute == "skills":
        text = f"Useful strengths for a {role.name}: {role.strengths}."
    elif attribute == "titles":
        text = f"A {role.name} may also be called {join(role.titles, 'or')}."
    else:  # works_in
        text = f"A {role.name} works in {role.works_in}."
    more = [b for b in role_buttons(role) if f'"{attribute}"' not in b["payload"]][:4]
    return Reply(text, more, kind=f"role:{role.name}")


def same_role(kb: KnowledgeBase, role_name: str, titles: Sequence[str]) -> Reply:
    """Two titles of one role ("is an ePMO manager the same as a head of PMO?")."""
    role = kb.role(role_name)
    named = []
    for typed in titles:
        title = canonical_title(kb, typed) or capitalised(typed)
        if title not in named:
            named.append(title)
    if len(named) >= 2:
        text = (
            f"Yes: {join(named)} are titles for the same role, {role.name}, level {role.level} "
            f"({role.level_label}). Organisations just name it differently."
        )
    else:
        text = f"Yes: those are titles for the same role, {role.name}, level {role.level} ({role.level_label})."
    return Reply(text, role_buttons(role)[:3], kind=f"role:{role.name}")


def list_roles(kb: KnowledgeBase) -> Reply:
    lines = ["A PMO career has four levels:", ""]
    lines += [f"- {r.level}. {r.name} ({r.level_label})" for r in roles_by_level(kb)]
    lines += ["", "Which one would you like to know more about?"]
    buttons = [button(r.name, "ask_role_description", role=r.name) for r in roles_by_level(kb)]
    return Reply("\n".join(lines), buttons, kind="roles")


def compare_roles(kb: KnowledgeBase, first: str, second: Optional[str] = None) -> Reply:
    a = kb.role(first)
    if second is None or second == first:
        b = kb.role_at_level(a.level + 1 if a.level < 4 else a.level - 1)
    else:
        b = kb.role(second)
    low, high = sorted((a, b), key=lambda r: r.level)
    gap = high.level - low.level
    step = (
        f"{high.name} is the next step up from {low.name}."
        if gap == 1
        else f"They are {gap} steps apart on the career path."
    )
    text = (
        f"The difference is mainly scope.\n\n"
        f"- {low.name} (level {low.level}): {low.summary}.\n"
        f"- {high.name} (level {high.level}): {high.summary}.\n\n{step}"
    )
    buttons = [
        button(f"More about {low.name}", "ask_role_description", role=low.name),
        button(f"More about {high.name}", "ask_role_description", role=high.name),
        button("Which course is right for me?", "ask_course_recommendation"),
    ]
    return Reply(text, buttons, kind=f"compare:{low.name}|{high.name}")


def career_path(kb: KnowledgeBase, target: Optional[str] = None, newcomer: bool = False) -> Reply:
    path = [kb.role(name) for name in kb.career_path]
    route = " → ".join(r.name for r in path)
    if target is None or newcomer:
        first = path[0]
        course = kb.course(kb.recommendation_for(first.level).main)
        text = (
            f"The PMO career path runs {route}.\n\n"
            f"Most people start as a {first.name} (titles such as {join(first.titles[:2])}). "
            f"{kb.entry_requirement(1)} The course for that first step is {course.name}."
        )
        buttons = [
            button(f"About {course.name}", "ask_course_details", course=course.name),
            button("Free resources", "ask_free_resources"),
            button(f"About the {first.name} role", "ask_role_description", role=first.name),
        ]
        return Reply(text, buttons, kind="career:1")
    role = kb.role(target)
    course = kb.course(kb.recommendation_for(role.level).main)
    if role.level > 1:
        before = kb.role_at_level(role.level - 1)
        text = (
            f"To become a {role.name} (level {role.level}), people usually step up from {before.name}; "
            f"the role {role.duties[0]}. The course for that step is {course.name}."
        )
    else:
        text = f"{role.name} is the way in: no PMO experience is needed. The course for it is {course.name}."
    buttons = [button(f"About {course.name}", "ask_course_details", course=course.name)]
    if role.level < 4:
        after = kb.role_at_level(role.level + 1)
        text += f"\n\nAfter that, the next role up is {after.name}."
        buttons.append(button(f"About {after.name}", "ask_role_description", role=after.name))
    return Reply(text, buttons, kind=f"career:{role.level}")


def recommendation(kb: KnowledgeBase, rec: Recommendation) -> Reply:
    if rec.done:  # "I've already done the analysts course": the next one
        text = (
            f"Because {rec.reason}, the course for your level is {rec.done[0].name}; as you've done it already, "
            f"I'd recommend {rec.main.name} next: it's for {rec.main.audience}."
        )
    else:
        text = f"Because {rec.reason}, I'd recommend {rec.main.name}: it's for {rec.main.audience}."
    for course, step in rec.after_done:  # "I've done P3O already (both levels)": what follows it too
        text += f"\n\nAs you've done {course.name}, the usual next step after it is {step.name}."
    if rec.free_ebook and not rec.done:
        text += f"\n\n{ebook_line(kb)}"
    buttons = [
        button(f"About {rec.main.name}", "ask_course_details", course=rec.main.name),
        button("What comes after it?", "ask_course_details", course=rec.main.name, attribute="next"),
        button("Not right? Change my level", "inform_experience"),
    ]
    return Reply(text, buttons, kind=f"recommendation:{rec.level}")


def course_each(kb: KnowledgeBase, mine: Recommendation, theirs: Recommendation, who: str) -> Reply:
    """ "What would you suggest for both of us?": a course for the visitor and one for the other person, with why."""
    text = (
        "A course for each of you:\n"
        f"- you: {mine.main.name}, because {mine.reason}\n"
        f"- {who}: {theirs.main.name}, because {theirs.reason}"
    )
    courses = list(dict.fromkeys((mine.main.name, theirs.main.name)))
    buttons = [button(f"About {name}", "ask_course_details", course=name) for name in courses]
    return Reply(text, buttons, kind=f"recommendation:{mine.level}")


def level_buttons(kb: KnowledgeBase) -> List[Button]:
    hints = {
        1: "New to PMO or in project support",
        2: "Analyst, co-ordinator or planner",
        3: "I run or lead a PMO",
        4: "Head of PMO or director",
    }
    return [
        button(hints.get(role.level, role.name), "inform_experience", role=role.name) for role in roles_by_level(kb)
    ]


def ask_level(kb: KnowledgeBase, outcome: NeedLevel) -> Reply:
    if outcome.years:
        text = (
            f"Thanks, {outcome.years} year{'s' if outcome.years != 1 else ''} is useful, but years alone "
            "don't tell me your level: plenty of people spend a whole career as analysts. "
            "What do you do now?"
        )
    else:
        text = "Happy to help you choose. Which of these is closest to what you do now?"
    return Reply(text, level_buttons(kb), kind="ask_level")


def ask_level_again(kb: KnowledgeBase) -> Reply:
    return Reply(
        "Back to choosing your course: which of these is closest to what you do now?",
        level_buttons(kb),
        kind="ask_level",
    )


def stop_recommendation() -> Reply:
    return Reply(
        "No problem, we can leave the course choice for now. Just tell me what you do "
        "whenever you'd like a recommendation.",
        kind="stop",
    )


def entry_requirements(kb: KnowledgeBase, level: Optional[int] = None) -> Reply:
    if level is None:
        text = (
            f"{kb.entry_requirement(1)}\n\n"
            "For the more senior roles, what counts is experience and the course prerequisites."
        )
        buttons = [
            button(f"Moving up to {r.name}", "ask_entry_requirements", role=r.name) for r in roles_by_level(kb)[1:]
        ]
        return Reply(text, buttons, kind="entry_requirements")
    role = kb.role_at_level(level)
    course = kb.course(kb.recommendation_for(level).main)
    return Reply(
        kb.entry_requirement(level),
        [
            button(f"About {course.name}", "ask_course_details", course=course.name),
            button(f"About the {role.name} role", "ask_role_description", role=role.name),
        ],
        kind="entry_requirements",
    )


def instead(kb: KnowledgeBase, asked: Course, recommended: Course, level: Optional[int]) -> Reply:
    """ "Would the directors one be better?" after a recommendation: what the other course is for, and
    why the one suggested fits what the visitor said; never a switch on a hunch."""
    role = kb.role_at_level(level) if level in (1, 2, 3, 4) else None
    fits = f"level {role.level} ({role.name}) work" if role else "what you told me"
    text = (
        f"{asked.name} is for {asked.audience}. From what you've told me ({fits}), {recommended.name} fits "
        "better for now. If your day to day is closer to the other course, tell me what you do and I'll look again."
    )
    return Reply(
        text,
        [
            button(f"About {asked.name}", "ask_course_details", course=asked.name),
            button(f"About {recommended.name}", "ask_course_details", course=recommended.name),
            button("Not right? Change my level", "inform_experience"),
        ],
        kind=f"instead:{asked.name}",
    )


def other_level(kb: KnowledgeBase, current: Course, other: Course, up: bool) -> Reply:
    """ "I'd rather not start at the bottom" (up) or "what if I'm not ready for that?" (down): the course a
    level away, when it fits, and how to decide; never a switch on a hunch."""
    role = kb.role_at_level(other.level) if other.level in (1, 2, 3, 4) else None
    if up and role is not None:
        text = (
            f"You don't have to start with {current.name}. If your experience already covers what a {role.name} "
            f"does (it {join(role.duties[:2])}), {other.name} is the place to go in: it's for {other.audience}. "
            "Tell me what you've done and I'll say which fits, or the team can help you decide."
        )
    else:
        text = (
            f"If {current.name} feels like too big a step, {other.name} is the one before it: it's for "
            f"{other.audience}. You can move on to {current.name} later."
        )
    return Reply(
        text,
        [
            button(f"About {other.name}", "ask_course_details", course=other.name),
            button(f"About {current.name}", "ask_course_details", course=current.name),
        ],
        kind=f"recommendation:{other.level or 0}",
    )


def why_recommended(kb: KnowledgeBase, course: Course, level: Optional[int]) -> Reply:
    """ "Why that one?": the level the course is for, and how to change it."""
    role = kb.role_at_level(level) if level in (1, 2, 3, 4) else None
    fits = (
        f"it's the course for level {role.level} ({role.name}), which is what you told me fits you"
        if role
        else "it matches what you told me"
    )
    text = (
        f"I suggested {course.name} because {fits}: it's for {course.audience}. If that's not right, "
        "tell me what you do day to day and I'll suggest another."
    )
    return Reply(
        text,
        [
            button("Not right? Change my level", "inform_experience"),
            button(f"About {course.name}", "ask_course_details", course=course.name),
        ],
        kind=f"recommendation:{role.level if role else 0}",
    )


def not_same_role(kb: KnowledgeBase, role_name: str, typed: str, other_name: str) -> Reply:
    """ "Is that the same as a PMO manager?" when it is not."""
    role, other = kb.role(role_name), kb.role(other_name)
    title = canonical_title(kb, typed) if typed else None
    first = f"{title} is a {role.name} title" if title and title != role.name else f"A {role.name} is"
    first = f"{first}, level {role.level}" if title and title != role.name else f"{first} level {role.level}"
    text = f"No: {first} ({role.level_label}); a {other.name} is level {other.level} ({other.level_label})."
    return Reply(
        text,
        [
            button(f"Compare {role.name} and {other.name}", "compare_roles", role=role.name),
            button(f"About the {other.name} role", "ask_role_description", role=other.name),
        ],
        kind=f"compare:{role.name}|{other.name}",
    )
