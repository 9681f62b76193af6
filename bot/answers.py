"""What the assistant says about roles, courses and training (pure text).

Each function takes the knowledge base and returns a :class:`Reply`: text plus
optional quick-reply buttons. Channels decide how to draw the buttons; the
payloads are Rasa intents with validated entities.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from bot.knowledge_base import Course, KnowledgeBase, Role
from bot.recommend import NeedLevel, Recommendation

Button = Dict[str, str]


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: List[Button] = field(default_factory=list)


def payload(intent: str, **entities: str) -> str:
    """A quick-reply payload Rasa parses without NLU: ``/intent{"role": "..."}``."""
    return f"/{intent}{json.dumps(entities)}" if entities else f"/{intent}"


def _article(phrase: str) -> str:
    return "an" if phrase[:1].lower() in "aeiou" else "a"


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def role_buttons(role: Role) -> List[Button]:
    return [
        {"title": "Compare with another role", "payload": payload("compare_roles", role=role.name)},
        {"title": "Which course is right for me?", "payload": payload("ask_course_recommendation", role=role.name)},
        {"title": "Career path", "payload": payload("ask_career_path", role=role.name)},
    ]


def main_menu_buttons() -> List[Button]:
    return [
        {"title": "PMO roles explained", "payload": payload("ask_role_description")},
        {"title": "Which course is right for me?", "payload": payload("ask_course_recommendation")},
        {"title": "Ways to train", "payload": payload("ask_training_options")},
    ]


def level_buttons(kb: KnowledgeBase) -> List[Button]:
    hints = {1: "New to PMO or in project support", 2: "Analyst, co-ordinator or planner",
             3: "I run or lead a PMO", 4: "Head of PMO or director"}
    return [
        {"title": hints.get(role.level, role.name), "payload": payload("inform_experience", role=role.name)}
        for role in sorted(kb.roles, key=lambda r: r.level)
    ]


def describe_role(kb: KnowledgeBase, role_name: str, typed: str = "") -> Reply:
    role = kb.role(role_name)
    typed = " ".join(typed.split())
    if typed and typed.lower().rstrip("s") not in {role.name.lower(), *(s.lower() for s in role.short_names)}:
        opening = (
            f"{typed[:1].upper()}{typed[1:]} is one of the job titles for a {role.name}, "
            f"a level {role.level} role ({role.level_label})."
        )
    else:
        opening = f"A {role.name} is the level {role.level} role in a PMO ({role.level_label})."
    lines = [opening, f"In short, it is {role.summary}.", "Day to day, they:"]
    lines += [f"- {duty}" for duty in role.duties]
    lines.append(f"They work in {role.works_in}. Useful strengths: {role.strengths}.")
    if role.notes:
        lines.append(role.notes)
    others = [t for t in role.titles if t.lower() != typed.lower()][:5]
    if others:
        lines.append(f"Other titles for this role include {_join(others)}.")
    return Reply("\n".join(lines), role_buttons(role))


def list_roles(kb: KnowledgeBase) -> Reply:
    lines = ["A PMO career has four levels:"]
    for role in sorted(kb.roles, key=lambda r: r.level):
        lines.append(f"{role.level}. {role.name} ({role.level_label}), also called {_join(role.titles[:3])}")
    lines.append("Which one would you like to know more about?")
    buttons = [{"title": r.name, "payload": payload("ask_role_description", role=r.name)} for r in sorted(kb.roles, key=lambda r: r.level)]
    return Reply("\n".join(lines), buttons)


def compare_roles(kb: KnowledgeBase, first: str, second: Optional[str] = None) -> Reply:
    a = kb.role(first)
    if second is None or second == first:
        neighbour = a.level + 1 if a.level < 4 else a.level - 1
        b = kb.role_at_level(neighbour)
    else:
        b = kb.role(second)
    low, high = sorted((a, b), key=lambda r: r.level)
    lines = [
        f"{low.name} (level {low.level}) and {high.name} (level {high.level}) differ mainly in scope:",
        f"- {low.name}: {low.summary}.",
        f"- {high.name}: {high.summary}.",
    ]
    gap = high.level - low.level
    if gap == 1:
        lines.append(f"{high.name} is the next step up from {low.name} on the PMO career path.")
    elif gap > 1:
        lines.append(f"There are {gap} steps between them on the career path.")
    lines.append(f"Typical strengths: {low.name}: {low.strengths}; {high.name}: {high.strengths}.")
    buttons = [
        {"title": f"More about {low.name}", "payload": payload("ask_role_description", role=low.name)},
        {"title": f"More about {high.name}", "payload": payload("ask_role_description", role=high.name)},
        {"title": "Which course is right for me?", "payload": payload("ask_course_recommendation")},
    ]
    return Reply("\n".join(lines), buttons)


def career_path(kb: KnowledgeBase, target: Optional[str] = None, newcomer: bool = False) -> Reply:
    path = [kb.role(name) for name in kb.career_path]
    lines = ["The PMO career path runs " + " -> ".join(r.name for r in path) + "."]
    if target is None or newcomer:
        first = path[0]
        course = kb.course(kb.recommendation_for(first.level).main)
        lines.append(
            f"Most people get in as a {first.name} (titles such as {_join(first.titles[:3])}), "
            "often in a project office. No previous PMO experience is needed: organisation, "
            "communication and good office software skills matter most."
        )
        lines.append(f"The course for that first step is {course.name} (no prerequisites).")
        lines.append(_ebook_line(kb))
        buttons = [{"title": f"About {first.name}", "payload": payload("ask_role_description", role=first.name)},
                   {"title": f"About {course.name}", "payload": payload("ask_course_details", course=course.name)}]
        return Reply("\n".join(lines), buttons)
    role = kb.role(target)
    course = kb.course(kb.recommendation_for(role.level).main)
    if role.level > 1:
        before = kb.role_at_level(role.level - 1)
        lines.append(
            f"To become a {role.name} (level {role.level}) you usually step up from {before.name}, "
            f"taking on more of the work described for the role: {role.duties[0]}."
        )
    else:
        lines.append(f"{role.name} is the entry point: no PMO experience is needed.")
    lines.append(f"The course for that step is {course.name}; prerequisites: {course.prerequisites}.")
    buttons = [{"title": f"About {course.name}", "payload": payload("ask_course_details", course=course.name)}]
    if role.level < 4:
        after = kb.role_at_level(role.level + 1)
        lines.append(f"After that, the next role up is {after.name}.")
        buttons.append({"title": f"About {after.name}", "payload": payload("ask_role_description", role=after.name)})
    if role.level == 1:
        lines.append(_ebook_line(kb))
    return Reply("\n".join(lines), buttons)


def _ebook_line(kb: KnowledgeBase) -> str:
    ebook = next((r for r in kb.free_resources if "ebook" in (r.kind or "").lower()), None)
    if ebook is None:
        return ""
    return f'The free eBook "{ebook.name}" is a good first read ({kb.contact.website}).'


def _course_line(course: Course) -> str:
    return f"{course.name}: for {course.audience}."


def recommendation(kb: KnowledgeBase, rec: Recommendation) -> Reply:
    lines = [f"Because {rec.reason}, I'd recommend {rec.main.name}.", _course_line(rec.main)]
    if rec.next_courses:
        lines.append("Sensible next steps after that:")
        lines += [f"- {_course_line(c)}" for c in rec.next_courses]
    if rec.free_ebook:
        lines.append(_ebook_line(kb))
    lines.append(f"Dates and prices are on {kb.contact.website}.")
    buttons = [{"title": f"About {rec.main.name}", "payload": payload("ask_course_details", course=rec.main.name)},
               {"title": "Ways to train", "payload": payload("ask_training_options")},
               {"title": "Not right? Change my level", "payload": payload("inform_experience")}]
    return Reply("\n".join(line for line in lines if line), buttons)


def ask_level(kb: KnowledgeBase, outcome: NeedLevel) -> Reply:
    if outcome.years:
        text = (
            f"Thanks, {outcome.years} year{'s' if outcome.years != 1 else ''} is useful, but years alone "
            "don't tell me your level: plenty of people spend a whole career as analysts. "
            "What do you do now?"
        )
    else:
        text = "Happy to help you choose. Which of these is closest to what you do now?"
    return Reply(text, level_buttons(kb))


def course_details(kb: KnowledgeBase, course: Course) -> Reply:
    lines = [f"{course.name} is for {course.audience}."]
    if course.length:
        if course.length_verified:
            lines.append(f"Length: {course.length}.")
        else:
            lines.append(f"Length: usually {course.length}; please check the current schedule on {kb.contact.website}.")
    else:
        lines.append(f"Length and schedule: see {kb.contact.website}.")
    lines.append(f"Prerequisites: {course.prerequisites}.")
    lines.append(f"Exam: {course.exam}.")
    lines.append(f"Certification: {course.certification}.")
    if course.notes:
        lines.append(course.notes)
    lines.append(f"Prices and dates are on {kb.contact.website}.")
    return Reply("\n".join(lines), [{"title": "Ways to train", "payload": payload("ask_training_options")},
                                    {"title": "Which course is right for me?", "payload": payload("ask_course_recommendation")}])


def list_courses(kb: KnowledgeBase) -> Reply:
    lines = ["Which course would you like to know about?"]
    buttons = [{"title": c.name, "payload": payload("ask_course_details", course=c.name)} for c in kb.courses]
    return Reply("\n".join(lines), buttons)


def training_options(kb: KnowledgeBase) -> Reply:
    lines = ["You can train with PMO Learning in these ways:"]
    lines += [f"- {w.name}: {w.description}." for w in kb.ways_to_train]
    lines.append(
        f"I can't quote prices, dates or discounts: the current ones are on {kb.contact.website}, "
        "or the team can tell you."
    )
    return Reply("\n".join(lines), [{"title": "Train my whole team", "payload": payload("request_human")},
                                    {"title": "Which course is right for me?", "payload": payload("ask_course_recommendation")}])


def pmo_types(kb: KnowledgeBase) -> Reply:
    lines = ["A PMO is a project, programme or portfolio management office. The main kinds are:"]
    lines += [f"- {t.name}: {t.description}." for t in kb.pmo_types]
    return Reply("\n".join(lines), [{"title": "PMO roles explained", "payload": payload("ask_role_description")}])


def not_a_pmo_role(kb: KnowledgeBase, title: str) -> Reply:
    return Reply(
        f"{title} isn't one of the PMO roles: it's a delivery role that PMOs work alongside. "
        "The four PMO roles are " + _join([r.name for r in sorted(kb.roles, key=lambda r: r.level)]) + ". "
        "Many PMO Managers came from project management, though.",
        [{"title": r.name, "payload": payload("ask_role_description", role=r.name)} for r in sorted(kb.roles, key=lambda r: r.level)],
    )


def unknown_role(kb: KnowledgeBase, value: str) -> Reply:
    safe = " ".join(str(value).split())[:40]
    return Reply(
        f"I don't know \"{safe}\" as a PMO role. I can explain these four: "
        + _join([r.name for r in sorted(kb.roles, key=lambda r: r.level)]) + ".",
        [{"title": r.name, "payload": payload("ask_role_description", role=r.name)} for r in sorted(kb.roles, key=lambda r: r.level)],
    )


def contact(kb: KnowledgeBase) -> Reply:
    return Reply(
        f"To talk to someone at PMO Learning, {kb.contact.how}: {kb.contact.website}. "
        "The team can help with dates, prices, in-house training and anything I can't answer."
    )
