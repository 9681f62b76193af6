"""Plain text from whatever a visitor typed, numbers written as words, and titles' spellings (pure).

One cleaner for every place that reads visitor text (the NLU pipeline's TextGuard,
the enquiry form's checks, the team's notifications and the review export), one
table of number words (years of experience, team sizes), and the spellings of a title
a visitor may type (the entity ruler's patterns and the answers' canonical titles).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import Dict, List, Optional, Set

# Number words people type for years and head counts.
NUMBER_WORDS: Dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "couple": 2, "dozen": 12, "few": 3, "hundred": 100,
}  # fmt: skip


def plain_text(text: str, max_chars: Optional[int] = None) -> str:
    """Text without control, format or private-use characters (line breaks become spaces),
    in NFC, with white space collapsed; at most ``max_chars`` characters when given."""
    raw = text or ""
    if max_chars is not None:
        raw = raw[: max_chars * 2]  # bounded work for a huge message
    kept = (
        " " if c.isspace() or unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
        for c in unicodedata.normalize("NFC", raw)
        if unicodedata.category(c) not in ("Cf", "Cs", "Co")
    )
    cleaned = " ".join("".join(kept).split())
    return cleaned if max_chars is None else cleaned[:max_chars]


# Each tuple: words that may stand in for one another inside a title.
_SPELLINGS = (
    ("co-ordinator", "coordinator", "co ordinator", "cordinator"),
    ("co-ordinators", "coordinators", "co ordinators"),
    ("programme", "program"),
    ("administrator", "admin", "administrater"),
    ("and", "&"),
    ("epmo", "e-pmo", "e pmo", "enterprise pmo"),
    ("organisation", "organization"),
)


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _pluralise(title: str) -> str:
    """'head of pmo' -> 'heads of pmo'; 'pmo analyst' -> 'pmo analysts'."""
    words = title.split(" ")
    index = words.index("of") - 1 if "of" in words[1:] else len(words) - 1
    words[index] = _plural(words[index])
    return " ".join(words)


def spelling_variants(title: str) -> Set[str]:
    """Every lower-case spelling of ``title`` a user might type, plurals included."""
    base = " ".join(title.lower().split())
    tokens = re.split(r"(\s+)", base)
    options: List[List[str]] = []
    for token in tokens:
        choices = [token]
        for group in _SPELLINGS:
            if token in group:
                choices = list(group)
                break
        options.append(choices)
    variants = {"".join(combo) for combo in itertools.product(*options)}
    variants |= {_pluralise(v) for v in variants}
    return {" ".join(v.split()) for v in variants}
