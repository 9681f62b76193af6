"""Entity mentions as one placeholder token each, for the intent classifier (pure).

"what does a project support officer do?" and "what does a head of PMO do?" ask
the same thing; only the title differs. Seen by a bag-of-words classifier as
"what does a __role__ do ?", every title teaches the same pattern, so an intent
learnt from a few titles carries over to all the others the knowledge base
knows. Only the features change: the message text and its entities stay as
they are.
"""

from __future__ import annotations

from typing import Callable, List, Mapping, Sequence, Tuple, TypeVar, cast

T = TypeVar("T")

PLACEHOLDER_ENTITIES = (
    "role",
    "other_role",
    "course",
    "course_family",
    "experience",
    "years",
    "certification",
    "background",
    "pmo_type",
)
# A family of courses reads like a course to the classifier ("tell me about __course__").
_SAME_AS = {"course_family": "course"}


def span(entity: Mapping[str, object]) -> Tuple[int, int]:
    """(start, end) of an entity dict."""
    return int(cast(int, entity["start"])), int(cast(int, entity["end"]))


def placeholder(entity: str) -> str:
    return f"__{_SAME_AS.get(entity, entity)}__"


def with_placeholders(
    tokens: Sequence[T],
    entities: Sequence[Mapping[str, object]],
    start_of: Callable[[T], int],
    end_of: Callable[[T], int],
    make: Callable[[str, int, int], T],
) -> List[T]:
    """``tokens`` with the tokens inside each entity replaced by one placeholder token.

    Entities are character spans; a token that overlaps one is replaced. Where
    entities overlap, the first (by start) wins.
    """
    spans: List[Tuple[int, int, str]] = []
    for entity in sorted(entities, key=lambda e: (span(e)[0], -span(e)[1])):
        name = str(entity.get("entity"))
        if name not in PLACEHOLDER_ENTITIES:
            continue
        start, end = span(entity)
        if spans and start < spans[-1][1]:
            continue
        spans.append((start, end, name))
    if not spans:
        return list(tokens)
    result: List[T] = []
    placed = set()
    index = 0
    for token in tokens:
        while index < len(spans) and spans[index][1] <= start_of(token):
            index += 1
        if index < len(spans) and spans[index][0] < end_of(token):  # the token overlaps this span
            if index not in placed:
                placed.add(index)
                start, end, name = spans[index]
                result.append(make(placeholder(name), start, end))
            continue
        result.append(token)
    return result
