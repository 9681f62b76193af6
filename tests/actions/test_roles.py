"""Role and career actions with a real Tracker and CollectingDispatcher."""

import json

from rasa_sdk.events import SlotSet

from actions.answers import (
    ActionAdviseCareerChange,
    ActionCompareRoles,
    ActionDeclineTopic,
    ActionDescribeRole,
    ActionExplainCareerPath,
    ActionExplainCertification,
    ActionFollowUp,
)


def role(value, text=""):
    return {"entity": "role", "value": value, "text": text}


def test_describe_role_by_another_title_remembers_the_role(tracker, dispatcher, domain):
    events = ActionDescribeRole().run(
        dispatcher, tracker("ask_role_description", [role("PMO Analyst", "scheduler")]), domain
    )
    assert SlotSet("context_role", "PMO Analyst") in events and SlotSet("context_topic", "role") in events
    [message] = dispatcher.messages
    assert message["text"].startswith("Scheduler is one of the job titles for a PMO Analyst, the level 2 role")
    assert message["buttons"][0]["payload"] == '/ask_role_description{"role": "PMO Analyst", "attribute": "duties"}'


def test_role_follow_up_without_a_name_uses_the_context(tracker, dispatcher, domain):
    t = tracker(
        "ask_role_description",
        [{"entity": "attribute", "value": "skills"}],
        text="what skills do they need?",
        slots={"context_role": "PMO Manager", "context_topic": "role"},
    )
    ActionDescribeRole().run(dispatcher, t, domain)
    assert dispatcher.messages[0]["text"].startswith("Useful strengths for a PMO Manager")


def test_forged_role_gets_a_polite_answer(tracker, dispatcher, domain):
    ActionDescribeRole().run(dispatcher, tracker("ask_role_description", [{"entity": "role", "value": "CEO"}]), domain)
    [message] = dispatcher.messages
    assert message["text"].startswith('I don\'t know "CEO" as a PMO role.')


def test_forged_context_slots_are_ignored(tracker, dispatcher, domain):
    t = tracker("ask_role_description", text="what do they do?", slots={"context_role": "CEO", "context_topic": "role"})
    ActionDescribeRole().run(dispatcher, t, domain)
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == [
        "PMO Administrator",
        "PMO Analyst",
        "PMO Manager",
        "PMO Director",
    ]


def test_project_manager_is_explained_as_not_a_pmo_role(tracker, dispatcher, domain):
    ActionDescribeRole().run(
        dispatcher, tracker("ask_role_description", [{"entity": "other_role", "value": "Project Manager"}]), domain
    )
    assert dispatcher.messages[0]["text"].startswith("Project Manager isn't one of the PMO roles")


def test_side_question_returns_to_the_open_recommendation(tracker, dispatcher, domain):
    ActionDescribeRole().run(
        dispatcher, tracker("ask_role_description", [role("PMO Manager")], slots={"awaiting_level": True}), domain
    )
    assert len(dispatcher.messages) == 2
    assert dispatcher.messages[1]["text"].startswith("Back to choosing your course")
    assert dispatcher.messages[1]["buttons"][0]["payload"] == "/inform_experience" + json.dumps(
        {"role": "PMO Administrator"}
    )


def test_compare_two_roles(tracker, dispatcher, domain):
    events = ActionCompareRoles().run(
        dispatcher, tracker("compare_roles", [role("PMO Manager"), role("PMO Analyst")]), domain
    )
    assert "- PMO Analyst (level 2)" in dispatcher.messages[0]["text"]
    assert SlotSet("context_compared", ["PMO Analyst", "PMO Manager"]) in events


def test_and_a_director_after_a_comparison(tracker, dispatcher, domain):
    t = tracker(
        "follow_up",
        [role("PMO Director", "director")],
        text="and a director?",
        slots={"context_compared": ["PMO Administrator", "PMO Analyst"], "context_topic": "compare"},
    )
    ActionFollowUp().run(dispatcher, t, domain)
    text = dispatcher.messages[0]["text"]
    assert "PMO Analyst (level 2)" in text and "PMO Director (level 4)" in text and "Administrator" not in text


def test_career_path_targets_the_most_senior_role(tracker, dispatcher, domain):
    ActionExplainCareerPath().run(
        dispatcher, tracker("ask_career_path", [role("PMO Analyst"), role("PMO Manager")]), domain
    )
    assert (
        "To become a PMO Manager (level 3), people usually step up from PMO Analyst" in dispatcher.messages[0]["text"]
    )


def test_career_path_for_a_newcomer(tracker, dispatcher, domain):
    ActionExplainCareerPath().run(
        dispatcher, tracker("ask_career_path", [{"entity": "experience", "value": "new_to_pmo"}]), domain
    )
    assert "Essentials for PMO Administrators" in dispatcher.messages[0]["text"]


def test_certification_and_decline_and_career_change(tracker, dispatcher, domain):
    ActionExplainCertification().run(
        dispatcher, tracker("ask_certification", [{"entity": "certification", "value": "PMP"}]), domain
    )
    ActionDeclineTopic().run(dispatcher, tracker("ask_beyond_scope", [{"entity": "topic", "value": "visa"}]), domain)
    events = ActionAdviseCareerChange().run(
        dispatcher, tracker("ask_career_change", [{"entity": "other_role", "value": "Business Analyst"}]), domain
    )
    texts = [m["text"] for m in dispatcher.messages]
    assert texts[0].startswith("PMP, from the Project Management Institute (PMI)")
    assert "can't advise on visas" in texts[1]
    assert (
        "Essentials for PMO Analysts" in texts[2]
        and SlotSet("recommended_course", "Essentials for PMO Analysts") in events
    )


def test_forged_certification_and_topic_are_handled_politely(tracker, dispatcher, domain):
    ActionExplainCertification().run(
        dispatcher, tracker("ask_certification", [{"entity": "certification", "value": "<b>x"}]), domain
    )
    ActionDeclineTopic().run(
        dispatcher, tracker("ask_beyond_scope", [{"entity": "topic", "value": "free money"}]), domain
    )
    assert dispatcher.messages[0]["text"].startswith("I don't know that one well enough")
    assert dispatcher.messages[1]["text"].startswith("I'm sorry, I can't advise on that")
