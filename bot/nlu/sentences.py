"""A chatty message is understood by its question, not by its asides.

"Good morning! I've been a nurse for twelve years. A friend mentioned PMOs.
Where on earth would someone like me start?" reads, as a bag of words, like
small talk or something off topic, although one of its sentences is a clear PMO
question. When the whole message is classified as out of scope, a fallback or
small talk, and it has several sentences and says something about PMO work
(an entity the knowledge base knows, or a PMO word), each sentence is
classified on its own; the most confident PMO intent wins. The entities stay
those of the whole message, so "nurse" still counts with "where would I start?".

Pure: understanding lives here; :mod:`bot.serving.sentences` only wires :func:`focus` into
Rasa's parse (``MessageProcessor._parse_message_with_graph``).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Optional

from bot.nlu.reading import normalised, words

# Intents a chatty message falls into by its asides.
RESCUABLE = frozenset({"out_of_scope", "nlu_fallback", "greet", "thank", "goodbye"})
# Intents a sentence must not have to be chosen instead.
NOT_A_QUESTION = RESCUABLE | {"affirm", "deny", "bot_challenge", "ask_capabilities", "provide_details"}
# Intents a question after a short "ok." or "fine." falls into by its first word.
ACKNOWLEDGEMENTS = frozenset({"affirm", "deny"})
MAX_ACKNOWLEDGEMENT_WORDS = 6
MIN_CONFIDENCE = 0.5
MAX_SENTENCES = 6
_PMO_ENTITIES = frozenset(
    {"role", "course", "course_family", "certification", "pmo_type", "experience", "background", "other_role", "years"}
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")

Parse = Dict[str, Any]


def sentences(text: str) -> List[str]:
    """The sentences of a message with at least two words each ([] for one sentence or a payload)."""
    if not text or text.lstrip().startswith("/"):
        return []
    found = [s.strip() for s in _SENTENCE_END.split(text) if len(s.split()) >= 2]
    return found[:MAX_SENTENCES] if len(found) >= 2 else []


def about_pmo(parse: Parse) -> bool:
    entities = parse.get("entities") or []
    return any(e.get("entity") in _PMO_ENTITIES for e in entities) or bool(
        words().pmo_words.search(normalised(parse.get("text") or ""))
    )


def after_acknowledgement(text: str) -> List[str]:
    """ "fine. the coordinators then, which one exactly?", "ok that sounds about right. how long is it?": the
    question after a short acknowledgement."""
    if not text or text.lstrip().startswith("/") or "?" not in text:
        return []
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p.strip()]
    if len(parts) < 2 or len(parts[0].split()) > MAX_ACKNOWLEDGEMENT_WORDS:
        return []
    return [p for p in parts[1:] if len(p.split()) >= 2][:MAX_SENTENCES]


def focus(whole: Parse, parse_sentence: Callable[[str], Parse]) -> Parse:
    """``whole``, or ``whole`` with the intent of its clearest PMO question."""
    intent = (whole.get("intent") or {}).get("name")
    if intent not in RESCUABLE and intent not in ACKNOWLEDGEMENTS:
        return whole
    if not about_pmo(whole) and not (intent in ACKNOWLEDGEMENTS and whole.get("entities")):
        return whole  # "ok that sounds about right. how long is it?" names only an attribute
    text = whole.get("text") or ""
    candidates = sentences(text) if intent in RESCUABLE else after_acknowledgement(text)
    best: Optional[Parse] = None
    for text in candidates:
        parsed = parse_sentence(text)
        name = (parsed.get("intent") or {}).get("name")
        confidence = float((parsed.get("intent") or {}).get("confidence") or 0.0)
        if name in NOT_A_QUESTION or confidence < MIN_CONFIDENCE:
            continue
        if best is None or confidence > float(best["intent"]["confidence"]):
            best = parsed
    if best is None:
        return whole
    chosen = dict(whole)
    chosen["intent"] = best["intent"]
    if "intent_ranking" in best:
        chosen["intent_ranking"] = best["intent_ranking"]
    return chosen
