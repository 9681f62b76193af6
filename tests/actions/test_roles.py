"""Role actions with a real Tracker and CollectingDispatcher."""

import json

from actions.roles import ActionCompareRoles, ActionDescribeRole, ActionExplainCareerPath


def role(value, text=""):
    return {"entity": "role", "value": value, "text": text}


def test_describe_role_by_another_title(tracker, dispatcher, domain):
    events = ActionDescribeRole().run(dispatcher, tracker("ask_role_description", [role("PMO Analyst", "scheduler")]), domain)
    assert events == []
    [message] = dispatcher.messages
    assert message["text"].startswith("Scheduler is one of the job titles for a PMO Analyst, a level 2 role")
    assert [b["payload"] for b in message["buttons"]] == [
        '/compare_roles{"role": "PMO Analyst"}',
        '/ask_course_recommendation{"role": "PMO Analyst"}',
        '/ask_career_path{"role": "PMO Analyst"}',
    ]


def test_forged_role_gets_a_polite_answer(tracker, dispatcher, domain):
    ActionDescribeRole().run(dispatcher, tracker("ask_role_description", [{"entity": "role", "value": "CEO"}]), domain)
    [message] = dispatcher.messages
    assert message["text"].startswith('I don\'t know "CEO" as a PMO role.')


def test_project_manager_is_explained_as_not_a_pmo_role(tracker, dispatcher, domain):
    ActionDescribeRole().run(dispatcher, tracker("ask_role_description", [{"entity": "other_role", "value": "Project Manager"}]), domain)
    assert dispatcher.messages[0]["text"].startswith("Project Manager isn't one of the PMO roles")


def test_no_role_lists_all_four(tracker, dispatcher, domain):
    ActionDescribeRole().run(dispatcher, tracker("ask_role_description"), domain)
    [message] = dispatcher.messages
    assert [b["title"] for b in message["buttons"]] == ["PMO Administrator", "PMO Analyst", "PMO Manager", "PMO Director"]


def test_side_question_returns_to_the_open_recommendation(tracker, dispatcher, domain):
    ActionDescribeRole().run(dispatcher, tracker("ask_role_description", [role("PMO Manager")], slots={"awaiting_level": True}), domain)
    assert len(dispatcher.messages) == 2
    assert dispatcher.messages[1]["text"].startswith("Back to choosing your course")
    assert dispatcher.messages[1]["buttons"][0]["payload"] == "/inform_experience" + json.dumps({"role": "PMO Administrator"})


def test_compare_two_roles(tracker, dispatcher, domain):
    ActionCompareRoles().run(dispatcher, tracker("compare_roles", [role("PMO Manager"), role("PMO Analyst")]), domain)
    assert dispatcher.messages[0]["text"].startswith("PMO Analyst (level 2) and PMO Manager (level 3) differ mainly in scope")


def test_career_path_targets_the_most_senior_role(tracker, dispatcher, domain):
    ActionExplainCareerPath().run(dispatcher, tracker("ask_career_path", [role("PMO Analyst"), role("PMO Manager")]), domain)
    assert "To become a PMO Manager (level 3) you usually step up from PMO Analyst" in dispatcher.messages[0]["text"]


def test_career_path_for_a_newcomer(tracker, dispatcher, domain):
    ActionExplainCareerPath().run(dispatcher, tracker("ask_career_path", [{"entity": "experience", "value": "new_to_pmo"}]), domain)
    assert "How to Get Started in PMO" in dispatcher.messages[0]["text"]
