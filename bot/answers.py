"""What the assistant says about roles, courses and training (pure text).

Each function takes the knowledge base and returns a :class:`Reply`: text plus
optional quick-reply buttons. Channels decide how to draw the buttons; the
payloads are Rasa intents with validated entities.

Replies are chat-sized: a first answer gives the essentials in a few sentences
(under ~350 characters) and offers "more" buttons for the detail. Text uses a
small markdown subset every channel renders (``bot.render``): paragraphs
separated by a blank line, "- " bullet lists, bare URLs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, List, Optional, Sequence

from bot.knowledge_base import AdjacentRole, Certification, Course, CourseFamily, KnowledgeBase, NamedItem, Role
from bot.recommend import NeedLevel, Recommendation

Button = Dict[str, str]

# A first answer should fit a small chat window without scrolling.
FIRST_REPLY_CHARS = 350


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: List[Button] = field(default_factory=list)
    # What the reply is about ("role:PMO Analyst", "decline:salary"...): read by
    # tests and the beyond-the-catalogue evaluation, never shown to the user.
    kind: str = ""


def payload(intent: str, **entities: str) -> str:
    """A quick-reply payload Rasa parses without NLU: ``/intent{"role": "..."}``."""
    return f"/{intent}{json.dumps(entities)}" if entities else f"/{intent}"


def button(title: str, intent: str, **entities: str) -> Button:
    return {"title": title, "payload": payload(intent, **entities)}


def article(phrase: str) -> str:
    return "an" if phrase[:1].lower() in "aeiou" else "a"


def join(items: Sequence[str], last: str = "and") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def capitalised(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


_ACRONYMS = {"PMO", "PMOS", "IT", "HR", "PM", "BA", "EPMO", "PMI", "APM", "CAPM", "PMP", "MSP", "MOP", "P3O"}


def in_sentence(title: str) -> str:
    """A job title inside a sentence: lower case, acronyms kept ("a PMO tools administrator")."""
    return " ".join(w if w.upper() in _ACRONYMS or w.startswith("e") and w[1:].upper() == "PMO" else w.lower()
                    for w in title.split())


def sentence(text: str) -> str:
    """Capital first letter, full stop at the end (no change to the rest)."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _roles(kb: KnowledgeBase) -> List[Role]:
    return sorted(kb.roles, key=lambda r: r.level)


@lru_cache(maxsize=8)
def _canonical_titles(kb_id: int, titles: tuple) -> Dict[str, str]:
    from bot.nlu.patterns import spelling_variants

    return {variant: title for title in titles for variant in spelling_variants(title)}


def canonical_title(kb: KnowledgeBase, typed: str) -> Optional[str]:
    """The knowledge base's spelling of a title the user typed ("pmo planner" -> "PMO Planner")."""
    titles = tuple(t for role in kb.roles for t in [role.name, *role.titles])
    key = " ".join(typed.lower().split())
    exact = next((t for t in titles if t.lower() == key), None)
    return exact or _canonical_titles(id(kb), titles).get(key)


# Roles ---------------------------------------------------------------------

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
        opening = f"{title} is one of the job titles for a {role.name}, the level {role.level} role ({role.level_label})."
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
        text = (f"Yes: {join(named)} are titles for the same role, {role.name}, level {role.level} "
                f"({role.level_label}). Organisations just name it differently.")
    else:
        text = f"Yes: those are titles for the same role, {role.name}, level {role.level} ({role.level_label})."
    return Reply(text, role_buttons(role)[:3], kind=f"role:{role.name}")


def list_roles(kb: KnowledgeBase) -> Reply:
    lines = ["A PMO career has four levels:", ""]
    lines += [f"- {r.level}. {r.name} ({r.level_label})" for r in _roles(kb)]
    lines += ["", "Which one would you like to know more about?"]
    buttons = [button(r.name, "ask_role_description", role=r.name) for r in _roles(kb)]
    return Reply("\n".join(lines), buttons, kind="roles")


def compare_roles(kb: KnowledgeBase, first: str, second: Optional[str] = None) -> Reply:
    a = kb.role(first)
    if second is None or second == first:
        b = kb.role_at_level(a.level + 1 if a.level < 4 else a.level - 1)
    else:
        b = kb.role(second)
    low, high = sorted((a, b), key=lambda r: r.level)
    gap = high.level - low.level
    step = (f"{high.name} is the next step up from {low.name}." if gap == 1
            else f"They are {gap} steps apart on the career path.")
    text = (f"The difference is mainly scope.\n\n"
            f"- {low.name} (level {low.level}): {low.summary}.\n"
            f"- {high.name} (level {high.level}): {high.summary}.\n\n{step}")
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
        text = (f"The PMO career path runs {route}.\n\n"
                f"Most people start as a {first.name} (titles such as {join(first.titles[:2])}). "
                f"{kb.entry_requirement(1)} The course for that first step is {course.name}.")
        buttons = [button(f"About {course.name}", "ask_course_details", course=course.name),
                   button("Free resources", "ask_free_resources"),
                   button(f"About the {first.name} role", "ask_role_description", role=first.name)]
        return Reply(text, buttons, kind="career:1")
    role = kb.role(target)
    course = kb.course(kb.recommendation_for(role.level).main)
    if role.level > 1:
        before = kb.role_at_level(role.level - 1)
        text = (f"To become a {role.name} (level {role.level}), people usually step up from {before.name}, "
                f"taking on more of the work: {role.duties[0]}. The course for that step is {course.name}.")
    else:
        text = f"{role.name} is the way in: no PMO experience is needed. The course for it is {course.name}."
    buttons = [button(f"About {course.name}", "ask_course_details", course=course.name)]
    if role.level < 4:
        after = kb.role_at_level(role.level + 1)
        text += f"\n\nAfter that, the next role up is {after.name}."
        buttons.append(button(f"About {after.name}", "ask_role_description", role=after.name))
    return Reply(text, buttons, kind=f"career:{role.level}")


# Recommendations -----------------------------------------------------------

def ebook_line(kb: KnowledgeBase) -> str:
    ebook = next((r for r in kb.free_resources if "ebook" in (r.kind or "").lower()), None)
    if ebook is None:
        return ""
    return f'The free eBook "{ebook.name}" is a good first read ({kb.contact.website}).'


def recommendation(kb: KnowledgeBase, rec: Recommendation) -> Reply:
    text = f"Because {rec.reason}, I'd recommend {rec.main.name}: it's for {rec.main.audience}."
    if rec.free_ebook:
        text += f"\n\n{ebook_line(kb)}"
    buttons = [button(f"About {rec.main.name}", "ask_course_details", course=rec.main.name),
               button("What comes after it?", "ask_course_details", course=rec.main.name, attribute="next"),
               button("Not right? Change my level", "inform_experience")]
    return Reply(text, buttons, kind=f"recommendation:{rec.level}")


def level_buttons(kb: KnowledgeBase) -> List[Button]:
    hints = {1: "New to PMO or in project support", 2: "Analyst, co-ordinator or planner",
             3: "I run or lead a PMO", 4: "Head of PMO or director"}
    return [button(hints.get(role.level, role.name), "inform_experience", role=role.name) for role in _roles(kb)]


def ask_level(kb: KnowledgeBase, outcome: NeedLevel) -> Reply:
    if outcome.years:
        text = (f"Thanks, {outcome.years} year{'s' if outcome.years != 1 else ''} is useful, but years alone "
                "don't tell me your level: plenty of people spend a whole career as analysts. "
                "What do you do now?")
    else:
        text = "Happy to help you choose. Which of these is closest to what you do now?"
    return Reply(text, level_buttons(kb), kind="ask_level")


def ask_level_again(kb: KnowledgeBase) -> Reply:
    return Reply("Back to choosing your course: which of these is closest to what you do now?",
                 level_buttons(kb), kind="ask_level")


def stop_recommendation() -> Reply:
    return Reply("No problem, we can leave the course choice for now. Just tell me what you do "
                 "whenever you'd like a recommendation.", kind="stop")


# Courses -------------------------------------------------------------------

def course_buttons(course: Course) -> List[Button]:
    return [
        button("How long is it?", "ask_course_details", course=course.name, attribute="length"),
        button("The exam", "ask_course_details", course=course.name, attribute="exam"),
        button("Prerequisites", "ask_course_details", course=course.name, attribute="prerequisites"),
        button("What comes after it?", "ask_course_details", course=course.name, attribute="next"),
    ]


def describe_course(kb: KnowledgeBase, course: Course) -> Reply:
    """Who the course is for and who certifies it, with "more" buttons."""
    text = f"{course.name} is for {course.audience}. Certification: {course.certification}."
    return Reply(text, course_buttons(course), kind=f"course:{course.name}")


def _length(kb: KnowledgeBase, course: Course) -> str:
    if not course.length:
        return f"I don't have a confirmed length for {course.name}: the course page on {kb.contact.website} has the current schedule."
    if course.length_verified:
        return f"{course.name} takes {course.length}."
    return (f"{course.name} usually takes {course.length}, but please check the current schedule "
            f"on {kb.contact.website}.")


def course_detail(kb: KnowledgeBase, course: Course, attribute: str) -> Reply:
    """One fact about a course in a sentence or two."""
    website = kb.contact.website
    if attribute == "length":
        text = _length(kb, course)
    elif attribute == "exam":
        if course.exam.startswith("each"):  # "each level ends with an exam"
            text = f"For {course.name}, {course.exam}; the format is on the course page ({website})."
        elif course.exam.startswith("ends"):  # the format is not in the knowledge base
            text = f"{course.name} {course.exam} ({website})."
        else:
            text = f"The {course.name} exam: {course.exam}."
    elif attribute == "prerequisites":
        text = f"Prerequisites for {course.name}: {course.prerequisites}."
    elif attribute == "accreditation":
        text = f"{course.name}: {course.certification}."
    elif attribute == "audience":
        text = f"{course.name} is for {course.audience}."
    elif attribute == "next":
        following = kb.next_courses(course)
        if len(following) == 1:
            text = f"After {course.name}, the sensible next step is {following[0].name}."
        elif following:
            text = f"After {course.name}, sensible next steps are {join([c.name for c in following])}."
        else:
            text = f"{course.name} is the top of its path; the team can suggest what suits you next."
        buttons = [button(f"About {c.name}", "ask_course_details", course=c.name) for c in following[:3]]
        return Reply(text, buttons, kind=f"course:{course.name}")
    elif attribute == "format":
        way = next((w for w in kb.ways_to_train if "public" in w.name.lower()), None)
        text = (f"{sentence(way.description) if way else ''} A course can also come in-house to train "
                f"a whole team.").strip()
        if course.length:
            text = f"{_length(kb, course)} {text}"
    elif attribute == "team":
        text = (f"Yes: PMO Learning can bring {course.name} in-house and train your whole PMO team together. "
                "If you'd like a quote, I can pass an enquiry on to the team.")
        return Reply(text, [button("Ask the team about in-house training", "request_human")],
                     kind=f"course:{course.name}")
    elif attribute in ("price", "dates"):
        text = f"I can't quote prices or dates: the current ones for {course.name} are on {website}, or the team can tell you."
        return Reply(text, [button("Talk to the team", "request_human")], kind="prices")
    else:
        return describe_course(kb, course)
    if course.notes and attribute == "length":
        text += f" {course.notes}"
    more = [b for b in course_buttons(course) if f'"{attribute}"' not in b["payload"]][:3]
    return Reply(text, more, kind=f"course:{course.name}")


def describe_family(kb: KnowledgeBase, family: CourseFamily, attribute: Optional[str] = None) -> Reply:
    courses = [kb.course(c) for c in family.courses]
    if len(courses) == 1:
        return course_detail(kb, courses[0], attribute) if attribute else describe_course(kb, courses[0])
    name = capitalised(family.name)
    if attribute == "accreditation":
        text = f"{name}: {family.summary}."
    elif attribute in ("length", "exam", "prerequisites"):
        text = "\n".join([f"{name}:", ""] + [f"- {course_detail(kb, c, attribute).text}" for c in courses])
    else:
        text = f"{name}: {family.summary}.\n\n" + "\n".join(f"- {c.name}: for {c.audience_short}" for c in courses)
    buttons = [button(c.name, "ask_course_details", course=c.name) for c in courses]
    return Reply(text, buttons, kind=f"family:{family.id}")


def list_courses(kb: KnowledgeBase) -> Reply:
    lines = ["PMO Learning's courses:", ""]
    lines += [f"{i}. {c.name}: for {c.audience_short}" for i, c in enumerate(kb.courses, 1)]
    lines += ["", "Which one would you like to know about?"]
    buttons = [button(c.name, "ask_course_details", course=c.name) for c in kb.courses]
    return Reply("\n".join(lines), buttons, kind="catalogue")


def which_course(kb: KnowledgeBase, attribute: Optional[str] = None,
                 courses: Optional[Sequence[Course]] = None) -> Reply:
    """The context does not say which course: ask, with a button per course."""
    entities = {"attribute": attribute} if attribute else {}
    buttons = [button(c.name, "ask_course_details", course=c.name, **entities) for c in (courses or kb.courses)]
    return Reply("Which course do you mean?", buttons, kind="ask_course")


def training_options(kb: KnowledgeBase) -> Reply:
    lines = ["You can train with PMO Learning in these ways:", ""]
    lines += [f"- {w.name}: {w.description}" for w in kb.ways_to_train]
    lines += ["", f"Prices, dates and discounts are on {kb.contact.website}, or the team can tell you."]
    return Reply("\n".join(lines), [button("Train my whole team", "request_human"),
                                    button("See the courses", "ask_course_list"),
                                    button("Which course is right for me?", "ask_course_recommendation")],
                 kind="training_options")


def free_resources(kb: KnowledgeBase) -> Reply:
    lines = ["Yes, there are free resources:", ""]
    lines += [f"- {r.name} ({r.kind}): {r.description}" for r in kb.free_resources]
    lines += ["", f"You'll find them on {kb.contact.website}."]
    return Reply("\n".join(lines), [button("How do I get into PMO?", "ask_career_path"),
                                    button("See the courses", "ask_course_list")], kind="free_resources")


def pmo_types(kb: KnowledgeBase) -> Reply:
    names = [t.name.split(" (")[0] for t in kb.pmo_types]
    text = ("A PMO is a project, programme or portfolio management office: it supports, controls and improves "
            f"how change is delivered. The main kinds are {join([in_sentence(n) for n in names])}. "
            "Which would you like to know about?")
    return Reply(text, [button(t.name.split(" (")[0], "ask_pmo_types", pmo_type=t.name) for t in kb.pmo_types],
                 kind="pmo_types")


def pmo_type(kb: KnowledgeBase, kind: NamedItem) -> Reply:
    others = [t for t in kb.pmo_types if t.name != kind.name]
    text = f"{kind.name}: it {kind.description}." if not kind.description.startswith(("a ", "an ", "the ")) \
        else f"{kind.name}: {kind.description}."
    return Reply(text, [button(t.name.split(" (")[0], "ask_pmo_types", pmo_type=t.name) for t in others[:3]]
                 + [button("PMO roles explained", "ask_role_description")], kind="pmo_types")


# Beyond the catalogue ------------------------------------------------------

def _pmo_roles_line(kb: KnowledgeBase) -> str:
    return "The four PMO roles are " + join([r.name for r in _roles(kb)]) + "."


def _role_buttons(kb: KnowledgeBase) -> List[Button]:
    return [button(r.name, "ask_role_description", role=r.name) for r in _roles(kb)]


def adjacent_role(kb: KnowledgeBase, role: AdjacentRole, typed: str = "") -> Reply:
    title = capitalised(typed) or role.name
    text = f"{title} isn't one of the PMO roles. {role.about}\n\n{role.pmo_link}"
    level = kb.role_at_level(role.entry_level)
    return Reply(text, [button(f"About the {level.name} role", "ask_role_description", role=level.name),
                        button("Moving into PMO", "ask_career_change", other_role=role.name),
                        button("Which course is right for me?", "ask_course_recommendation")],
                 kind=f"adjacent_role:{role.id}")


def not_a_pmo_role(kb: KnowledgeBase, title: str) -> Reply:
    text = (f"{capitalised(title)} isn't one of the PMO roles: it's a delivery role that PMOs work alongside. "
            f"{_pmo_roles_line(kb)}")
    return Reply(text, _role_buttons(kb), kind="adjacent_role:other")


def specialist_role(kb: KnowledgeBase, title: str) -> Reply:
    text = (f"Some PMOs have {article(title)} {in_sentence(title)}, but it's a specialist role, not one of the four "
            f"PMO roles I can describe, so I won't guess its level. {_pmo_roles_line(kb)}\n\n"
            "What does the job involve day to day? Planning and reporting sounds like a PMO Analyst; "
            "running the office sounds like a PMO Manager.")
    return Reply(text, _role_buttons(kb), kind="specialist_role")


def other_job(kb: KnowledgeBase, title: str) -> Reply:
    """A job title that is not in the knowledge base: never mapped to a level by a shared word."""
    safe = " ".join(str(title).split())[:40]
    text = (f"I don't know {safe} as a PMO role, so I won't guess its level. {_pmo_roles_line(kb)}\n\n"
            "If you tell me what the job involves day to day, I can say which PMO role is closest.")
    return Reply(text, _role_buttons(kb), kind="unknown_title")


def unknown_role(kb: KnowledgeBase, value: str) -> Reply:
    safe = " ".join(str(value).split())[:40]
    return Reply(f"I don't know \"{safe}\" as a PMO role. I can explain these four: "
                 + join([r.name for r in _roles(kb)]) + ".", _role_buttons(kb), kind="unknown_title")


def certification(kb: KnowledgeBase, cert: Certification, mentioned_courses: Sequence[str] = ()) -> Reply:
    plural = " and " in cert.name
    text = (f"{cert.name}, from {cert.body}, {'are' if plural else 'is'} {cert.about}. "
            f"{'They aren' if plural else 'It isn'}'t one of PMO Learning's courses.\n\n{cert.for_pmo}")
    related = [kb.course(c) for c in cert.related]
    extra = [kb.course_named(n) for n in mentioned_courses]
    courses = [c for c in extra if c] + [c for c in related if c.name not in mentioned_courses]
    return Reply(text, [button(f"About {c.name}", "ask_course_details", course=c.name) for c in courses[:3]],
                 kind=f"certification:{cert.id}")


def unknown_certification(kb: KnowledgeBase, typed: str = "") -> Reply:
    name = " ".join(typed.split())[:40] or "that one"
    text = (f"I don't know {name} well enough to advise on it, and it isn't one of PMO Learning's courses. "
            "For PMO work, the PMO-specific routes are the Essentials courses (one per PMO level) and P3O.")
    return Reply(text, [button("The Essentials courses", "ask_course_details", course_family="essentials"),
                        button("P3O", "ask_course_details", course_family="p3o"),
                        button("Which course is right for me?", "ask_course_recommendation")],
                 kind="certification:unknown")


def entry_requirements(kb: KnowledgeBase, level: Optional[int] = None) -> Reply:
    if level is None:
        text = f"{kb.entry_requirement(1)}\n\nFor the more senior roles, what counts is experience and the course prerequisites."
        buttons = [button(f"Moving up to {r.name}", "ask_entry_requirements", role=r.name) for r in _roles(kb)[1:]]
        return Reply(text, buttons, kind="entry_requirements")
    role = kb.role_at_level(level)
    course = kb.course(kb.recommendation_for(level).main)
    return Reply(kb.entry_requirement(level), [button(f"About {course.name}", "ask_course_details", course=course.name),
                                               button(f"About the {role.name} role", "ask_role_description", role=role.name)],
                 kind="entry_requirements")


def career_change(kb: KnowledgeBase, background: str, title: str = "", asked_course: bool = False) -> Reply:
    """Moving into PMO from another job: where people from it usually start, and why."""
    adjacent = kb.adjacent_role(background)
    if adjacent is not None:
        role = kb.role_at_level(adjacent.entry_level)
        course = kb.course(kb.recommendation_for(adjacent.entry_level).main)
        if adjacent.id == "project_manager":
            text = (f"Yes, PMO is a common move for project managers: {adjacent.pmo_link[0].lower()}{adjacent.pmo_link[1:]} "
                    f"Your project experience can count as the equivalent experience {course.name} asks for; "
                    "if you'd rather learn PMO practice from the ground up, Essentials for PMO Analysts is the step before.")
        else:
            text = (f"Yes, {article(adjacent.name)} {adjacent.name.lower()} can move into PMO: the closest role is "
                    f"{role.name}. {adjacent.pmo_link}")
        return Reply(text, [button(f"About {course.name}", "ask_course_details", course=course.name),
                            button(f"About the {role.name} role", "ask_role_description", role=role.name)],
                     kind=f"background:{adjacent.id}")
    start = kb.role_at_level(1)
    course = kb.course(kb.recommendation_for(1).main)
    mentioned = f" (you mentioned {in_sentence(title)})" if title else ""
    if asked_course:
        text = (f"Coming into PMO from outside project work{mentioned}, you'd start at level 1, so I'd recommend "
                f"{course.name}: it's for {course.audience_short}, career changers included, with no prerequisites.")
    else:
        text = (f"People moving into PMO from outside project work{mentioned} usually start as a {start.name}, "
                f"the entry level: no degree or PMO experience is needed. The course for that first step is "
                f"{course.name}.")
    text += f"\n\n{ebook_line(kb)}"
    return Reply(text, [button(f"About {course.name}", "ask_course_details", course=course.name),
                        button(f"About the {start.name} role", "ask_role_description", role=start.name)],
                 kind="background:career_changer" if not asked_course else "recommendation:1")


def decline(kb: KnowledgeBase, what: str, topic_id: str) -> Reply:
    text = (f"I'm sorry, I can't advise on {what}. I can explain PMO roles, the career path and "
            "PMO Learning's courses, or put you in touch with the team.")
    return Reply(text, [button("PMO roles explained", "ask_role_description"),
                        button("Which course is right for me?", "ask_course_recommendation"),
                        button("Talk to the team", "request_human")], kind=f"decline:{topic_id}")


def pmo_routes(kb: KnowledgeBase) -> Reply:
    essentials = kb.family_named("essentials")
    text = ("PMO Learning's own PMO-specific courses are the Essentials courses, one for each PMO level, "
            "and P3O (Foundation, then Practitioner). Which would you like to know about?")
    buttons = [button("The Essentials courses", "ask_course_details", course_family=essentials.id)] if essentials else []
    buttons += [button("P3O", "ask_course_details", course_family="p3o"),
                button("Which course is right for me?", "ask_course_recommendation")]
    return Reply(text, buttons, kind="catalogue")


def capabilities(kb: KnowledgeBase) -> Reply:
    text = ("I can:\n\n"
            "- explain what each PMO role does, whatever the job title (project support officer, PMO planner, "
            "head of PMO...), and compare roles\n"
            "- show the career path, including how to move into PMO from another job\n"
            "- list PMO Learning's courses and answer questions about them (length, exam, prerequisites...)\n"
            "- recommend the right course for your experience\n"
            "- say how other certifications such as PRINCE2 or PMP relate to PMO work\n"
            "- point you to the team for dates, prices and anything else.")
    return Reply(text, [button("PMO roles explained", "ask_role_description"),
                        button("Our courses", "ask_course_list"),
                        button("Which course is right for me?", "ask_course_recommendation")], kind="capabilities")


def _way_back() -> List[Button]:
    """The buttons after an answer that could not help: the main questions, and what the bot can do."""
    return [button("PMO roles explained", "ask_role_description"),
            button("Which course is right for me?", "ask_course_recommendation"),
            button("What can you do?", "ask_capabilities")]


def out_of_scope(kb: KnowledgeBase) -> Reply:
    return Reply("Sorry, that's outside what I can help with. I'm here for PMO roles, PMO careers and "
                 "PMO Learning's courses.", _way_back(), kind="out_of_scope")


def did_not_understand(kb: KnowledgeBase) -> Reply:
    return Reply("Sorry, I didn't quite understand that. I can explain PMO roles, compare them, and recommend "
                 "a course. Could you say it another way?", _way_back(), kind="fallback")


def what_about(kb: KnowledgeBase) -> Reply:
    """A follow-up with nothing to lean on: ask one short question."""
    return Reply("What would you like to know more about?",
                 [button("PMO roles explained", "ask_role_description"),
                  button("Our courses", "ask_course_list"),
                  button("Which course is right for me?", "ask_course_recommendation")], kind="ask_topic")


def contact(kb: KnowledgeBase) -> Reply:
    return Reply(f"To talk to someone at PMO Learning, {kb.contact.how}: {kb.contact.website}. "
                 "The team can help with dates, prices, in-house training and anything I can't answer.",
                 kind="contact")
