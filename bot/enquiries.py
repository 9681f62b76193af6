"""Enquiries for the PMO Learning team: what we accept in each answer, and why not.

Every function here is pure: it takes what the user typed and returns either a
clean value or a :class:`Rejected` with the reason the assistant gives before
asking again. The form action (``actions/enquiry.py``) only calls these; the
database side lives in :mod:`bot.storage.enquiry_store`.

(Over 300 lines: one checker per form field and the form's wording, kept in one
place so the whole form reads top to bottom; the questions are in domain.yml.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Pattern, Tuple, Union

from email_validator import EmailNotValidError, validate_email

from bot.nlu.reading import words as reading_words
from bot.text import NUMBER_WORDS, plain_text
from bot.words import dialogue_words

MAX_NAME = 100
MAX_ORGANISATION = 200
MAX_INTEREST = 300
MAX_EMAIL = 254
MAX_TEAM_SIZE = 100_000
TEAM_SIZE_NOT_GIVEN = "not given"

# Topics that turn a question about training into an enquiry (see enquiry_topic).
IN_HOUSE = "in_house"
BOOKING = "booking"
TOPIC_INTEREST = {IN_HOUSE: "In-house training for a team", BOOKING: "Booking a course"}


@dataclass(frozen=True)
class Rejected:
    reason: str


@dataclass(frozen=True)
class Enquiry:
    """A complete enquiry, as the user agreed to send it."""

    conversation_id: str
    name: str
    email: str
    organisation: str
    interest: str
    team_size: Optional[int] = None


def _strip_lead_in(text: str, pattern: "re.Pattern[str]") -> str:
    return pattern.sub("", text, count=1).strip(" .,!;:-")


# ---------------------------------------------------------------- email

_EMAIL_CANDIDATE = re.compile(r"[^\s<>()\[\],;:\"]*@[^\s<>()\[\],;:\"]*")
_RESERVED_DOMAINS = ("example.com", "example.org", "example.net", "email.com", "domain.com", "test.com")
_RESERVED_TLDS = ("test", "example", "invalid", "localhost", "local")
_TLD_TYPOS = {"con": "com", "cmo": "com", "ocm": "com", "om": "com", "cm": "com", "couk": "co.uk", "co.k": "co.uk"}
_DOMAIN_TYPOS = {
    "gmial.com": "gmail.com",
    "gamil.com": "gmail.com",
    "gmai.com": "gmail.com",
    "hotmial.com": "hotmail.com",
    "hotmal.com": "hotmail.com",
    "outlok.com": "outlook.com",
}
EMAIL_SHAPE = "an address like jane.smith@yourcompany.co.uk"


def _syntax(address: str) -> Optional[str]:
    """The address as email-validator normalises it (no DNS lookups), or None when it isn't one."""
    try:
        checked = validate_email(
            address, check_deliverability=False, allow_smtputf8=False, globally_deliverable=False, strict=True
        )  # strict: also RFC 5321's 64-character limit before the @
        return str(checked.normalized)
    except EmailNotValidError:
        return None


def check_email(text: str) -> Union[str, Rejected]:
    """The one email address in ``text`` (domain lower-cased), or why it won't do.

    The syntax is email-validator's (RFC 5321/5322, DNS lookups off); what is
    checked here is what a person gets wrong: the @ or the ending missing,
    typos of common domains, placeholders, two addresses at once.
    """
    if _is_command(text):
        return Rejected(FINISH_FIRST)  # the form asks its question again
    text = plain_text(text)
    candidates = [c.strip(".'") for c in _EMAIL_CANDIDATE.findall(text)]
    if not candidates:
        if re.search(r"\bat\b.*\bdot\b", text.lower()):
            return Rejected(f"Please type the address with an @ and dots, as {EMAIL_SHAPE}.")
        return Rejected(f"I couldn't see an email address there: it needs an @, as {EMAIL_SHAPE}.")
    if len(set(c.lower() for c in candidates)) > 1:
        return Rejected("Please give just one email address, the one the team should reply to.")
    address = candidates[0]
    if len(address) > MAX_EMAIL:
        return Rejected("That address is too long to be real. Could you check it?")
    local, _, domain = address.rpartition("@")
    domain = domain.lower().rstrip(".")
    if not local:
        return Rejected(f"The part before the @ is missing: it should be {EMAIL_SHAPE}.")
    if not domain:
        return Rejected(f"The part after the @ is missing: it should be {EMAIL_SHAPE}.")
    labels = domain.split(".")
    if len(labels) < 2:
        return Rejected(f'"{domain}" after the @ needs its ending too, such as {domain}.co.uk or {domain}.com.')
    tld = labels[-1]
    if domain in _RESERVED_DOMAINS or tld in _RESERVED_TLDS:
        return Rejected(
            f"{domain} is a placeholder, not a real mailbox. Please give the address the team should reply to."
        )
    if _syntax(f"a@{domain}") is None:
        return Rejected(f'"{domain}" isn\'t a valid domain: it can only have letters, digits, hyphens and dots.')
    normalised = None if "@" in local else _syntax(f"{local}@{domain}")
    if normalised is None:
        return Rejected(f"The part before the @ has characters an address can't have. It should be {EMAIL_SHAPE}.")
    if domain in _DOMAIN_TYPOS:
        return Rejected(f"Did you mean {local}@{_DOMAIN_TYPOS[domain]}? Please type the address again.")
    if tld in _TLD_TYPOS:
        fixed = ".".join(labels[:-1] + [_TLD_TYPOS[tld]])
        return Rejected(f'"{domain}" looks like a typo: did you mean {fixed}? Please type the address again.')
    if not tld.isalpha() or len(tld) < 2:
        return Rejected(f'"{domain}" doesn\'t end like a real domain (.com, .co.uk, .org...). Could you check it?')
    return normalised


# ---------------------------------------------------------------- name, organisation, interest

_NAME_LEAD_IN = re.compile(
    r"^\s*(hi|hello|hey)?[ ,]*(my name is|my name's|my names|name is|name:|the name is|i am|i'm|im|it's|its|"
    r"this is|call me)\s+",
    re.IGNORECASE,
)
_ORG_LEAD_IN = re.compile(
    r"^\s*(i work (for|at|in)|i'm (with|at|from)|im (with|at|from)|i am (with|at|from)|we are|we're|"
    r"our (company|organisation|organization|employer) is|the (company|organisation|organization) is|"
    r"(company|organisation|organization|employer):|it's|its|from)\s+",
    re.IGNORECASE,
)
_LINK = re.compile(r"https?://|www\.|<[a-z/!]", re.IGNORECASE)


@lru_cache(maxsize=1)
def _question() -> Pattern[str]:
    """A question asked instead of an answer: a "?", or a first word from the shared question_words
    (``bot/knowledge/reading.yml``) except those that open real names ("Will Smith")."""
    openers = reading_words().question_words - dialogue_words().name_openers
    alternatives = "|".join(re.escape(w) for w in sorted(openers, key=len, reverse=True))
    return re.compile(r"\?|^\s*(" + alternatives + r")\b", re.IGNORECASE)


def _is_command(text: str) -> bool:
    """A button payload or forged ``/intent{...}``: never an answer to a question."""
    return plain_text(text).startswith("/")


FINISH_FIRST = (
    'Let\'s finish the enquiry first, so the team can get back to you (or say "cancel" to stop and ask me anything).'
)
# Short replies that answer the form's question with something else ("yes please",
# "contact me", "thanks"): the question is asked again with this reason.
NOT_AN_ANSWER = "Sorry, I need the actual answer to that question."


def check_name(text: str) -> Union[str, Rejected]:
    if _is_command(text):
        return Rejected(FINISH_FIRST)  # the form asks its question again
    name = _strip_lead_in(plain_text(text), _NAME_LEAD_IN)
    if "@" in name:
        return Rejected("That looks like an email address. First, what's your name?")
    if not name or not any(c.isalpha() for c in name):
        return Rejected("I didn't catch a name there. What should the team call you?")
    if _question().search(name) or _LINK.search(name) or len(name.split()) > 6:
        return Rejected(FINISH_FIRST)  # the form asks its question again
    if len(name) > MAX_NAME or any(c.isdigit() for c in name):
        return Rejected("That doesn't look like a name. What should the team call you?")
    return name


def check_organisation(text: str) -> Union[str, Rejected]:
    if _is_command(text):
        return Rejected(FINISH_FIRST)  # the form asks its question again
    organisation = _strip_lead_in(plain_text(text), _ORG_LEAD_IN)
    if not organisation or not any(c.isalnum() for c in organisation):
        return Rejected(
            "I didn't catch the organisation. Which company or organisation do you work for? "
            '("self-employed" is fine too.)'
        )
    if "@" in organisation or _LINK.search(organisation) or (_question().search(organisation) and "?" in organisation):
        return Rejected(FINISH_FIRST)  # the form asks its question again
    if len(organisation) > MAX_ORGANISATION:
        return Rejected(f"That's a bit long: please keep the organisation under {MAX_ORGANISATION} characters.")
    return organisation


def check_interest(text: str) -> Union[str, Rejected]:
    if _is_command(text):
        return Rejected(FINISH_FIRST)  # the form asks its question again
    interest = plain_text(text)
    if len(interest) < 2 or not any(c.isalnum() for c in interest):
        return Rejected("What would you like to talk to the team about? A course name or a few words is enough.")
    if _LINK.search(interest):
        return Rejected("Please describe it in a few words, without links.")
    if len(interest) > MAX_INTEREST:
        return Rejected(f"That's a bit long: please keep it under {MAX_INTEREST} characters.")
    return interest


# ---------------------------------------------------------------- team size (optional)

# "a few" is no head count: the form asks for a number instead.
_NUMBER_WORDS = {word: value for word, value in NUMBER_WORDS.items() if word != "few"}
_SKIP = re.compile(
    r"\b(skip|pass|rather not|prefer not|not sure|unsure|don'?t know|dont know|no idea|n/?a|"
    r"none of your|tbc|tbd|not decided)\b",
    re.IGNORECASE,
)
_JUST_ME = re.compile(r"\b(just me|only me|myself|me only|just myself|1 person|one person|individual)\b", re.IGNORECASE)


def check_team_size(text: str) -> Union[Optional[int], Rejected]:
    """A head count, ``None`` when the user skips, or why it isn't one.

    Several numbers ("10 to 15 people") give the largest: the team plans for it.
    """
    if _is_command(text):
        return Rejected(FINISH_FIRST)  # the form asks its question again
    text = plain_text(text).lower()
    if _SKIP.search(text):
        return None
    if _JUST_ME.search(text) or text in ("me", "i", "just i"):
        return 1
    numbers = [int(n) for n in re.findall(r"\d{1,9}", text.replace(",", ""))]
    numbers += [v for w, v in _NUMBER_WORDS.items() if re.search(rf"\b{w}\b", text)]
    if not numbers:
        return Rejected('Please give a number, such as 8, or say "skip".')
    size = max(numbers)
    if size < 1 or size > MAX_TEAM_SIZE:
        return Rejected('That doesn\'t look like a number of people. How many would be trained? (or say "skip")')
    return size


def team_size_slot(size: Optional[int]) -> str:
    """Slot value for a checked team size (a form slot can't be empty, even when optional)."""
    return TEAM_SIZE_NOT_GIVEN if size is None else str(size)


def team_size_from_slot(value: object) -> Optional[int]:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- the conversation so far

_IN_HOUSE = re.compile(
    r"\bin[- ]?house\b|\bwhole (pmo|team|office|department)\b|\bprivate course\b|\bon[- ]?site\b|"
    r"\bcome to our\b|\btrain (us|our|my team|the team)\b|\bteam of \d+|\bour (whole |entire )?(team|pmo|staff)\b|"
    r"\bgroup booking",
    re.IGNORECASE,
)
_BOOKING = re.compile(
    # "book" as a verb; not the book of "open book" or "can I take the book in?"
    r"(?<!open )(?<!closed )(?<!the )(?<!a )(?<!my )(?<!any )(?<!this )\bbook\b|\bbook(ing|ed)\b|\breserve\b|"
    r"\bsign (me |us )?up\b|\bregister\b|\benrol+(ing|ment)?\b",
    re.IGNORECASE,
)


def enquiry_topic(text: str) -> Optional[str]:
    """Whether a question about training is really a request the team handles.

    In-house training and bookings need a person (prices, dates, a quote), so
    the assistant answers and then offers the enquiry form.
    """
    if _IN_HOUSE.search(text or ""):
        return IN_HOUSE
    if _BOOKING.search(text or ""):
        return BOOKING
    return None


def interest_from_conversation(
    topic: Optional[str] = None,
    course: Optional[str] = None,
    recommended_course: Optional[str] = None,
    level: Optional[Tuple[int, str]] = None,
) -> Optional[str]:
    """What the enquiry is about, from what the user already told the assistant.

    ``course`` is a course named in the latest message, ``level`` the user's
    level and role name; all are checked against the knowledge base by the caller.
    """
    parts = [TOPIC_INTEREST[topic]] if topic in TOPIC_INTEREST else []
    chosen = course or recommended_course
    if chosen:
        parts.append(f"{chosen} (level {level[0]}, {level[1]})" if level and not course else chosen)
    elif level:
        parts.append(f"a course for a level {level[0]} {level[1]}")
    return "; ".join(parts)[:MAX_INTEREST] if parts else None


# ---------------------------------------------------------------- what the assistant says


def intro(topic: Optional[str], interest: Optional[str], website: str) -> str:
    """Why the form, what it is about, and how to get out of it (the contact form is always an option)."""
    opening = {
        IN_HOUSE: "The team can put together in-house training for your organisation and give you a quote.",
        BOOKING: "The team can book places for you and answer questions about dates and prices.",
    }.get(topic or "", "Or I can pass a message to the team myself, and someone will get back to you by email.")
    noted = f" I've noted that it's about: {interest}." if interest else ""
    also = f" (You can also use the contact form on {website}.)" if topic else ""
    return (
        f"{opening}{noted} If you'd like that, I just need a few details: nothing is sent or stored "
        f'until you say yes at the end, and you can say "cancel" at any time.{also}'
    )


def consent_question(name: str, email: str, organisation: str, team_size: Optional[int], interest: str) -> str:
    size = "not given" if team_size is None else str(team_size)
    return (
        "Here's what I'll send to the PMO Learning team:\n"
        f"- Name: {name}\n- Email: {email}\n- Organisation: {organisation}\n"
        f"- Team size: {size}\n- About: {interest}\n"
        "They'll use it only to reply to this enquiry. May I store these details and pass them on?"
    )


# The slots the form asks with the utter_ask_<slot> responses in domain.yml, where their texts live.
ASKED_SLOTS = ("enquiry_name", "enquiry_email", "enquiry_organisation", "enquiry_team_size", "enquiry_interest")

CONSENT_BUTTONS = [
    {"title": "Yes, send it", "payload": "/affirm"},
    {"title": "No, don't store anything", "payload": "/deny"},
]
CONSENT_AGAIN = 'I need a yes or a no before I store anything (or say "cancel").'


def confirmation(reference: str, email: str) -> str:
    return (
        f"Thank you! Your enquiry is with the PMO Learning team (reference {reference}). "
        f"They'll reply by email to {email}. Is there anything else I can help with meanwhile?"
    )


def stopped(website: str, declined: bool = False) -> str:
    first = (
        "No problem: I haven't stored or sent your details."
        if declined
        else "OK, I've stopped the enquiry and haven't stored or sent anything."
    )
    return f"{first} You can still reach the team through the contact form on {website}. Anything else I can help with?"


def save_failed(website: str) -> str:
    return (
        "Sorry, I couldn't save your enquiry just now because of a problem on my side. Please try again in a "
        f"few minutes, or use the contact form on {website}."
    )
