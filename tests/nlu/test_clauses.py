"""Splitting a message into its questions (bot.nlu.clauses)."""

import pytest

from bot.nlu.clauses import MAX_CLAUSES, split_questions


@pytest.mark.parametrize(
    "text,parts",
    [
        ("what's a scheduler and which course suits them?", ["what's a scheduler", "which course suits them?"]),
        ("what does an admin do? how long is the course?", ["what does an admin do?", "how long is the course?"]),
        ("what is p3o and is it open book", ["what is p3o", "is it open book"]),
        (
            "what does a pmo analyst do and also what skills do they need",
            ["what does a pmo analyst do", "what skills do they need"],
        ),
    ],
)
def test_two_questions_are_split_in_order(text, parts):
    assert split_questions(text) == parts


@pytest.mark.parametrize(
    "text",
    [
        "difference between an analyst and a manager",  # one question about two roles
        "I'm a nurse and want to move into PMO, which course?",  # the background belongs to the question
        "tell me about analysts and managers",
        "who certifies the essentials courses? thanks",  # "thanks" is not a question
        "is that one certified by anyone? My manager likes a certificate, bless her",  # an aside
        "how long is it?",
        "hi",
        "",
        '/ask_role_description{"role": "PMO Analyst"}',
        "what is a pmo and how " + "very " * 200 + "long is it",  # long text is left alone
    ],
)
def test_one_question_stays_whole(text):
    assert split_questions(text) == [text]


def test_never_more_than_the_limit():
    text = "what is a pmo? what is p3o? what is mop? what is an analyst? what is a manager?"
    assert len(split_questions(text)) == MAX_CLAUSES


def test_numbered_questions_are_answered_one_by_one():
    assert split_questions(
        "Three questions: 1) is the Essentials for PMO Managers course certified, 2) who by, and 3) do I need a "
        "previous qualification to book on it?"
    ) == [
        "is the Essentials for PMO Managers course certified",
        "who by",
        "do I need a previous qualification to book on it?",
    ]
    assert split_questions("I have 2) things to say") == ["I have 2) things to say"]
