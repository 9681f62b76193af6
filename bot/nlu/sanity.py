"""Command intents need command words (pure).

Inside the enquiry form a short answer that NLU reads as "no", "cancel" or
"start over" stops or restarts the form, so a name such as "Nora Consent" or
"Pat Restart" must never be read as one. A message keeps one of these intents
only when it says so in words ("no", "not now", "cancel", "start again"...), and
never when it looks like a person's name (two or three capitalised words, not all
of them command words). Otherwise the intent becomes ``nlu_fallback``: in the form
the text is then the answer to the question, elsewhere the assistant asks again.
"""

from __future__ import annotations

import re
from typing import Optional

FALLBACK = "nlu_fallback"
_MARKERS = {
    "deny": re.compile(
        r"\b(no|nope|nah|not|never|nothing|none|neither|wrong|incorrect|later|rather|stop|cancel|leave|"
        r"don'?t|doesn'?t|isn'?t|wasn'?t|won'?t|can'?t|shouldn'?t|negative|i'?m (good|fine|ok|okay|alright)|"
        r"all good|that'?s (all|it|fine|ok)|enough|pass|skip)\b|n't\b",
        re.IGNORECASE,
    ),
    "cancel_request": re.compile(
        r"\b(cancel|stop|quit|exit|abort|forget|never ?mind|nevermind|no|nope|nah|not|don'?t|leave|halt|end|"
        r"enough|scrap|drop|withdraw|changed my mind)\b",
        re.IGNORECASE,
    ),
    "start_over": re.compile(
        r"\b(start|restart|reset|begin|again|over|scratch|fresh|new (chat|conversation)|clear|from the top)\b",
        re.IGNORECASE,
    ),
}
_COMMAND_WORDS = {
    "no",
    "nope",
    "nah",
    "not",
    "cancel",
    "stop",
    "quit",
    "restart",
    "reset",
    "start",
    "over",
    "again",
    "never",
    "mind",
    "thanks",
    "thank",
    "you",
    "please",
    "ok",
    "okay",
    "fresh",
    "begin",
}


def looks_like_a_name(text: str) -> bool:
    """ "Nora Consent", "Pat Restart": two or three capitalised words, not all of them commands."""
    words = text.strip().split()
    if not 2 <= len(words) <= 3 or not all(
        w[:1].isupper() and w.replace("-", "").replace("'", "").isalpha() for w in words
    ):
        return False
    return not all(w.lower() in _COMMAND_WORDS for w in words)


def checked_intent(intent: Optional[str], text: str) -> Optional[str]:
    """``intent``, or :data:`FALLBACK` when a command intent is not said in words."""
    marker = _MARKERS.get(intent or "")
    if marker is None:
        return intent
    if looks_like_a_name(text) or not marker.search(text):
        return FALLBACK
    return intent
