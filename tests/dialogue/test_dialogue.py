"""Conversation context, follow-ups and the beyond-the-catalogue guards (pure).

Each turn goes through the project's real spaCy pipeline (built in memory from
the knowledge base) and the real entity extractor; only the intent is given,
as the classifier would give it.

Over 300 lines: one test per conversational behaviour of bot.dialogue, grouped by topic.
"""

from __future__ import annotations

from typing import List

import pytest

from bot.dialogue import (
    Context,
    Turn,
    context_from_slots,
    digression_job,
    looks_like_question,
    slots_from_context,
)
from bot.knowledge_base import default_knowledge_base

KB = default_knowledge_base()


def kinds(outcome) -> List[str]:
    return [r.kind for r in outcome.replies]


def text(outcome) -> str:
    return "\n".join(r.text for r in outcome.replies)


def test_length_follow_up_after_a_recommendation(talk):
    rec, length = talk(
        [
            ("recommend", "ask_course_recommendation", "im a pmo manager, what course?"),
            ("course", "ask_course_details", "how long does it last?"),
        ]
    )
    assert kinds(rec) == ["recommendation:3"]
    assert text(length) == "Essentials for PMO Managers takes 3 days in a virtual classroom."


def test_exam_follow_up_after_a_course(talk):
    _, exam, practitioner = talk(
        [
            ("course", "ask_course_details", "tell me about P3O Foundation"),
            ("course", "ask_course_details", "does it have an exam?"),
            ("follow_up", "follow_up", "and the practitioner?"),
        ]
    )
    assert "75 multiple-choice questions" in text(exam) and "closed book" in text(exam)
    assert kinds(practitioner) == ["course:P3O Practitioner"]


def test_and_a_manager_after_a_comparison_compares_with_the_nearer_role(talk):
    _, follow = talk(
        [
            ("compare", "compare_roles", "difference between an administrator and an analyst"),
            ("follow_up", "follow_up", "and a manager?"),
        ]
    )
    assert kinds(follow) == ["compare:PMO Analyst|PMO Manager"]


def test_catalogue_then_position_then_role_word(talk):
    listing, second, managers = talk(
        [
            ("course_list", "ask_course_list", "what courses do you run?"),
            ("follow_up", "follow_up", "the second one"),
            ("follow_up", "follow_up", "the one for managers"),
        ]
    )
    assert kinds(listing) == ["catalogue"]
    assert kinds(second) == ["course:Essentials for PMO Analysts"]
    assert kinds(managers) == ["course:Essentials for PMO Managers"]


def test_whats_next_after_a_recommendation(talk):
    _, after = talk(
        [
            ("recommend", "ask_course_recommendation", "I'm a project co-ordinator, which course?"),
            ("follow_up", "follow_up", "what comes after that?"),
        ]
    )
    assert "P3O Foundation" in text(after) and "Essentials for PMO Managers" in text(after)


def test_team_follow_up_offers_in_house(talk):
    _, team = talk(
        [
            ("course", "ask_course_details", "tell me about essentials for pmo analysts"),
            ("course", "ask_course_details", "could my whole team take it?"),
        ]
    )
    assert "in-house" in text(team) and team.replies[0].buttons[0]["payload"] == "/request_human"


def test_ambiguous_follow_up_asks_with_buttons(talk):
    [outcome] = talk([("course", "ask_course_details", "how long is it?")])
    assert kinds(outcome) == ["ask_course"]
    assert all('"attribute": "length"' in b["payload"] for b in outcome.replies[0].buttons)


def test_family_questions(talk):
    certifies, p3o, portfolio = talk(
        [
            ("course", "ask_course_details", "who certifies the essentials courses?"),
            ("course", "ask_course_details", "tell me about p3o"),
            ("course", "ask_course_details", "do you cover portfolio management?"),
        ]
    )
    assert "APMG International" in text(certifies)
    assert "P3O Foundation" in text(p3o) and "P3O Practitioner" in text(p3o)
    assert "MoP" in text(portfolio)


def test_role_attribute_follow_ups(talk):
    _, duties, skills = talk(
        [
            ("describe_role", "ask_role_description", "what's a scheduler?"),
            ("describe_role", "ask_role_description", "what do they do day to day?"),
            ("describe_role", "ask_role_description", "what skills do they need?"),
        ]
    )
    assert "Day to day, a PMO Analyst" in text(duties)
    assert "Useful strengths for a PMO Analyst" in text(skills)


def test_which_course_suits_them_leans_on_the_role_just_described(talk):
    _, rec = talk(
        [
            ("describe_role", "ask_role_description", "what's a scheduler"),
            ("recommend", "ask_course_recommendation", "which course suits them?"),
        ]
    )
    assert kinds(rec) == ["recommendation:2"]


@pytest.mark.parametrize("background", ["nurse", "teacher", "graduate", "retail worker"])
def test_career_changers_get_the_level_1_course(talk, background):
    [rec] = talk(
        [("recommend", "ask_course_recommendation", f"I'm a {background} wanting to move into PMO, which course?")]
    )
    assert kinds(rec) == ["recommendation:1"] and "Essentials for PMO Administrators" in text(rec)


def test_side_question_while_the_level_question_is_open_asks_it_again(talk):
    ask, side = talk(
        [
            ("recommend", "ask_course_recommendation", "which course is right for me?"),
            ("describe_role", "ask_role_description", "what does a pmo planner do?"),
        ]
    )
    assert kinds(ask) == ["ask_level"] and kinds(side) == ["role:PMO Analyst", "ask_level"]


@pytest.mark.parametrize(
    "job,intent,message,kind",
    [
        ("describe_role", "ask_role_description", "how much does a PMO analyst earn?", "decline:salary"),
        ("describe_role", "ask_role_description", "are there any pmo manager vacancies?", "decline:vacancies"),
        ("course", "ask_course_details", "can you sponsor my visa for the p3o course", "decline:visa"),
        ("describe_role", "ask_role_description", "what does a resource manager do in a PMO?", "specialist_role"),
        (
            "compare",
            "compare_roles",
            "what's the difference between a PMO and a project manager?",
            "adjacent_role:project_manager",
        ),
        ("compare", "compare_roles", "business analyst vs pmo analyst", "adjacent_role:business_analyst"),
        ("recommend", "ask_course_recommendation", "PMP or P3O for a PMO job?", "certification:PMP"),
        ("career_change", "ask_career_change", "Does PRINCE2 help me get a PMO support job?", "certification:PRINCE2"),
        ("training_options", "ask_training_options", "Is PMO-CP one of yours?", "certification:PMO-CP"),
        ("certification", "ask_certification", "is ITIL worth doing for pmo", "certification:unknown"),
        (
            "career_change",
            "ask_career_change",
            "I'm a business analyst, could I move into a PMO analyst job?",
            "background:business_analyst",
        ),
        (
            "career_change",
            "ask_career_change",
            "I was a project manager for six years and was made redundant, is PMO for me?",
            "background:project_manager",
        ),
        (
            "entry_requirements",
            "ask_entry_requirements",
            "What qualifications does a PMO admin need?",
            "entry_requirements",
        ),
        ("describe_role", "ask_role_description", "what does an HR analyst do", "unknown_title"),
    ],
)
def test_beyond_the_catalogue(talk, job, intent, message, kind):
    [outcome] = talk([(job, intent, message)])
    assert kinds(outcome) == [kind], text(outcome)


@pytest.mark.parametrize("message", ["I'm head of HR, which course?", "I manage a team of nurses, which course?"])
def test_cues_outside_pmo_never_set_a_level(talk, message):
    [outcome] = talk([("recommend", "ask_course_recommendation", message)])
    assert not any(k in ("recommendation:3", "recommendation:4") for k in kinds(outcome)), kinds(outcome)


def test_context_round_trips_through_slots_and_drops_forged_values():
    ctx = Context(
        role="PMO Analyst",
        course="P3O Foundation",
        compared=("PMO Analyst", "PMO Manager"),
        listed=("course:P3O Foundation",),
        topic="course",
        level=2,
        recommended="P3O Foundation",
    )
    slots = slots_from_context(Context(), ctx)
    assert context_from_slots(KB, slots) == ctx
    forged = context_from_slots(
        KB,
        {
            "context_role": "CEO",
            "context_course": "Free Money",
            "pmo_level": 9,
            "context_compared": ["CEO", "PMO Analyst"],
        },
    )
    assert (
        forged.role is None and forged.course is None and forged.level is None and forged.compared == ("PMO Analyst",)
    )


@pytest.mark.parametrize(
    "text,question",
    [
        ("hang on, what does a planner do?", True),
        ("wait what is a pmo analyst", True),
        ("Sam Taylor", False),
        ("Acme Project Office Ltd", False),
        ("sam@example.com", False),
        ("about 12 people", False),
    ],
)
def test_questions_inside_the_form_are_told_apart_from_answers(text, question):
    assert looks_like_question(text) is question
    assert (digression_job(Turn("ask_role_description", (), text), 0.9) is not None) is question


def test_a_low_confidence_guess_is_not_a_digression():
    assert digression_job(Turn("ask_role_description", (), "what?"), 0.3) is None
    assert digression_job(Turn("greet", (), "hi?"), 0.99) is None


def test_the_answer_to_which_course_keeps_the_question(talk):
    ask, answer = talk(
        [("course", "ask_course_details", "how long is it?"), ("follow_up", "follow_up", "the foundation one i think")]
    )
    assert kinds(ask) == ["ask_course"]
    assert text(answer).startswith("P3O Foundation takes 3 days")


def test_and_the_director_after_skills_keeps_the_attribute(talk):
    _, director = talk(
        [
            ("describe_role", "ask_role_description", "what skills does a pmo analyst need?"),
            ("follow_up", "follow_up", "and the director?"),
        ]
    )
    assert text(director).startswith("Useful strengths for a PMO Director")


@pytest.mark.parametrize(
    "first,second",
    [
        ("what's an epmo manager?", "is that the same as head of pmo?"),
        ("whats a pmo officer", "is that the same level as a pmo co-ordinator"),
    ],
)
def test_two_titles_of_one_role_are_the_same_level(talk, first, second):
    _, same = talk([("describe_role", "ask_role_description", first), ("compare", "compare_roles", second)])
    assert text(same).startswith("Yes:") and "same role" in text(same)


def test_two_titles_in_one_message_are_the_same_level(talk):
    [same] = talk([("compare", "compare_roles", "are a project controller and a pmo planner the same level?")])
    assert text(same).startswith("Yes: Project Controller and PMO Planner are titles for the same role, PMO Analyst")


def test_moving_up_recommends_the_next_level(talk):
    [rec] = talk(
        [("recommend", "ask_course_recommendation", "I'm a project administrator and want to move up, which course?")]
    )
    assert kinds(rec) == ["recommendation:2"] and "move up" in text(rec)


def test_experienced_support_staff_are_level_2(talk):
    [rec] = talk(
        [("recommend", "ask_course_recommendation", "project support officer with 4 years experience, what course?")]
    )
    assert kinds(rec) == ["recommendation:2"]


def test_a_course_for_the_role_just_described_says_whose_level_it_is(talk):
    _, rec = talk(
        [
            ("describe_role", "ask_role_description", "what's a project controller?"),
            ("recommend", "ask_course_recommendation", "which course would suit them?"),
        ]
    )
    assert text(rec).startswith("Because a PMO Analyst works at level 2")


def test_exam_length_is_the_exam_not_the_course(talk):
    _, exam = talk(
        [
            ("course", "ask_course_details", "tell me about p3o practitioner"),
            ("course", "ask_course_details", "how long is the exam?"),
        ]
    )
    assert "150 minutes" in text(exam) and "2 days" not in text(exam)


def test_a_follow_up_after_a_declined_topic_is_declined_too(talk):
    _, again = talk(
        [
            ("decline", "ask_beyond_scope", "what does a pmo analyst earn?"),
            ("follow_up", "follow_up", "ok what about a pmo manager"),
        ]
    )
    assert kinds(again) == ["decline:salary"]


def test_one_kind_of_pmo(talk):
    [kind] = talk([("pmo_types", "ask_pmo_types", "what's a programme office?")])
    assert text(kind).startswith("Programme office:") and len(text(kind)) < 200


@pytest.mark.parametrize(
    "job,intent",
    [
        ("capabilities", "ask_capabilities"),
        ("entry_requirements", "ask_entry_requirements"),
        ("fallback", "nlu_fallback"),
    ],
)
def test_a_question_about_it_is_answered_for_the_role_in_context_whatever_the_intent(talk, job, intent):
    _, skills = talk(
        [
            ("describe_role", "ask_role_description", "what does a project assistant do?"),
            (job, intent, "what skills do you need for it"),
        ]
    )
    assert text(skills).startswith("Useful strengths for a PMO Administrator")


def test_my_team_of_five_after_a_course_is_about_in_house_training(talk):
    _, team = talk(
        [
            ("course", "ask_course_details", "tell me about essentials for pmo managers"),
            ("recommend", "inform_experience", "can my team of five do it too"),
        ]
    )
    assert "in-house" in text(team)


def test_why_after_a_recommendation_gives_the_reason(talk):
    _, why = talk(
        [
            ("recommend", "ask_course_recommendation", "i'm brand new to pmo, which course?"),
            ("follow_up", "follow_up", "why that one?"),
        ]
    )
    assert text(why).startswith("I suggested Essentials for PMO Administrators because it's the course for level 1")


@pytest.mark.parametrize(
    "message,kind",
    [
        ("I'm a hiring manager, my new PMO admins need training, which course?", "recommendation:1"),
        ("My boss is a PMO manager. I'm a project assistant. what course for me?", "recommendation:1"),
    ],
)
def test_manager_in_another_sense_sets_no_level(talk, message, kind):
    [rec] = talk([("recommend", "ask_course_recommendation", message)])
    assert kinds(rec) == [kind], text(rec)


def test_no_when_the_named_body_is_not_the_one(talk):
    [answer] = talk([("course", "ask_course_details", "is MoP certified by APMG?")])
    assert text(answer).startswith("No. MoP Foundation and Practitioner:") and "PeopleCert" in text(answer)


def test_which_course_for_the_second_one_after_a_comparison(talk):
    _, rec = talk(
        [
            ("compare", "compare_roles", "difference between a pmo manager and a pmo director"),
            ("recommend", "ask_course_recommendation", "which course for the second one?"),
        ]
    )
    assert kinds(rec) == ["recommendation:4"]


def test_the_other_one_after_a_p3o_course(talk):
    _, _, other = talk(
        [
            ("course", "ask_course_details", "tell me about p3o"),
            ("course", "ask_course_details", "is the foundation exam open book?"),
            ("follow_up", "follow_up", "and the other one?"),
        ]
    )
    assert kinds(other) == ["course:P3O Practitioner"] and "open book" in text(other)


def test_how_long_do_i_get_after_the_exam_is_the_exam(talk):
    _, duration = talk(
        [
            ("course", "ask_course_details", "how many questions in the p3o foundation exam"),
            ("course", "ask_course_details", "how long do i get?"),
        ]
    )
    assert "60 minutes" in text(duration)


@pytest.mark.parametrize("question", ["how much do they cost?", "when is the next one?"])
def test_prices_and_dates_never_ask_which_course(talk, question):
    _, answer = talk(
        [
            ("course", "ask_course_details", "who certifies the essentials courses"),
            ("course", "ask_course_details", question),
        ]
    )
    assert "can't quote prices, dates" in text(answer) or "can't quote prices or dates" in text(answer)


def test_is_that_the_same_as_another_level(talk):
    _, no = talk(
        [
            ("describe_role", "ask_role_description", "what's an epmo manager"),
            ("compare", "compare_roles", "is that the same as a pmo manager?"),
        ]
    )
    assert text(no).startswith("No: ePMO Manager is a PMO Director title, level 4")


def test_foundation_and_practitioner_together(talk):
    [both] = talk([("course", "ask_course_details", "can i do p3o foundation and practitioner together")])
    assert "5 days" in text(both)


# ---- PMO jargon, "what does that mean?", advice asked with experience stated ----------------------


@pytest.mark.parametrize(
    "typed,technique,role",
    [
        ("what is a RAID log?", "registers", "PMO Administrator"),
        ("whats a risk regsiter", None, None),  # a typo in a technique term is not guessed at
        ("how do i do a gantt chart", "planning", "PMO Analyst"),
        ("what's a RAG status on a highlight report", "reporting", "PMO Analyst"),
        ("can you explain raci?", "governance", "PMO Manager"),
    ],
)
def test_pmo_jargon_says_who_does_that_work(talk, typed, technique, role):
    [outcome] = talk([("out_of_scope", "out_of_scope", typed)])
    if technique is None:
        assert kinds(outcome) != [f"technique:{t.id}" for t in KB.techniques]
        return
    assert kinds(outcome) == [f"technique:{technique}"]
    duty = next(t for t in KB.techniques if t.id == technique).duty
    assert KB.role(role).duties[duty] in text(outcome) and "can't teach" in text(outcome)
    assert outcome.context.role == role and outcome.context.topic == "technique"


def test_after_jargon_which_course_is_for_that_role(talk):
    _, course = talk(
        [
            ("out_of_scope", "out_of_scope", "what's a raid log"),
            ("fallback", "nlu_fallback", "which course would help with that?"),
        ]
    )
    assert "Essentials for PMO Administrators" in text(course)


def test_jargon_with_a_role_named_is_about_the_role(talk):
    [outcome] = talk([("describe_role", "ask_role_description", "does a pmo analyst build dashboards?")])
    assert not any(k.startswith("technique") for k in kinds(outcome))


def test_what_does_that_mean_after_a_role_gives_the_day_to_day(talk):
    first, meaning, again = talk(
        [
            ("describe_role", "ask_role_description", "what does a pmo manager do"),
            ("fallback", "nlu_fallback", "what does that mean?"),
            ("out_of_scope", "out_of_scope", "in plain english please"),
        ]
    )
    assert "Day to day, a PMO Manager" in text(meaning)
    assert "Which part?" in text(again) and again.replies[0].buttons


def test_what_does_that_mean_after_a_course_offers_its_parts(talk):
    _, meaning = talk(
        [
            ("course", "ask_course_details", "tell me about p3o foundation"),
            ("describe_role", "ask_role_description", "what does that mean?"),
        ]
    )
    assert "P3O Foundation" in text(meaning) and "Which part" in text(meaning)
    assert "four levels" not in text(meaning)


@pytest.mark.parametrize(
    "typed,course",
    [
        (
            "I run a small PMO of 3 people and I'm thinking about upskilling, what would you suggest?",
            "Essentials for PMO Managers",
        ),
        ("been a project support officer a while now, any advice?", "Essentials for PMO Administrators"),
    ],
)
def test_advice_asked_with_experience_stated_gets_a_recommendation(talk, typed, course):
    for job, intent in (("fallback", "nlu_fallback"), ("out_of_scope", "out_of_scope")):
        [outcome] = talk([(job, intent, typed)])
        assert course in text(outcome), (job, text(outcome))
