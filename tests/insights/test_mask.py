"""Emails and phone numbers never reach a staff page; ordinary numbers do."""

import pytest

from bot.insights.mask import mask, text_key


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mail me at sam.jones@example.co.uk please", "mail me at [email] please"),
        ("SAM+pmo@Example.com", "[email]"),
        ("call 07700 900123", "call [phone]"),
        ("or +44 (0)20 7946 0958 after six", "or [phone] after six"),
        ("ring 020-7946-0958.", "ring [phone]."),
        ("I have 10 years, started in 2015, team of 12", "I have 10 years, started in 2015, team of 12"),
        ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
    ],
)
def test_mask(text, expected):
    assert mask(text) == expected


def test_same_question_same_key():
    assert text_key("  What is  the Weather?\n") == text_key("what is the weather?")
    assert text_key("mail a@b.com") == text_key("mail c@d.org")
