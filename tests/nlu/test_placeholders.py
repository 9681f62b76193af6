"""bot.nlu.placeholders: entity mentions become one placeholder token each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Tuple

import pytest

from bot.nlu.placeholders import with_placeholders


@dataclass
class Tok:
    text: str
    start: int
    end: int


def tokens(text: str) -> List[Tok]:
    found, position = [], 0
    for word in text.split():
        start = text.index(word, position)
        found.append(Tok(word, start, start + len(word)))
        position = start + len(word)
    return found


def entity(name: str, text: str, mention: str) -> dict:
    start = text.index(mention)
    return {"entity": name, "start": start, "end": start + len(mention), "value": "x"}


def replaced(text: str, entities: List[dict]) -> List[Tuple[str, int, int]]:
    result = with_placeholders(
        tokens(text),
        entities,
        start_of=lambda t: t.start,
        end_of=lambda t: t.end,
        make=lambda word, start, end: Tok(word, start, end),
    )
    return [(t.text, t.start, t.end) for t in result]


def words(text: str, entities: List[dict]) -> List[str]:
    return [w for w, _, _ in replaced(text, entities)]


T1 = "what does a project support officer do ?"
T2 = "difference between a pmo analyst and a head of pmo"
T3 = "i have 8 years in a pmo and i run the programme office"


@pytest.mark.parametrize(
    "text,entities,expected",
    [
        (T1, [], T1.split()),
        (T1, [entity("role", T1, "project support officer")], ["what", "does", "a", "__role__", "do", "?"]),
        (
            T2,
            [entity("role", T2, "pmo analyst"), entity("role", T2, "head of pmo")],
            ["difference", "between", "a", "__role__", "and", "a", "__role__"],
        ),
        (
            T3,
            [entity("years", T3, "8 years"), entity("experience", T3, "i run the programme office")],
            ["i", "have", "__years__", "in", "a", "pmo", "and", "__experience__"],
        ),
        # Entities the classifier should keep seeing as words are left alone.
        (T1, [{"entity": "something_else", "start": 12, "end": 19, "value": "x"}], T1.split()),
    ],
)
def test_mentions_become_placeholders(text, entities, expected):
    assert words(text, entities) == expected


def test_placeholder_keeps_the_mention_span():
    [placeholder] = [t for t in replaced(T1, [entity("role", T1, "project support officer")]) if t[0] == "__role__"]
    assert T1[placeholder[1] : placeholder[2]] == "project support officer"


def test_overlapping_mentions_first_wins():
    text = "head of pmo office"
    entities = [entity("role", text, "head of pmo"), {"entity": "course", "start": 8, "end": 18, "value": "x"}]
    assert words(text, entities) == ["__role__", "office"]


def test_partly_covered_token_is_replaced():
    text = "an adminstrator?"
    assert words(text, [{"entity": "role", "start": 3, "end": 15, "value": "PMO Administrator"}]) == ["an", "__role__"]


def test_input_is_not_modified():
    original = tokens(T1)
    with_placeholders(
        original,
        [entity("role", T1, "project support officer")],
        start_of=lambda t: t.start,
        end_of=lambda t: t.end,
        make=lambda w, s, e: Tok(w, s, e),
    )
    assert [t.text for t in original] == T1.split()
