"""What the assistant says, checked against the knowledge base."""

import json
import re

import pytest

from bot import answers
from bot.knowledge_base import default_knowledge_base
from bot.recommend import Evidence, NeedLevel, RoleMention, recommend

KB = default_knowledge_base()
ROLES = [r.name for r in KB.roles]
PRICE = re.compile(r"[£$€]\s?\d|\d+\s?(?:gbp|pounds)", re.I)


@pytest.mark.parametrize("name", ROLES)
def test_role_description_names_role_level_and_next_steps(name):
    role = KB.role(name)
    reply = answers.describe_role(KB, name)
    assert name in reply.text and f"level {role.level}" in reply.text
    assert role.duties[0] in reply.text
    assert [b["title"] for b in reply.buttons] == ["Compare with another role", "Which course is right for me?", "Career path"]
    assert reply.buttons[1]["payload"] == "/ask_course_recommendation" + json.dumps({"role": name})


def test_role_description_for_another_title():
    reply = answers.describe_role(KB, "PMO Analyst", "controls and reporting co-ordinator")
    assert reply.text.startswith("Controls and reporting co-ordinator is one of the job titles for a PMO Analyst, a level 2 role")


@pytest.mark.parametrize("a,b", [("PMO Analyst", "PMO Manager"), ("PMO Director", "PMO Administrator")])
def test_compare_puts_the_junior_role_first(a, b):
    reply = answers.compare_roles(KB, a, b)
    low, high = sorted((KB.role(a), KB.role(b)), key=lambda r: r.level)
    assert reply.text.index(low.name) < reply.text.index(high.name)
    assert low.summary in reply.text and high.summary in reply.text


def test_compare_one_role_uses_the_next_level():
    assert "PMO Manager (level 3)" in answers.compare_roles(KB, "PMO Analyst").text
    assert "PMO Manager (level 3) and PMO Director (level 4)" in answers.compare_roles(KB, "PMO Director").text


def test_career_path_for_newcomers_mentions_ebook_and_first_course():
    text = answers.career_path(KB, None, newcomer=True).text
    assert "How to Get Started in PMO" in text and "Essentials for PMO Administrators" in text


def test_career_path_to_manager():
    text = answers.career_path(KB, "PMO Manager").text
    assert "step up from PMO Analyst" in text and "Essentials for PMO Managers" in text and "PMO Director" in text


def test_recommendation_says_why_and_lists_next_courses():
    rec = recommend(KB, Evidence(roles=(RoleMention("PMO Analyst", "project co-ordinator"),)))
    text = answers.recommendation(KB, rec).text
    assert text.startswith("Because you mentioned project co-ordinator, which is a level 2 PMO Analyst title, I'd recommend Essentials for PMO Analysts.")
    assert "P3O Foundation" in text and "Essentials for PMO Managers" in text


def test_years_only_question_explains_itself():
    reply = answers.ask_level(KB, NeedLevel(years=8))
    assert "8 years" in reply.text and reply.text.endswith("What do you do now?")
    assert [b["payload"] for b in reply.buttons] == [
        "/inform_experience" + json.dumps({"role": r}) for r in ROLES
    ]


@pytest.mark.parametrize("course", [c.name for c in KB.courses])
def test_course_details_never_state_unverified_lengths_as_fact(course):
    c = KB.course_named(course)
    text = answers.course_details(KB, c).text
    assert c.prerequisites in text
    if c.length and not c.length_verified:
        assert "please check" in text


def test_no_answer_invents_a_price():
    replies = [answers.training_options(KB), answers.pmo_types(KB), answers.contact(KB), answers.list_roles(KB)]
    replies += [answers.course_details(KB, c) for c in KB.courses]
    replies += [answers.describe_role(KB, r) for r in ROLES]
    for reply in replies:
        assert not PRICE.search(reply.text), reply.text


def test_unknown_role_is_quoted_safely():
    reply = answers.unknown_role(KB, "CEO\n\n<script>" + "x" * 200)
    assert "CEO <script>" in reply.text and "x" * 41 not in reply.text


def test_change_level_button_asks_again_instead_of_reusing_the_level():
    rec = recommend(KB, Evidence(roles=(RoleMention("PMO Analyst"),)))
    buttons = answers.recommendation(KB, rec).buttons
    assert buttons[-1] == {"title": "Not right? Change my level", "payload": "/inform_experience"}
