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
# A backstory's one question decides when the whole message reads as a statement or a broad question
# (OVERRIDABLE) and the question alone is a specific one (QUESTION_INTENTS), classified surely. Measured on
# the development corpus: broader sets (a course question read as "ways to train", "where would I start?"
# read as a role question) cost more conversations than they won.
QUESTION_INTENTS = frozenset(
    {
        "compare_roles",
        "ask_course_recommendation",
        "ask_role_description",
        "ask_pmo_types",
        "ask_course_details",
        "ask_free_resources",
        "ask_course_list",
    }
)
OVERRIDABLE = frozenset(
    {"inform_experience", "follow_up", "ask_entry_requirements", "ask_career_path", "ask_certification"}
)
QUESTION_CONFIDENCE = 0.8
# Below this, the whole message's intent is a guess whatever it is: its one question decides.
UNSURE_WHOLE = 0.5
# A short message asking who to talk to is that, whatever else it says; these intents answer it their way.
MAX_CONTACT_WORDS = 20
KEEP_WITH_CONTACT = frozenset(
    {"request_human", "provide_details", "cancel_request", "ask_training_options", "bot_challenge"}
)  # "r u a real person" asks whether this is a bot
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


def the_question(text: str) -> Optional[str]:
    """The one sentence that asks something in a message with a backstory ("I've managed a shop for 9
    years... I've never worked on a project. Which course fits me?"), or None (one sentence, several
    questions, or none)."""
    parts = sentences(text)
    asked = [p for p in parts if p.rstrip().endswith("?")]
    return asked[0] if len(parts) >= 2 and len(asked) == 1 else None


def _by_the_question(whole: Parse, parse_sentence: Callable[[str], Parse]) -> Parse:
    """A backstory may pull the whole message's intent its way ("I currently manage the IT PMO" makes
    "can you explain the difference between a manager and a director?" read as a statement about
    experience): the one question sentence, classified on its own, decides when it is sure."""
    intent = (whole.get("intent") or {}).get("name")
    question = the_question(whole.get("text") or "")
    unsure = float((whole.get("intent") or {}).get("confidence") or 0.0) < UNSURE_WHOLE
    if question is None or (intent not in OVERRIDABLE and not unsure):
        return whole
    parsed = parse_sentence(question)
    name = (parsed.get("intent") or {}).get("name")
    confidence = float((parsed.get("intent") or {}).get("confidence") or 0.0)
    if name == intent or name not in QUESTION_INTENTS or confidence < QUESTION_CONFIDENCE:
        return whole
    chosen = dict(whole)
    chosen["intent"] = parsed["intent"]
    if "intent_ranking" in parsed:
        chosen["intent_ranking"] = parsed["intent_ranking"]
    return chosen


def asks_for_a_person(text: str) -> bool:
    """ "brilliant, thanks. who do I speak to to set that up?", "where do I actually book it?": a short
    message asking how to reach the team or book (the contact words of reading.yml)."""
    return len(text.split()) <= MAX_CONTACT_WORDS and bool(words().contact_words.search(normalised(text)))


def focus(whole: Parse, parse_sentence: Callable[[str], Parse]) -> Parse:
    """``whole``, or ``whole`` with the intent of its clearest PMO question."""
    intent = (whole.get("intent") or {}).get("name")
    asks_detail = any(
        e.get("entity") == "attribute" for e in whole.get("entities") or []
    )  # "what do I need before I can book it?"
    if intent not in KEEP_WITH_CONTACT and not asks_detail and asks_for_a_person(whole.get("text") or ""):
        chosen = dict(whole)
        chosen["intent"] = {"name": "request_human", "confidence": 1.0}
        chosen["intent_ranking"] = [chosen["intent"]]
        return chosen
    if intent not in RESCUABLE and intent not in ACKNOWLEDGEMENTS:
        return _by_the_question(whole, parse_sentence)
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
