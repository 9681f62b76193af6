"""Several questions in one message, split into one message per question (pure).

"what's a scheduler and which course suits them?" asks two things. Rasa's own
answer is multi-intents (``intent_split_symbol``), which needs a training
example for every pair of intents ("ask_role_description+ask_course_recommendation")
and gives one action the job of answering both. Splitting the text first and
handling each clause as its own turn keeps every intent, rule and action as it
is, answers in the order asked, and lets the second question lean on the first
through the conversation's context ("them" is the scheduler just described).

The split is conservative: only at a question mark followed by more words, or at
"and"/"also"/";" followed by a question word, and only when the first part is a
question itself. "I'm a nurse and want to move into PMO, which course?" stays
one message: its first part is not a question, and the background belongs to
the course question.
"""

from __future__ import annotations

import re
from typing import List

from bot.nlu.reading import words

MAX_CLAUSES = 3
_QUESTION_START = re.compile(
    r"^(" + "|".join(sorted((re.escape(w) for w in words().question_words), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)  # the one list of question openers (bot/knowledge/reading.yml)
_JOINERS = re.compile(r"\s*(?:,\s*and\s+also|,\s*and|\band\s+also|\band|;|\balso)\s+(?=\S)", re.IGNORECASE)


# "Between X and Y" joins two things compared, not two questions.
_BETWEEN = re.compile(r"\b(between|compare|comparing|vs|versus)\b(?!.*[?.!])", re.IGNORECASE)


def _is_question(text: str) -> bool:
    return bool(_QUESTION_START.match(text.strip())) or text.strip().endswith("?")


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _split_joined(text: str) -> List[str]:
    """'what is X and which course ...' -> ['what is X', 'which course ...']."""
    parts: List[str] = []
    rest = text
    while len(parts) < MAX_CLAUSES - 1:
        for match in _JOINERS.finditer(rest):
            before, after = rest[: match.start()], rest[match.end() :]
            if (
                _QUESTION_START.match(after)
                and _is_question(before)
                and _words(before) >= 2
                and _words(after) >= 2
                and not _BETWEEN.search(before)  # "the difference between the PMO-CP and what you offer?"
            ):
                parts.append(before.strip(" ,;"))
                rest = after
                break
        else:
            break
    parts.append(rest.strip())
    return parts


_ENUMERATED = re.compile(r"(?:^|\s)\(?[1-3][).]\s+")


def _enumerated(text: str) -> List[str]:
    """ "Three questions: 1) is it certified, 2) who by, and 3) do I need...": the numbered parts."""
    parts = _ENUMERATED.split(text)
    if len(parts) < 3:
        return []
    cleaned = [re.sub(r"[\s,;]*\b(and|also)\s*$", "", p).strip(" ,;") for p in parts[1:]]
    return [p for p in cleaned if _words(p) >= 2][:MAX_CLAUSES]


def split_questions(text: str) -> List[str]:
    """The questions in ``text`` in order; ``[text]`` when there is only one."""
    stripped = text.strip()
    if not stripped or stripped.startswith("/") or len(stripped) > 400:
        return [text]
    numbered = _enumerated(stripped)
    if len(numbered) >= 2:
        return numbered
    pieces = [p.strip() + "?" for p in re.split(r"\?+\s+(?=\S)", stripped) if p.strip()]
    if pieces:
        pieces[-1] = pieces[-1][:-1] if not stripped.endswith("?") else pieces[-1].rstrip("?") + "?"
    # A statement after a question ("is it certified? my manager likes a certificate") is an
    # aside that belongs to the question, not a question of its own.
    merged: List[str] = []
    for piece in pieces:
        if merged and not _is_question(piece):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    clauses: List[str] = []
    for piece in merged:
        clauses.extend(_split_joined(piece))
    clauses = [c for c in clauses if c]
    if len(clauses) < 2 or any(_words(c) < 2 for c in clauses):
        return [text]
    return (
        clauses[: MAX_CLAUSES - 1] + [" ".join(clauses[MAX_CLAUSES - 1 :])] if len(clauses) > MAX_CLAUSES else clauses
    )
