"""Answers about courses, course families, ways to train, kinds of PMO and free resources."""

from __future__ import annotations

import re
from typing import List, Optional, Sequence

from bot.answers.common import Button, Reply, button, capitalised, in_sentence, join, sentence
from bot.knowledge_base import Course, CourseFamily, KnowledgeBase, NamedItem


def course_buttons(course: Course) -> List[Button]:
    return [
        button("How long is it?", "ask_course_details", course=course.name, attribute="length"),
        button("The exam", "ask_course_details", course=course.name, attribute="exam"),
        button("Prerequisites", "ask_course_details", course=course.name, attribute="prerequisites"),
        button("What comes after it?", "ask_course_details", course=course.name, attribute="next"),
    ]


def describe_course(kb: KnowledgeBase, course: Course) -> Reply:
    """Who the course is for and who certifies it, with "more" buttons."""
    certified = (
        f"It is {course.certification}."
        if course.certification.startswith("certified")
        else f"Certification: {course.certification}."
    )
    before = next((c.name for c in kb.courses if c.name != course.name and c.name in course.prerequisites), None)
    needs = f" It needs {before} first." if before else ""  # "he's insistent it has to be Practitioner"
    text = f"{course.name} is for {course.audience}.{needs} {certified}"
    return Reply(text, course_buttons(course), kind=f"course:{course.name}")


def _length(kb: KnowledgeBase, course: Course) -> str:
    if not course.length:
        return (
            f"I don't have a confirmed length for {course.name}: the course page on {kb.contact.website} "
            "has the current schedule."
        )
    if course.length_verified:
        return f"{course.name} takes {course.length}."
    return (
        f"{course.name} usually takes {course.length}, but please check the current schedule "
        f"on {kb.contact.website}."
    )


def _certified(course: Course) -> str:
    text = course.certification
    return text if text.lower().startswith("certified") else f"certified by {text}"


def course_detail(kb: KnowledgeBase, course: Course, attribute: str, asked_body: Optional[str] = None) -> Reply:
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
        if asked_body and asked_body.lower() not in course.certification.lower():
            text = f"No. {text}"  # "is MoP certified by APMG?"
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
        text = (
            f"{sentence(way.description) if way else ''} A course can also come in-house to train " f"a whole team."
        ).strip()
        if course.length:
            text = f"{_length(kb, course)} {text}"
    elif attribute == "team":
        text = (
            f"Yes: PMO Learning can bring {course.name} in-house and train your whole PMO team together. "
            "If you'd like a quote, I can pass an enquiry on to the team."
        )
        return Reply(
            text, [button("Ask the team about in-house training", "request_human")], kind=f"course:{course.name}"
        )
    elif attribute == "content":
        text = (
            f"{course.name} is for {course.audience}. The full outline of what it covers is on the course "
            f"page: {kb.contact.courses_page}"
        )
    elif attribute == "resit":
        text = (
            f"I don't have the resit rules for {course.name}: the team can tell you what happens if you don't "
            f"pass first time, or see {website}."
        )
        if course.exam and course.exam[:1].isdigit():
            text = f"The {course.name} exam: {course.exam}. {text}"
    elif attribute == "recognition":
        text = (
            f"{course.name} is {_certified(course)}. Whether employers in another country know it is "
            f"something the team can advise on: {website}"
        )
    elif attribute == "acronym":
        found = [(short, long) for short, long in kb.acronyms.items() if short.lower() in course.name.lower().split()]
        if not found:
            return describe_course(kb, course)
        text = " ".join(f"{short} stands for {long}." for short, long in found)
    elif attribute in ("price", "dates"):
        text = (
            f"I can't quote prices or dates: the current ones for {course.name} are on {website}, "
            "or the team can tell you."
        )
        return Reply(text, [button("Talk to the team", "request_human")], kind="prices")
    else:
        return describe_course(kb, course)
    if course.notes and attribute == "length":
        text += f" {course.notes}"
    more = [b for b in course_buttons(course) if f'"{attribute}"' not in b["payload"]][:3]
    return Reply(text, more, kind=f"course:{course.name}")


def courses_detail(kb: KnowledgeBase, courses: Sequence[Course], attribute: str) -> Reply:
    """One fact about each of several courses (a team's), said once where they share it."""
    if attribute in ("accreditation", "recognition"):
        bodies: dict[str, List[str]] = {}
        named = {c.name for c in courses}
        for family in kb.families:  # "the Essentials courses" when all four are meant and share a body
            members = [kb.course(c) for c in family.courses]
            if len(members) > 1 and {c.name for c in members} <= named and len({_certified(c) for c in members}) == 1:
                bodies.setdefault(_certified(members[0]), []).append(capitalised(family.name))
                named -= {c.name for c in members}
        for course in courses:
            if course.name in named:
                bodies.setdefault(_certified(course), []).append(course.name)
        text = " ".join(f"{join(names)}: {body}." for body, names in bodies.items())
        if attribute == "recognition":
            text += (
                " Whether employers in another country know them is something the team can advise on: "
                f"{kb.contact.website}"
            )
    else:
        text = "\n".join(f"- {course_detail(kb, course, attribute).text}" for course in courses)
    return Reply(text, [button("Talk to the team", "request_human")], kind="courses")


def course_fit(kb: KnowledgeBase, course: Course, level: Optional[int]) -> Reply:
    """ "Is P3O Foundation worth it for someone at my level?": who the course is for, what it needs first,
    and whether it suits the level the visitor described (only where the facts say which levels it suits)."""
    parts = [f"{course.name} is for {course.audience}."]
    before = [c for c in kb.courses if c.name != course.name and c.name in course.prerequisites]
    if before:
        parts.append(f"It needs {before[0].name} first.")
    own = kb.course(kb.recommendation_for(level).main) if level in (1, 2, 3, 4) else None
    role = kb.role_at_level(level) if level in (1, 2, 3, 4) else None
    if role is not None and course.levels and level in course.levels:
        parts.append(f"So yes, it suits someone at level {role.level} ({role.name}).")
    elif role is not None and course.levels:
        start = before[0].name if before else (own.name if own else "")
        parts.append(f"At level {role.level} ({role.name}), {start} is the place to start.")
    elif course.levels == [] and role is not None:
        parts.append("The team can tell you whether it suits you.")
    if own is not None and own.name != course.name and own.name not in " ".join(parts):
        parts.append(f"The course for your own level is {own.name}.")
    buttons = [button(f"About {c.name}", "ask_course_details", course=c.name) for c in (course, *before[:1])]
    return Reply(" ".join(parts), buttons, kind=f"course:{course.name}")


def counts_as_equivalent(kb: KnowledgeBase, course: Course, whose: str = "your") -> Reply:
    """Whether experience stands in for a course's prerequisites: what the course asks, and who confirms it."""
    text = (
        f"Prerequisites for {course.name}: {course.prerequisites}. Whether {whose} experience counts as the "
        f"equivalent is for the PMO Learning team to confirm: ask them, or see {kb.contact.website}."
    )
    return Reply(text, [button("Talk to the team", "request_human")], kind=f"course:{course.name}")


# Details a family answers course by course ("can they be done online?" after P3O: each course's format).
_PER_COURSE = ("length", "exam", "prerequisites", "format", "content", "resit", "next", "recognition")


def _per_course(name: str, details: Sequence[str]) -> str:
    """One line per course, with the sentences every course's detail shares said once after them."""
    split = [re.split(r"(?<=[.!?])\s+", d.strip()) for d in details]
    shared = [sentence for sentence in split[0] if all(sentence in other for other in split[1:])]
    lines = [" ".join(x for x in sentences if x not in shared) for sentences in split]
    text = "\n".join([f"{name}:", ""] + [f"- {line}" for line in lines if line])
    return text + ("\n\n" + " ".join(shared) if shared else "")


def describe_family(
    kb: KnowledgeBase, family: CourseFamily, attribute: Optional[str] = None, level: Optional[int] = None
) -> Reply:
    """A family of courses; with the visitor's ``level`` (said in the message), only its courses that suit it
    ("P3O or Essentials? I'm a PMO manager": Essentials for PMO Managers, not the whole ladder)."""
    courses = [kb.course(c) for c in family.courses]
    if len(courses) == 1:
        return course_detail(kb, courses[0], attribute) if attribute else describe_course(kb, courses[0])
    name = capitalised(family.name)
    suited = [c for c in courses if c.level == level or level in c.levels or (c.level is None and not c.levels)]
    if attribute == "accreditation":
        text = f"{name}: {family.summary}."
    elif attribute in _PER_COURSE:
        text = _per_course(name, [course_detail(kb, c, attribute).text for c in courses])
    elif level is not None and suited:  # the family's summary may name its other courses: only theirs here
        text = f"{name}, at your level (level {level}):\n" + "\n".join(
            f"- {c.name}: for {c.audience_short} (certified by {c.certification})" for c in suited
        )
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


def which_course(
    kb: KnowledgeBase, attribute: Optional[str] = None, courses: Optional[Sequence[Course]] = None
) -> Reply:
    """The context does not say which course: ask, with a button per course."""
    entities = {"attribute": attribute} if attribute else {}
    buttons = [button(c.name, "ask_course_details", course=c.name, **entities) for c in (courses or kb.courses)]
    return Reply("Which course do you mean?", buttons, kind="ask_course")


def training_options(kb: KnowledgeBase) -> Reply:
    lines = ["You can train with PMO Learning in these ways:", ""]
    lines += [f"- {w.name}: {w.description}" for w in kb.ways_to_train]
    lines += ["", f"Prices, dates and discounts are on {kb.contact.website}, or the team can tell you."]
    return Reply(
        "\n".join(lines),
        [
            button("Train my whole team", "request_human"),
            button("See the courses", "ask_course_list"),
            button("Which course is right for me?", "ask_course_recommendation"),
        ],
        kind="training_options",
    )


def free_resources(kb: KnowledgeBase) -> Reply:
    lines = ["Yes, there are free resources:", ""]
    lines += [f"- {r.name} ({r.kind}): {r.description}" for r in kb.free_resources]
    lines += ["", f"You'll find them on {kb.contact.website}."]
    return Reply(
        "\n".join(lines),
        [button("How do I get into PMO?", "ask_career_path"), button("See the courses", "ask_course_list")],
        kind="free_resources",
    )


def pmo_types(kb: KnowledgeBase) -> Reply:
    names = [t.name.split(" (")[0] for t in kb.pmo_types]
    text = (
        "A PMO is a project, programme or portfolio management office: it supports, controls and improves "
        f"how change is delivered. The main kinds are {join([in_sentence(n) for n in names])}. "
        "Which would you like to know about?"
    )
    return Reply(
        text, [button(t.name.split(" (")[0], "ask_pmo_types", pmo_type=t.name) for t in kb.pmo_types], kind="pmo_types"
    )


def pmo_type(kb: KnowledgeBase, kind: NamedItem, described: bool = False) -> Reply:
    """One kind of PMO; ``described``: the kind the visitor described without naming it."""
    others = [t for t in kb.pmo_types if t.name != kind.name]
    text = f"{kind.name}: {kind.description}."
    if described:
        named = in_sentence(kind.name.split(" (")[0])
        article = "an" if named[:1] in "aeiou" else "a"
        text = f"From what you describe, that sounds like {article} {named}: {kind.description}."
    return Reply(
        text,
        [button(t.name.split(" (")[0], "ask_pmo_types", pmo_type=t.name) for t in others[:3]]
        + [button("PMO roles explained", "ask_role_description")],
        kind="pmo_types",
    )


def pmo_routes(kb: KnowledgeBase) -> Reply:
    essentials = kb.family_named("essentials")
    text = (
        "PMO Learning's own PMO-specific courses are the Essentials courses, one for each PMO level, "
        "and P3O (Foundation, then Practitioner). Which would you like to know about?"
    )
    buttons = (
        [button("The Essentials courses", "ask_course_details", course_family=essentials.id)] if essentials else []
    )
    buttons += [
        button("P3O", "ask_course_details", course_family="p3o"),
        button("Which course is right for me?", "ask_course_recommendation"),
    ]
    return Reply(text, buttons, kind="catalogue")


def prices_and_dates(kb: KnowledgeBase) -> Reply:
    """Prices, dates, discounts and payment are never quoted here."""
    text = (
        f"I can't quote prices, dates or payment terms: the current ones are on {kb.contact.website}, "
        "or the team can tell you."
    )
    return Reply(
        text,
        [button("Talk to the team", "request_human"), button("Ways to train", "ask_training_options")],
        kind="prices",
    )
