"""bot.enquiries: every check, with the reason the user is given."""

import pytest

from bot import enquiries
from bot.enquiries import Rejected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("jane.smith@acme.co.uk", "jane.smith@acme.co.uk"),
        ("it's Jane.Smith@ACME.co.uk thanks", "Jane.Smith@acme.co.uk"),
        ("my email is tom+pmo@nhs.net.", "tom+pmo@nhs.net"),
        ("<dave_b@buildco.co.uk>", "dave_b@buildco.co.uk"),
        ("o'neill@council.gov.uk", "o'neill@council.gov.uk"),
    ],
)
def test_valid_addresses_are_taken_from_the_message(text, expected):
    assert enquiries.check_email(text) == expected


@pytest.mark.parametrize(
    "text,reason",
    [
        ("jane smith", "I couldn't see an email address there: it needs an @"),
        ("jane at acme dot com", "Please type the address with an @ and dots"),
        ("jane@acme", '"acme" after the @ needs its ending too, such as acme.co.uk or acme.com.'),
        ("jane@acme.con", '"acme.con" looks like a typo: did you mean acme.com?'),
        ("jane@gmial.com", "Did you mean jane@gmail.com?"),
        ("jane@example.com", "example.com is a placeholder"),
        ("jane@acme.test", "acme.test is a placeholder"),
        ("jane@acme.c0m", "doesn't end like a real domain"),
        ("jane@-acme.com", "isn't a valid domain"),
        ("jane..smith@acme.com", "The part before the @ has characters an address can't have"),
        ("@acme.com", "The part before the @ is missing"),
        ("jane@", "The part after the @ is missing"),
        ("a@acme.com and b@acme.com", "Please give just one email address"),
        ("x" * 250 + "@acme.com", "too long"),
        ('/provide_details{"email": "a@b.com"}', "Let's finish the enquiry first"),
    ],
)
def test_wrong_addresses_are_refused_with_a_reason(text, reason):
    result = enquiries.check_email(text)
    assert isinstance(result, Rejected) and reason in result.reason, result


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Jane Smith", "Jane Smith"),
        ("my name is Jane Smith.", "Jane Smith"),
        ("hi, I'm Tom", "Tom"),
        ("its Priya Patel", "Priya Patel"),
        ("Zoë van der Berg", "Zoë van der Berg"),
        ("Seán O'Neill-Brown", "Seán O'Neill-Brown"),
        ("Will Smith", "Will Smith"),  # "will" opens questions too: dialogue_words.yml name_openers
        ("  Jane\u200b \x07Smith ", "Jane Smith"),
    ],
)
def test_names(text, expected):
    assert enquiries.check_name(text) == expected


@pytest.mark.parametrize(
    "text,reason",
    [
        ("jane@acme.com", "That looks like an email address"),
        ("", "I didn't catch a name"),
        ("???", "I didn't catch a name"),
        ("what does a pmo analyst do?", "Let's finish the enquiry first"),
        ("how long is it", "Let's finish the enquiry first"),
        ("whats the price", "Let's finish the enquiry first"),
        ("<script>alert(1)</script>", "Let's finish the enquiry first"),
        ("/ask_role_description", "Let's finish the enquiry first"),
        ("R2D2", "doesn't look like a name"),
        ("a" * 150, "doesn't look like a name"),
    ],
)
def test_non_names(text, reason):
    result = enquiries.check_name(text)
    assert isinstance(result, Rejected) and reason in result.reason, result


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Acme Consulting", "Acme Consulting"),
        ("I work for Leeds City Council", "Leeds City Council"),
        ("we're a housing association", "a housing association"),
        ("NHS England", "NHS England"),
        ("self-employed", "self-employed"),
    ],
)
def test_organisations(text, expected):
    assert enquiries.check_organisation(text) == expected


@pytest.mark.parametrize("text", ["", "...", "why do you need that?", "www.acme.com", "x" * 300, "/affirm"])
def test_non_organisations(text):
    assert isinstance(enquiries.check_organisation(text), Rejected)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("12", 12),
        ("about 12 people", 12),
        ("there are 8 of us", 8),
        ("roughly twenty", 20),
        ("10 to 15", 15),
        ("1,200", 1200),
        ("just me", 1),
        ("only me", 1),
        ("a dozen", 12),
        ("skip", None),
        ("rather not say", None),
        ("not sure yet", None),
        ("n/a", None),
    ],
)
def test_team_sizes(text, expected):
    assert enquiries.check_team_size(text) == expected


@pytest.mark.parametrize("text", ["lots", "0", "999999999", "/affirm"])
def test_non_team_sizes(text):
    assert isinstance(enquiries.check_team_size(text), Rejected)


def test_team_size_slot_round_trip():
    assert enquiries.team_size_slot(None) == "not given"
    assert enquiries.team_size_from_slot(enquiries.team_size_slot(None)) is None
    assert enquiries.team_size_from_slot(enquiries.team_size_slot(14)) == 14


@pytest.mark.parametrize(
    "text,topic",
    [
        ("can you train my whole team in-house?", "in_house"),
        ("do you run in house training for organisations", "in_house"),
        ("we're a team of 12, can you run a private course just for us", "in_house"),
        ("can you come to our office", "in_house"),
        ("I want to book", "booking"),
        ("how do i book 6 people onto p3o practitioner", "booking"),
        ("how do I enrol", "booking"),
        ("can i sign up for the analyst course", "booking"),
        ("how much does P3O cost", None),
        ("do you run courses online", None),
        ("what's a facebook", None),
    ],
)
def test_topic(text, topic):
    assert enquiries.enquiry_topic(text) == topic


@pytest.mark.parametrize(
    "kwargs,expected",
    [
        ({}, None),
        ({"topic": "in_house"}, "In-house training for a team"),
        (
            {"recommended_course": "Essentials for PMO Analysts", "level": (2, "PMO Analyst")},
            "Essentials for PMO Analysts (level 2, PMO Analyst)",
        ),
        (
            {
                "topic": "booking",
                "course": "P3O Foundation",
                "recommended_course": "Essentials for PMO Analysts",
                "level": (2, "PMO Analyst"),
            },
            "Booking a course; P3O Foundation",
        ),
        ({"level": (3, "PMO Manager")}, "a course for a level 3 PMO Manager"),
    ],
)
def test_interest_from_conversation(kwargs, expected):
    assert enquiries.interest_from_conversation(**kwargs) == expected


def test_consent_question_shows_everything_that_will_be_stored():
    text = enquiries.consent_question("Jane", "jane@acme.com", "Acme", None, "P3O Foundation")
    for part in (
        "Name: Jane",
        "Email: jane@acme.com",
        "Organisation: Acme",
        "Team size: not given",
        "About: P3O Foundation",
        "May I store these details",
    ):
        assert part in text


@pytest.mark.parametrize(
    "text,reason",
    [
        ("jane@acme..co.uk", "isn't a valid domain"),
        ("jane@acme_corp.co.uk", "isn't a valid domain"),
        ("jané@acme.co.uk", "The part before the @ has characters an address can't have"),  # needs SMTPUTF8
        ("j" * 65 + "@acme.co.uk", "The part before the @ has characters an address can't have"),
    ],
)
def test_the_syntax_is_email_validators(text, reason):
    result = enquiries.check_email(text)
    assert isinstance(result, Rejected) and reason in result.reason, result


def test_no_dns_lookup_is_made(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("a DNS lookup was made")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr("dns.resolver.Resolver.resolve", no_network, raising=False)
    assert enquiries.check_email("jane@no-such-domain-anywhere.co.uk") == "jane@no-such-domain-anywhere.co.uk"


def test_the_book_of_an_open_book_exam_is_not_a_booking() -> None:
    assert enquiries.enquiry_topic("and am I allowed to take the book into the exam?") is None
    assert enquiries.enquiry_topic("ok, can I book it for March?") == enquiries.BOOKING
