"""Masking personal data in visitor text before a staff page shows it."""

from __future__ import annotations

import re

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# Seven or more digits, possibly with a leading + and spaces, dots, dashes or brackets between them.
PHONE = re.compile(r"(?<!\w)\+?\(?\d(?:[\s().\-]*\d){6,}(?!\w)")
SPACES = re.compile(r"\s+")
MAX_KEY = 300


def mask(text: str) -> str:
    """The text with email addresses and phone numbers replaced by placeholders."""
    return PHONE.sub("[phone]", EMAIL.sub("[email]", text))


def text_key(text: str) -> str:
    """What makes two messages 'the same question': masked, lower case, spaces collapsed."""
    return SPACES.sub(" ", mask(text)).strip().lower()[:MAX_KEY]
