"""The reader: whose job each title is, when, for a team, constraints, language (bot/nlu/reading.py).

Each message goes through the project's real spaCy pipeline and entity extractor, then the reader,
exactly as PMOEntityExtractor runs them.
"""

from __future__ import annotations

import pytest

from bot.knowledge_base import default_knowledge_base
from bot.nlu.patterns import fuzzy_vocabulary
from bot.nlu.reading import Reading, asked, is_foreign, question_spans, read, read_message
from bot.nlu.spacy_pipeline import build_pipeline

KB = default_knowledge_base()


@pytest.fixture(scope="module")
def reader():
    nlp = build_pipeline(KB)
    vocabulary = fuzzy_vocabulary(KB)

    def run(text: str) -> Reading:
        return read(read_message(nlp(text), vocabulary))

    return run


def test_someone_elses_title_is_theirs(reader):
    reading = reader(
        "my boss is head of PMO and she's asked me to find a course for myself. I do the admin side for two "
        "programmes - minutes, registers, timesheets"
    )
    assert reading.others == ("PMO Director",)
    assert "PMO Director" not in reading.own_roles
    assert reading.own_roles == ("PMO Administrator",)


def test_going_back_as_makes_it_the_job_now_and_the_old_one_past(reader):
    reading = reader(
        "I was a PMO analyst for 3 years before I left to have my daughter; now going back as a PMO manager. "
        "Which course?"
    )
    assert reading.now == ("PMO Manager",) and reading.past == ("PMO Analyst",)
    assert reading.own_roles == ("PMO Manager",)


def test_promoted_to_makes_it_the_job_now(reader):
    reading = reader("I'm a PMO analyst but I've just been promoted to PMO lead. what should I do next?")
    assert reading.now == ("PMO Manager",) and reading.past == ("PMO Analyst",) and not reading.current


def test_used_to_be_is_past_and_want_to_become_is_a_target(reader):
    assert reader("I used to be a PMO administrator years ago").past == ("PMO Administrator",)
    reading = reader("I'm a project support officer and I want to become a PMO analyst")
    assert reading.current == ("PMO Administrator",) and reading.target == ("PMO Analyst",)


def test_a_question_about_oneself_is_not_a_claim(reader):
    reading = reader("I run the risk workshops. Does that make me a PMO manager for your courses?")
    assert reading.asked == ("PMO Manager",) and not reading.own_roles


def test_a_team_request_with_members_counted_and_its_lead(reader):
    reading = reader(
        "Good morning! We are a team of six in a newly formed portfolio office: two analysts, three "
        "administrators and me (I lead it). Could you put together training for all of us, ideally online?"
    )
    assert reading.team == "6" and reading.team_size == 6
    assert {(m.role, m.count) for m in reading.members} == {("PMO Analyst", 2), ("PMO Administrator", 3)}
    assert "manages_team" in reading.cues and "online" in reading.constraints


def test_a_team_wanting_training_without_titles(reader):
    reading = reader(
        "hello, I manage a team of 4 in our programme office and my director wants us all trained. we're "
        "spread across 3 sites"
    )
    assert reading.team == "4" and "sites" in reading.constraints


@pytest.mark.parametrize(
    "message",
    [
        "Hello there, I look after a small PMO (3 of us) and want to upskill a bit - what would you suggest?",
        "I manage a team of 5, which course should I do?",
        "what does a PMO analyst do?",
    ],
)
def test_no_team_request_when_the_training_is_for_the_visitor(reader, message):
    assert reader(message).team is None


def test_years_in_another_job_are_not_years_in_project_support(reader):
    assert reader("I've been a nurse for 12 years, which course?").background_years
    assert not reader("I've been in project support for 4 years, which course?").background_years


def test_work_described_sets_a_cue_for_whoever_does_it(reader):
    assert "support_work" in reader("I do the minutes, the registers and the timesheets").cues
    assert "support_work" in reader("she mostly takes minutes and chases timesheets").others_cues
    assert "support_work" in reader("mostly minutes, action logs and booking rooms").loose_cues
    assert not reader("I've never done RAID logs or timesheets").cues


def test_asking_for_someone_else(reader):
    reading = reader("my daughter is a project support officer, what would be right for her?")
    assert reading.for_someone_else and reading.others == ("PMO Administrator",)


def test_an_employers_sector_is_not_a_background():
    nlp, vocabulary = build_pipeline(KB), fuzzy_vocabulary(KB)
    employer = read_message(nlp("I head up change delivery for a retail group"), vocabulary)
    assert not [e for e in employer if e["entity"] == "background"]
    own = read_message(nlp("I've worked in retail for ten years"), vocabulary)
    assert [e["value"] for e in own if e["entity"] == "background"]


@pytest.mark.parametrize(
    "message",
    [
        "¿Qué cursos tienen?",
        "Guten Tag, ich leite ein PMO mit fünf Mitarbeitern. Welche Schulung empfehlen Sie?",
        "Bonjour, je cherche une formation pour mon équipe",
        "Helo, rydw i'n rheoli swyddfa rhaglen yng Nghaerdydd. Oes gennych chi gyrsiau?",
    ],
)
def test_other_languages(message):
    assert is_foreign(message)


@pytest.mark.parametrize(
    "message",
    [
        "what does a PMO analyst do?",
        "I'm a project coordinator in a PMO, 2 years in, and everyone says PMP is the gold standard",
        "hi im a project assistant doing meetings minutes and the drawings register",
        "ok",
    ],
)
def test_english_is_english(message):
    assert not is_foreign(message)


def test_backstory_is_not_the_question():
    text = "A recruiter suggested PMO support roles. What course should I do?"
    recruiter = {"start": text.index("recruiter")}
    course = {"start": text.index("course")}
    [(start, end)] = question_spans(text)
    assert text[start:end].strip() == "What course should I do?"
    assert not asked(text, recruiter) and asked(text, course)
    assert asked("/ask_certification", {"value": "PMP"})  # a payload has no backstory


def test_my_job_is_mine_and_options_are_asked(reader):
    assert reader("I'm going back to my PMO analyst job after 9 months off").now == ("PMO Analyst",)
    reading = reader("My job title is PMO Officer. Is that the admin level or the analyst level in your world?")
    assert reading.asked == ("PMO Administrator", "PMO Analyst") or set(reading.asked) == {
        "PMO Administrator",
        "PMO Analyst",
    }
    assert "PMO Administrator" not in reading.own_roles


def test_from_one_level_to_the_next(reader):
    reading = reader("I'm currently the PMO administrator. Is there a course that bridges admin to analyst?")
    assert "PMO Analyst" in reading.target and "PMO Administrator" in reading.own_roles


def test_an_accepted_job_is_the_job_now(reader):
    reading = reader("I've been a PMO analyst for 4 years and I've just accepted a job as the first Head of PMO")
    assert reading.now == ("PMO Director",) and reading.past == ("PMO Analyst",)


# ---------------------------------------------------------------- managing people outside PMO, corrections


def test_a_team_managed_outside_pmo_is_no_pmo_experience(reader):
    assert (
        "manages_team"
        not in reader(
            "I ran a busy restaurant for six years, a team of 15 (rotas, stock, ordering). "
            "What course should I start with?"
        ).cues
    )
    assert "manages_team" not in reader("I supervise a team of 12 drivers at a depot. Which course?").cues
    assert "manages_team" in reader("I manage a team of 4 planners in the programme office. Which course?").cues
    assert (
        "manages_team"
        not in reader(
            "Ten years as a restaurant manager with a team of 12, then I joined a project office "
            "where I do the minutes."
        ).cues
    )  # the project office comes later in the sentence: the team is still the restaurant's


def test_a_negated_team_is_no_team(reader):
    assert "manages_team" not in reader("I build the monthly dashboards. I have no direct reports.").cues


def test_a_correction_claims_the_title_said_and_not_the_one_taken_back(reader):
    reading = reader("oops, I meant coordinator not administrator")
    assert reading.own_roles == ("PMO Analyst",) and "PMO Administrator" in reading.asked


def test_from_one_title_to_another_is_where_the_visitor_is_and_where_they_go(reader):
    reading = reader("what would get me from planner to PMO manager?")
    assert reading.current == ("PMO Analyst",) and reading.target == ("PMO Manager",)


def test_a_new_starters_title_and_the_bosses_one_reports_to_are_theirs(reader):
    starter = reader("We have a new starter next week as a project support officer. Which course would suit him?")
    assert starter.others == ("PMO Administrator",) and not starter.own_roles
    boss = reader("I chase the timesheets and I report to the head of PMO. What level am I?")
    assert boss.others == ("PMO Director",) and "PMO Director" not in boss.own_roles


def test_people_the_visitor_works_for_are_not_their_background():
    nlp, vocabulary = build_pipeline(KB), fuzzy_vocabulary(KB)
    found = read_message(nlp("I keep the schedule for 40 engineers on the programme"), vocabulary)
    assert not [e for e in found if e["entity"] == "background"]
    found = read_message(nlp("I was an engineer for 10 years, now I want to work in a PMO"), vocabulary)
    assert [e["value"] for e in found if e["entity"] == "background"] == ["career_changer"]


def test_a_subject_before_ba_is_a_degree_not_a_business_analyst():
    nlp, vocabulary = build_pipeline(KB), fuzzy_vocabulary(KB)
    degree = read_message(nlp("I finished my history BA in June, what is a PMO?"), vocabulary)
    assert not [e for e in degree if e["entity"] == "other_role"]
    job = read_message(nlp("we need a senior BA on the programme"), vocabulary)
    assert [e["value"] for e in job if e["entity"] == "other_role"] == ["Business Analyst"]


def test_people_named_in_the_message_hold_their_own_titles(reader):
    reading = reader(
        "I run the PMO. Next month Leo is joining as a PMO analyst and Maya has been a programme support officer "
        "for a year. What should Leo do?"
    )
    assert reading.own_roles == ()
    assert reading.others[:1] == ("PMO Analyst",)  # the person asked about first
    assert reading.for_someone_else


def test_a_mate_of_mine_is_someone_else(reader):
    reading = reader("a mate of mine works as a PMO manager. I'm a chef. where do I start?")
    assert "PMO Manager" in reading.others and "PMO Manager" not in reading.own_roles


def test_the_people_the_visitor_manages_hold_those_titles(reader):
    promoted = reader("I was promoted last year to PMO lead and now I line manage three analysts and an administrator.")
    assert promoted.now == ("PMO Manager",)
    reading = reader("Since the spring I oversee the administrator of our project office. What should I study?")
    assert "PMO Administrator" not in reading.own_roles


def test_a_listed_team_with_a_request_for_all_of_them_is_a_team(reader):
    reading = reader(
        "Our portfolio office has 3 PMO managers, 5 analysts and 4 support officers. We'd like something "
        "consistent for all of them - where would you start?"
    )
    assert reading.team and {m.role for m in reading.members} >= {"PMO Manager", "PMO Analyst"}


def test_one_named_team_member_and_a_group_are_both_members(reader):
    reading = reader(
        "As head of delivery I want my PMO manager and his three analysts trained, plus something for myself. "
        "What would suit each of us?"
    )
    assert reading.team and {m.role for m in reading.members} == {"PMO Manager", "PMO Analyst"}


def test_mostly_support_work_with_one_report_is_support_work(reader):
    reading = reader("I book rooms, type up minutes, chase actions and keep the timesheets, plus one monthly report.")
    assert "support_work" in (*reading.cues, *reading.loose_cues)
    assert "analyst_work" not in (*reading.cues, *reading.loose_cues)


def test_a_course_name_before_a_full_stop_is_still_read(reader):
    nlp = build_pipeline(KB)
    vocabulary = fuzzy_vocabulary(KB)
    found = read_message(nlp("Our director keeps mentioning MoP. Is it any good for a portfolio analyst?"), vocabulary)
    assert any(e["entity"] == "course" and e["value"].startswith("MoP") for e in found)
    assert [t.text for t in nlp("about MoP.")] == ["about", "MoP", "."]
    assert [t.text for t in nlp("the U.S. office")] == ["the", "U.S.", "office"]


def test_an_organisation_setting_up_a_pmo_is_not_the_visitor_running_it(reader):
    reading = reader("My company is standing up a PMO and has offered me a planner job in it. Which course?")
    assert "runs_pmo" not in reading.cues


def test_a_person_introduced_by_apposition_is_someone_else(reader):
    reading = reader("We've had a change. Amir, our senior project co-ordinator, will run the new PMO. Which course?")
    assert reading.own_roles == () and reading.others == ("PMO Analyst",)


def test_people_the_visitor_will_hire_are_the_team(reader):
    reading = reader(
        "We're about to recruit a PMO manager and a PMO administrator. How would your courses map to those two "
        "people?"
    )
    assert reading.team and {m.role for m in reading.members} == {"PMO Manager", "PMO Administrator"}


def test_running_a_pmo_said_with_never_is_no_cue(reader):
    reading = reader(
        "Planner for 15 years, P6 and critical path. I've never run a PMO and don't want to. What level am I?"
    )
    assert "runs_pmo" not in reading.cues and "analyst_work" in (*reading.cues, *reading.loose_cues)


def test_an_organisation_setting_up_its_pmo_is_not_the_visitor(reader):
    reading = reader("We're setting up a PMO next year and I've been asked to join it as a PMO analyst. Which course?")
    assert "runs_pmo" not in reading.cues


def test_portfolio_work_described_is_analyst_work(reader):
    reading = reader(
        "I keep the portfolio register, write the board papers and run the prioritisation scoring. Which course?"
    )
    assert "analyst_work" in (*reading.cues, *reading.loose_cues)


def test_a_title_said_as_mine_inside_a_question_is_a_claim_but_a_bare_manager_is_not(reader):
    assert reader("is MoP worth doing if I'm only an administrator?").current == ("PMO Administrator",)
    assert reader("does that make me a PMO analyst?").asked == ("PMO Analyst",)
    assert not reader("is the managers course for me since I'm a manager?").current


def test_the_work_of_a_junior_who_does_it_is_theirs(reader):
    reading = reader("I run our little project office with one junior who takes the minutes and books the rooms.")
    assert "support_work" in reading.others_cues and "support_work" not in reading.cues


def test_the_person_the_visitors_work_is_done_for_is_someone_else(reader):
    served = reader("I put together the weekly dashboard for the PMO manager and chase the RAID log updates.")
    assert served.others == ("PMO Manager",) and not served.current and not served.now
    beside = reader("I sit alongside the senior PMO analyst and keep the project registers.")
    assert beside.others == ("PMO Analyst",) and not beside.current
    # ... but a move, a post or a course after the preposition is the visitor's own
    assert reader("I'd love to move to the PMO manager job eventually").target == ("PMO Manager",)
    assert reader("I've just been promoted to the PMO lead position").now == ("PMO Manager",)
    assert not reader("I think I'll go for the analyst one first").others


def test_a_course_the_visitor_has_done_is_read_as_done(reader):
    assert reader("I sat P3O Foundation last spring and passed. What comes next?").done == ("P3O Foundation",)
    assert reader("I've already done both P3O levels, so what now").done == ("family:p3o",)
    # a condition, a question or someone else's course is not the visitor's
    assert not reader("Do I need to have done P3O Foundation before the practitioner?").done
    assert not reader("I have a question about P3O Foundation").done
    assert not reader("My manager has done P3O Foundation and loved it").done
    assert not reader("I did P3O Foundation last year but failed the exam by two marks").done


def test_a_department_listed_by_counted_groups_for_a_development_plan_is_a_team(reader):
    reading = reader(
        "I'm drafting a learning plan for our department - 3 PMO analysts, 2 programme office managers and a"
        " couple of admins. What would you suggest?"
    )
    assert reading.team is not None
    assert {(m.role, m.count) for m in reading.members} >= {("PMO Analyst", 3), ("PMO Administrator", 2)}
    assert not reading.current and not reading.unassigned, "the admins are members, not the visitor"


def test_the_person_who_advises_is_not_one_of_the_people_to_train(reader):
    adviser = reader("can you train our new starters? our PMO lead says they should do PRINCE2 foundation first")
    assert not any(m.role == "PMO Manager" for m in adviser.members) and "PMO Manager" in adviser.others
    trainee = reader("I want to get my PMO manager and her three analysts trained together")
    assert {m.role for m in trainee.members} == {"PMO Manager", "PMO Analyst"}


def test_the_one_who_runs_the_office_said_of_oneself_is_the_visitors_work(reader):
    assert reader("Honestly I'm the one who runs the project office, whatever my title says.").cues == ("runs_pmo",)
    assert not reader("My boss is the one who runs the project office.").cues
