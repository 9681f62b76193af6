"""Is a held-out sentence really apart from the training data? (pure, no Rasa)

Two sentences count as the same when they are equal once normalised (case,
apostrophes, punctuation, emoji, entity markup and spacing ignored), or when
they are near-duplicates once every role title and course name is replaced by a
placeholder ("what does a project support officer do" and "what does a pmo
analyst do" are one sentence with a different title).

Role titles and course names come from the knowledge base, in every spelling
the entity ruler accepts (plurals, programme/program, co-ordinator/coordinator).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Pattern, Sequence, Tuple

import numpy as np
import yaml

ROLE = "__role__"
COURSE = "__course__"
NEAR_DUPLICATE = 0.9

# Rasa annotation: [text]{"entity": ...} or [text](entity) / [text](entity:value).
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\{[^}]*\}|\([^)]*\))")
_APOSTROPHES = re.compile("[\u2019\u2018`\u02bc\u00b4']")


def _plain_char(char: str) -> str:
    """Letters, digits and spaces stay; punctuation, symbols and emoji become a space."""
    if char.isspace():
        return " "
    category = unicodedata.category(char)
    if category[0] in "LN":
        return char
    if category[0] == "M":  # combining accents belong to their letter
        return char
    return " "


def normalise(text: str) -> str:
    """Plain, lower-case words: markup, apostrophes, punctuation and emoji gone."""
    text = _ANNOTATION.sub(r"\1", text)
    text = unicodedata.normalize("NFC", text).lower()
    text = _APOSTROPHES.sub("", text)  # "what's" -> "whats", as people type it
    text = "".join(_plain_char(char) for char in text)
    return " ".join(text.split())


@lru_cache(maxsize=1)
def _title_pattern() -> Tuple[Pattern[str], Dict[str, str]]:
    from bot.knowledge_base import default_knowledge_base
    from bot.nlu.patterns import spelling_variants

    kb = default_knowledge_base()
    names: Dict[str, str] = {}

    def add(title: str, placeholder: str) -> None:
        for variant in spelling_variants(title):
            plain = normalise(variant)
            # A course alias that is also a role word ("admin course") is a course;
            # anything else keeps the first placeholder it was given.
            if plain and (plain not in names or placeholder == COURSE):
                names[plain] = placeholder

    for role in kb.roles:
        for title in (role.name, *role.titles, *role.short_names):
            add(title, ROLE)
    for title in kb.not_pmo_roles:
        add(title, ROLE)
    for course in kb.courses:
        for name in (course.name, *course.aliases):
            add(name, COURSE)

    # Longest first, so "pmo manager" wins over "manager" at the same position.
    ordered = sorted(names, key=lambda name: (-len(name), name))
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(name) for name in ordered) + r")(?!\w)")
    return pattern, names


def with_placeholders(text: str) -> str:
    """Normalised text with every role title and course name replaced by a placeholder."""
    pattern, names = _title_pattern()
    return pattern.sub(lambda match: names[match.group(0)], normalise(text))


Overlap = Tuple[str, str, str]


def _length_window(length: int) -> Tuple[int, int]:
    """Lengths a string can have and still reach a ratio above NEAR_DUPLICATE.

    ratio = 2 M / (la + lb) with M <= min(la, lb).
    """
    low = int(length * NEAR_DUPLICATE / (2 - NEAR_DUPLICATE))
    high = int(length * (2 - NEAR_DUPLICATE) / NEAR_DUPLICATE) + 1
    return low, high


def overlaps(test_texts: Iterable[str], train_texts: Iterable[str]) -> List[Overlap]:
    """Every (test, train, reason) pair that is the same sentence.

    reason is "exact" (equal once normalised) or "near-duplicate 0.934" (placeholder
    forms' SequenceMatcher ratio above 0.9). Each held-out sentence is reported with
    every training sentence it overlaps.
    """
    train_plain: Dict[str, List[str]] = {}
    train_forms: Dict[str, List[str]] = {}  # one comparison per distinct placeholder form
    for text in dict.fromkeys(train_texts):
        train_plain.setdefault(normalise(text), []).append(text)
        train_forms.setdefault(with_placeholders(text), []).append(text)
    # Cheap bounds before SequenceMatcher.ratio(), as difflib's real_quick_ratio()
    # and quick_ratio() but for many candidates at once: forms are sorted by length
    # (only the length window can reach the threshold), and one numpy pass over their
    # character counts gives each candidate's quick_ratio (2 * shared characters /
    # total length), an upper bound of ratio().
    forms = sorted(train_forms, key=len)
    lengths = [len(form) for form in forms]
    alphabet = {char: index for index, char in enumerate(sorted({char for form in forms for char in form}))}
    counts = np.zeros((len(forms), max(len(alphabet), 1)), dtype=np.int32)
    for row, form in enumerate(forms):
        for char in form:
            counts[row, alphabet[char]] += 1
    sizes = np.array(lengths, dtype=np.int32)

    near_cache: Dict[str, List[Tuple[str, float]]] = {}
    matcher = SequenceMatcher(autojunk=False)

    def near(form: str) -> List[Tuple[str, float]]:
        if form not in near_cache:
            low, high = _length_window(len(form))
            first, last = bisect_left(lengths, low), bisect_right(lengths, high)
            vector = np.zeros(counts.shape[1], dtype=np.int32)
            for char in form:
                if char in alphabet:  # a character no training form has matches nothing
                    vector[alphabet[char]] += 1
            shared = np.minimum(counts[first:last], vector).sum(axis=1)
            bound = 2.0 * shared / np.maximum(sizes[first:last] + len(form), 1)
            close: List[Tuple[str, float]] = []
            matcher.set_seq2(form)  # the cached side: one test form against many
            for offset in np.flatnonzero(bound > NEAR_DUPLICATE):
                matcher.set_seq1(forms[first + offset])
                ratio = matcher.ratio()
                if ratio > NEAR_DUPLICATE:
                    close.append((forms[first + offset], ratio))
            near_cache[form] = close
        return near_cache[form]

    found: List[Overlap] = []
    for test in dict.fromkeys(test_texts):
        exact = train_plain.get(normalise(test), [])
        found.extend((test, text, "exact") for text in exact)
        for other, ratio in near(with_placeholders(test)):
            found.extend(
                (test, text, f"near-duplicate {ratio:.3f}") for text in train_forms[other] if text not in exact
            )
    return found


def _example_lines(block: str) -> List[str]:
    return [line.strip()[2:].strip() for line in block.splitlines() if line.strip().startswith("- ")]


def nlu_examples(path: Path) -> List[str]:
    """Every example of every ``nlu:`` block of a Rasa YAML file ([] when it has none).

    Intents, synonyms and lookup tables count; regex patterns are not sentences.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("nlu"), list):
        return []
    texts: List[str] = []
    for block in data["nlu"]:
        if isinstance(block, dict) and isinstance(block.get("examples"), str) and "regex" not in block:
            texts.extend(_example_lines(block["examples"]))
    return texts


def training_examples(data_dir: Path) -> List[str]:
    """Training examples of every YAML file under ``data_dir``, recursively."""
    texts: List[str] = []
    for path in sorted([*Path(data_dir).rglob("*.yml"), *Path(data_dir).rglob("*.yaml")]):
        texts.extend(nlu_examples(path))
    return texts


def questions(path: Path, keys: Sequence[str] = ("questions", "off_topic_with_role")) -> List[str]:
    """The held-out texts of a ``text``/``kind`` list file (tests/nlu/beyond_catalogue.yml)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return [item["text"] for key in keys for item in (data.get(key) or [])]


def reportable(found: Iterable[Overlap], max_words: int = 2) -> List[Overlap]:
    """Overlaps that matter: the held-out side has more than ``max_words`` words.

    One- and two-word greetings, goodbyes and thanks ("hi", "bye", "thanks a lot")
    are bound to coincide with training examples.
    """
    return [item for item in found if len(normalise(item[0]).split()) > max_words]


def describe(found: Iterable[Overlap]) -> str:
    return "\n".join(f"{reason}: {test!r} ~ train {train!r}" for test, train, reason in found)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """python -m tests.nlu.overlap: list every held-out sentence that overlaps data/."""
    root = Path(__file__).resolve().parents[2]
    test_texts = [*nlu_examples(root / "tests/nlu/test_nlu.yml"), *nlu_examples(root / "tests/nlu/out_of_scope.yml")]
    beyond = root / "tests/nlu/beyond_catalogue.yml"
    if beyond.exists():
        test_texts += questions(beyond)
    found = overlaps(test_texts, training_examples(root / "data"))
    exact = [item for item in found if item[2] == "exact"]
    print(describe(found))
    print(
        f"{len(found)} overlapping pairs ({len(exact)} exact, {len(found) - len(exact)} near-duplicate), "
        f"{len({item[0] for item in reportable(found)})} held-out sentences of more than two words"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
