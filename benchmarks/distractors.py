"""Distractor tests: the same standalone question, with something around it (issue 19).

Generated from every single-topic conversation of ``tests/conversations/conversations.yml``:
its first turn is a standalone question with the checks a good reply must pass. Each becomes
three variants, which must pass the same checks AND get the same reply text as the plain
question:

- ``greeting``: "hi there" as a turn of its own first, then the question;
- ``backstory``: a sentence about someone else's job, then the question, in one message
  ("My manager is the head of PMO and she told me to ask you. <question>"): other people's
  jobs never set the visitor's level;
- ``trailing``: the question, then an unrelated sentence in the same message.

A conversation is single-topic unless its first turn checks an ``order`` (the conversation
file's way of checking the answers to two questions in one message) or is itself a greeting.

Pure: no Rasa, no servers. benchmarks/corpus.py runs the variants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Sequence, Tuple

GREETING = "hi there"
TRAILING = "Sorry if that's a daft question, it's been a long week."
# Someone else's job, then the question. PMO titles of every level (which must not become the
# visitor's level) and jobs outside PMO; taken in turn, one per conversation.
BACKSTORIES: Tuple[str, ...] = (
    "My manager is the head of PMO and she told me to ask you.",
    "My colleague is a PMO analyst and he said you'd know.",
    "My sister works as a nurse and she suggested I try this chat.",
    "My boss is a PMO director and wants me to look into this.",
    "A friend of mine is a project support officer and recommended you.",
    "My husband is a chef and thinks I spend too long on this stuff.",
    "Our PMO lead asked me to find out.",
    "My dad was a programme manager for years and pointed me here.",
)
KINDS = ("greeting", "backstory", "trailing")
# Keys of a conversation turn that are checks on its reply (tests/conversations/test_context.py).
CHECK_KEYS = ("expect", "expect_any", "not", "order", "buttons", "allow_decline")


@dataclass(frozen=True)
class Distractor:
    """One variant: the messages to send in a fresh conversation; the last one's reply is checked."""

    id: str  # "<conversation name> / <kind>"
    source: str  # the conversation's name
    kind: str  # greeting | backstory | trailing
    question: str  # the plain question
    messages: Tuple[str, ...]
    checks: Dict[str, Any] = field(default_factory=dict, compare=False)


def _joined(first: str, second: str) -> str:
    return f"{first.rstrip()} {second.lstrip()}"


_QUESTION_WORDS = (
    "what",
    "whats",
    "what's",
    "how",
    "who",
    "whos",
    "who's",
    "which",
    "why",
    "where",
    "when",
    "is",
    "are",
    "do",
    "does",
    "can",
    "could",
    "should",
    "would",
    "will",
    "difference",
)


def _ended(question: str) -> str:
    """The question with an end mark, as a person would type one before another sentence."""
    if question[-1:] in "?.!":
        return question
    first = question.split()[0].lower() if question.split() else ""
    return question + ("?" if first in _QUESTION_WORDS else ".")


def is_single_topic(conversation: Dict[str, Any]) -> bool:
    """True when the conversation opens with one standalone question (see the module's docstring)."""
    turns = conversation.get("turns") or []
    if not turns or not isinstance(turns[0].get("user"), str) or not turns[0]["user"].strip():
        return False
    first = turns[0]
    if first.get("order"):
        return False
    return first["user"].strip().lower().rstrip("!.") not in {"hi", "hello", "hey", GREETING}


def variants(name: str, turn: Dict[str, Any], index: int) -> List[Distractor]:
    """The three variants of one first turn; ``index`` picks the backstory (in turn)."""
    question = turn["user"].strip()
    checks = {key: turn[key] for key in CHECK_KEYS if key in turn}
    backstory = BACKSTORIES[index % len(BACKSTORIES)]
    messages = {
        "greeting": (GREETING, question),
        "backstory": (_joined(backstory, question),),
        "trailing": (_joined(_ended(question), TRAILING),),
    }
    return [Distractor(f"{name} / {kind}", name, kind, question, messages[kind], checks) for kind in KINDS]


def generate(conversations: Sequence[Dict[str, Any]]) -> List[Distractor]:
    """Every variant of every single-topic conversation, in file order."""
    found: List[Distractor] = []
    for conversation in conversations:
        if is_single_topic(conversation):
            found.extend(variants(str(conversation["name"]), conversation["turns"][0], len(found) // len(KINDS)))
    return found
