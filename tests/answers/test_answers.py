"""What the assistant says, checked against the knowledge base: facts, size, grammar."""

import json
import re

import pytest

from bot import answers
from bot.knowledge_base import default_knowledge_base
from bot.recommend import Evidence, NeedLevel, RoleMention, recommend

KB = default_knowledge_base()
ROLES = [r.name for r in KB.roles]
PRICE = re.compile(r"[£$€]\s?\d|\d+\s?(?:gbp|pounds)", re.I)
ALL_TITLES = [t for r in KB.roles for t in r.titles]


def every_reply():
    replies = [
        answers.training_options(KB),
        answers.pmo_types(KB),
        answers.contact(KB),
        answers.list_roles(KB),
        answers.list_courses(KB),
        answers.free_resources(KB),
        answers.entry_requirements(KB),
        answers.career_path(KB, None, newcomer=True),
        answers.what_about(KB),
    ]
    for course in KB.courses:
        replies.append(answers.describe_course(KB, course))
        replies += [
            answers.course_detail(KB, course, a)
            for a in ("length", "exam", "prerequisites", "accreditation", "next", "audience", "team", "format", "price")
        ]
    for family in KB.families:
        replies += [answers.describe_family(KB, family, a) for a in (None, "accreditation", "length")]
    for role in KB.roles:
        replies.append(answers.describe_role(KB, role.name))
        replies += [answers.describe_role(KB, role.name, t) for t in role.titles]
        replies += [answers.role_detail(KB, role.name, a) for a in ("duties", "skills", "titles")]
        replies.append(answers.career_path(KB, role.name))
        replies.append(answers.entry_requirements(KB, role.level))
        replies.append(answers.compare_roles(KB, role.name))
    for cert in KB.certifications:
        replies.append(answers.certification(KB, cert))
    for adjacent in KB.adjacent_roles:
        replies.append(answers.adjacent_role(KB, adjacent))
        replies.append(answers.career_change(KB, adjacent.id))
    replies.append(answers.career_change(KB, "career_changer", "nurse", asked_course=True))
    replies.append(answers.career_change(KB, "career_changer"))
    replies += [answers.decline(KB, t.what, t.id) for t in KB.declined_topics]
    return replies


@pytest.mark.parametrize("name", ROLES)
def test_first_role_answer_is_chat_sized_with_more_buttons(name):
    role = KB.role(name)
    reply = answers.describe_role(KB, name)
    assert reply.text.startswith(f"A {name} is the level {role.level} role")
    assert len(reply.text) <= answers.FIRST_REPLY_CHARS, len(reply.text)
    attributes = [json.loads(b["payload"][b["payload"].index("{") :]).get("attribute") for b in reply.buttons]
    assert {"duties", "skills", "titles"} <= set(attributes)


@pytest.mark.parametrize("role", KB.roles, ids=lambda r: r.name)
def test_every_other_title_is_written_in_its_canonical_spelling(role):
    for title in role.titles:
        reply = answers.describe_role(KB, role.name, title.lower())
        assert reply.text.startswith(f"{title} is one of the job titles for a {role.name}, the level {role.level} role")
        assert len(reply.text) <= answers.FIRST_REPLY_CHARS + 40


def test_duties_are_a_real_list():
    text = answers.role_detail(KB, "PMO Analyst", "duties").text
    assert text.startswith("Day to day, a PMO Analyst:\n\n- ")
    assert all(f"- {duty}" in text for duty in KB.role("PMO Analyst").duties)
    # the note after the list is its own paragraph, never part of the last bullet
    assert "\n\nMost people who work in PMOs" in text


def test_every_reply_reads_well():
    for reply in every_reply():
        text = reply.text
        assert text[0].isupper() or text[0].isdigit() or text.startswith("ePMO"), text
        assert not PRICE.search(text), text
        assert ".." not in text.replace("...", "") and ".:" not in text and " ." not in text, text
        assert ("they: -" not in text and "\n- " not in text.split("\n\n")[0]) or text.split("\n\n")[0].endswith(
            ":"
        ), text
        assert "Pmo " not in text and " pmo " not in text, text
        for title in ALL_TITLES + ROLES:  # canonical spelling whenever a title is named
            if title.lower() in text.lower():
                assert title in text, (title, text)
        assert reply.kind, text


def test_compare_puts_the_junior_role_first():
    reply = answers.compare_roles(KB, "PMO Director", "PMO Administrator")
    assert reply.text.index("PMO Administrator (level 1)") < reply.text.index("PMO Director (level 4)")
    assert reply.kind == "compare:PMO Administrator|PMO Director"


def test_compare_one_role_uses_the_next_level():
    assert "PMO Manager (level 3)" in answers.compare_roles(KB, "PMO Analyst").text
    assert answers.compare_roles(KB, "PMO Director").kind == "compare:PMO Manager|PMO Director"


def test_recommendation_says_why():
    rec = recommend(KB, Evidence(roles=(RoleMention("PMO Analyst", "project co-ordinator"),)))
    reply = answers.recommendation(KB, rec)
    assert reply.text.startswith(
        "Because you mentioned project co-ordinator, which is a level 2 PMO Analyst title, "
        "I'd recommend Essentials for PMO Analysts"
    )
    assert reply.buttons[-1] == {"title": "Not right? Change my level", "payload": "/inform_experience"}


def test_years_only_question_explains_itself():
    reply = answers.ask_level(KB, NeedLevel(years=8))
    assert "8 years" in reply.text and reply.text.endswith("What do you do now?")
    assert [b["payload"] for b in reply.buttons] == ["/inform_experience" + json.dumps({"role": r}) for r in ROLES]


@pytest.mark.parametrize("course", KB.courses, ids=lambda c: c.id)
def test_unverified_or_missing_lengths_point_to_the_website(course):
    text = answers.course_detail(KB, course, "length").text
    if course.length and course.length_verified:
        assert course.length in text
    else:
        assert KB.contact.website in text


def test_exam_facts_are_stated_as_in_the_knowledge_base():
    assert "35 out of 70" in answers.course_detail(KB, KB.course("p3o_foundation"), "exam").text
    assert "open book" in answers.course_detail(KB, KB.course("p3o_practitioner"), "exam").text
    essentials = answers.course_detail(KB, KB.course("essentials_analysts"), "exam").text
    assert essentials.startswith("Essentials for PMO Analysts ends with an exam") and KB.contact.website in essentials


def test_catalogue_lists_every_course_in_order_with_buttons():
    reply = answers.list_courses(KB)
    for index, course in enumerate(KB.courses, 1):
        assert f"{index}. {course.name}" in reply.text
    assert [b["title"] for b in reply.buttons] == [c.name for c in KB.courses]


def test_family_accreditation():
    assert "APMG International" in answers.describe_family(KB, KB.family_named("essentials"), "accreditation").text


def test_certifications_are_never_claimed_as_ours():
    for cert in KB.certifications:
        text = answers.certification(KB, cert).text
        assert (
            "isn't one of PMO Learning's courses" in text or "aren't one of PMO Learning's courses" in text
        ) and cert.name in text


def test_decline_names_the_topic():
    reply = answers.decline(KB, "salaries and pay", "salary")
    assert "can't advise on salaries" in reply.text and reply.kind == "decline:salary"


def test_unknown_role_is_quoted_safely():
    reply = answers.unknown_role(KB, "CEO\n\n<script>" + "x" * 200)
    assert "CEO <script>" in reply.text and "x" * 41 not in reply.text
