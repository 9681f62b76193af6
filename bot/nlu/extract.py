"""Turn a processed spaCy ``Doc`` into Rasa-style entity dicts (pure).

The entity ruler in the project's spaCy pipeline finds exact titles, courses
and experience cues. This module maps its spans to the entities the assistant
uses (``role``, ``course``, ``experience``, ``years``) and adds a cautious typo
pass for role titles the ruler missed ("adminstrator", "co-ordinater").
"""

from __future__ import annotations

import difflib
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from spacy.tokens import Doc

from bot.nlu.patterns import (
    COURSE_LABEL,
    EXPERIENCE_LABEL,
    NOT_ROLE_LABEL,
    ROLE_LABEL,
    YEARS_LABEL,
)

Entity = Dict[str, object]

ENTITY_FOR_LABEL = {
    ROLE_LABEL: "role",
    NOT_ROLE_LABEL: "other_role",
    COURSE_LABEL: "course",
    EXPERIENCE_LABEL: "experience",
    YEARS_LABEL: "years",
}

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "couple": 2, "few": 3,
}
# Only this many tokens are searched for typos: titles come early in a chat
# message, and it bounds the cost of a 20,000-character message.
FUZZY_TOKEN_LIMIT = 60
FUZZY_MIN_RATIO = 0.86
# Real words that sit close to a title but do not mean one.
_NOT_TYPOS = {
    "managed", "manages", "managing", "management", "managers", "analysis", "analyse",
    "analyze", "analysed", "directly", "direction", "directed", "directory",
    "administration", "administer", "coordinate", "co-ordinate", "coordinated",
    "coordinating", "planned", "planning", "planners", "scheduled", "scheduling",
    "controlled", "controls", "director's", "damage", "manner", "banager",
}


def parse_years(text: str) -> Optional[int]:
    """'8 years' -> 8, 'eight yrs' -> 8, 'a couple of years' -> 2, '10+yrs' -> 10."""
    for raw in text.lower().replace("+", " ").replace("-", " ").split():
        word = raw.rstrip(".'")
        digits = "".join(ch for ch in word if ch.isdigit())
        if digits and word[: len(digits)] == digits:
            return int(digits)
        if word in _NUMBER_WORDS and word not in {"a", "an"}:
            return _NUMBER_WORDS[word]
    return 1 if text.lower().startswith(("a year", "an year")) else None


def _entity(name: str, value: object, start: int, end: int, text: str, confidence: float = 1.0) -> Entity:
    return {
        "entity": name,
        "value": value,
        "start": start,
        "end": end,
        "text": text,
        "confidence_entity": confidence,
    }


def _ruler_entities(doc: Doc) -> List[Entity]:
    entities: List[Entity] = []
    for span in doc.ents:
        name = ENTITY_FOR_LABEL.get(span.label_)
        if name is None:
            continue
        if name == "years":
            value: object = parse_years(span.text)
            if value is None:
                continue
            value = str(value)
        else:
            value = span.ent_id_
        entities.append(_entity(name, value, span.start_char, span.end_char, span.text))
    return entities


def _covered(doc: Doc) -> List[bool]:
    covered = [False] * len(doc)
    for span in doc.ents:
        for i in range(span.start, span.end):
            covered[i] = True
    return covered


def _best_title(candidate: str, vocabulary: Mapping[str, str]) -> Optional[Tuple[str, float]]:
    best: Optional[Tuple[str, float]] = None
    for title, role in vocabulary.items():
        if abs(len(title) - len(candidate)) > 2 or title[0] != candidate[0]:
            continue
        matcher = difflib.SequenceMatcher(None, candidate, title)
        if matcher.real_quick_ratio() < FUZZY_MIN_RATIO or matcher.quick_ratio() < FUZZY_MIN_RATIO:
            continue
        ratio = matcher.ratio()
        if ratio >= FUZZY_MIN_RATIO and (best is None or ratio > best[1]):
            best = (role, ratio)
    return best


def _fuzzy_roles(doc: Doc, vocabulary: Mapping[str, str]) -> List[Entity]:
    """Typo-tolerant title matches on tokens the ruler left untouched."""
    covered = _covered(doc)
    limit = min(len(doc), FUZZY_TOKEN_LIMIT)
    found: List[Entity] = []
    i = 0
    while i < limit:
        match = None
        for width in (4, 3, 2, 1):
            j = i + width
            if j > limit or any(covered[i:j]):
                continue
            span = doc[i:j]
            if not all(t.is_alpha or t.text == "-" for t in span):
                continue
            candidate = span.text.lower().replace(" - ", "-")
            if width == 1 and (len(candidate) < 6 or candidate in _NOT_TYPOS):
                continue
            best = _best_title(candidate, vocabulary)
            if best:
                match = (span, best)
                break
        if match:
            span, (role, ratio) = match
            found.append(_entity("role", role, span.start_char, span.end_char, span.text, round(ratio, 2)))
            i = span.end
        else:
            i += 1
    return found


def extract_entities(doc: Doc, fuzzy_vocabulary: Optional[Mapping[str, str]] = None) -> List[Entity]:
    """All entities in ``doc``, ordered by position."""
    entities = _ruler_entities(doc)
    if fuzzy_vocabulary:
        entities.extend(_fuzzy_roles(doc, fuzzy_vocabulary))
    return sorted(entities, key=lambda e: (e["start"], e["end"]))


def entity_values(entities: Sequence[Mapping[str, object]], name: str) -> List[str]:
    """Distinct values of one entity type, in the order the user wrote them."""
    values: List[str] = []
    for entity in entities:
        value = entity.get("value")
        if entity.get("entity") == name and isinstance(value, str) and value not in values:
            values.append(value)
    return values
