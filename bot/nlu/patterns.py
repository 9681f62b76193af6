"""Entity-ruler patterns built from the knowledge base (pure, no spaCy import).

Role titles become phrase patterns in every spelling people use: any case
(matched on ``LOWER``), plural, "co-ordinator"/"coordinator",
"programme"/"program", "admin"/"administrator", "&"/"and". Experience cues
("brand new", "I run the programme office", "3 years") become token patterns.
Each pattern's ``id`` carries the canonical value the extractor reports.

Over 300 lines on purpose: most of it is the tables of token patterns (one per cue and
topic), which read best beside the code that builds them. Plain phrase and word lists (the
follow-up attributes, list positions) are data, in ``bot/knowledge/words.yml``.
"""

from __future__ import annotations

from typing import Any, Dict, List

from bot.knowledge_base import KnowledgeBase
from bot.text import spelling_variants as spelling_variants
from bot.words import nlu_words

ROLE_LABEL = "ROLE"
NOT_ROLE_LABEL = "NOT_PMO_ROLE"
COURSE_LABEL = "COURSE"
EXPERIENCE_LABEL = "EXPERIENCE"
YEARS_LABEL = "YEARS"
FAMILY_LABEL = "COURSE_FAMILY"
CERTIFICATION_LABEL = "CERTIFICATION"
ATTRIBUTE_LABEL = "ATTRIBUTE"
MENTION_LABEL = "MENTION"
BACKGROUND_LABEL = "BACKGROUND"
TOPIC_LABEL = "TOPIC"
PMO_TYPE_LABEL = "PMO_TYPE"
# A role pattern made from a bare level word ("manager", "analyst"): the
# extractor drops it when an unknown qualifier stands before it ("HR analyst").
BARE_SUFFIX = "#bare"

Pattern = Dict[str, Any]  # spaCy pattern dicts: str values or lists of token specs


def _title_case(title: str) -> str:
    return " ".join(w if w.isupper() or any(c.isupper() for c in w) else w.capitalize() for w in title.split())


def other_role_titles(kb: KnowledgeBase) -> List[str]:
    """Job titles that are not PMO roles: delivery, adjacent and specialist roles."""
    titles: List[str] = []
    for title in [*kb.not_pmo_roles, *(t for a in kb.adjacent_roles for t in a.titles), *kb.specialist_roles]:
        if _title_case(title).lower() not in (t.lower() for t in titles):
            titles.append(_title_case(title))
    return titles


def role_patterns(kb: KnowledgeBase) -> List[Pattern]:
    patterns: List[Pattern] = []
    for role in kb.roles:
        for title in [role.name, *role.titles]:
            if len(title.split()) == 1:
                continue
            for variant in sorted(spelling_variants(title)):
                patterns.append({"label": ROLE_LABEL, "pattern": variant, "id": role.name})
        # Bare level words and one-word titles ("Scheduler"): "appointments scheduler" is another job.
        one_word = [t for t in role.titles if len(t.split()) == 1]
        for word in [*role.short_names, *one_word]:
            for variant in sorted(spelling_variants(word)):
                patterns.append({"label": ROLE_LABEL, "pattern": variant, "id": role.name + BARE_SUFFIX})
    for title in other_role_titles(kb):
        for variant in sorted(spelling_variants(title)):
            patterns.append({"label": NOT_ROLE_LABEL, "pattern": variant, "id": title})
    for adjacent in kb.adjacent_roles:  # "made redundant as a PM", "senior BA here"
        for short in adjacent.abbreviations:
            patterns.append(
                {"label": NOT_ROLE_LABEL, "pattern": [{"TEXT": short}], "id": _title_case(adjacent.titles[0])}
            )
    return patterns


def course_patterns(kb: KnowledgeBase) -> List[Pattern]:
    patterns: List[Pattern] = []
    for course in kb.courses:
        for name in [course.name, *course.aliases]:
            for variant in sorted(spelling_variants(name)):
                patterns.append({"label": COURSE_LABEL, "pattern": variant, "id": course.name})
    for family in kb.families:
        for name in family.aliases:
            for variant in sorted(spelling_variants(name)):
                patterns.append({"label": FAMILY_LABEL, "pattern": variant, "id": family.id})
    for kind in kb.pmo_types:
        for name in kind.aliases:
            patterns.append({"label": PMO_TYPE_LABEL, "pattern": name.lower(), "id": kind.name})
    return patterns


def beyond_patterns(kb: KnowledgeBase) -> List[Pattern]:
    """Other certifications, career-changer backgrounds and topics the bot declines."""
    patterns: List[Pattern] = []
    for cert in kb.certifications:
        for alias in cert.aliases:
            patterns.append({"label": CERTIFICATION_LABEL, "pattern": alias.lower(), "id": cert.id})
    for word in kb.unknown_certification_words:
        patterns.append({"label": CERTIFICATION_LABEL, "pattern": word.lower(), "id": "unknown"})
    for word in kb.career_changer_words:
        for variant in sorted(spelling_variants(word)):
            patterns.append({"label": BACKGROUND_LABEL, "pattern": variant, "id": "career_changer"})
    for topic in kb.declined_topics:
        for word in topic.words:
            patterns.append({"label": TOPIC_LABEL, "pattern": word.lower(), "id": topic.id})
    # "is 28k ok for a...", "how much does a PMO analyst make", "find pmo jobs in leeds"
    patterns.append({"label": TOPIC_LABEL, "pattern": [{"TEXT": {"REGEX": r"^£?\d{2,3}(k|,000)$"}}], "id": "salary"})
    patterns.append(
        {
            "label": TOPIC_LABEL,
            "pattern": [
                _any("how"),
                _any("much"),
                _any("do", "does", "would", "will", "can"),
                {"OP": "*", "IS_ALPHA": True},
                _any("make", "earn"),
            ],
            "id": "salary",
        }
    )
    patterns.append(
        {
            "label": TOPIC_LABEL,
            "pattern": [_any("pay", "paid"), _any("like", "range", "rate", "band", "scale")],
            "id": "salary",
        }
    )
    patterns.append(
        {
            "label": TOPIC_LABEL,
            # "which pays more?"; not "my company is paying for the course"
            "pattern": [
                _any("pays", "paying"),
                _any("more", "better", "best", "most", "well", "a", "an", "someone", "people", "staff", "them"),
            ],
            "id": "salary",
        }
    )
    patterns.append(
        {
            "label": TOPIC_LABEL,
            "pattern": [_any("the", "their", "average", "typical", "starting"), _any("pay")],
            "id": "salary",
        }
    )
    patterns.append(
        {
            "label": TOPIC_LABEL,
            "pattern": [
                _any("find", "finding", "search", "searching", "hunting", "land", "apply"),
                {**_any("me", "a", "some", "any", "for"), "OP": "*"},
                {"IS_ALPHA": True, "OP": "?"},
                {**_any("pmo", "project", "remote"), "OP": "?"},
                _any("job", "jobs", "vacancy", "vacancies", "openings", "positions"),
            ],
            "id": "vacancies",
        }
    )
    patterns.append(
        {
            "label": TOPIC_LABEL,
            "pattern": [
                _any("jobs", "vacancies", "positions", "openings", "roles"),
                _any("in", "near", "around", "about", "going", "available", "advertised"),
            ],
            "id": "vacancies",
        }
    )
    return patterns


def follow_up_patterns() -> List[Pattern]:
    """Attributes ("how long", "pass mark") and list positions ("the second one"): the phrases and
    words are data, in ``bot/knowledge/words.yml`` (:func:`bot.words.nlu_words`)."""
    patterns: List[Pattern] = []
    for attribute, phrases in nlu_words().attribute_phrases.items():
        for phrase in phrases:
            patterns.append({"label": ATTRIBUTE_LABEL, "pattern": phrase, "id": attribute})
    for value, words in nlu_words().ordinals.items():  # "the second (one)", "second option", not "read this first"
        for word in words:
            patterns.append(
                {
                    "label": MENTION_LABEL,
                    "pattern": [_any("the"), _any(word), {**_any("one", "option", "course", "role"), "OP": _OPT}],
                    "id": value,
                }
            )
            patterns.append(
                {"label": MENTION_LABEL, "pattern": [_any(word), _any("one", "option", "course", "role")], "id": value}
            )
    for number in range(1, 8):
        for lead in ("number", "no", "no.", "option", "#", "num"):
            patterns.append({"label": MENTION_LABEL, "pattern": f"{lead} {number}", "id": str(number)})
    return patterns


def _any(*words: str) -> Dict[str, object]:
    return {"LOWER": {"IN": list(words)}}


_OPT = "?"
_DET = {**_any("the", "a", "an", "our", "my", "their", "its", "this"), "OP": _OPT}
_OFFICE_KIND = {**_any("project", "programme", "program", "portfolio", "enterprise", "company", "group"), "OP": _OPT}
_OFFICE = _any("office", "pmo", "pmos", "offices")
# "I run a small PMO", "I lead the new programme office": one word may sit between.
_ADJECTIVE = {"IS_ALPHA": True, "OP": _OPT}
_ONE_OFFICE = _any("office", "pmo")
_ONE_ADJECTIVE = {
    "IS_ALPHA": True,
    "OP": _OPT,
    "LOWER": {
        "NOT_IN": ["several", "multiple", "many", "few", "various", "all", "numerous", "two", "three", "four", "five"]
    },
}

# (cue id, token patterns). Ids are what recommendation logic understands.
_CUES: Dict[str, List[List[Dict[str, object]]]] = {
    "new_to_pmo": [
        [
            _any("new", "newbie", "newcomer", "beginner", "novice"),
            _any("to", "in"),
            _DET,
            _any("pmo", "pmos", "project", "projects"),
        ],
        [_any("brand", "completely", "totally", "very", "quite", "really"), _any("new")],
        [
            _any("no", "zero", "0", "little", "without", "nil", "limited", "none"),
            {**_any("prior", "previous", "real", "pmo", "relevant", "work"), "OP": _OPT},
            _any("experience"),
        ],
        [
            _any("just", "only", "recently"),
            _any("starting", "started", "start", "beginning", "began", "graduated", "joined"),
        ],
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
        [
            _any(
                "run",
                "runs",
                "running",
                "ran",
                "lead",
                "leads",
                "leading",
                "manage",
                "manages",
                "managing",
                "oversee",
                "oversees",
            ),
            _DET,
            _ADJECTIVE,
            _OFFICE_KIND,
            _OFFICE,
        ],
        [_any("in"), _any("charge"), _any("of"), _DET, _OFFICE_KIND, _OFFICE],
        # one office ("I look after a small PMO"); "I look after several PMOs" is several_pmos
        [_any("look", "looks", "looking", "looked"), _any("after"), _DET, _ONE_ADJECTIVE, _OFFICE_KIND, _ONE_OFFICE],
        [_any("head", "heads", "heading"), _any("up"), _DET, _ONE_ADJECTIVE, _OFFICE_KIND, _ONE_OFFICE],
        [
            _any("set", "setting", "sets", "building", "build", "establishing", "establish"),
            {**_any("up"), "OP": _OPT},
            _DET,
            {**_any("brand"), "OP": _OPT},
            {**_any("new"), "OP": _OPT},
            _OFFICE_KIND,
            _OFFICE,
        ],
    ],
    "several_pmos": [
        [
            _any(
                "several",
                "multiple",
                "many",
                "few",
                "various",
                "all",
                "numerous",
                "two",
                "three",
                "four",
                "five",
                "2",
                "3",
                "4",
                "5",
            ),
            {**_any("of", "the", "our"), "OP": "*"},
            _ADJECTIVE,
            _OFFICE_KIND,
            _any("pmos", "offices"),
        ],
        # "the PMOs underneath it", "the programme offices under me"
        [_any("pmos", "offices"), _any("underneath", "beneath", "below", "under"), _any("me", "it", "my", "us")],
        [_any("pmos", "offices"), _any("reporting", "report"), _any("to", "into", "up"), _any("me", "us")],
    ],
    "manages_team": [
        [
            _any(
                "manage",
                "manages",
                "managing",
                "lead",
                "leads",
                "leading",
                "run",
                "runs",
                "running",
                "supervise",
                "supervising",
            ),
            _DET,
            {"OP": _OPT},
            {"OP": _OPT},  # "managing the other three analysts"
            _any("team", "teams", "people", "staff", "analysts", "administrators", "officers"),
        ],
        [_any("line"), {"ORTH": "-", "OP": _OPT}, _any("manage", "manages", "managing", "manager", "management")],
        [_any("team"), _any("of"), {"LIKE_NUM": True}],
        [_any("direct"), _any("reports")],
        # "with 3 analysts reporting to me", "two planners report into me"; not "nobody reports to me"
        [
            {"LIKE_NUM": True},
            {"IS_ALPHA": True, "OP": "?"},
            {"IS_ALPHA": True, "LOWER": {"NOT_IN": ["pmos", "offices", "teams"]}},  # "three PMOs": several_pmos
            _any("reporting", "report"),
            _any("to", "into"),
            _any("me"),
        ],
    ],
    "head_of": [
        # "head of the programme office", not "head of HR".
        # ("head of pmo" itself is a PMO Director title, found as a role.)
        [
            _any("head", "heads", "director", "vp"),
            _any("of"),
            _OFFICE_KIND,
            _any(
                "pmos",
                "office",
                "offices",
                "projects",
                "programmes",
                "programs",
                "portfolio",
                "portfolios",
                "delivery",
                "epmo",
            ),
        ],
        [
            _any("head", "heads", "director", "vp"),
            _any("of"),
            _any("the", "our", "a", "an", "my", "their"),
            _OFFICE_KIND,
            _any(
                "pmo",
                "pmos",
                "office",
                "offices",
                "projects",
                "programmes",
                "programs",
                "portfolio",
                "portfolios",
                "delivery",
                "epmo",
            ),
        ],
    ],
}

_YEAR_WORDS = ("year", "years", "yr", "yrs", "yrs.", "years'")


def experience_patterns() -> List[Pattern]:
    patterns: List[Pattern] = []
    for cue, token_patterns in _CUES.items():
        for tokens in token_patterns:
            patterns.append({"label": EXPERIENCE_LABEL, "pattern": tokens, "id": cue})
    for prefix in ([], [_any("a")]):
        patterns.append(
            {
                "label": YEARS_LABEL,
                "pattern": [*prefix, {"LIKE_NUM": True}, {"ORTH": "+", "OP": _OPT}, _any(*_YEAR_WORDS)],
                "id": "years",
            }
        )
    patterns.append(
        {
            "label": YEARS_LABEL,
            "pattern": [_any("couple", "few"), {**_any("of"), "OP": _OPT}, _any(*_YEAR_WORDS)],
            "id": "years",
        }
    )
    patterns.append(
        {"label": YEARS_LABEL, "pattern": [{"TEXT": {"REGEX": r"^\d{1,2}\+?(yrs?|years?)$"}}], "id": "years"}
    )
    return patterns


def all_patterns(kb: KnowledgeBase) -> List[Pattern]:
    return [
        *role_patterns(kb),
        *course_patterns(kb),
        *experience_patterns(),
        *beyond_patterns(kb),
        *follow_up_patterns(),
    ]


def fuzzy_vocabulary(kb: KnowledgeBase) -> Dict[str, str]:
    """Lower-case title spellings (singular) -> canonical role, for typo matching."""
    vocab: Dict[str, str] = {}
    for role in kb.roles:
        for title in [role.name, *role.titles]:
            if len(title) >= 6 and len(title.split()) > 1:
                vocab[" ".join(title.lower().split())] = role.name
        for word in [*role.short_names, *(t for t in role.titles if len(t.split()) == 1)]:
            if len(word) >= 6:
                vocab[" ".join(word.lower().split())] = role.name + BARE_SUFFIX
    return vocab
