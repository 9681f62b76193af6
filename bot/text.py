"""Plain text from whatever a visitor typed, and numbers written as words (pure).

One cleaner for every place that reads visitor text (the NLU pipeline's TextGuard,
the enquiry form's checks, the team's notifications and the review export), and one
table of number words (years of experience, team sizes).
"""

from __future__ import annotations

import unicodedata
from typing import Dict, Optional

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
