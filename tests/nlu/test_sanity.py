"""Command intents need command words (bot.nlu.sanity)."""

import pytest

from bot.nlu.sanity import FALLBACK, checked_intent


@pytest.mark.parametrize(
    "intent,text",
    [
        ("deny", "no thanks"),
        ("deny", "not right now"),
        ("deny", "nah i'm good"),
        ("deny", "that's incorrect"),
        ("cancel_request", "cancel"),
        ("cancel_request", "Cancel"),
        ("cancel_request", "never mind"),
        ("cancel_request", "actually no"),
        ("start_over", "start over"),
        ("start_over", "Start Over"),
        ("start_over", "let's begin again"),
        ("affirm", "Nora Consent"),
        ("greet", "Pat Restart"),
    ],
)
def test_commands_said_in_words_keep_their_intent(intent, text):
    assert checked_intent(intent, text) == intent


@pytest.mark.parametrize(
    "intent,text",
    [
        ("deny", "Nora Consent"),
        ("start_over", "Pat Restart"),
        ("cancel_request", "Stopping Person"),
        ("deny", "Acme Ltd"),
        ("deny", "P3O Foundation"),
        ("cancel_request", "sam@acme.co.uk"),
    ],
)
def test_names_and_answers_are_not_commands(intent, text):
    assert checked_intent(intent, text) == FALLBACK
