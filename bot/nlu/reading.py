"""One reading of a whole message: whose job each title is, when, and who the training is for (pure).

The entity ruler finds *what* a message names (titles, cues, years...); this module reads
*how* it names them, once, in the NLU pipeline, so rules, actions, ``rasa test`` and the
benchmarks all see the same thing. It writes Rasa's own idiom for that, entity roles and
groups, onto the entities the extractor found, and adds a few entities of its own:

- a ``role`` entity gets ``"role"``: ``"current"`` (the visitor's job), ``"now"`` (the job after
  a change: "promoted to", "going back as"), ``"past"`` ("I was", "used to be"), ``"target"``
  ("I want to become"), or ``"other"`` (someone else's: "my boss is head of PMO"); no role
  when nobody holds it ("what does a PMO analyst do?"). Members of a team the visitor asks
  training for get ``"group": "team"`` and a ``"count"`` when one is written ("two analysts");
- ``years`` gets ``"role": "background"`` when they are years in another job ("12 years as a
  nurse"), which are not years in project support;
- ``team`` (``"request"`` when training is asked for a group; the value is its size or "yes"),
  ``constraint`` (online, evenings, budget, sites, date), ``experience`` cues from described
  work (``support_work``, ``analyst_work``, and ``manages_team`` for "I lead it"), and
  ``language`` ("other" for a message in another language).

Why rules and not CRFEntityExtractor: the readings hang on a few function words ("my boss
is", "promoted to", "used to be") in messages far longer than the training examples, and no
annotated data of that kind exists; a learnt tagger would need hundreds of examples per role
to beat a word list a reviewer can read. The words are data, in
``bot/knowledge/reading.yml``, one list per concept. :class:`Reading` reads the annotated
entities back for :mod:`bot.dialogue`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Pattern, Sequence, Tuple

import yaml

from bot.text import NUMBER_WORDS

WORDS_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "reading.yml"

Entity = Dict[str, Any]

_POSSESSIVE = re.compile(r"\b(my|our|his|her|their|your)\s+(new\s+|old\s+|current\s+)?$")
# "from admin to analyst": a level word, then "to", then the title wanted.
_LEVEL_TO = re.compile(
    r"\b(admin|administrator|support|analyst|co-?ordinator|planner|manager|lead)s?\s+(to|into)\s+(an?\s+|the\s+)?$"
)
# "I don't want to start as an administrator", "I've never been a PMO analyst": the title is no claim.
_NOT_A_CLAIM = re.compile(
    r"\b(don'?t want to|do not want to|rather not|never been|never worked as|not be)\b[^.,;!?]*$"
    r"|\bnot\s+(an?\s+|the\s+)?(pmo\s+)?$"  # "I meant analyst not administrator"
)
# "is P3O worth doing if I'm only an administrator?": said as the visitor's job inside a question, still a claim.
_CLAIMED = re.compile(r"\b(i'?m|i am)\s+(only|just|currently|now|still|already|actually)?\s*(an?\s+|the\s+)?$")
# Bare words that name a level only loosely ("since I'm a manager?" from a risk manager): never a claim by themselves.
_LOOSE_TITLES = frozenset({"manager", "managers", "lead", "director", "head", "officer", "coordinator", "co-ordinator"})


def _claimed(low: str, entity: Entity, start: int) -> bool:
    """ "is P3O worth doing if I'm only an administrator?": a title said as the visitor's own inside a question."""
    typed = str(entity.get("text") or "").lower().strip()
    return typed not in _LOOSE_TITLES and bool(_CLAIMED.search(low[max(0, start - 30) : start]))


# "I'm their PMO lead": the title after "I'm their/your" is the visitor's own.
_I_AM_THEIR = re.compile(r"\b(i'm|i am|im|i'll be|i will be)\s+(their|your)\s+(new\s+)?$")
_FROM_TO = re.compile(r"\bfrom\s+(an?\s+|the\s+)?(pmo\s+)?$")
# Just before a title: the person a sentence about the visitor's work is done for or with ("flag clashes
# to the PMO lead"); unless the preposition belongs to a move ("move to the", "promoted to the").
_OBJECT_OF = re.compile(
    r"\b(to|for|from|with|by|under|alongside|towards|at)\s+the\s+((new|senior|acting|interim)\s+)?$"
)
# After a title: the person gives advice or makes the request ("our PMO lead says the new starters should do
# PRINCE2", "my director wants us trained"): the adviser, not one of the people to train.
_SAYS_AFTER = re.compile(
    r"\s*(says|said|thinks|thought|reckons|suggested|suggests|recommended|recommends|told|tells|wants|wanted|"
    r"insists|keeps saying|has asked|asked)\b"
)
# After a title: it names a post or a course, not a person ("go for the admin one", "for the analyst role").
_POST_WORDS = "job|role|position|post|title|contract"
_NOT_A_PERSON = re.compile(rf"\s*({_POST_WORDS}|one|ones|course|courses|level|exam|training|work)\b")
_OWN_POST = re.compile(rf"\s*({_POST_WORDS})\b")
_OPTION_LEVEL = re.compile(r"\s*level\b")
_OURS = re.compile(r"\b(my|our)\s+(\w+\s+){0,2}$")
# Before a title: the post the visitor is asked to join as ("wants me to join her team as a ...").
_JOIN_AS = re.compile(r"\b(me|i)\s+(to\s+)?join(ing)?\s+(\w+\s+){0,3}as\s+(an?\s+|the\s+)?$")
# After a number of years: time away from work ("a 4 year break", "3 years off").
_A_BREAK = re.compile(r"\s*(-\s*)?(years?|yrs?)?\s*(career\s+|maternity\s+|long\s+)?(break|off|out|away|gap)\b")
# Before the titles of people the visitor is taking on ("I'll probably hire a PMO manager and an analyst").
_HIRING = re.compile(r"\b(hire|hiring|recruit|recruiting|take on|taking on|bring in|bringing in)\b")
# A change of job before "from X to Y": Y is the job now.
_CHANGED = re.compile(r"\b(promoted|moved|moving|stepped|stepping|gone|went|switched|switching|changed)\b")
# Before a cue of running an office: the organisation does it, not the visitor ("we're setting up a PMO").
_ORGANISATION_DOES = re.compile(
    r"\b(we're|we are|we've|they're|they are|(company|org|organisation|organization|firm|business|trust|council|"
    r"employer|department) (is|are|has))\s+(\w+\s+){0,2}$"
)
# Cues of running an office, and "the" before one: someone else's office ("the head of the portfolio office").
_OFFICE_CUES = ("head_of", "runs_pmo", "several_pmos", "manages_team")
_THE_BEFORE = re.compile(r"(^|[.!?]\s*|\s)the\s+$")
# Before a title: the visitor manages people who hold it ("I line manage two analysts and an administrator").
_MANAGED = re.compile(
    r"\b(manage|manages|managing|line[- ]manage|line[- ]managing|supervise|supervises|supervising|oversee|"
    r"oversees|overseeing)\s+(?!(?:\w+\s+){0,6}?as\b)(?:[\w,'-]+\s+){0,6}$"
)
_MY_ONE = re.compile(r"\b(my|our)\s+(new\s+|own\s+)?(pmo\s+|programme\s+|project\s+)?$")
_NEGATION = re.compile(r"\b(never|not|no|don't|dont|haven't|havent|didn't|didnt|without|n't)\b")
_SENTENCE_END = re.compile(r"[.!?;\n]+|\s[-\u2013\u2014]\s|\s(?:but|although|though|whereas)\s")
_PLURAL_TITLE = re.compile(r"s\b|\bheads\b", re.IGNORECASE)
_SIZE = re.compile(
    r"\b(?:team|group|office|pmo)\s+of\s+(\w+)|\b(\w+)\s+of\s+us\b|\b(\w+)\s+(?:people|staff|colleagues|members)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Words:
    """The lists in ``reading.yml`` compiled to one regular expression per concept."""

    first_person: Pattern[str]
    other_people: Pattern[str]
    past: Pattern[str]
    now_after_change: Pattern[str]
    target: Pattern[str]
    team_words: Pattern[str]
    team_descriptors: Pattern[str]
    group_asks: Pattern[str]
    training_words: Pattern[str]
    only_me: Pattern[str]
    leads_team: Pattern[str]
    support_work: Pattern[str]
    analyst_work: Pattern[str]
    runs_office: Pattern[str]
    for_someone_else: Pattern[str]
    training_them: Pattern[str]
    someone_runs_office: Pattern[str]
    employer_before: Pattern[str]
    employer_after: Pattern[str]
    choice_words: Pattern[str]
    constraints: Tuple[Tuple[str, Pattern[str]], ...]
    foreign: frozenset[str]
    english: frozenset[str]
    question_words: frozenset[str]
    pmo_words: Pattern[str]
    free_resources: Pattern[str]
    contact_words: Pattern[str]
    course_done: Pattern[str]


def _phrases(words: Sequence[str]) -> Pattern[str]:
    ordered = sorted({" ".join(str(w).lower().split()) for w in words}, key=len, reverse=True)
    # "my boss's title": a possessive 's still ends the phrase
    return re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(w) for w in ordered) + r")(?:'s)?(?![\w'])")


@lru_cache(maxsize=1)
def words() -> Words:
    raw = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    return Words(
        first_person=_phrases(raw["first_person"]),
        other_people=_phrases(raw["other_people"]),
        past=_phrases(raw["past"]),
        now_after_change=_phrases(raw["now_after_change"]),
        target=_phrases(raw["target"]),
        team_words=_phrases(raw["team_words"]),
        team_descriptors=_phrases(raw["team_descriptors"]),
        group_asks=_phrases(raw["group_asks"]),
        training_words=_phrases(raw["training_words"]),
        only_me=_phrases(raw["only_me"]),
        leads_team=_phrases(raw["leads_team"]),
        support_work=_phrases(raw["support_work"]),
        analyst_work=_phrases(raw["analyst_work"]),
        runs_office=_phrases(raw["runs_office"]),
        for_someone_else=_phrases(raw["for_someone_else"]),
        training_them=_phrases(raw["training_them"]),
        someone_runs_office=_phrases(raw["someone_runs_office"]),
        employer_before=re.compile(_phrases(raw["employer_before"]).pattern + r"\s*$"),
        employer_after=re.compile(r"^\s*" + _phrases(raw["employer_after"]).pattern),
        choice_words=_phrases(raw["choice_words"]),
        constraints=tuple((name, _phrases(items)) for name, items in raw["constraints"].items()),
        foreign=frozenset(str(w) for w in raw["foreign_words"]),
        english=frozenset(str(w) for w in raw["english_words"]),
        question_words=frozenset(str(w) for w in raw["question_words"]),
        pmo_words=_phrases(raw["pmo_words"]),
        free_resources=_phrases(raw["free_resources"]),
        contact_words=_phrases(raw["contact_words"]),
        # "I've (already) passed (the) ...", right before the course's name
        course_done=re.compile(
            r"\b(?:i|i've|ive|i have|i had|i'd|we've|we have)\s+(?:already\s+|also\s+|just\s+|recently\s+)?(?:"
            + "|".join(re.escape(" ".join(str(v).lower().split())) for v in raw["course_done"])
            + r")\s+(?:(?:the|my|a|an|both|your|their|already)\s+){0,2}$"
        ),
    )


def normalised(text: str) -> str:
    """Lower case with straight apostrophes; same length as ``text`` so offsets still hold."""
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


def _last(pattern: Pattern[str], text: str) -> int:
    """End of the last match of ``pattern`` in ``text``, or -1."""
    end = -1
    for match in pattern.finditer(text):
        end = match.end()
    return end


def _sentence_start(low: str, position: int) -> int:
    start = 0
    for match in _SENTENCE_END.finditer(low, 0, position):
        start = match.end()
    return start


def _number(word: str) -> Optional[int]:
    word = word.lower()
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word, _ROUGH_COUNTS.get(word))


# Rough counts of people ("a handful of admins", "a couple of planners"): a group of several, for a team's list.
_ROUGH_COUNTS = {"handful": 3, "couple": 2}


_FAILED = re.compile(r"\b(failed|fail|didn't pass|didnt pass|did not pass|not passed|haven't passed|havent passed)\b")
# Between two courses named together: "P3O Foundation and Practitioner", "the admin one, then the analyst one".
_COURSES_JOINED = re.compile(r"\s*(,|and|&|plus|then|,\s*and|and\s+then)\s+(the\s+)?(p3o\s+|mop\s+)?$")


def _course_done(low: str, start: int, entities: Sequence[Entity], w: "Words") -> bool:
    """Whether the course named at ``start`` is one the visitor has done ("I've done P3O already", "I passed
    P3O Foundation and Practitioner"); never a condition ("do I need to have done...") or someone else's."""
    window = low[max(_sentence_start(low, start), start - 60) : start]
    after = re.split(r"[.!?;\n]", low[start : start + 120], maxsplit=1)[0]
    if _FAILED.search(after):
        return False  # "I did P3O Foundation ... but failed the exam": not passed
    if w.course_done.search(window):
        return True  # the phrase has "I" or "we" as its subject: never someone else's
    before = [e for e in entities if e.get("entity") in ("course", "course_family") and int(e.get("end") or 0) <= start]
    last = max(before, key=lambda e: int(e.get("end") or 0), default=None)
    return bool(
        last is not None
        and last.get("role") == "done"
        and _COURSES_JOINED.fullmatch(low[int(last.get("end") or 0) : start])
    )


def _holder_and_time(low: str, start: int, w: Words, end: int = -1) -> Tuple[Optional[str], Optional[str]]:
    """Whose title starts at ``start`` ("self", "other" or None) and when ("now", "past", "target" or None)."""
    if _I_AM_THEIR.search(low[max(0, start - 30) : start]):
        return "self", None  # "I'm their PMO lead"
    if _POSSESSIVE.search(low[max(0, start - 20) : start]) and not _OWN_POST.match(low[end:]):
        return "other", None  # "my boss", "our head of PMO"; not "my PMO analyst job"
    begin = _sentence_start(low, start)
    window = low[begin:start]
    if _JOIN_AS.search(window):
        return "self", "target"  # "the head of the portfolio office wants me to join her team as a portfolio analyst"
    me, them = _last(w.first_person, window), _last(w.other_people, window)
    # Equal ends mean one phrase inside the other: "a friend of mine" is someone else, not "mine".
    holder = "self" if me > them else "other" if them >= 0 else None
    region = window[max(me, them, 0) :]
    marks = {
        "now": _last(w.now_after_change, region),
        "past": _last(w.past, region),
        "target": _last(w.target, region),
    }
    when, where = max(marks.items(), key=lambda item: item[1])
    whom = _OBJECT_OF.search(window)
    if holder == "self" and whom and not _NOT_A_PERSON.match(low[end:]) and max(me, them, 0) + where < whom.end(1):
        return "other", None  # "I produce the capacity report for the PMO lead": the person served, not the visitor
    return holder, (when if where >= 0 else None)


# A person named in the message: "Tom is a graduate coming in as...", "my colleague Priya".
_NAME = re.compile(r"(?<![\w'])([A-Z][a-z]{2,})(?![\w])")
_NAME_VERB = re.compile(
    r"\s+(?:is|has|was|will|joins|joined|starts|started|comes|coming|works|worked|does|did|just|already|"
    r"recently|currently|also|needs|wants|would|should|could|can|'s)\b"
)
_NAME_APPOSITION = re.compile(r",\s+(our|my|the|a|an|his|her|their)\s")
_NAME_INTRO = re.compile(r"\b(?:colleague|boss|manager|friend|called|named|admin|analyst|officer|starter|joiner)\s+$")
_FOR_NAME = (
    r"(?:for|suit|suits|book|put|get|would|should|could|can|does|is|about|and)\s+({names})\b"
    r"|\b({names})\s+(?:needs|need)\b"
)


@lru_cache(maxsize=256)
def people_named(text: str) -> Tuple[str, ...]:
    """First names of other people, lower case: a capitalised word that introduces someone ("Tom is a graduate",
    "Priya has been...") and comes back later in the message, or follows "my colleague"/"called". Never a word
    the assistant knows (titles, courses) nor a common word that opens a sentence ("Training is...")."""
    from spacy.lang.en.stop_words import STOP_WORDS

    found: List[str] = []
    hesitant: List[str] = []  # "Tom is a graduate" opening a sentence: a name only beside another sign
    for match in _NAME.finditer(text):
        word = match.group(1)
        low = word.lower()
        if low in STOP_WORDS or low in found or low in _NOT_NAMES:
            continue
        if _NAME_INTRO.search(text[max(0, match.start() - 20) : match.start()].lower()):
            found.append(low)  # "my colleague Priya"
            continue
        if _NAME_APPOSITION.match(text, match.end()) and re.match(r",[^,.!?]{4,60},", text[match.end() :]):
            found.append(low)  # "Sarah, our senior project coordinator, is going to lead it"
            continue
        if not _NAME_VERB.match(text, match.end()):
            continue
        opens = not text[: match.start()].strip() or bool(re.search(r"[.!?;:\n]\s*$", text[: match.start()]))
        if not opens or len(re.findall(rf"\b{word}\b", text)) >= 2:
            found.append(low)  # "..., and Priya has been a co-ordinator", "Tom is ... for Tom?"
        else:
            hesitant.append(low)
    if hesitant and (found or _THIRD_PERSON.search(text.lower())):
        found.extend(h for h in hesitant if h not in found)
    return tuple(found)


_THIRD_PERSON = re.compile(r"\b(she|he|her|him|his|hers|she's|he's)\b")


_NOT_NAMES = frozenset(
    """hi hello hey morning afternoon evening thanks cheers also currently basically honestly actually
    training course courses essentials pmo pmos project programme portfolio office director manager analyst
    administrator admin officer head lead team prince prince2 foundation practitioner msp mop apm pmp capm axelos
    peoplecert apmg house london england scotland wales ireland india uk nhs council government bank january
    february march april june july august september october november december monday tuesday wednesday
    thursday friday saturday sunday budget management everyone nobody someone everybody exam online""".split()
)


def _with_names(w: Words, names: Sequence[str]) -> Words:
    """The reader's words with this message's named people counted as other people."""
    if not names:
        return w
    alternatives = "|".join(re.escape(n) for n in names)
    person = rf"(?<![\w'])(?:{alternatives})(?![\w'])"
    return replace(
        w,
        other_people=re.compile(person + "|" + w.other_people.pattern),
        for_someone_else=re.compile(_FOR_NAME.format(names=alternatives) + "|" + w.for_someone_else.pattern),
    )


def _person_before(low: str, start: int, names: Sequence[str]) -> Optional[str]:
    """The named person nearest before ``start`` in its sentence."""
    window = low[_sentence_start(low, start) : start]
    best, where = None, -1
    for name in names:
        for match in re.finditer(rf"(?<![\w']){re.escape(name)}(?![\w'])", window):
            if match.start() > where:
                best, where = name, match.start()
    return best


_QUESTION_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")


@lru_cache(maxsize=64)
def question_spans(text: str) -> Tuple[Tuple[int, int], ...]:
    """Where the message asks something: its sentences that end with "?" or open with a question
    word (after a lead-in such as "ok so"); the whole message when no sentence does. Cached: every
    entity of a message asks "is this asked?" of the same text."""
    w = words()
    spans: List[Tuple[int, int]] = []
    for match in _QUESTION_SENTENCE.finditer(text):
        sentence = match.group(0)
        if not sentence.strip():
            continue
        tokens = re.findall(r"[\w']+", normalised(sentence))
        opener = next((t for t in tokens[:4] if t not in _LEAD_INS), "")
        if sentence.rstrip().endswith("?") or opener in w.question_words:
            spans.append((match.start(), match.end()))
    return tuple(spans) or ((0, len(text)),)


def asked(text: str, entity: Mapping[str, Any]) -> bool:
    """Whether the entity stands in a sentence that asks something ("are you hiring?"), not in the
    backstory ("a recruiter suggested PMO roles. What course should I do?")."""
    if "start" not in entity or not text.strip() or text.lstrip().startswith("/"):
        return True  # a button's payload or a forged one: there is no backstory to set apart
    start = int(entity.get("start") or 0)
    return any(begin <= start < end for begin, end in question_spans(text))


_LEAD_INS = frozenset(
    {
        "ok",
        "okay",
        "so",
        "and",
        "but",
        "hi",
        "hello",
        "hey",
        "also",
        "then",
        "right",
        "quick",
        "just",
        "oh",
        "um",
        "hmm",
        "well",
        "sorry",
        "please",
    }
)


_OTHER_LANGUAGES = ("de", "fr", "es", "it", "pt", "nl", "pl")


@lru_cache(maxsize=1)
def _stop_words() -> Tuple[frozenset[str], frozenset[str]]:
    """(English stop words, other languages' stop words that are not English ones), from spaCy's lists
    plus ``foreign_words`` in reading.yml (Welsh, and greetings spaCy does not list)."""
    import importlib

    english = frozenset(importlib.import_module("spacy.lang.en.stop_words").STOP_WORDS) | words().english
    other: set[str] = set(words().foreign)
    for code in _OTHER_LANGUAGES:
        other |= set(importlib.import_module(f"spacy.lang.{code}.stop_words").STOP_WORDS)
    return english, frozenset(other - english)


def weighed(text: str, entity: Mapping[str, Any]) -> bool:
    """The entity stands in a sentence that weighs options ("choosing between PMO-CP and P3O")."""
    low = normalised(text)
    start = int(entity.get("start") or 0)
    begin = _sentence_start(low, start)
    end = _SENTENCE_END.search(low, start)
    return bool(words().choice_words.search(low[begin : end.start() if end else len(low)]))


def _opens_question(low: str, position: int, w: Words) -> bool:
    """The sentence around ``position`` opens with a question word ("does that make me...", "am I...")."""
    begin = _sentence_start(low, position)
    tokens = re.findall(r"[\w']+", low[begin:position])
    opener = next((t for t in tokens[:4] if t not in _LEAD_INS), "")
    return opener in w.question_words or opener in ("am", "would", "could", "will")


def warm() -> None:
    """Load the word lists and the stop-word lists now (at model load), not on a visitor's first message."""
    words()
    _stop_words()


def is_foreign(text: str) -> bool:
    """A message written in another language: several of its common words and few English ones."""
    tokens = re.findall(r"[^\W\d_]+", text.lower())
    if len(tokens) < 2:
        return False
    english, other = _stop_words()
    foreign = sum(t in other for t in tokens)
    native = sum(t in english for t in tokens)
    accented = any(ord(ch) > 127 and ch.isalpha() for ch in text)
    return foreign >= 2 and foreign > 1.5 * native and (accented or foreign >= 3)


def _up_to_date(low: str, entity: Mapping[str, Any]) -> bool:
    """ "keep the register up to date" names no course date."""
    start = int(entity.get("start") or 0)
    return entity.get("entity") == "attribute" and entity.get("value") == "dates" and low[:start].endswith("to ")


def _employer(low: str, entity: Mapping[str, Any], w: Words) -> bool:
    """ "delivery for a retail group": the sector of an employer, not the visitor's own background; "the
    forecast for 60 developers": people the visitor works for, not their own job."""
    if entity.get("entity") != "background":
        return False
    said = str(entity.get("text") or "").lower()
    if said.endswith(("ers", "ors", "ists", "ants", "ians", "ses")):
        return True
    start, end = int(entity.get("start") or 0), int(entity.get("end") or 0)
    return bool(
        w.employer_before.search(low[max(0, start - 12) : start]) or w.employer_after.search(low[end : end + 20])
    )


def _managed_once(low: str, entity: Mapping[str, Any], w: Words) -> bool:
    """ "i was managing 30 people": people managed in a past job, with nothing in the sentence about a PMO."""
    if entity.get("entity") != "experience" or entity.get("value") != "manages_team":
        return False
    start = int(entity.get("start") or 0)
    end = _SENTENCE_END.search(low, start)
    sentence = low[_sentence_start(low, start) : end.start() if end else len(low)]
    return bool(re.search(r"\b(was|were|used to|had been|i've been)\s+$", low[max(0, start - 16) : start])) and not (
        w.pmo_words.search(sentence)
    )


def _team_outside_pmo(low: str, entity: Mapping[str, Any], entities: Sequence[Entity], w: Words) -> bool:
    """ "I've managed a retail store, a team of 20", "no direct reports": no PMO team is managed."""
    if entity.get("entity") != "experience" or entity.get("value") != "manages_team":
        return False
    start = int(entity.get("start") or 0)
    begin = _sentence_start(low, start)
    if _NEGATION.search(low[max(begin, start - 30) : start]):
        return True
    end = int(entity.get("end") or start)
    return any(  # the job outside PMO and the team, with no PMO word between them
        e.get("entity") == "background"
        and _sentence_start(low, int(e.get("start") or 0)) == begin
        and not w.pmo_words.search(low[min(start, int(e.get("start") or 0)) : max(end, int(e.get("end") or 0))])
        for e in entities
        if not _employer(low, e, w)
    )


def _team(low: str, entities: Sequence[Entity], w: Words) -> Optional[Entity]:
    counted = [
        e
        for e in entities
        if e.get("entity") == "role"
        and _is_plural(e)
        and (_count_of(low, int(e.get("start") or 0), int(e.get("end") or 0)) or 0) >= 2
    ]  # "three administrators and two analysts", "my three PMO managers"
    plain = re.sub(r"'s\b", "  ", low)  # "my team's titles" names the team (same length: offsets hold)
    named = bool(w.team_words.search(plain))
    described = bool(w.team_descriptors.search(plain)) and bool(w.group_asks.search(plain))
    if not named and not described and not counted:
        return None
    # The training must be what is asked ("could you put training together for all of us?"), not
    # backstory ("what's the career path? I'm writing progression criteria for my team's training").
    spans = question_spans(low) if "?" in low else [(0, len(low))]
    asks_training = (
        any(w.training_words.search(low[start:end]) for start, end in spans)
        or any(e.get("entity") == "certification" for e in entities)
        or bool(w.group_asks.search(plain) and w.training_words.search(plain))  # "I'd like to get everyone trained"
        or (len(counted) >= 2 and bool(w.group_asks.search(plain)))  # "2 PMO managers, 4 analysts... for all of them"
        or (len(counted) >= 2 and named and bool(w.training_words.search(plain)))
    )  # "a development plan for my department: 4 PMO analysts, 2 PMO managers... Where do I start?"
    size: Optional[int] = None
    for match in _SIZE.finditer(low):
        for group in match.groups():
            if group and _number(group) is not None:
                size = _number(group)
                break
        if size:
            break
    asked_text = " ".join(plain[start:end] for start, end in spans)
    for_me = (
        bool(w.only_me.search(asked_text))
        and not re.search(r"\b(and|&) (for )?(my|our|the) (team|staff|people)\b|\bmyself and\b", asked_text)
        and not w.team_words.search(asked_text)
    )  # "... and something for myself too. What for each of us?": the team
    for_them = any(w.for_someone_else.search(low[start:end]) for start, end in spans) and not any(
        w.team_words.search(plain[start:end]) or w.group_asks.search(plain[start:end]) for start, end in spans
    )  # "Sarah is a new PMO admin on my team. What course would suit her?": one person
    request = asks_training and not for_me and not for_them
    if not request:
        return None
    return {
        "entity": "team",
        "value": str(size) if size else "yes",
        "role": "request",
        "start": 0,
        "end": 0,
        "text": "",
    }


def _is_plural(entity: Mapping[str, Any]) -> bool:
    text = str(entity.get("text") or "").strip()
    return bool(text) and bool(_PLURAL_TITLE.search(text.split()[-1] if " of " not in text else text.split()[0]))


# "... and an administrator" after counted groups: one more group of one.
_ONE_MORE = re.compile(r"(\band|,|:)\s+(an?|one|a single)\s+(new\s+|senior\s+|junior\s+)?$")
# "There'll be a PMO manager, two analysts and an administrator": the first of a list of counted groups is one more.
_ONE_BEFORE = re.compile(r"\b(an?|one)\s+(new\s+|senior\s+|junior\s+)?$")
_LIST_GOES_ON = re.compile(r"\s*(,|and)\s+(\d+|two|three|four|five|six|seven|eight|nine|ten|a|an|one)\s")
# Words that may stand between a count and the titles it counts ("my four are all analysts").
_BETWEEN_COUNT = frozenset({"are", "all", "is", "of", "them", "those", "these"})
# A count written after the titles: "the analysts are 6", "admins 4", "analysts, about 10 of them", "analysts (3)".
_COUNT_AFTER = re.compile(
    r"\s*(?:(?:are|is|:|=|-|\()\s*|,\s*(?=about|around|roughly|approx|maybe|some))?"
    r"(?:about|around|roughly|approx\.?|maybe|some)?\s*([a-z]+|\d+)\b"
)


def _count_of(low: str, start: int, end: int = -1) -> Optional[int]:
    """The number of people a title counts: written just before it ("two analysts", "my four are all
    analysts"), else just after it ("the admins 4", "analysts, about 10 of them"); never the previous
    group's ("the analysts are 6, the admins")."""
    before = low[max(0, start - 30) : start].split()
    for index, word in enumerate(reversed(before[-4:])):
        if word.endswith((",", ";", ".")):
            break
        number = _number(word.strip("():"))
        if number is not None:
            return number
        if index >= 1 and word not in _BETWEEN_COUNT:
            break
    if end >= 0:
        after = _COUNT_AFTER.match(low[end : end + 24])
        if after:
            number = _number(after.group(1))
            following = low[end + after.end() : end + after.end() + 12]
            if number is not None and not re.match(r"\s*(years?|yrs?|months?|days?|weeks?|sites?|%)", following):
                return number
    return None


_LIST_GAP = re.compile(r"\s*(,|/|&|and|or|,\s*and|,\s*or|then|->|→|, then)\s*")


# Entities a list of levels may be read as ("administrator, analyst, manager and director courses").
_LISTABLE = ("role", "other_role", "course")


def _listed_levels(low: str, entities: Sequence[Entity]) -> set[int]:
    """Role titles written as a list of three or more levels ("admin, analyst, manager, director"): ids."""
    roles = sorted(
        (e for e in entities if e.get("entity") in _LISTABLE and not _is_plural(e)),
        key=lambda e: int(e.get("start") or 0),
    )  # plural titles in a list are a team's members ("two analysts, three administrators and a manager")
    found: set[int] = set()
    chain: List[Entity] = roles[:1]
    for previous, entity in itertools.pairwise(roles):
        gap = low[int(previous.get("end") or 0) : int(entity.get("start") or 0)]
        if _LIST_GAP.fullmatch(gap):
            chain.append(entity)
            continue
        if _a_list(chain):
            found |= {id(e) for e in chain}
        chain = [entity]
    if _a_list(chain):
        found |= {id(e) for e in chain}
    return found


def _a_list(chain: Sequence[Entity]) -> bool:
    """Three or more different titles or courses in a row, two of them role titles."""
    return len({e.get("value") for e in chain}) >= 3 and sum(e.get("entity") == "role" for e in chain) >= 2


def _cue(value: str, start: int, end: int, text: str) -> Entity:
    return {
        "entity": "experience",
        "value": value,
        "role": "self",
        "start": start,
        "end": end,
        "text": text[start:end],
    }


def annotate(text: str, entities: Sequence[Entity]) -> List[Entity]:
    """The entities with the reading written on them (roles, groups) and the reader's own added."""
    names = people_named(text)
    w = _with_names(words(), names)
    low = normalised(text)
    out: List[Entity] = [dict(e) for e in entities]
    team = _team(low, out, w)
    listed = _listed_levels(low, out)
    counted_groups = any(
        e.get("entity") == "role"
        and _is_plural(e)
        and (_count_of(low, int(e.get("start") or 0), int(e.get("end") or 0)) or 0) >= 2
        for e in out
    )  # "3 PMO analysts and 1 admin": with counted groups, a counted title is one more group
    out = [
        e for e in out if not (id(e) in listed and e.get("entity") != "role")
    ]  # "lists administrator", "director courses"
    for entity in out:
        name, start = entity.get("entity"), int(entity.get("start") or 0)
        if name == "role" and _NOT_A_CLAIM.search(low[max(0, start - 32) : start]):
            entity["role"] = "asked"  # "I don't want to start as an administrator": no claim
            continue
        if name == "role" and id(entity) in listed:
            entity["role"] = "asked"  # "your courses split into admin, analyst, manager, director": a list, no claim
            continue
        if name == "role":
            end = int(entity.get("end") or start)
            holder, when = _holder_and_time(low, start, w, end)
            previous = max(
                (int(e.get("end") or 0) for e in out if e.get("entity") == "role" and int(e.get("end") or 0) <= start),
                default=-1,
            )
            joined = previous >= 0 and re.fullmatch(r"\s*(to|into|->|→)\s*(an?\s+|the\s+)?", low[previous:start])
            if joined or _LEVEL_TO.search(low[max(0, start - 40) : start]):
                when = "target"  # "a course that bridges admin to analyst"
            if _OPTION_LEVEL.match(low[end:]) and holder != "other":
                entity["role"] = "asked"  # "is that the admin level or the analyst level?"
                continue
            ours = bool(_OURS.search(low[max(0, start - 24) : start])) and _is_plural(entity)  # "my new PMO admins"
            one_of_ours = (
                team is not None
                and holder == "other"
                and bool(
                    _MY_ONE.search(low[max(0, start - 20) : start])
                    or _HIRING.search(low[_sentence_start(low, start) : start])
                )
            )  # "get my PMO manager and her two analysts trained", "I'll hire a PMO manager and an analyst"
            if one_of_ours and not ours and not _SAYS_AFTER.match(low[end:]):
                entity["group"], entity["role"], entity["count"] = "team", "member", 1
                continue
            count = _count_of(low, start, end)
            if (
                count is None
                and counted_groups
                and (
                    _ONE_MORE.search(low[max(0, start - 24) : start])
                    or (_ONE_BEFORE.search(low[max(0, start - 12) : start]) and _LIST_GOES_ON.match(low[end:]))
                )
            ):
                count = 1  # "two analysts and an administrator", "3 PMO analysts and a PMO manager"
            counted = _is_plural(entity) and (count or 0) >= 2  # "the 5 analysts"
            grouped = (team is not None or counted_groups) and count is not None
            if ours or counted or grouped or (team is not None and _is_plural(entity)):
                entity["group"] = "team"
                entity["role"] = "member"
                if count is not None:
                    entity["count"] = count
            elif holder == "other":
                entity["role"] = "other"
                if joined and _CHANGED.search(low[_sentence_start(low, start) : start]):
                    entity["when"] = "now"  # "my wife has just been promoted from support officer to PMO analyst"
                person = _person_before(low, start, names)
                if person:
                    entity["person"] = person  # "Tom is a graduate coming in as a PMO administrator"
            elif _FROM_TO.search(low[max(0, start - 20) : start]) and re.match(r"\s*(to|into)\b", low[end:]):
                entity["role"] = "current"  # "help me make the jump from analyst to manager": where the visitor is
            elif when is not None:
                entity["role"] = when
            elif holder == "self" and _MANAGED.search(low[max(_sentence_start(low, start), start - 60) : start]):
                entity["role"] = "other"  # "I now line manage two analysts and an administrator": the people managed
            elif holder == "self" and _opens_question(low, start, w) and not _claimed(low, entity, start):
                entity["role"] = "asked"  # "does that make me a PMO manager?": a question, not a claim
            elif holder == "self":
                entity["role"] = "current"
        elif (
            name == "experience"
            and entity.get("value") in _OFFICE_CUES
            and (
                _THE_BEFORE.search(low[max(0, start - 12) : start])
                or _holder_and_time(low, start, w)[0] == "other"
                or _ORGANISATION_DOES.search(low[max(_sentence_start(low, start), start - 30) : start])
            )
        ):
            entity["role"] = "other"  # "the head of the portfolio office wants me to join her team", "we're setting up"
        elif (
            name == "experience"
            and entity.get("value") in _OFFICE_CUES
            and _NEGATION.search(low[max(_sentence_start(low, start), start - 40) : start])
        ):
            entity["role"] = "negated"  # "I've never managed anyone or run a PMO"
        elif name in ("course", "course_family") and _course_done(low, start, out, w):
            entity["role"] = "done"  # "I passed P3O Foundation a couple of years ago": the visitor has it
        elif name in ("other_role", "background", "certification") and _holder_and_time(low, start, w)[0] == "other":
            entity["role"] = "other"  # "my dad was a programme manager", "my sister works as a nurse"
        elif name == "years" and _A_BREAK.match(low[int(entity.get("end") or start) :]):
            entity["role"] = "background"  # "back to work after a 4 year break": years away, not in the job
        elif name == "years":
            window = low[_sentence_start(low, start) : int(entity.get("end") or start) + 40]
            if any(
                e.get("entity") in ("background", "other_role")
                and _sentence_start(low, int(e.get("start") or 0)) == _sentence_start(low, start)
                for e in out
            ) and not re.search(r"\b(pmo|project support|programme office|project office)\b", window):
                entity["role"] = "background"
    if any(e.get("role") == "now" for e in out):  # "I'm an analyst but just promoted to PMO lead"
        for entity in out:
            if entity.get("entity") == "role" and entity.get("role") == "current":
                entity["role"] = "past"
    out = [
        e
        for e in out
        if not _employer(low, e, w)
        and not _up_to_date(low, e)
        and not _team_outside_pmo(low, e, out, w)
        and not _managed_once(low, e, w)
    ]
    added: List[Entity] = []
    for_other = next((m for m in w.for_someone_else.finditer(low) if asked(text, {"start": m.start()})), None)
    if for_other is None and not team:
        for_other = w.training_them.search(low)  # "... asked me to find her some PMO training. Which course?"
    someone = w.someone_runs_office.search(low) if team is None else None
    if for_other is None and someone is not None and asked(text, {"start": someone.start()}):
        for_other = someone  # "and the person who actually sets it up, what would they need?"
    if for_other is not None:
        asking: Entity = {
            "entity": "asking_for",
            "value": "other",
            "start": for_other.start(),
            "end": for_other.end(),
            "text": "",
        }
        person = next((n for n in names if re.search(rf"\b{re.escape(n)}\b", for_other.group(0))), None)
        if person:
            asking["person"] = person  # "what would you book for Tom?"
        added.append(asking)
    runs = next(
        (
            m
            for m in w.runs_office.finditer(low)
            if re.match(r"(i|i'm|i'll|im|i've)\b", m.group(0)) or _holder_and_time(low, m.start(), w)[0] == "self"
        ),
        None,
    )  # "I'll be creating a PMO"; not "my org is standing up a PMO"
    if runs and not any(e.get("value") in ("runs_pmo", "several_pmos", "head_of") for e in out):
        added.append(_cue("runs_pmo", runs.start(), runs.end(), text))
    if someone is not None:  # "whoever runs it": a PMO Manager's work, someone else's
        added.append({**_cue("runs_pmo", someone.start(), someone.end(), text), "role": "other"})
    if team is not None:
        added.append(team)
        # "we're a team of five" says how many, not who leads: only "I lead it" makes the visitor the lead
        out = [
            e
            for e in out
            if not (e.get("value") == "manages_team" and str(e.get("text", "")).lower().startswith("team of"))
        ]
        lead = w.leads_team.search(low)
        if lead and not any(e.get("value") in ("manages_team", "runs_pmo") for e in out):
            added.append(_cue("manages_team", lead.start(), lead.end(), text))
    tally = {
        cue: len(pattern.findall(low))
        for cue, pattern in (("support_work", w.support_work), ("analyst_work", w.analyst_work))
    }
    for cue, pattern in (("support_work", w.support_work), ("analyst_work", w.analyst_work)):
        if team is None and tally[cue] < max(tally.values()):
            continue  # "booking meetings, minutes, chasing actions... and the monthly report pack": mostly support
        candidates: List[Entity] = []
        for match in pattern.finditer(low):  # work the visitor says they do, outside any title
            inside = any(int(e.get("start") or 0) < match.end() and match.start() < int(e.get("end") or 0) for e in out)
            holder = _holder_and_time(low, match.start(), w)[0]
            negated = _NEGATION.search(
                low[max(_sentence_start(low, match.start()), match.start() - 30) : match.start()]
            )
            if not inside and not negated:  # "I do the minutes", "she takes minutes", "mostly minutes"
                found = _cue(cue, match.start(), match.end(), text)
                found["role"] = holder or "unassigned"
                if team is not None and holder != "self":  # "one does the risk log and minutes, one builds..."
                    found["role"], found["group"] = "member", "team"
                candidates.append(found)
        # "chasing the PMs for their highlight reports, pulling them into a dashboard": one work phrase near
        # "their" does not make the whole description someone else's
        own = [c for c in candidates if c["role"] != "other"]
        if own or candidates:
            added.append((own or candidates)[0])
    for name, pattern in w.constraints:
        constraint = pattern.search(low)
        if constraint:
            added.append(
                {
                    "entity": "constraint",
                    "value": name,
                    "start": constraint.start(),
                    "end": constraint.end(),
                    "text": text[constraint.start() : constraint.end()],
                }
            )
    if is_foreign(text):
        added.append({"entity": "language", "value": "other", "start": 0, "end": 0, "text": ""})
    return sorted(out + added, key=lambda e: (int(e.get("start") or 0), int(e.get("end") or 0)))


def read_message(doc: Any, vocabulary: Optional[Mapping[str, str]] = None) -> List[Entity]:
    """The entities of a processed spaCy ``Doc`` with the reading on them: what NLU reports."""
    from bot.nlu.extract import extract_entities

    return annotate(doc.text, extract_entities(doc, vocabulary))


# ---------------------------------------------------------------- reading it back


@dataclass(frozen=True)
class Member:
    role: str
    count: Optional[int] = None


@dataclass(frozen=True)
class Reading:
    """The annotated entities of one message, read back for the dialogue."""

    now: Tuple[str, ...] = ()  # the visitor's job after a change ("promoted to X")
    current: Tuple[str, ...] = ()  # the visitor's job, said as theirs
    unassigned: Tuple[str, ...] = ()  # titles nobody was said to hold ("what does an analyst do?")
    target: Tuple[str, ...] = ()
    past: Tuple[str, ...] = ()
    others: Tuple[str, ...] = ()  # someone else's job: never the visitor's level
    asked: Tuple[str, ...] = ()  # "does that make me a PMO manager?": asked about, not claimed
    members: Tuple[Member, ...] = ()
    team: Optional[str] = None  # "yes" or the team's size, when training is asked for a group
    cues: Tuple[str, ...] = ()  # experience cues about the visitor (or nobody in particular)
    others_cues: Tuple[str, ...] = ()  # work described of someone else ("she takes the minutes")
    loose_cues: Tuple[str, ...] = ()  # work described of nobody in particular ("mostly minutes and timesheets")
    member_cues: Tuple[str, ...] = ()  # work the members of a team asking for training do
    constraints: Tuple[str, ...] = ()
    foreign: bool = False
    background_years: bool = False
    for_someone_else: bool = False  # "what would be right for her?"
    done: Tuple[str, ...] = ()  # courses ("P3O Foundation") or families ("family:p3o") the visitor has done

    @property
    def own_roles(self) -> Tuple[str, ...]:
        """The visitor's own job, most telling first: after a change, then said as theirs, then unassigned."""
        seen: List[str] = []
        for role in (*self.now, *self.current, *self.unassigned):
            if role not in seen:
                seen.append(role)
        return tuple(seen)

    @property
    def team_size(self) -> Optional[int]:
        return int(self.team) if self.team and self.team.isdigit() else None


def read(entities: Sequence[Mapping[str, Any]]) -> Reading:
    """The :class:`Reading` of a message from its (annotated) entities."""
    groups: Dict[str, List[str]] = {
        "now": [],
        "current": [],
        "unassigned": [],
        "target": [],
        "past": [],
        "other": [],
        "asked": [],
    }
    members: List[Member] = []
    cues: List[str] = []
    others_cues: List[str] = []
    loose_cues: List[str] = []
    member_cues: List[str] = []
    constraints: List[str] = []
    team: Optional[str] = None
    foreign = background_years = for_someone_else = False
    done: List[str] = []
    asked_person = next(
        (e.get("person") for e in entities if e.get("entity") == "asking_for" and e.get("person")), None
    )
    for entity in entities:
        name, value = entity.get("entity"), entity.get("value")
        if not isinstance(value, str):
            continue
        if name == "role":
            if entity.get("group") == "team":
                count = entity.get("count")
                members.append(Member(value, int(count) if isinstance(count, int) else None))
                continue
            bucket = groups.get(str(entity.get("role") or "unassigned"), groups["unassigned"])
            if value in bucket:
                continue
            if (asked_person and entity.get("person") == asked_person) or entity.get("when") == "now":
                bucket.insert(0, value)  # "Tom is ..., Priya has been ... What would you book for Tom?"
            else:
                bucket.append(value)
        elif name in ("course", "course_family") and entity.get("role") == "done":
            done.append(value if name == "course" else f"family:{value}")
        elif name == "team" and entity.get("role") == "request":
            team = value
        elif name == "experience" and entity.get("role") == "negated":
            continue
        elif name == "experience" and entity.get("group") == "team":
            if value not in member_cues:
                member_cues.append(value)
        elif name == "experience" and entity.get("role") == "other":
            if value not in others_cues:
                others_cues.append(value)
        elif name == "experience" and entity.get("role") == "unassigned":
            if value not in loose_cues:
                loose_cues.append(value)
        elif name == "experience" and value not in cues:
            cues.append(value)
        elif name == "asking_for" and value == "other":
            for_someone_else = True
        elif name == "constraint" and value not in constraints:
            constraints.append(value)
        elif name == "language" and value == "other":
            foreign = True
        elif name == "years" and entity.get("role") == "background":
            background_years = True
    merged: List[Member] = []
    for member in members:  # "two analysts and a PMO analyst": one group per role
        if all(m.role != member.role for m in merged):
            merged.append(member)
    return Reading(
        now=tuple(groups["now"]),
        current=tuple(groups["current"]),
        unassigned=tuple(groups["unassigned"]),
        target=tuple(groups["target"]),
        past=tuple(groups["past"]),
        others=tuple(groups["other"]),
        asked=tuple(groups["asked"]),
        members=tuple(merged),
        team=team,
        cues=tuple(cues),
        others_cues=tuple(others_cues),
        loose_cues=tuple(loose_cues),
        member_cues=tuple(member_cues),
        constraints=tuple(constraints),
        foreign=foreign,
        background_years=background_years,
        for_someone_else=for_someone_else,
        done=tuple(dict.fromkeys(done)),
    )
