"""The moves real conversations make, through bot.dialogue.respond with the real pipeline and reader:
switching to someone else and back, pushing back on a level, a team's courses as "it", a course that
is not one level's weighed against the visitor, and the enquiry form taking a statement instead of a name.

The sentences are our own (never the corpus's); intents are given as the classifier tends to give them.
"""

from __future__ import annotations

from typing import List

from bot.dialogue import Context, Turn, digression_job
from bot.knowledge_base import default_knowledge_base
from bot.nlu.clauses import split_questions
from bot.nlu.sentences import focus

KB = default_knowledge_base()


def text(outcome) -> str:
    return "\n".join(r.text for r in outcome.replies)


def courses_named(outcome) -> List[str]:
    return [c.name for c in KB.courses if c.name in text(outcome)]


# ---------------------------------------------------------------- someone else, then back to the visitor


def test_her_course_then_hers_then_mine(talk):
    first, hers, length, mine = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "I'm PA to our head of PMO and I do the diary, the minutes and the action log. Which course suits me?",
            ),
            ("follow_up", "follow_up", "and for her, is there something at her level?"),
            ("fallback", "out_of_scope", "how many days is hers?"),
            ("recommend", "ask_course_recommendation", "and what about me again?"),
        ]
    )
    assert courses_named(first) == ["Essentials for PMO Administrators"]
    assert first.context.other == "PMO Director"  # the boss is remembered, not taken as the visitor's level
    assert "Essentials for PMO Directors" in text(hers) and "Essentials for PMO Administrators" not in text(hers)
    assert "2 days" in text(length) and "Essentials for PMO Directors" in text(length)
    assert hers.context.level == 1, "her level never becomes the visitor's"
    assert "Essentials for PMO Administrators" in text(mine)


def test_new_facts_about_her_change_her_course(talk):
    first, corrected = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "I want to put my PMO Officer on a course. She builds the monthly dashboards. What level is that?",
            ),
            ("fallback", "out_of_scope", "sorry, she only started last month and mainly files and takes the minutes"),
        ]
    )
    assert "Essentials for PMO Analysts" in text(first)
    assert courses_named(corrected) == ["Essentials for PMO Administrators"]


def test_does_that_count_after_prerequisites_leaves_it_to_the_team(talk):
    *_, counted = talk(
        [
            ("recommend", "ask_course_recommendation", "My manager has just become head of PMO, which course for her?"),
            ("course", "ask_course_details", "does she need anything before she books it?"),
            ("fallback", "out_of_scope", "he ran projects for ten years, would that count?"),
        ]
    )
    assert "Essentials for PMO Managers" in text(counted) and "team" in text(counted)


# ---------------------------------------------------------------- pushing back on a level


def test_not_the_bottom_gives_the_next_level_and_the_two_roles_compare(talk):
    _, higher, difference = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "I'm a nurse and want to move into a PMO. Where do I begin?",
            ),
            (
                "fallback",
                "out_of_scope",
                "honestly I don't want to start from the bottom rung, I ran budgets and reports",
            ),
            ("compare", "compare_roles", "what's the difference between those two then?"),
        ]
    )
    assert "Essentials for PMO Analysts" in text(higher) and "Essentials for PMO Managers" not in text(higher)
    assert "PMO Administrator" in text(difference) and "PMO Analyst" in text(difference)


def test_not_ready_gives_the_level_below(talk):
    *_, lower = talk(
        [
            ("recommend", "ask_course_recommendation", "I'm a PMO analyst, which course should I take?"),
            ("course", "ask_course_details", "hmm, or should I just do the managers one instead?"),
            ("fallback", "out_of_scope", "actually I'm probably not ready for that"),
        ]
    )
    assert "Essentials for PMO Analysts" in text(lower) and "Essentials for PMO Directors" not in text(lower)


# ---------------------------------------------------------------- a team's courses


def test_a_teams_one_course_is_it(talk):
    team, length = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "I lead a PMO and four new project support officers join in March. What should they go on?",
            ),
            ("course", "ask_course_details", "how many days is it?"),
        ]
    )
    assert "in-house" in text(team) and "Essentials for PMO Administrators" in text(team)
    assert "3 days" in text(length) and "Essentials for PMO Administrators" in text(length)


def test_a_teams_courses_answered_together(talk):
    *_, certified = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "I run a PMO with two planners and three admins. What would you put each group on?",
            ),
            ("fallback", "out_of_scope", "who certifies those?"),
        ]
    )
    assert "APMG" in text(certified)
    assert "Essentials for PMO Analysts" in text(certified) and "Essentials for PMO Administrators" in text(certified)


def test_counts_written_after_the_titles(talk):
    *_, counted = talk(
        [
            ("recommend", "ask_course_recommendation", "We're a PMO team of nine wanting training together."),
            ("recommend", "inform_experience", "the planners are 5, the admins 3"),
        ]
    )
    assert "5 analysts" in text(counted) and "3 administrators" in text(counted)


def test_a_singular_title_beside_the_members_is_the_lead(talk):
    [team] = talk(
        [
            (
                "recommend",
                "inform_experience",
                "Head of PMO here. My team of 8 is analysts and project support officers. What can we book?",
            )
        ]
    )
    assert "you, leading it: Essentials for PMO Directors" in text(team)
    assert "the directors" not in text(team)


def test_another_course_for_the_team_is_weighed(talk):
    *_, weighed = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "I manage a PMO with four analysts in it, what should they take?",
            ),
            ("course", "ask_course_details", "would it make sense to put them all on P3O Foundation instead?"),
        ]
    )
    assert "P3O Foundation is for anyone" in text(weighed) and "in-house" in text(weighed)


# ---------------------------------------------------------------- a course that is no level's


def test_p3o_practitioner_weighed_against_an_analyst(talk):
    [fit] = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "I'm a PMO planner and my director wants me on P3O Practitioner next year. Is that realistic?",
            )
        ]
    )
    assert "P3O Foundation" in text(fit) and "first" in text(fit)
    assert "Essentials for PMO Managers" not in text(fit)


def test_a_list_of_levels_is_no_claim(talk):
    [outcome] = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "Your site lists administrator, analyst, manager and director courses. Which one is for me?",
            )
        ]
    )
    assert outcome.replies[0].kind == "ask_level"


# ---------------------------------------------------------------- understanding the message


def test_a_statement_about_pmo_work_in_place_of_a_name_is_answered():
    turn = Turn("inform_experience", ({"entity": "role", "value": "PMO Analyst", "role": "current"},), "")
    said = Turn(turn.intent, turn.entities, "I'm a PMO analyst really, three years, mostly reporting")
    assert digression_job(said, 0.9, requested="enquiry_name") == "recommend"
    assert digression_job(Turn("inform", (), "Priya Shah"), 0.9, requested="enquiry_name") is None
    assert digression_job(said, 0.9, requested="enquiry_interest") is None  # that answer is the interest itself


def test_a_question_after_a_short_acknowledgement_is_read_by_the_question():
    whole = {
        "text": "ok great, that helps. how many days is it?",
        "intent": {"name": "affirm", "confidence": 0.7},
        "entities": [{"entity": "attribute", "value": "length"}],
    }
    chosen = focus(whole, lambda t: {"text": t, "intent": {"name": "ask_course_details", "confidence": 0.9}})
    assert chosen["intent"]["name"] == "ask_course_details"
    plain_yes = {"text": "yes please", "intent": {"name": "affirm", "confidence": 0.9}, "entities": []}
    assert focus(plain_yes, lambda t: {"intent": {"name": "ask_course_details", "confidence": 0.9}}) == plain_yes


def test_between_two_things_is_one_question():
    assert len(split_questions("What's the difference between PRINCE2 and what you run? Which suits me?")) == 2
    assert len(split_questions("what's a planner and which course suits them?")) == 2


def test_remembered_other_person_survives_the_slots():
    from bot.dialogue import context_from_slots, slots_from_context

    after = Context(other="PMO Director")
    slots = slots_from_context(Context(), after)
    assert slots == {"context_other": "PMO Director"}
    assert context_from_slots(KB, slots).other == "PMO Director"
    assert context_from_slots(KB, {"context_other": "Chief Wizard"}).other is None  # forged: dropped


# ---------------------------------------------------------------- course details asked in passing


def test_two_details_of_one_course_in_one_message(talk):
    [outcome] = talk(
        [
            (
                "course",
                "ask_course_details",
                "how many days are people away on P3O Foundation, and is the exam on the final day?",
            )
        ]
    )
    assert "3 days" in text(outcome) and "75" in text(outcome)


def test_the_exam_body_is_who_certifies(talk):
    [outcome] = talk([("course", "ask_course_details", "which exam body is behind P3O these days?")])
    assert "PeopleCert" in text(outcome) and "multiple-choice" not in text(outcome)


def test_every_course_asked_at_once(talk):
    [outcome] = talk([("course", "ask_course_details", "does each course finish with an exam?")])
    assert "Essentials for PMO Administrators" in text(outcome) and "P3O Foundation" in text(outcome)


def test_the_course_in_context_and_another_certified_side_by_side(talk):
    *_, bodies = talk(
        [
            ("recommend", "ask_course_recommendation", "I'm a project co-ordinator, which course?"),
            ("course", "ask_course_details", "and who certifies it, same people as P3O?"),
        ]
    )
    assert "APMG" in text(bodies) and "PeopleCert" in text(bodies)


def test_a_course_aimed_at_a_role(talk):
    [outcome] = talk([("course", "ask_course_details", "is there anything aimed at planners or is P3O all you do?")])
    assert "Essentials for PMO Analysts" in text(outcome)


def test_convinced_goes_back_to_the_course_suggested(talk):
    *_, length = talk(
        [
            ("recommend", "ask_course_recommendation", "I'm head of PMO for the whole group, which course?"),
            ("course", "ask_course_details", "shouldn't I be on the managers one though?"),
            ("course", "ask_course_details", "fair enough. how many days is it?"),
        ]
    )
    assert "Essentials for PMO Directors" in text(length) and "2 days" in text(length)


def test_does_that_change_anything_gives_the_reason(talk):
    *_, reason = talk(
        [
            ("recommend", "ask_course_recommendation", "I'm a PMO planner, what would you suggest?"),
            ("fallback", "out_of_scope", "we don't have a formal PMO yet though. does that change anything?"),
        ]
    )
    assert "Essentials for PMO Analysts" in text(reason)


def test_one_more_of_a_kind_after_counted_groups_is_a_group_not_the_lead(talk):
    [team] = talk(
        [
            (
                "training_options",
                "ask_training_options",
                "I'm in HR and book training for our PMO of six: three planners, two admins and a PMO manager. "
                "Could you train them together, and who does what?",
            )
        ]
    )
    assert "1 manager: Essentials for PMO Managers" in text(team)
    assert "you, leading it" not in text(team)


# ---------------------------------------------------------------- what a backstory's question asks alongside


def test_a_detail_asked_beside_which_course_is_answered_for_the_course_suggested(talk):
    [outcome] = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "I'm a project co-ordinator, planning and reporting for three projects. Which course would you pick, "
                "and how long is it?",
            )
        ]
    )
    assert courses_named(outcome) == ["Essentials for PMO Analysts"] and len(outcome.replies) == 2
    assert "Essentials for PMO Analysts" in outcome.replies[1].text and "pmolearning.co.uk" in outcome.replies[1].text


def test_how_long_is_it_after_a_role_is_that_roles_course(talk):
    _, length = talk(
        [
            ("describe_role", "ask_role_description", "what does a head of PMO actually do all day?"),
            ("course", "ask_course_details", "and how long is it?"),
        ]
    )
    assert courses_named(length) == ["Essentials for PMO Directors"] and "2 days" in text(length)


def test_families_weighed_by_someone_who_says_their_level_list_that_levels_courses(talk):
    [outcome] = talk([("course", "ask_course_details", "Essentials or P3O, which is better? I'm a PMO co-ordinator.")])
    levelled = [r.text.split("at your level (level 2):")[1] for r in outcome.replies]  # each family's courses for them
    assert "Essentials for PMO Analysts" in levelled[0] + levelled[1] and "P3O Foundation" in levelled[0] + levelled[1]
    assert not {"Essentials for PMO Directors", "Essentials for PMO Administrators"} & set(courses_named(outcome))
    assert "P3O Practitioner" not in text(outcome)


def test_a_certification_in_the_backstory_does_not_take_the_answer(talk):
    [outcome] = talk(
        [
            (
                "certification",
                "ask_certification",
                "I passed PRINCE2 Foundation in 2019. These days I run our programme office. What would you suggest?",
            )
        ]
    )
    assert courses_named(outcome)[:1] == ["Essentials for PMO Managers"]
    assert "Essentials for PMO Administrators" not in text(outcome)


def test_an_analyst_weighing_another_certification_is_not_pointed_at_the_entry_course(talk):
    [outcome] = talk(
        [("recommend", "ask_course_recommendation", "I'm a PMO analyst. CAPM or one of yours, what's best for me?")]
    )
    assert "Essentials for PMO Analysts" in text(outcome) and "Essentials for PMO Administrators" not in text(outcome)


def test_what_would_you_book_me_on_reads_as_a_recommendation(talk):
    [outcome] = talk([("describe_role", "ask_role_description", "right, so as a scheduler what would you book me on?")])
    assert courses_named(outcome) == ["Essentials for PMO Analysts"]


def test_would_a_named_course_suit_me_says_who_it_is_for_and_asks(talk):
    [outcome] = talk([("recommend", "ask_course_recommendation", "so would Essentials for PMO Directors suit me?")])
    assert outcome.replies[0].text.startswith("Essentials for PMO Directors is for")
    assert courses_named(outcome) == ["Essentials for PMO Directors"]
    assert outcome.replies[-1].kind == "ask_level" and outcome.context.awaiting_level


def test_how_do_i_train_with_you_gets_the_ways_to_train(talk):
    [outcome] = talk([("fallback", "out_of_scope", "so how would I actually train with you?")])
    assert "virtual classroom" in text(outcome) and "eLearning" in text(outcome)


def test_describing_ones_work_after_a_suggestion_refines_it_rather_than_explaining_a_technique(talk):
    _, work, length = talk(
        [
            ("recommend", "ask_course_recommendation", "I'm a PMO officer, which course for me?"),
            ("out_of_scope", "out_of_scope", "to be fair it's mainly taking minutes and updating the issue log"),
            ("course", "ask_course_details", "length?"),
        ]
    )
    assert courses_named(work) == ["Essentials for PMO Administrators"]
    assert "Essentials for PMO Administrators" in text(length) and "3 days" in text(length)


# ---------------------------------------------------------------- a kind of PMO described, not named


def test_a_pmo_described_not_named_gets_its_name(talk):
    hub, programme = talk(
        [
            (
                "fallback",
                "follow_up",
                "Head office will keep a central team, and every region gets its own local PMO working to the "
                "same rules. What would you call that?",
            ),
            ("fallback", "follow_up", "and one set up just for the new payroll programme until it ends?"),
        ]
    )
    assert "hub" in text(hub).lower() and text(programme).lower().count("programme office") == 1


def test_a_description_that_fits_two_kinds_gets_both():
    from bot.dialogue.courses import described_pmo_types

    kinds = [k.name for k, _ in described_pmo_types(KB, "a strategic office that sets standards")]
    assert kinds[:2] in (
        ["Enterprise PMO (ePMO)", "Centre of Excellence"],
        ["Centre of Excellence", "Enterprise PMO (ePMO)"],
    )


def test_a_certification_counted_towards_a_prerequisite_names_the_course_whose_prerequisite_it_is(talk):
    _, counted = talk(
        [
            ("course", "ask_course_details", "what is MoP?"),
            ("course", "ask_course_details", "would my PRINCE2 cert count as a prerequisite anywhere?"),
        ]
    )
    assert "Essentials for PMO Managers" in text(counted) and "PRINCE2" in text(counted)


# ---------------------------------------------------------------- details asked inside a longer message


def test_can_i_go_straight_to_a_course_is_its_prerequisites(talk):
    [straight] = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "Newly appointed head of PMO here. Could I go straight onto the directors course without doing the "
                "managers one first?",
            )
        ]
    )
    assert text(straight).startswith("Prerequisites for Essentials for PMO Directors")


def test_a_voucher_from_elsewhere_is_declined_even_when_the_question_says_it(talk):
    [outcome] = talk(
        [
            (
                "course",
                "ask_course_details",
                "My old employer gave me a PMO exam voucher last year. "
                "Would you accept it for the P3O Foundation exam?",
            )
        ]
    )
    assert "can't advise" in text(outcome) and "75 multiple-choice" not in text(outcome)


def test_another_providers_certification_asked_beside_a_decline_is_explained(talk):
    [outcome] = talk([("decline", "ask_beyond_scope", "could you also run PMP for us, or is that not your thing?")])
    assert "PMP" in text(outcome) and "can't advise" not in text(outcome)


def test_three_kinds_of_pmo_compared_are_all_described(talk):
    [outcome] = talk([("pmo_types", "ask_pmo_types", "how do a project office, a portfolio office and a hub differ?")])
    assert all(k in text(outcome) for k in ("Project office", "Portfolio office", "Hub"))


def test_a_technique_and_a_job_in_the_backstory_do_not_take_the_question(talk):
    [outcome] = talk(
        [
            (
                "out_of_scope",
                "out_of_scope",
                "Most of my week goes on nagging the project managers for updates and building the dashboards from "
                "them. Nobody has told me what my level is. Which course would fit?",
            )
        ]
    )
    assert courses_named(outcome) == ["Essentials for PMO Analysts"]


def test_a_long_first_message_read_as_a_follow_up_is_read_for_the_visitor(talk):
    [outcome] = talk(
        [
            (
                "follow_up",
                "follow_up",
                "I was a nurse on a busy ward for fifteen years and I'm ready for a change; people say I'd be good in "
                "a project office. Anything for total beginners?",
            )
        ]
    )
    assert courses_named(outcome)[:1] == ["Essentials for PMO Administrators"]


def test_another_certification_asked_after_a_suggestion_keeps_the_suggestion_in_view(talk):
    _, other = talk(
        [
            ("recommend", "ask_course_recommendation", "I'm a planner on a rail programme, which course for me?"),
            ("certification", "ask_certification", "do you lot do PMP as well?"),
        ]
    )
    assert "PMP" in text(other) and "Essentials for PMO Analysts" in text(other)


def test_each_exam_of_a_family_in_context_is_answered_for_each(talk):
    _, each = talk(
        [("course", "ask_course_details", "what's P3O?"), ("course", "ask_course_details", "and each exam?")]
    )
    assert "P3O Foundation" in text(each) and "P3O Practitioner" in text(each) and "Which course" not in text(each)


# ---------------------------------------------------------------- December 7, fourth session (writer E read)


def test_a_named_new_starter_gets_their_own_course_not_the_bookers(talk):
    [outcome] = talk(
        [
            (
                "recommend",
                "inform_experience",
                "I lead a small project office. Two people start with us after Easter: Omar is a school leaver "
                "joining as a project assistant, and Grace has spent five years as a project co-ordinator "
                "elsewhere. Which course would you put Omar on?",
            )
        ]
    )
    assert courses_named(outcome)[:1] == ["Essentials for PMO Administrators"]
    assert "Essentials for PMO Managers" not in text(outcome)


def test_a_friend_who_works_in_a_pmo_does_not_set_the_visitors_level(talk):
    [outcome] = talk(
        [
            (
                "recommend",
                "inform_experience",
                "I've worked in a bakery for ten years. A mate of mine works as a PMO manager and thinks I'd fit in. "
                "Where would a total beginner start, and would I need PRINCE2 first?",
            )
        ]
    )
    assert courses_named(outcome)[:1] == ["Essentials for PMO Administrators"]
    assert "Essentials for PMO Managers" not in text(outcome)


def test_a_title_the_visitor_says_is_only_a_title_gives_way_to_the_work(talk):
    [outcome] = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "On paper I'm a PMO analyst, but really I book rooms, take the minutes and chase timesheets all day. "
                "Which of your courses fits?",
            )
        ]
    )
    assert courses_named(outcome)[:1] == ["Essentials for PMO Administrators"]


def test_a_course_checked_against_a_new_title_gets_the_titles_course(talk):
    [outcome] = talk(
        [
            (
                "course",
                "ask_course_details",
                "They've made my new job title Head of PMO. Does that mean I should do the Essentials for PMO "
                "Managers course?",
            )
        ]
    )
    assert "Essentials for PMO Directors" in text(outcome)
    assert "Essentials for PMO Analysts" not in text(outcome)


def test_a_promotion_that_has_happened_is_the_job_now_not_a_wish_to_move_up(talk):
    _, corrected = talk(
        [
            ("recommend", "ask_course_recommendation", "I'm a project administrator, which course should I book?"),
            ("recommend", "inform_experience", "oh wait, I'm actually a PMO analyst now, I was promoted in the spring"),
        ]
    )
    assert courses_named(corrected)[:1] == ["Essentials for PMO Analysts"]


def test_outgrowing_the_work_moves_the_suggestion_up(talk):
    _, moved = talk(
        [
            ("recommend", "ask_course_recommendation", "I'm a PMO admin, what course should I do?"),
            ("recommend", "inform_experience", "to be fair I feel like I've outgrown the admin side now"),
        ]
    )
    assert courses_named(moved)[:1] == ["Essentials for PMO Analysts"]


def test_one_group_of_a_team_asked_about_gets_its_course_detail(talk):
    _, length = talk(
        [
            (
                "recommend",
                "inform_experience",
                "We want training for our programme office: 3 analysts, 2 support officers and 2 managers.",
            ),
            ("follow_up", "follow_up", "the support officers, how long would their course last?"),
        ]
    )
    assert "Essentials for PMO Administrators" in text(length) and "3 days" in text(length)


def test_a_certificate_at_the_end_is_about_who_certifies_the_course(talk):
    _, cert = talk(
        [
            ("course", "ask_course_details", "tell me about Essentials for PMO Analysts"),
            ("course", "ask_course_details", "do you get a certificate at the end?"),
        ]
    )
    assert "APMG" in text(cert)


def test_a_company_paying_for_a_course_is_not_a_salary_question(talk):
    [outcome] = talk(
        [
            (
                "recommend",
                "inform_experience",
                "My employer is paying for one course this year. I'm a PMO analyst, what should I go for?",
            )
        ]
    )
    assert "salar" not in text(outcome).lower() and courses_named(outcome)


def test_the_head_of_someone_elses_office_is_not_the_visitors_level(talk):
    [outcome] = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "I'm a credit controller. The head of the programme office has asked me to join her team as a "
                "PMO planner next month. What course would help?",
            )
        ]
    )
    assert courses_named(outcome)[:1] == ["Essentials for PMO Analysts"]
    assert "Essentials for PMO Directors" not in text(outcome)


def test_a_certification_named_as_a_yardstick_does_not_take_the_question(talk):
    [outcome] = talk(
        [
            (
                "course",
                "ask_course_details",
                "Who certifies the Essentials courses? Is it an outside body, as with PMP, or your own certificate?",
            )
        ]
    )
    assert "APMG" in text(outcome)


def test_a_family_asked_about_beats_a_higher_level_wish(talk):
    _, family = talk(
        [
            ("recommend", "ask_course_recommendation", "I'm a PMO planner, which course should I do?"),
            ("follow_up", "follow_up", "a colleague mentioned P3O too - is that one more senior?"),
        ]
    )
    assert "P3O Foundation" in text(family)


def test_someone_elses_title_asked_against_a_role(talk):
    [outcome] = talk(
        [
            (
                "recommend",
                "inform_experience",
                "My manager's title is Portfolio Office Manager. Is that the same as a PMO Director? I started last "
                "week as a project administrator.",
            )
        ]
    )
    assert text(outcome).startswith("No:") and "PMO Manager" in text(outcome)


def test_her_enterprise_office_puts_her_at_director_level(talk):
    _, hers = talk(
        [
            ("recommend", "ask_course_recommendation", "I'm a project support officer, which course suits me?"),
            ("follow_up", "follow_up", "and my boss? she's setting up an enterprise PMO across the whole group"),
        ]
    )
    assert "Essentials for PMO Directors" in text(hers)


def test_years_away_from_work_are_not_years_in_the_job(talk):
    [outcome] = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "I'm coming back after a 5 year career break. I was a project administrator for 3 years before "
                "that. Which course would get me going again?",
            )
        ]
    )
    assert courses_named(outcome)[:1] == ["Essentials for PMO Administrators"]


def test_a_course_asked_for_a_kind_of_office_is_the_one_written_for_it(talk):
    [outcome] = talk(
        [("follow_up", "follow_up", "we're a portfolio office really - is there a course specifically for that?")]
    )
    assert courses_named(outcome) == ["MoP Foundation and Practitioner"]


def test_a_kind_of_pmo_and_a_course_on_running_one_are_both_answered(talk):
    [outcome] = talk(
        [("pmo_types", "ask_pmo_types", "What is a Centre of Excellence, and is there a course on running one?")]
    )
    assert "Centre of Excellence" in text(outcome) and "P3O Practitioner" in text(outcome)


def test_someone_promoted_from_one_title_to_another_gets_the_new_titles_course(talk):
    [outcome] = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "My husband has just moved from project administrator to PMO analyst. I'd like to buy him a course "
                "for the new job. What would suit him?",
            )
        ]
    )
    assert courses_named(outcome)[:1] == ["Essentials for PMO Analysts"]


def test_which_of_a_family_fits_after_a_suggestion_is_the_suggestion(talk):
    _, fits = talk(
        [
            ("recommend", "ask_course_recommendation", "I'm a PMO planner, which course for me?"),
            ("course", "ask_course_details", "and which of the Essentials courses fits me then?"),
        ]
    )
    assert courses_named(fits) == ["Essentials for PMO Analysts"]


def test_a_detail_asked_beside_which_course_ignores_titles_in_the_backstory(talk):
    [outcome] = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "I've just become Head of PMO; four PMO managers report to me. Which course is for my level, and how "
                "long is it?",
            )
        ]
    )
    assert "Essentials for PMO Directors" in text(outcome) and "2 days" in text(outcome)
    assert "Essentials for PMO Managers takes" not in text(outcome)


def test_funding_mentioned_beside_a_level_question_still_gets_the_course(talk):
    [outcome] = talk(
        [
            (
                "fallback",
                "out_of_scope",
                "I'm a scheduler on a bridge project and my firm will pay for one course. Is there something PMO "
                "related at my level, and what does it cost?",
            )
        ]
    )
    assert "Essentials for PMO Analysts" in text(outcome) and "pmolearning.co.uk" in text(outcome)


def test_a_suggestion_that_feels_too_junior_moves_up(talk):
    _, up = talk(
        [
            ("recommend", "ask_course_recommendation", "I'm a project support officer, which course?"),
            ("follow_up", "follow_up", "hmm that feels a bit junior for me after 9 years"),
        ]
    )
    assert "Essentials for PMO Analysts" in text(up)


def test_a_practical_question_beside_the_main_one_is_answered_too(talk):
    [outcome] = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "I run a small programme office and two planners report to me. Which course would you suggest for me? "
                "And is there an exam at the end?",
            )
        ]
    )
    assert "Essentials for PMO Managers" in text(outcome) and "exam" in text(outcome).lower()


def test_a_declined_voucher_still_gets_the_exam_question_answered(talk):
    [outcome] = talk(
        [
            (
                "course",
                "ask_course_details",
                "Our firm bought exam vouchers for P3O Foundation from another company. Can we use them with you? "
                "And how many questions does the exam have?",
            )
        ]
    )
    assert "voucher" in text(outcome).lower() and "75" in text(outcome)


def test_attending_from_abroad_with_nothing_discussed_gets_the_ways_to_train(talk):
    [outcome] = talk([("fallback", "out_of_scope", "Could I attend from Kenya, or would I need to travel to London?")])
    assert "virtual classroom" in text(outcome)


def test_a_detail_after_a_two_course_family_answers_both(talk):
    _, both = talk(
        [("course", "ask_course_details", "tell me about P3O"), ("fallback", "nlu_fallback", "how many questions?")]
    )
    assert "P3O Foundation" in text(both) and "P3O Practitioner" in text(both) and "Which course" not in text(both)


def test_the_other_course_of_the_family_keeps_the_detail(talk):
    _, _, other = talk(
        [
            ("course", "ask_course_details", "what's P3O?"),
            ("course", "ask_course_details", "how long does it take"),
            ("follow_up", "follow_up", "no I meant just the practitioner"),
        ]
    )
    assert text(other).startswith("P3O Practitioner takes")


def test_people_managed_in_a_past_job_do_not_make_a_pmo_manager(talk):
    _, higher = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "I'm leaving the army after 20 years. Where do I start?",
            ),
            ("fallback", "out_of_scope", "not keen on starting right at the bottom, I was managing 40 people"),
        ]
    )
    assert "Essentials for PMO Managers" not in text(higher) and "Essentials for PMO Analysts" in text(higher)


def test_everyone_saying_something_is_not_a_team(talk):
    [outcome] = talk(
        [
            (
                "certification",
                "ask_certification",
                "I'm a brand new project support officer and everyone says get PRINCE2. Is that what I need?",
            )
        ]
    )
    assert "in-house" not in text(outcome) and "Essentials for PMO Administrators" in text(outcome)


def test_is_that_the_three_day_one_asks_the_length(talk):
    _, length = talk(
        [
            ("course", "ask_course_details", "tell me about Essentials for PMO Administrators"),
            ("follow_up", "follow_up", "is that the 3 day one?"),
        ]
    )
    assert "3 days" in text(length)


def test_a_paid_course_is_not_a_pay_question(talk):
    [outcome] = talk(
        [
            (
                "free_resources",
                "ask_free_resources",
                "Is there anything free I could try before I commit to a paid course? Our budget is tiny.",
            )
        ]
    )
    assert "salar" not in text(outcome).lower()


def test_where_do_i_fit_is_answered_with_the_visitors_level_whatever_course_is_named(talk):
    [outcome] = talk(
        [
            (
                "recommend",
                "inform_experience",
                "I've been a team coordinator at a charity for 11 years. I book the meetings, type up the minutes, "
                "keep the action log and chase people. After this long I feel I belong on the managers course, not a "
                "beginners one. What level would you put me at?",
            )
        ]
    )
    assert "I'd recommend" in text(outcome) and "After Essentials for PMO Managers" not in text(outcome)
    assert "Essentials for PMO Managers" not in courses_named(outcome)


def test_a_family_weighed_for_one_group_of_a_team_lists_that_groups_course(talk):
    _, weighed = talk(
        [
            (
                "recommend",
                "inform_experience",
                "Please train our office: 5 analysts, 2 PMO managers and 3 project administrators.",
            ),
            ("course", "ask_course_details", "my PMO managers - P3O Practitioner or the Essentials one?"),
        ]
    )
    assert "Essentials for PMO Managers" in text(weighed) and "Essentials for PMO Administrators" not in text(weighed)


def test_which_of_your_courses_fits_me_with_a_backstory_is_a_recommendation(talk):
    [outcome] = talk(
        [
            (
                "course_list",
                "ask_course_list",
                "My official title is Reporting Analyst, but really I spend my days managing the other two analysts "
                "and running the change board. Which of your courses fits me?",
            )
        ]
    )
    assert courses_named(outcome) == ["Essentials for PMO Managers"]


# ---------------------------------------------------------------- told earlier, and questions beside


def test_a_level_told_beside_another_question_is_kept_for_later(talk):
    free, later = talk(
        [
            (
                "free_resources",
                "ask_free_resources",
                "I've been a hospital ward clerk for years and I'm hoping to move into project support. "
                "Is there anything free I could read?",
            ),
            ("recommend", "ask_course_recommendation", "when I'm ready, which course would be mine?"),
        ]
    )
    assert "eBook" in text(free) and free.context.level == 1
    assert courses_named(later) == ["Essentials for PMO Administrators"]
    assert all(r.kind != "ask_level" for r in later.replies), "what the visitor said is not asked again"


def test_someone_elses_job_beside_another_question_is_not_kept_as_the_visitors_level(talk):
    [free] = talk(
        [
            (
                "free_resources",
                "ask_free_resources",
                "My brother is a programme office manager at a bank. Is there anything free I could read about PMOs?",
            )
        ]
    )
    assert free.context.level is None


def test_what_i_actually_do_said_after_a_suggestion_changes_it(talk):
    first, work = talk(
        [
            ("recommend", "ask_course_recommendation", "I'm a PMO lead at a software firm, which course is mine?"),
            (
                "fallback",
                "out_of_scope",
                "well most days I update the plans, pull together the monthly dashboard and chase the risk owners",
            ),
        ]
    )
    assert courses_named(first) == ["Essentials for PMO Managers"]
    assert courses_named(work) == ["Essentials for PMO Analysts"]


def test_a_course_asked_beside_a_question_about_free_material_is_suggested_too(talk):
    [outcome] = talk(
        [
            (
                "free_resources",
                "ask_free_resources",
                "I left teaching in the summer and want to get into project support. Is there anything free to read "
                "first, and which course would I take after that?",
            )
        ]
    )
    assert "eBook" in text(outcome)
    assert courses_named(outcome) == ["Essentials for PMO Administrators"]


def test_a_course_asked_for_him_beside_another_question_is_his_not_the_visitors(talk):
    [outcome] = talk(
        [
            (
                "free_resources",
                "inform_experience",
                "I manage a small project office. Our new starter, a project assistant who comes from a retail job, "
                "begins in March. Which course should I put him on, and is there anything he could read beforehand?",
            )
        ]
    )
    assert "eBook" in text(outcome)
    assert courses_named(outcome) == ["Essentials for PMO Administrators"]


def test_a_group_brought_up_after_a_suggestion_gets_its_own_course(talk):
    _, juniors = talk(
        [
            ("recommend", "ask_course_recommendation", "I'm a PMO manager, which course is mine?"),
            (
                "follow_up",
                "follow_up",
                "and the graduates joining us in May? none of them have ever worked on projects",
            ),
        ]
    )
    assert courses_named(juniors) == ["Essentials for PMO Administrators"]
    assert juniors.context.level == 3, "their level is not the visitor's"


def test_another_providers_certification_weighed_beside_the_suggestion_is_explained_after_it(talk):
    [outcome] = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "I book the meeting rooms and take the minutes for our project board. A friend keeps telling me to "
                "get the CAPM. Is that sensible for someone like me, or would your course be better?",
            )
        ]
    )
    assert courses_named(outcome)[:1] == ["Essentials for PMO Administrators"]
    assert "CAPM" in outcome.replies[-1].text and "isn't one of PMO Learning's courses" in outcome.replies[-1].text


def test_a_level_told_in_a_declined_question_is_kept_for_the_next_question_of_the_message(talk):
    # bot.serving.questions sends "...? ... also which course...?" as two turns: the second has no backstory.
    declined, later = talk(
        [
            (
                "recommend",
                "inform_experience",
                "what do PMO analysts earn in Bristol? I'm a project coordinator at a housing association.",
            ),
            ("recommend", "ask_course_recommendation", "which course would help me get there"),
        ]
    )
    assert declined.replies[0].kind.startswith("decline")
    assert courses_named(later) == ["Essentials for PMO Analysts"]


def test_fitting_training_around_shifts_is_answered_with_the_ways_to_train(talk):
    _, shifts = talk(
        [
            ("recommend", "ask_course_recommendation", "I'm a PMO analyst in a hospital, which course is mine?"),
            ("out_of_scope", "out_of_scope", "can any of it be done on weekends? I work shifts"),
        ]
    )
    assert "eLearning" in text(shifts) and "pmolearning.co.uk" in text(shifts)


def test_a_course_for_each_of_two_people_when_asked_for_both(talk):
    both, second = talk(
        [
            (
                "recommend",
                "inform_experience",
                "I look after the portfolio reporting and the benefits register in our PMO. My colleague Priya "
                "joined last week as a project administrator, straight from a dental surgery. What would you "
                "suggest for the two of us?",
            ),
            ("follow_up", "follow_up", "tell me about the second one"),
        ]
    )
    assert "- you: Essentials for PMO Analysts" in text(both)
    assert "- Priya: Essentials for PMO Administrators" in text(both)
    assert both.context.level == 2 and both.context.other == "PMO Administrator"
    assert "Essentials for PMO Administrators" in text(second)


def test_a_suggestion_that_feels_too_grand_for_someone_who_manages_nobody_steps_down(talk):
    _, pushback = talk(
        [
            ("recommend", "ask_course_recommendation", "I run the project office at a charity, which course for me?"),
            ("out_of_scope", "out_of_scope", "hmm that sounds a bit grand for me, I don't manage anyone"),
        ]
    )
    assert "Essentials for PMO Analysts is the one before it" in text(pushback)


def test_a_title_said_with_no_one_managed_is_read_by_the_title_not_as_pushback(talk):
    _, said = talk(
        [
            ("recommend", "ask_course_recommendation", "I run the project office at a charity, which course for me?"),
            (
                "recommend",
                "inform_experience",
                "sorry, I'm actually a PMO analyst there, 2 years. I don't manage anyone.",
            ),
        ]
    )
    assert courses_named(said) == ["Essentials for PMO Analysts"] and "one before it" not in text(said)


def test_the_other_course_weighed_is_the_other_one_after_a_suggestion_and_its_detail_is_answered(talk):
    first, other = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "I'm a PMO planner at a bank, a year in, and can't decide between P3O Foundation and the "
                "analysts course. Which first?",
            ),
            ("follow_up", "follow_up", "right, and the other one - how long is that?"),
        ]
    )
    assert courses_named(first) == ["Essentials for PMO Analysts"]
    assert "P3O Foundation takes 3 days" in text(other)


def test_does_that_change_anything_with_a_new_job_said_gives_the_suggestion_for_it(talk):
    _, changed = talk(
        [
            ("recommend", "ask_course_recommendation", "I'm a PMO analyst at a water company, which course for me?"),
            (
                "fallback",
                "nlu_fallback",
                "oh wait, I'm stepping up to run the programme office from April, does that change anything?",
            ),
        ]
    )
    assert courses_named(changed) == ["Essentials for PMO Managers"]


def test_a_role_named_by_its_level_is_described(talk):
    [entry] = talk([("describe_role", "ask_role_description", "so what does the entry-level job involve, day to day?")])
    assert "Day to day, a PMO Administrator" in text(entry)


def test_the_course_that_gets_an_analyst_closest_to_a_manager_job_is_the_next_level_up(talk):
    [outcome] = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "I'm a PMO analyst, 4 years in. My employer funds one course a year: which of yours gets me "
                "closest to a PMO manager job?",
            )
        ]
    )
    assert courses_named(outcome) == ["Essentials for PMO Managers"]


def test_a_list_of_people_to_be_hired_is_a_team_with_its_first_member_and_each_gets_a_course(talk):
    team, level = talk(
        [
            (
                "recommend",
                "inform_experience",
                "We're setting up a programme office. There will be a PMO manager, three analysts and an "
                "administrator. What would each of them need?",
            ),
            ("describe_role", "ask_role_description", "and an administrator, which level is that?"),
        ]
    )
    assert courses_named(team) == [
        "Essentials for PMO Administrators",
        "Essentials for PMO Analysts",
        "Essentials for PMO Managers",
    ]
    assert "1 manager: Essentials for PMO Managers" in text(team), "the manager to be hired is one of the team"
    assert team.context.level is None, "nobody said the visitor is the manager"
    assert "level 1" in text(level) and "A course for each group" not in text(level)


def test_a_detail_asked_of_a_family_is_answered_course_by_course_with_what_they_share_said_once(talk):
    _, online = talk(
        [
            ("course", "ask_course_details", "tell me about P3O"),
            ("course", "ask_training_options", "can either of them be done online?"),
        ]
    )
    said = text(online)
    assert "- P3O Foundation takes 3 days, and there is an eLearning option too." in said
    assert "- P3O Practitioner takes 2 days" in said
    assert said.count("virtual classroom") == 1


# ---------------------------------------------------------------- the course named as the next step is "that course"


def test_the_next_step_named_is_the_course_asked_about_next(talk):
    exam, after, length, book = talk(
        [
            ("course", "ask_course_details", "What's the P3O Foundation exam like? I sit it in a few weeks."),
            ("follow_up", "follow_up", "assuming I pass, what would come next?"),
            ("course", "ask_course_details", "how many days does that one take?"),
            ("course", "ask_course_details", "and can you take the manual in for that exam?"),
        ]
    )
    assert "P3O Foundation" in text(exam)
    assert "P3O Practitioner" in text(after)
    assert "P3O Practitioner" in text(length) and "2 days" in text(length)
    assert "open book" in text(book) and "P3O Practitioner" in text(book)


# ---------------------------------------------------------------- courses the visitor has done already


def test_a_course_done_is_not_suggested_again_and_what_follows_it_is(talk):
    (moved,) = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "I'm a programme office analyst and I've already done your analysts course. What should I look at now?",
            )
        ]
    )
    assert "P3O Foundation" in text(moved) and "I'd recommend Essentials for PMO Analysts" not in text(moved)
    (beside,) = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "I run the portfolio office at a housing trust and I've done P3O, both levels. Where next for me?",
            )
        ]
    )
    assert "Essentials for PMO Managers" in text(beside) and "MoP" in text(beside)
    (asked,) = talk(
        [
            (
                "course",
                "ask_course_details",
                "I got my P3O Foundation certificate last year. What would be the obvious next qualification?",
            )
        ]
    )
    assert "P3O Practitioner" in text(asked)


# ---------------------------------------------------------------- several details of one course in one question


def test_every_detail_of_one_course_is_answered_in_the_order_asked(talk):
    (three,) = talk(
        [
            (
                "course",
                "ask_course_details",
                "About the managers course: who accredits it, how many days, and are there any prereqs?",
            )
        ]
    )
    replies = [r.text for r in three.replies]
    assert len(replies) == 3 and "APMG" in replies[0] and "3 days" in replies[1] and "Prerequisites" in replies[2]
    (one,) = talk([("course", "ask_course_details", "how long is the exam for P3O Foundation?")])
    assert [r.text for r in one.replies] == [r.text for r in one.replies if "exam" in r.text], "one thing asked"
    (beside_a_cert,) = talk(
        [
            (
                "course",
                "ask_course_details",
                "For the directors course: what do I need before it, and how long is it? I only hold PRINCE2.",
            )
        ]
    )
    assert "Prerequisites" in text(beside_a_cert) and "2 days" in text(beside_a_cert)


def test_a_family_named_with_online_beats_the_course_in_context(talk):
    _, named = talk(
        [
            ("recommend", "inform_experience", "I'm a PMO analyst at a utility, mostly reporting and planning."),
            ("training_options", "ask_training_options", "and P3O, could I do that one online?"),
        ]
    )
    assert "P3O Foundation" in text(named) and "Essentials for PMO Analysts" not in text(named)


# ---------------------------------------------------------------- someone else's course, from what is said of them


def test_someone_elses_job_outside_pmo_makes_them_new_to_pmo_not_the_visitor(talk):
    (nurse,) = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "My brother has been a nurse for twelve years and is fed up with shifts. He'd love to work in a PMO."
                " Which course would you suggest for him?",
            )
        ]
    )
    assert "Essentials for PMO Administrators" in text(nurse) and "what you do now" not in text(nurse)
    assert nurse.context.level is None, "his level is not the visitor's"
    (manager,) = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "My wife has been an IT project manager for a decade and fancies a PMO job. What would suit her?",
            )
        ]
    )
    assert "Essentials for PMO Administrators" not in text(manager), "project experience counts: never the entry course"
    assert "Her project experience" in text(manager) and "what you do now" not in text(manager)


def test_training_found_for_someone_else_is_theirs_even_said_outside_the_question(talk):
    (theirs,) = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "Our new programme support officer started in May and my director asked me to book her on something"
                " useful. What do you recommend?",
            )
        ]
    )
    assert "Essentials for PMO Administrators" in text(theirs) and "what you do now" not in text(theirs)


# ---------------------------------------------------------------- a named topic, or the course in context, placed


def test_a_bare_detail_after_a_course_is_the_courses_even_read_as_a_role_question(talk):
    _, length = talk(
        [
            ("course", "ask_course_details", "who certifies the directors course?"),
            ("describe_role", "ask_role_description", "duration?"),
        ]
    )
    assert "Essentials for PMO Directors" in text(length) and "2 days" in text(length)


def test_where_a_family_starts_is_its_first_course(talk):
    (start,) = talk(
        [("recommend", "ask_course_recommendation", "Heard good things about P3O. Where do I start with it?")]
    )
    assert "P3O Foundation" in text(start) and "what you do now" not in text(start)


def test_a_course_named_in_a_question_the_classifier_could_not_place_is_the_topic(talk):
    (what,) = talk(
        [("out_of_scope", "out_of_scope", "our CFO keeps saying P3O in meetings - what is it, in a sentence, for her?")]
    )
    assert "P3O Foundation" in text(what) and "AXELOS" in text(what)


def test_the_one_who_runs_the_office_is_someone_elses_work(talk):
    _, theirs = talk(
        [
            ("recommend", "inform_experience", "I keep the RAID log and the monthly dashboards; nobody reports to me."),
            ("describe_role", "ask_role_description", "My manager is the one who leads our portfolio office. And her?"),
        ]
    )
    assert "Essentials for PMO Managers" in text(theirs)
    assert theirs.context.level == 2, "her level never becomes the visitor's"


def test_a_course_done_is_not_the_one_a_detail_or_a_what_now_is_about(talk):
    (sibling,) = talk(
        [("course", "ask_course_details", "I got through P3O Foundation in March. Is the practitioner exam open book?")]
    )
    assert "P3O Practitioner" in text(sibling) and "open book" in text(sibling)
    (now,) = talk(
        [
            (
                "course",
                "ask_course_details",
                "I did your analysts course last year and I plan the portfolio. What should I do now? Is it online?",
            )
        ]
    )
    assert "I'd recommend Essentials for PMO Analysts" not in text(now)
    assert "Essentials for PMO Analysts takes" not in text(now), "the detail is the next course's"


def test_the_person_who_will_run_it_gets_a_managers_course_not_the_visitors_level_question(talk):
    (theirs,) = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "The board wants a programme office for the new ERP rollout. What training would whoever runs it need?",
            )
        ]
    )
    assert "Essentials for PMO Managers" in text(theirs) and "what you do now" not in text(theirs)
    assert theirs.context.level is None, "their level is not the visitor's"


def test_a_team_named_only_as_new_starters_gets_the_entry_course(talk):
    (team,) = talk(
        [
            (
                "recommend",
                "ask_course_recommendation",
                "Our head of PMO says our new joiners need the basics. What training would you suggest for them all?",
            )
        ]
    )
    assert "in-house" in text(team) and "Essentials for PMO Administrators" in text(team)
    assert "Essentials for PMO Directors" not in text(team), "the head of PMO advises; she is not a trainee"
