"""The word lists that carry meaning, read from ``bot/knowledge`` beside the facts (pure).

- ``words.yml`` (:func:`nlu_words`): the follow-up phrases and list positions the entity
  ruler finds (:mod:`bot.nlu.patterns`, built into the trained model) and the small word sets
  :mod:`bot.nlu.extract` checks around what the ruler found;
- ``dialogue_words.yml`` (:func:`dialogue_words`): the cue words :mod:`bot.dialogue` and the
  enquiry form read in the latest message.

How a whole message is read (``reading.yml``) is loaded by :func:`bot.nlu.reading.words`.
Nothing is read at import: each file is read and checked on first use, then cached. Every
entry must be a lower-case string (messages are matched in lower case), so a word YAML reads
as something else (``no`` is ``False``, ``1`` a number) is refused, not silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Mapping, Tuple

import yaml

KNOWLEDGE_DIR = Path(__file__).resolve().parent / "knowledge"
NLU_WORDS_FILE = KNOWLEDGE_DIR / "words.yml"
DIALOGUE_WORDS_FILE = KNOWLEDGE_DIR / "dialogue_words.yml"

Phrases = Tuple[str, ...]


class WordListError(ValueError):
    """A word file that is not one list of lower-case strings per concept."""


@dataclass(frozen=True)
class NluWords:
    """``words.yml``: what the entity ruler and the extractor read."""

    attribute_phrases: Mapping[str, Phrases]  # attribute -> phrases, in the file's order
    ordinals: Mapping[str, Phrases]  # list position ("1".."7", "last") -> words
    allowed_before_bare: frozenset[str]
    possessives: frozenset[str]
    other_people_before_cue: frozenset[str]
    articles: frozenset[str]
    pmo_team_words: frozenset[str]
    not_typos: frozenset[str]
    spaceless_attributes: Mapping[str, str]  # "howlong" -> "length": phrases typed with a misplaced space


@dataclass(frozen=True)
class DialogueWords:
    """``dialogue_words.yml``: the cue words the dialogue and the enquiry form read."""

    moving_into_pmo: frozenset[str]
    course_words: frozenset[str]
    advice_words: frozenset[str]
    asks_meaning: Phrases
    back_references: frozenset[str]
    own_title_before: Phrases
    short_follow_up_openers: frozenset[str]
    moving_up: Phrases
    moved_up_already: Phrases
    title_only: Phrases
    asks_my_level: Phrases
    asks_what_to_take: Phrases
    ways_to_train: Phrases
    asks_pmo_type: Phrases
    thats_me: Phrases
    aims_higher: Phrases
    not_ready: Phrases
    instead: Phrases
    suits_team: Phrases
    accepts_suggestion: Phrases
    asks_if_it_changes: Phrases
    newcomer_groups: Phrases
    prerequisites_asked: Tuple[frozenset[str], frozenset[str]]  # (when words, need words)
    name_filler: frozenset[str]
    lead_ins: frozenset[str]
    name_openers: frozenset[str]


def _load(path: Path, names: Tuple[str, ...]) -> Dict[str, Any]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise WordListError(f"{path}: must be a mapping of list names to lists")
    unknown = sorted(str(key) for key in raw if key not in names)
    if unknown:  # a misspelt list name would otherwise be ignored
        raise WordListError(f"{path}: unknown lists {unknown}; the lists are {list(names)}")
    return raw


def _strings(path: Path, name: str, value: Any) -> Phrases:
    if not isinstance(value, list) or not value:
        raise WordListError(f"{path} [{name}] must be a non-empty list")
    for item in value:
        if not isinstance(item, str) or not item or item != item.lower():
            raise WordListError(f"{path} [{name}] {item!r}: every entry must be a lower-case string (quote it)")
    return tuple(value)


def _groups(path: Path, name: str, value: Any) -> Dict[str, Phrases]:
    if not isinstance(value, dict) or not value:
        raise WordListError(f"{path} [{name}] must be a mapping of names to lists")
    groups: Dict[str, Phrases] = {}
    for key, items in value.items():
        if not isinstance(key, str):
            raise WordListError(f"{path} [{name}] {key!r}: every name must be a string (quote it)")
        groups[key] = _strings(path, f"{name}.{key}", items)
    return groups


def _spaceless(attribute_phrases: Mapping[str, Phrases]) -> Dict[str, str]:
    """ "howl ong is it", "passm ark": a phrase of 7 characters or more with its space misplaced."""
    return {
        phrase.replace(" ", "").replace("-", ""): attribute
        for attribute, phrases in attribute_phrases.items()
        for phrase in phrases
        if " " in phrase and len(phrase) >= 7
    }


@lru_cache(maxsize=1)
def nlu_words() -> NluWords:
    """``words.yml``, read on first use."""
    return load_nlu_words(NLU_WORDS_FILE)


@lru_cache(maxsize=1)
def dialogue_words() -> DialogueWords:
    """``dialogue_words.yml``, read on first use."""
    return load_dialogue_words(DIALOGUE_WORDS_FILE)


def load_nlu_words(path: Path) -> NluWords:
    raw = _load(path, tuple(f.name for f in fields(NluWords) if f.name != "spaceless_attributes"))
    attribute_phrases = _groups(path, "attribute_phrases", raw.get("attribute_phrases"))

    def words(name: str) -> frozenset[str]:
        return frozenset(_strings(path, name, raw.get(name)))

    return NluWords(
        attribute_phrases=attribute_phrases,
        ordinals=_groups(path, "ordinals", raw.get("ordinals")),
        allowed_before_bare=words("allowed_before_bare"),
        possessives=words("possessives"),
        other_people_before_cue=words("other_people_before_cue"),
        articles=words("articles"),
        pmo_team_words=words("pmo_team_words"),
        not_typos=words("not_typos"),
        spaceless_attributes=_spaceless(attribute_phrases),
    )


def load_dialogue_words(path: Path) -> DialogueWords:
    raw = _load(path, tuple(f.name for f in fields(DialogueWords)))

    def words(name: str) -> frozenset[str]:
        return frozenset(_strings(path, name, raw.get(name)))

    def phrases(name: str) -> Phrases:
        return _strings(path, name, raw.get(name))

    prerequisites = _groups(path, "prerequisites_asked", raw.get("prerequisites_asked"))
    if set(prerequisites) != {"when", "need"}:
        raise WordListError(f"{path} [prerequisites_asked] must have exactly the lists when and need")
    return DialogueWords(
        moving_into_pmo=words("moving_into_pmo"),
        course_words=words("course_words"),
        advice_words=words("advice_words"),
        asks_meaning=phrases("asks_meaning"),
        back_references=words("back_references"),
        own_title_before=phrases("own_title_before"),
        short_follow_up_openers=words("short_follow_up_openers"),
        moving_up=phrases("moving_up"),
        moved_up_already=phrases("moved_up_already"),
        title_only=phrases("title_only"),
        asks_my_level=phrases("asks_my_level"),
        asks_what_to_take=phrases("asks_what_to_take"),
        ways_to_train=phrases("ways_to_train"),
        asks_pmo_type=phrases("asks_pmo_type"),
        thats_me=phrases("thats_me"),
        aims_higher=phrases("aims_higher"),
        not_ready=phrases("not_ready"),
        instead=phrases("instead"),
        suits_team=phrases("suits_team"),
        accepts_suggestion=phrases("accepts_suggestion"),
        asks_if_it_changes=phrases("asks_if_it_changes"),
        newcomer_groups=phrases("newcomer_groups"),
        prerequisites_asked=(frozenset(prerequisites["when"]), frozenset(prerequisites["need"])),
        name_filler=words("name_filler"),
        lead_ins=words("lead_ins"),
        name_openers=words("name_openers"),
    )
