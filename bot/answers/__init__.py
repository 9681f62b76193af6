"""What the assistant says about roles, courses and training (pure text).

Each function takes the knowledge base and returns a :class:`Reply`: text plus
optional quick-reply buttons. Channels decide how to draw the buttons; the
payloads are Rasa intents with validated entities.

Replies are chat-sized: a first answer gives the essentials in a few sentences
(under ~350 characters) and offers "more" buttons for the detail. Text uses a
small markdown subset every channel renders (``bot.render``): paragraphs
separated by a blank line, "- " bullet lists, bare URLs.

Layout: :mod:`.common` (the reply type and wording helpers), :mod:`.roles`,
:mod:`.courses` and :mod:`.beyond`; everything is re-exported here.
"""

from __future__ import annotations

from bot.answers.beyond import (
    adjacent_role,
    capabilities,
    career_change,
    certification,
    contact,
    decline,
    did_not_understand,
    not_a_pmo_role,
    other_job,
    out_of_scope,
    specialist_role,
    technique,
    unknown_certification,
    unknown_role,
    what_about,
)
from bot.answers.common import (
    FIRST_REPLY_CHARS,
    Button,
    Reply,
    article,
    button,
    canonical_title,
    capitalised,
    ebook_line,
    in_sentence,
    join,
    payload,
    sentence,
)
from bot.answers.courses import (
    course_buttons,
    course_detail,
    describe_course,
    describe_family,
    free_resources,
    list_courses,
    pmo_routes,
    pmo_type,
    pmo_types,
    prices_and_dates,
    training_options,
    which_course,
)
from bot.answers.roles import (
    ask_level,
    ask_level_again,
    career_path,
    compare_roles,
    describe_role,
    entry_requirements,
    instead,
    level_buttons,
    list_roles,
    not_same_role,
    recommendation,
    role_buttons,
    role_detail,
    same_role,
    stop_recommendation,
    why_recommended,
)
from bot.answers.team import clarify_pmo, other_language, team_format, team_training

__all__ = [
    "FIRST_REPLY_CHARS",
    "Button",
    "Reply",
    "adjacent_role",
    "article",
    "ask_level",
    "ask_level_again",
    "button",
    "canonical_title",
    "capabilities",
    "capitalised",
    "career_change",
    "career_path",
    "certification",
    "clarify_pmo",
    "compare_roles",
    "contact",
    "course_buttons",
    "course_detail",
    "decline",
    "describe_course",
    "describe_family",
    "describe_role",
    "did_not_understand",
    "ebook_line",
    "entry_requirements",
    "free_resources",
    "in_sentence",
    "instead",
    "join",
    "level_buttons",
    "list_courses",
    "list_roles",
    "not_a_pmo_role",
    "not_same_role",
    "other_job",
    "other_language",
    "out_of_scope",
    "payload",
    "pmo_routes",
    "pmo_type",
    "pmo_types",
    "prices_and_dates",
    "recommendation",
    "role_buttons",
    "role_detail",
    "same_role",
    "sentence",
    "specialist_role",
    "stop_recommendation",
    "team_format",
    "team_training",
    "technique",
    "training_options",
    "unknown_certification",
    "unknown_role",
    "what_about",
    "which_course",
    "why_recommended",
]
