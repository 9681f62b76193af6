"""Turn a processed spaCy ``Doc`` into Rasa-style entity dicts (pure).

The entity ruler in the project's spaCy pipeline finds exact titles, courses
and experience cues. This module maps its spans to the entities the assistant
uses (``role``, ``course``, ``experience``, ``years``) and adds a cautious typo
pass for role titles the ruler missed ("adminstrator", "co-ordinater").

The word sets it checks (typos that are real words, words allowed before a bare level word,
possessives...) are data, in ``bot/knowledge/words.yml`` (:func:`bot.words.nlu_words`).
"""

from __future__ import annotations

import difflib
from typing import Dict, List, Mapping, Optional, Tuple, cast

from spacy.tokens import Doc

from bot.nlu.patterns import (
    ATTRIBUTE_LABEL,
    BACKGROUND_LABEL,
    BARE_SUFFIX,
    CERTIFICATION_LABEL,
    COURSE_LABEL,
    EXPERIENCE_LABEL,
    FAMILY_LABEL,
    MENTION_LABEL,
    NOT_ROLE_LABEL,
    PMO_TYPE_LABEL,
    ROLE_LABEL,
    TOPIC_LABEL,
    YEARS_LABEL,
)
from bot.text import NUMBER_WORDS
from bot.words import nlu_words

Entity = Dict[str, object]


def span(entity: Entity) -> Tuple[int, int]:
    """(start, end) of an entity dict (its offsets are ints; the dict type is loose)."""
    return int(cast(int, entity["start"])), int(cast(int, entity["end"]))


ENTITY_FOR_LABEL = {
    ROLE_LABEL: "role",
    NOT_ROLE_LABEL: "other_role",
    COURSE_LABEL: "course",
    EXPERIENCE_LABEL: "experience",
    YEARS_LABEL: "years",
    FAMILY_LABEL: "course_family",
    CERTIFICATION_LABEL: "certification",
    ATTRIBUTE_LABEL: "attribute",
    MENTION_LABEL: "mention",
    BACKGROUND_LABEL: "background",
    TOPIC_LABEL: "topic",
    PMO_TYPE_LABEL: "pmo_type",
}

# "a year", "a couple of years": the article alone is one only at the start (parse_years).
_NUMBER_WORDS = {**NUMBER_WORDS, "a": 1, "an": 1}
# Only this many tokens are searched for typos: titles come early in a chat
# message, and it bounds the cost of a 20,000-character message.
FUZZY_TOKEN_LIMIT = 60
FUZZY_MIN_RATIO = 0.86


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


def _qualifier(doc: Doc, start: int) -> Optional[str]:
    """The word before token ``start`` when it makes a bare level word another job."""
    if start == 0:
        return None
    before = doc[start - 1]
    word = before.lower_
    after = doc[start + 1].lower_ if start + 1 < len(doc) else ""
    if word == "it" and (
        before.text == "IT"
        or (start > 1 and doc[start - 2].lower_ in nlu_words().articles)
        or (start > 1 and doc[start - 2].lower_ in ("is", "was") and after in ("a", "an"))
    ):
        return "IT"  # "an IT manager", "is it manager a PMO role?": the department, not the pronoun
    if not before.is_alpha or before.is_stop or word in nlu_words().allowed_before_bare or word.endswith("ly"):
        return None
    return before.text


def _bare_role(doc: Doc, start: int, end: int, value: str) -> Tuple[str, str, int]:
    """(entity, value, start) for a bare level word: the role, or the other job it names."""
    qualifier = _qualifier(doc, start)
    if qualifier is None:
        return "role", value, doc[start].idx
    title = f"{qualifier} {doc[start:end].text}"
    return "other_role", " ".join(w if w.isupper() else w.capitalize() for w in title.split()), doc[start - 1].idx


def _team_outside_pmo(doc: Doc, end: int) -> bool:
    """'I manage a team of nurses', 'a team of 20 agents': the cue names a team that is not a PMO's."""
    if doc[end - 1].like_num and end < len(doc) and doc[end].is_alpha and not doc[end].is_stop:
        return doc[end].lower_ not in nlu_words().pmo_team_words  # "a team of 20 agents", not "a team of 5 analysts"
    if end + 1 >= len(doc) or doc[end].lower_ != "of":
        return False
    following = doc[end + 1]
    if following.like_num and end + 2 < len(doc) and doc[end + 2].is_alpha and not doc[end + 2].is_stop:
        following = doc[end + 2]  # "a team of 20 agents": what the team is of
    return (
        not following.like_num
        and following.lower_ not in nlu_words().pmo_team_words
        and following.lower_ not in {"the", "a", "our", "my"}
    )


def _not_a_job_abbreviation(doc: Doc, start: int, end: int) -> bool:
    """ "2 PM" is a time and "a BA in history" a degree, not a project manager or business analyst."""
    before = doc[start - 1] if start > 0 else None
    after = doc[end].lower_ if end < len(doc) else ""
    if doc[start:end].text == "BA" and before is not None and before.is_alpha and not before.is_stop:
        return before.lower_ not in nlu_words().allowed_before_bare  # "history BA" is a degree; "a senior BA" a job
    return bool(before is not None and before.like_num) or after in ("in", "hons", "degree", "(hons)")


def _ruler_entities(doc: Doc) -> List[Entity]:
    words = nlu_words()
    entities: List[Entity] = []
    for span in doc.ents:
        name = ENTITY_FOR_LABEL.get(span.label_)
        if name is None:
            continue
        start_char = span.start_char
        if name == "years":
            value: object = parse_years(span.text)
            if value is None:
                continue
            value = str(value)
        else:
            value = span.ent_id_
        if name == "role" and str(value).endswith(BARE_SUFFIX):
            if (
                span.start > 0
                and doc[span.start - 1].lower_ in words.possessives
                and not span.text.lower().endswith("s")
            ):
                continue  # "my manager said" is a person; "our admins" are people in a role
            name, value, start_char = _bare_role(doc, span.start, span.end, str(value)[: -len(BARE_SUFFIX)])
        if (
            name == "experience"
            and value in ("manages_team", "runs_pmo", "head_of")
            and any(t.lower_ in words.other_people_before_cue for t in doc[max(0, span.start - 4) : span.start])
        ):
            continue
        if name == "experience" and value == "manages_team" and _team_outside_pmo(doc, span.end):
            continue
        if name == "experience" and span.start > 0 and doc[span.start - 1].lower_ in words.possessives:
            continue  # "my line manager says...": someone else
        if (
            name == "experience"
            and value == "new_to_pmo"
            and span.end < len(doc)
            and doc[span.end].lower_ in ("pmo", "office", "programme", "program", "project", "portfolio", "team")
        ):
            continue  # "a brand new PMO" is new, the visitor may not be
        if name == "other_role" and span.text.isupper() and _not_a_job_abbreviation(doc, span.start, span.end):
            continue
        text = doc.text[start_char : span.end_char]
        entities.append(_entity(name, value, start_char, span.end_char, text))
    return entities


def _covered(doc: Doc) -> List[bool]:
    """Tokens inside a ruler match, except bare level words: "programe office manager" is a
    typo of a title, and the fuzzy pass may claim its "manager"."""
    covered = [False] * len(doc)
    for span in doc.ents:
        if span.ent_id_.endswith(BARE_SUFFIX) or span.label_ == BACKGROUND_LABEL:
            continue
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
    not_typos = nlu_words().not_typos  # real words that sit close to a title but do not mean one
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
            if not all(t.is_alpha or t.text == "-" for t in span) or span[0].is_stop or span[-1].is_stop:
                continue
            candidate = span.text.lower().replace(" - ", "-")
            if width == 1 and (len(candidate) < 6 or candidate in not_typos):
                continue
            if candidate in vocabulary:  # an exact title is the ruler's to find
                continue
            best = _best_title(candidate, vocabulary)
            if best:
                match = (span, best)
                break
        if match:
            span, (role, ratio) = match
            name, value, start_char = "role", role, span.start_char
            if role.endswith(BARE_SUFFIX):
                name, value, start_char = _bare_role(doc, span.start, span.end, role[: -len(BARE_SUFFIX)])
            found.append(
                _entity(name, value, start_char, span.end_char, doc.text[start_char : span.end_char], round(ratio, 2))
            )
            i = span.end
        else:
            i += 1
    return found


def _misspaced_attributes(doc: Doc, taken: List[Entity]) -> List[Entity]:
    """ "howl ong is it", "pass mark" typed "passm ark": a space in the wrong place on a phone."""
    spaceless = nlu_words().spaceless_attributes
    found: List[Entity] = []
    limit = min(len(doc), FUZZY_TOKEN_LIMIT)
    for i in range(limit - 1):
        first, second = doc[i], doc[i + 1]
        if not (first.is_alpha and second.is_alpha):
            continue
        attribute = spaceless.get(first.lower_ + second.lower_)
        start, end = first.idx, second.idx + len(second)
        if attribute and not any(span(e)[0] < end and start < span(e)[1] for e in taken + found):
            found.append(_entity("attribute", attribute, start, end, doc.text[start:end], 0.9))
    return found


def extract_entities(doc: Doc, fuzzy_vocabulary: Optional[Mapping[str, str]] = None) -> List[Entity]:
    """All entities in ``doc``, ordered by position."""
    entities = _ruler_entities(doc)
    if fuzzy_vocabulary:
        fuzzy = _fuzzy_roles(doc, fuzzy_vocabulary)
        # A typo'd title wins over the bare level word inside it ("programe office manager").
        entities = [e for e in entities if not any(span(f)[0] < span(e)[1] and span(e)[0] < span(f)[1] for f in fuzzy)]
        entities.extend(fuzzy)
        entities.extend(_misspaced_attributes(doc, entities))
    return sorted(entities, key=lambda e: (e["start"], e["end"]))
