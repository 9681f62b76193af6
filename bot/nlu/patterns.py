"""Entity-ruler patterns built from the knowledge base (pure, no spaCy import).

Role titles become phrase patterns in every spelling people use: any case
(matched on ``LOWER``), plural, "co-ordinator"/"coordinator",
"programme"/"program", "admin"/"administrator", "&"/"and". Experience cues
("brand new", "I run the programme office", "3 years") become token patterns.
Each pattern's ``id`` carries the canonical value the extractor reports.
"""

from __future__ import annotations

import itertools
import re
from typing import Dict, Iterable, List, Set

from bot.knowledge_base import KnowledgeBase

ROLE_LABEL = "ROLE"
NOT_ROLE_LABEL = "NOT_PMO_ROLE"
COURSE_LABEL = "COURSE"
EXPERIENCE_LABEL = "EXPERIENCE"
YEARS_LABEL = "YEARS"

Pattern = Dict[str, object]

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
    if "of" in words[1:]:
        index = words.index("of") - 1
    else:
        index = len(words) - 1
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


def role_patterns(kb: KnowledgeBase) -> List[Pattern]:
    patterns: List[Pattern] = []
    for role in kb.roles:
        for title in [role.name, *role.titles, *role.short_names]:
            for variant in sorted(spelling_variants(title)):
                patterns.append({"label": ROLE_LABEL, "pattern": variant, "id": role.name})
    for title in kb.not_pmo_roles:
        for variant in sorted(spelling_variants(title)):
            patterns.append({"label": NOT_ROLE_LABEL, "pattern": variant, "id": title})
    return patterns


def course_patterns(kb: KnowledgeBase) -> List[Pattern]:
    patterns: List[Pattern] = []
    for course in kb.courses:
        for name in [course.name, *course.aliases]:
            for variant in sorted(spelling_variants(name)):
                patterns.append({"label": COURSE_LABEL, "pattern": variant, "id": course.name})
    return patterns


def _any(*words: str) -> Dict[str, object]:
    return {"LOWER": {"IN": list(words)}}


_OPT = "?"
_DET = {**_any("the", "a", "an", "our", "my", "their", "its", "this"), "OP": _OPT}
_OFFICE_KIND = {**_any("project", "programme", "program", "portfolio", "enterprise", "company", "group"), "OP": _OPT}
_OFFICE = _any("office", "pmo", "pmos", "offices")
# "I run a small PMO", "I lead the new programme office": one word may sit between.
_ADJECTIVE = {"IS_ALPHA": True, "OP": _OPT}

# (cue id, token patterns). Ids are what recommendation logic understands.
_CUES: Dict[str, List[List[Dict[str, object]]]] = {
    "new_to_pmo": [
        [_any("new", "newbie", "newcomer", "beginner", "novice"), _any("to", "in"), _DET, _any("pmo", "pmos", "project", "projects")],
        [_any("brand", "completely", "totally", "very", "quite", "really"), _any("new")],
        [_any("no", "zero", "little", "without", "nil", "limited"), {**_any("prior", "previous", "real", "pmo", "relevant", "work"), "OP": _OPT}, _any("experience")],
        [_any("just", "only", "recently"), _any("starting", "started", "start", "beginning", "began", "graduated", "joined")],
        [_any("starting", "start"), _any("out")],
        [_any("getting"), _any("started", "into")],
        [_any("career"), _any("changer", "change", "switch", "changers")],
        [_any("changing", "change", "switching", "switch"), _any("career", "careers")],
        [_any("graduate", "graduated", "grad", "graduates", "school-leaver", "apprentice", "intern", "internship")],
        [_any("school"), _any("leaver")],
        [_any("complete", "total", "absolute"), _any("beginner", "novice", "newbie")],
        [_any("beginner", "novice", "newbie", "newcomer")],
        [_any("entry"), {"ORTH": "-", "OP": _OPT}, _any("level")],
        [_any("never"), _any("worked", "been"), _any("in", "on"), _DET, _any("pmo", "project", "projects")],
    ],
    "runs_pmo": [
        [_any("run", "runs", "running", "ran", "lead", "leads", "leading", "manage", "manages", "managing", "oversee", "oversees"), _DET, _ADJECTIVE, _OFFICE_KIND, _OFFICE],
        [_any("in"), _any("charge"), _any("of"), _DET, _OFFICE_KIND, _OFFICE],
        [_any("set", "setting", "sets", "building", "build", "establishing", "establish"), {**_any("up"), "OP": _OPT}, _DET, {**_any("new"), "OP": _OPT}, _OFFICE_KIND, _OFFICE],
    ],
    "several_pmos": [
        [_any("several", "multiple", "many", "few", "various", "all", "numerous", "two", "three", "four", "five", "2", "3", "4", "5"), {**_any("of", "the", "our"), "OP": "*"}, _OFFICE_KIND, _any("pmos", "offices")],
    ],
    "manages_team": [
        [_any("manage", "manages", "managing", "lead", "leads", "leading", "run", "runs", "running", "supervise", "supervising"), _DET, {"OP": _OPT}, _any("team", "teams", "people", "staff", "analysts", "administrators", "officers")],
        [_any("line"), {"ORTH": "-", "OP": _OPT}, _any("manage", "manages", "managing", "manager", "management")],
        [_any("team"), _any("of"), {"LIKE_NUM": True}],
        [_any("direct"), _any("reports")],
    ],
    "head_of": [
        [_any("head", "heads", "director", "vp"), _any("of")],
    ],
}

_YEAR_WORDS = ("year", "years", "yr", "yrs", "yrs.", "years'")


def experience_patterns() -> List[Pattern]:
    patterns: List[Pattern] = []
    for cue, token_patterns in _CUES.items():
        for tokens in token_patterns:
            patterns.append({"label": EXPERIENCE_LABEL, "pattern": tokens, "id": cue})
    for prefix in ([], [_any("a")]):
        patterns.append({
            "label": YEARS_LABEL,
            "pattern": [*prefix, {"LIKE_NUM": True}, {"ORTH": "+", "OP": _OPT}, _any(*_YEAR_WORDS)],
            "id": "years",
        })
    patterns.append({"label": YEARS_LABEL, "pattern": [_any("couple", "few"), {**_any("of"), "OP": _OPT}, _any(*_YEAR_WORDS)], "id": "years"})
    patterns.append({"label": YEARS_LABEL, "pattern": [{"TEXT": {"REGEX": r"^\d{1,2}\+?(yrs?|years?)$"}}], "id": "years"})
    return patterns


def all_patterns(kb: KnowledgeBase) -> List[Pattern]:
    return [*role_patterns(kb), *course_patterns(kb), *experience_patterns()]


def fuzzy_vocabulary(kb: KnowledgeBase) -> Dict[str, str]:
    """Lower-case title spellings (singular) -> canonical role, for typo matching."""
    vocab: Dict[str, str] = {}
    for role in kb.roles:
        for title in [role.name, *role.titles, *role.short_names]:
            if len(title) >= 6:
                vocab[" ".join(title.lower().split())] = role.name
    return vocab


def iter_titles(kb: KnowledgeBase) -> Iterable[str]:
    for role in kb.roles:
        yield from [role.name, *role.titles]
