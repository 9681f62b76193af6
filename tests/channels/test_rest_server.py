"""The running Rasa server and action server, over the REST channel."""

import uuid

import pytest
import requests

pytestmark = pytest.mark.slow


def say(url, text, sender=None, timeout=30):
    response = requests.post(url, json={"sender": sender or uuid.uuid4().hex, "message": text}, timeout=timeout)
    return response


def texts(response):
    return [m.get("text", "") for m in response.json()]


@pytest.mark.parametrize(
    "message",
    [
        "",
        "x" * 20_000,
        "🙂🎉🍕🚀",
        "¿Qué cursos ofrecen para gestores de proyectos?",
        "这个机器人能做什么",
        '/ask_role_description{"role":"CEO"}',
        '/no_such_intent{"role":"PMO Analyst"}',
        "<script>alert(1)</script>",
        "   \n\t  ",
    ],
)
def test_bad_input_gets_a_polite_reply(rest_url, message):
    response = say(rest_url, message)
    assert response.status_code == 200
    replies = texts(response)
    assert replies and all(r.strip() for r in replies), replies
    assert not any("Traceback" in r or "Error" in r for r in replies)
    # and the server keeps answering
    follow_up = say(rest_url, "what does a pmo analyst do?")
    assert follow_up.status_code == 200 and "PMO Analyst" in texts(follow_up)[0]


def test_forged_role_is_not_trusted(rest_url):
    [reply] = texts(say(rest_url, '/ask_role_description{"role":"CEO"}'))
    assert reply.startswith('I don\'t know "CEO" as a PMO role.')


def test_role_answer_offers_buttons(rest_url):
    [message] = say(rest_url, "whats a controls and reporting co-ordinator?").json()
    assert message["text"].startswith("Controls and Reporting Co-ordinator is one of the job titles for a PMO Analyst")
    assert [b["title"] for b in message["buttons"]] == [
        "What they do day to day",
        "Skills needed",
        "Other job titles",
        "Which course suits this role?",
        "Compare with another role",
    ]


def test_recommendation_with_digression_and_correction(rest_url):
    sender = uuid.uuid4().hex
    [question] = say(rest_url, "8 years, which course?", sender).json()
    assert "years alone" in question["text"] and len(question["buttons"]) == 4
    answer, back = say(rest_url, "what does a head of pmo do?", sender).json()
    assert "PMO Director" in answer["text"]
    assert back["text"].startswith("Back to choosing your course")
    [rec] = texts(say(rest_url, "I'm a project co-ordinator", sender))
    assert rec.startswith(
        "Because you mentioned project co-ordinator, which is a level 2 PMO Analyst title, "
        "I'd recommend Essentials for PMO Analysts"
    )
    [fixed] = texts(say(rest_url, "sorry, I meant I'm a PMO manager", sender))
    assert "I'd recommend Essentials for PMO Managers" in fixed


def test_button_payload_round_trip(rest_url):
    sender = uuid.uuid4().hex
    say(rest_url, "which course is right for me?", sender)
    [rec] = texts(say(rest_url, '/inform_experience{"role": "PMO Administrator"}', sender))
    assert "Essentials for PMO Administrators" in rec and "How to Get Started in PMO" in rec


@pytest.mark.parametrize(
    "body,reason",
    [
        ("not json", "body must be JSON"),
        ("[1, 2, 3]", "body must be a JSON object"),
        ('{"message": "hi"}', "'sender' is required (a string)"),
        ('{"sender": "a", "message": 42}', "'message' must be a string"),
        ('{"sender": "a", "message": "hi", "metadata": [1]}', "'metadata' must be an object"),
    ],
)
def test_malformed_requests_get_a_400_with_a_reason(rest_url, body, reason):
    response = requests.post(rest_url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
    assert (response.status_code, response.json()) == (400, {"error": reason})
    assert texts(say(rest_url, "hello"))
