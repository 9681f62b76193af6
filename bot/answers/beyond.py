"""Answers beyond the catalogue (other certifications, other jobs, moving into PMO, declined
topics) and the small talk the actions send."""

from __future__ import annotations

from typing import Sequence

from bot.answers.common import (
    Reply,
    all_role_buttons,
    article,
    button,
    capitalised,
    ebook_line,
    in_sentence,
    join,
    pmo_roles_line,
    roles_by_level,
    way_back,
)
from bot.knowledge_base import AdjacentRole, Certification, KnowledgeBase, Technique


def adjacent_role(kb: KnowledgeBase, role: AdjacentRole, typed: str = "") -> Reply:
    title = capitalised(typed) or role.name
    text = f"{title} isn't one of the PMO roles. {role.about}\n\n{role.pmo_link}"
    level = kb.role_at_level(role.entry_level)
    return Reply(
        text,
        [
            button(f"About the {level.name} role", "ask_role_description", role=level.name),
            button("Moving into PMO", "ask_career_change", other_role=role.name),
            button("Which course is right for me?", "ask_course_recommendation"),
        ],
        kind=f"adjacent_role:{role.id}",
    )


def technique(kb: KnowledgeBase, item: Technique) -> Reply:
    """PMO jargon: not taught in the chat; who does that work, from the role's own duties."""
    role = kb.role(item.role)
    text = (
        f"That's everyday PMO work, though I can't teach techniques like that in a chat. In a PMO, "
        f"{article(role.name)} {role.name} {role.duties[item.duty]}.\n\n"
        f"If you'd like to build those skills, I can suggest the course for your level."
    )
    return Reply(
        text,
        [
            button(f"About the {role.name} role", "ask_role_description", role=role.name),
            button("Which course suits this role?", "ask_course_recommendation", role=role.name),
            button("Which course is right for me?", "ask_course_recommendation"),
        ],
        kind=f"technique:{item.id}",
    )


def not_a_pmo_role(kb: KnowledgeBase, title: str) -> Reply:
    text = (
        f"{capitalised(title)} isn't one of the PMO roles: it's a delivery role that PMOs work alongside. "
        f"{pmo_roles_line(kb)}"
    )
    return Reply(text, all_role_buttons(kb), kind="adjacent_role:other")


def specialist_role(kb: KnowledgeBase, title: str) -> Reply:
    text = (
        f"Some PMOs have {article(title)} {in_sentence(title)}, but it's a specialist role, not one of the four "
        f"PMO roles I can describe, so I won't guess its level. {pmo_roles_line(kb)}\n\n"
        "What does the job involve day to day? Planning and reporting sounds like a PMO Analyst; "
        "running the office sounds like a PMO Manager."
    )
    return Reply(text, all_role_buttons(kb), kind="specialist_role")


def other_job(kb: KnowledgeBase, title: str) -> Reply:
    """A job title that is not in the knowledge base: never mapped to a level by a shared word."""
    safe = " ".join(str(title).split())[:40]
    text = (
        f"I don't know {safe} as a PMO role, so I won't guess its level. {pmo_roles_line(kb)}\n\n"
        "If you tell me what the job involves day to day, I can say which PMO role is closest."
    )
    return Reply(text, all_role_buttons(kb), kind="unknown_title")


def unknown_role(kb: KnowledgeBase, value: str) -> Reply:
    safe = " ".join(str(value).split())[:40]
    return Reply(
        f'I don\'t know "{safe}" as a PMO role. I can explain these four: '
        + join([r.name for r in roles_by_level(kb)])
        + ".",
        all_role_buttons(kb),
        kind="unknown_title",
    )


def certification(
    kb: KnowledgeBase, cert: Certification, mentioned_courses: Sequence[str] = (), newcomer: bool = True
) -> Reply:
    """What the certification is and that it isn't ours; its note for PMO newcomers only to a newcomer (an
    analyst weighing CAPM is not pointed at the entry-level course)."""
    plural = " and " in cert.name
    text = (
        f"{cert.name}, from {cert.body}, {'are' if plural else 'is'} {cert.about}. "
        f"{'They aren' if plural else 'It isn'}'t one of PMO Learning's courses."
    )
    if newcomer:
        text += f"\n\n{cert.for_pmo}"
    related = [kb.course(c) for c in cert.related]
    extra = [kb.course_named(n) for n in mentioned_courses]
    courses = [c for c in extra if c] + [c for c in related if c.name not in mentioned_courses]
    return Reply(
        text,
        [button(f"About {c.name}", "ask_course_details", course=c.name) for c in courses[:3]],
        kind=f"certification:{cert.id}",
    )


def unknown_certification(kb: KnowledgeBase, typed: str = "") -> Reply:
    name = " ".join(typed.split())[:40] or "that one"
    text = (
        f"I don't know {name} well enough to advise on it, and it isn't one of PMO Learning's courses. "
        "For PMO work, the PMO-specific routes are the Essentials courses (one per PMO level) and P3O."
    )
    return Reply(
        text,
        [
            button("The Essentials courses", "ask_course_details", course_family="essentials"),
            button("P3O", "ask_course_details", course_family="p3o"),
            button("Which course is right for me?", "ask_course_recommendation"),
        ],
        kind="certification:unknown",
    )


def career_change(
    kb: KnowledgeBase, background: str, title: str = "", asked_course: bool = False, whose: str = "Your"
) -> Reply:
    """Moving into PMO from another job: where people from it usually start, and why (``whose``: "Their" when
    the job is someone else's)."""
    adjacent = kb.adjacent_role(background)
    if adjacent is not None:
        role = kb.role_at_level(adjacent.entry_level)
        course = kb.course(kb.recommendation_for(adjacent.entry_level).main)
        if adjacent.id == "project_manager":
            text = (
                "Yes, PMO is a common move for project managers: "
                f"{adjacent.pmo_link[0].lower()}{adjacent.pmo_link[1:]} "
                f"{whose} project experience can count as the equivalent experience {course.name} asks for; "
                "P3O Foundation, then P3O Practitioner, cover setting up and running a PMO."
            )
        else:
            text = (
                f"Yes, {article(adjacent.name)} {adjacent.name.lower()} can move into PMO: the closest role is "
                f"{role.name}. {adjacent.pmo_link}"
            )
        return Reply(
            text,
            [
                button(f"About {course.name}", "ask_course_details", course=course.name),
                button(f"About the {role.name} role", "ask_role_description", role=role.name),
            ],
            kind=f"background:{adjacent.id}",
        )
    start = kb.role_at_level(1)
    course = kb.course(kb.recommendation_for(1).main)
    mentioned = f" (you mentioned {in_sentence(title)})" if title else ""
    if asked_course:
        text = (
            f"Coming into PMO from outside project work{mentioned}, you'd start at level 1, so I'd recommend "
            f"{course.name}: it's for {course.audience_short}, career changers included, with no prerequisites."
        )
    else:
        text = (
            f"People moving into PMO from outside project work{mentioned} usually start as a {start.name}, "
            f"the entry level: no degree or PMO experience is needed. The course for that first step is "
            f"{course.name}."
        )
    text += f"\n\n{ebook_line(kb)}"
    return Reply(
        text,
        [
            button(f"About {course.name}", "ask_course_details", course=course.name),
            button(f"About the {start.name} role", "ask_role_description", role=start.name),
        ],
        kind="background:career_changer" if not asked_course else "recommendation:1",
    )


def decline(kb: KnowledgeBase, what: str, topic_id: str) -> Reply:
    text = (
        f"I'm sorry, I can't advise on {what}. I can explain PMO roles, the career path and "
        "PMO Learning's courses, or put you in touch with the team."
    )
    return Reply(
        text,
        [
            button("PMO roles explained", "ask_role_description"),
            button("Which course is right for me?", "ask_course_recommendation"),
            button("Talk to the team", "request_human"),
        ],
        kind=f"decline:{topic_id}",
    )


def capabilities(kb: KnowledgeBase) -> Reply:
    text = (
        "I can:\n\n"
        "- explain what each PMO role does, whatever the job title (project support officer, PMO planner, "
        "head of PMO...), and compare roles\n"
        "- show the career path, including how to move into PMO from another job\n"
        "- list PMO Learning's courses and answer questions about them (length, exam, prerequisites...)\n"
        "- recommend the right course for your experience\n"
        "- say how other certifications such as PRINCE2 or PMP relate to PMO work\n"
        "- point you to the team for dates, prices and anything else."
    )
    return Reply(
        text,
        [
            button("PMO roles explained", "ask_role_description"),
            button("Our courses", "ask_course_list"),
            button("Which course is right for me?", "ask_course_recommendation"),
        ],
        kind="capabilities",
    )


def out_of_scope(kb: KnowledgeBase) -> Reply:
    return Reply(
        "Sorry, that's outside what I can help with. I'm here for PMO roles, PMO careers and "
        "PMO Learning's courses.",
        way_back(),
        kind="out_of_scope",
    )


def did_not_understand(kb: KnowledgeBase) -> Reply:
    return Reply(
        "Sorry, I didn't quite understand that. I can explain PMO roles, compare them, and recommend "
        "a course. Could you say it another way?",
        way_back(),
        kind="fallback",
    )


def last_part_not_followed(kb: KnowledgeBase) -> Reply:
    """After the answer to a message's first question, its next part was not understood on its own: say so
    plainly instead of a second apology that reads as if the whole message was out of scope."""
    return Reply(
        "I couldn't follow the last part of your message on its own: could you ask it again in other words? "
        f"The team can help too: {kb.contact.website}",
        kind="not_followed",
    )


def what_about(kb: KnowledgeBase) -> Reply:
    """A follow-up with nothing to lean on: ask one short question."""
    return Reply(
        "What would you like to know more about?",
        [
            button("PMO roles explained", "ask_role_description"),
            button("Our courses", "ask_course_list"),
            button("Which course is right for me?", "ask_course_recommendation"),
        ],
        kind="ask_topic",
    )


def contact(kb: KnowledgeBase) -> Reply:
    return Reply(
        f"To talk to someone at PMO Learning, {kb.contact.how}: {kb.contact.website}. "
        "The team can help with dates, prices, in-house training and anything I can't answer.",
        kind="contact",
    )
