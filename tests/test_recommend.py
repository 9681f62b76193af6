"""Recommendation logic: every title, every cue, years alone, forged values."""

import pytest

from bot.knowledge_base import default_knowledge_base
from bot.recommend import (
    CUE_LEVELS,
    Evidence,
    NeedLevel,
    Recommendation,
    RoleMention,
    evidence_from_entities,
    past_done,
    recommend,
)

KB = default_knowledge_base()
MAIN_COURSE = {
    1: "Essentials for PMO Administrators",
    2: "Essentials for PMO Analysts",
    3: "Essentials for PMO Managers",
    4: "Essentials for PMO Directors",
}
ALL_TITLES = [(title, role.name, role.level) for role in KB.roles for title in [role.name, *role.titles]]


@pytest.mark.parametrize("title,role,level", ALL_TITLES)
def test_every_title_gets_its_level_course_and_a_reason(title, role, level):
    outcome = recommend(KB, Evidence(roles=(RoleMention(role=role, text=title.lower()),)))
    assert isinstance(outcome, Recommendation)
    assert (outcome.level, outcome.role, outcome.main.name) == (level, role, MAIN_COURSE[level])
    assert f"level {level}" in outcome.reason
    assert outcome.next_courses, "always suggests a next step"


def test_reason_quotes_the_title_the_user_typed():
    outcome = recommend(KB, Evidence(roles=(RoleMention("PMO Analyst", "project co-ordinator"),)))
    assert outcome.reason == "you mentioned project co-ordinator, which is a level 2 PMO Analyst title"


@pytest.mark.parametrize("cue,level", [(cue, level) for cue, (level, _) in CUE_LEVELS.items()])
def test_every_cue(cue, level):
    outcome = recommend(KB, Evidence(cues=(cue,)))
    assert isinstance(outcome, Recommendation)
    assert outcome.level == level and outcome.main.name == MAIN_COURSE[level]


def test_newcomers_get_the_free_ebook():
    outcome = recommend(KB, Evidence(cues=("new_to_pmo",)))
    assert outcome.free_ebook and [c.name for c in outcome.next_courses] == ["P3O Foundation"]


@pytest.mark.parametrize("years", [1, 8, 25])
def test_years_alone_ask_a_question(years):
    assert recommend(KB, Evidence(years=years)) == NeedLevel(years=years)


def test_nothing_at_all_asks_a_question():
    assert recommend(KB, Evidence()) == NeedLevel()


def test_a_title_beats_years_and_cues():
    outcome = recommend(KB, Evidence(roles=(RoleMention("PMO Analyst", "scheduler"),), cues=("runs_pmo",), years=8))
    assert outcome.level == 2


def test_the_most_senior_cue_wins():
    assert recommend(KB, Evidence(cues=("manages_team", "several_pmos"))).level == 4


def test_evidence_drops_forged_and_odd_values():
    entities = [
        {"entity": "role", "value": "CEO"},
        {"entity": "role", "value": "PMO Manager", "text": "pmo lead"},
        {"entity": "role", "value": "PMO Manager", "text": "manager"},
        {"entity": "experience", "value": "astronaut"},
        {"entity": "experience", "value": "runs_pmo"},
        {"entity": "years", "value": "9999"},
        {"entity": "years", "value": {"$gt": 1}},
        {"entity": "role", "value": ["PMO Analyst"]},
    ]
    assert evidence_from_entities(KB, entities) == Evidence(
        roles=(RoleMention("PMO Manager", "pmo lead"),), cues=("runs_pmo",), years=None
    )


def test_reason_for_a_button_click_does_not_claim_the_user_typed_it():
    outcome = recommend(KB, Evidence(roles=(RoleMention("PMO Manager"),)))
    assert outcome.reason == "you're at the PMO Manager level, level 3 (management level)"


def test_reason_for_the_canonical_name():
    outcome = recommend(KB, Evidence(roles=(RoleMention("PMO Analyst", "PMO analysts"),)))
    assert outcome.reason == "you mentioned the PMO Analyst role, which is level 2 (practitioner level)"


def test_support_work_for_years_or_wanting_to_progress_is_ready_for_level_2():
    from bot.knowledge_base import default_knowledge_base
    from bot.recommend import Evidence, level_from_evidence

    kb = default_knowledge_base()
    assert level_from_evidence(kb, Evidence(cues=("support_work",)))[0] == 1
    assert level_from_evidence(kb, Evidence(cues=("support_work",), years=3))[0] == 2
    assert level_from_evidence(kb, Evidence(cues=("support_work",), moving_up=True))[0] == 2
    assert level_from_evidence(kb, Evidence(cues=("new_to_pmo",), years=5))[0] == 1


def test_courses_done_move_the_suggestion_on_and_name_what_follows_them():
    analyst = recommend(KB, Evidence(roles=(RoleMention("PMO Analyst"),)))
    moved = past_done(KB, analyst, ["Essentials for PMO Analysts"])
    assert moved.main.name == "P3O Foundation" and [c.name for c in moved.done] == ["Essentials for PMO Analysts"]
    manager = recommend(KB, Evidence(roles=(RoleMention("PMO Manager"),)))
    beside = past_done(KB, manager, ["family:p3o"])
    assert beside.main.name == "Essentials for PMO Managers" and not beside.done
    assert [(a.name, b.name) for a, b in beside.after_done] == [("P3O Practitioner", "MoP Foundation and Practitioner")]
    assert past_done(KB, manager, ["no such course"]) == manager
