"""Which reading of a message wins, in one place (pure).

Every answering job runs after these rules, in this order; each has a test in
``tests/dialogue/test_precedence.py``:

1. A message in another language gets a plain note that answers are in English.
2. Training asked for a team ("we're a team of six...", "my director wants us all trained")
   gets the in-house route and a course per group, whatever the intent; after "who's in the
   team?", a message naming people ("two analysts and an admin") completes it.
3. While "what do you do now?" is open, a message that says what the visitor does ("I have 0
   experience", "I do the minutes and registers") answers it.
4. Other people's jobs never set the visitor's level; "promoted to X" and "going back as X"
   make X the job now, "I used to be Y" makes Y a past one (:func:`visitor_evidence`).
5. A topic the message names beats the context: "explain P3O" after a role answer is about
   P3O (``_explained`` and ``_about_the_last_thing`` step aside when something is named).
6. A message that names a PMO role, course, certification, PMO or training is never answered
   "outside what I can help with": at worst one short question (:func:`names_pmo`).

Declined topics (salaries, visas...) are still declined first (:mod:`.beyond`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import List, Optional, Tuple

from bot import answers
from bot.dialogue import others
from bot.dialogue.context import (
    COURSE_ATTRIBUTES,
    COURSE_TOPICS,
    THIRD_PERSON,
    Context,
    Outcome,
    Turn,
    attribute_of,
    context_course,
    course_for_level,
    courses_named,
    elliptical,
    says,
    with_attribute,
)
from bot.knowledge_base import Course, KnowledgeBase
from bot.nlu.reading import asked, normalised, question_spans, words
from bot.recommend import (
    CUE_LEVELS,
    Evidence,
    Recommendation,
    RoleMention,
    evidence_from_entities,
    level_from_evidence,
    recommend,
)
from bot.words import dialogue_words

# Entities that show a message is about PMO work.
_PMO_ENTITIES = ("role", "course", "course_family", "certification", "pmo_type", "experience", "team")
# Cues that say the visitor runs an office, whatever their title says.
_RUNS_AN_OFFICE = ("runs_pmo", "several_pmos", "head_of")
# Topics after which "and what about me?" asks for the visitor's own course.
_ABOUT_OTHERS = ("team", "recommendation", "role", "compare", "career")
# Jobs that would otherwise answer a question about prices or dates with something else.
_NEVER_QUOTES = (
    "recommend",
    "follow_up",
    "describe_role",
    "fallback",
    "out_of_scope",
    "career_path",
    "training_options",
)
# Words that make a question about the people counted ("the 5 analysts, which one for each?").
_GROUP_WORDS = frozenset({"each", "them", "they", "team", "all", "everyone", "both"})
# Entities that give a question a topic of its own.
_TOPICS = ("role", "course", "course_family", "certification", "pmo_type", "other_role", "attribute", "experience")
# "And what about me?" with the visitor's own job said: their course.
_ABOUT_ME = ("what about me", "and for me", "anything for me", "and me?", "what about myself", "something for me")
# Jobs after which the reader's team and level rules do not apply (they end or answer a question the bot asked).
_OWN_FLOW = ("resume", "stop_recommendation", "decline")


_CHOICE = re.compile(
    r"\b(which|recommend|suggest|suggestions|advise|advice|right for|best for|suit|suits|"
    r"should (i|they|we|he|she) (do|take|go|book|attend)|what (course|training)|where (do|should) i start|"
    r"what next|worth|or|(put|send|book) (them|him|her|everyone|each group|each|us|the \w+) on|"
    r"what (would|will|do|does|should) [\w ]{0,20}need)\b"
)


def _weighs_courses(turn: Turn) -> bool:
    """The message asks which course to take, not about the course it names."""
    return bool(_CHOICE.search(turn.text.lower()))


_FIT = re.compile(
    r"\b(right|for me|suit|suitable|should i|can i (go|do|book|start)|straight onto|assumed|level for|worth it|"
    r"worth doing|realistic|at my level|someone like me)\b"
)


def _fit_asked(kb: KnowledgeBase, turn: Turn) -> bool:
    """ "Would your PMO Manager course be right for me? I'm a resource manager": a question of fit,
    answered from what the visitor says about themself."""
    evidence = visitor_evidence(kb, turn)
    said = evidence.roles or evidence.cues or turn.values("background") or turn.values("other_role")
    return bool(said) and bool(_FIT.search(turn.text.lower()))


def course_meant(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Optional[Course]:
    """The one course a follow-up names, by its name or as "the <level> one"."""
    courses = [c for c in (kb.course_named(v) for v in turn.values("course")) if c]
    if len(courses) == 1:
        return courses[0]
    roles = [r for r in turn.values("role") if r in {x.name for x in kb.roles}]
    if not courses and len(roles) == 1 and turn.words & {"one", "course"}:
        return kb.course(kb.recommendation_for(kb.role(roles[0]).level).main)
    families = [f for f in (kb.family_named(v) for v in turn.values("course_family")) if f]
    if not courses and not roles and len(families) == 1:
        members = [kb.course(c) for c in families[0].courses]
        said = [c for c in members if set(c.name.lower().split()) & turn.words & {"foundation", "practitioner"}]
        return said[-1] if said else members[0]  # "would P3O look better on my CV?": where P3O starts
    return None


def attribute_asked(turn: Turn, names: Tuple[str, ...]) -> bool:
    """One of these attributes stands in a sentence that asks something."""
    low = turn.text.lower()
    return any(
        e.get("entity") == "attribute"
        and e.get("value") in names
        and asked(turn.text, e)
        and not low[: int(e.get("start") or 0)].endswith(("up to ", "to "))  # "keep the register up to date"
        for e in turn.entities
    )


def names_pmo(turn: Turn) -> List[str]:
    """What the message names that is PMO business (entity texts), or ["PMO"] for a PMO word; [] for none."""
    named = [str(e.get("text") or e.get("value")) for e in turn.entities if e.get("entity") in _PMO_ENTITIES]
    named = [n for n in named if n]
    if not named and words().pmo_words.search(normalised(turn.text)):
        return ["PMO training"]
    return named


_BACK = frozenset({"that", "this", "it", "they", "them", "he", "she", "her", "his", "their"})
# "What would you suggest for both of us?", "what should we each be doing?", "something for me and for her".
_EACH = re.compile(
    r"\b(both of us|each of us|we each|us both|the two of us|for (me|myself) and|and (for )?(me|myself)\b|"
    r"(me|myself) and (him|her|them)|(him|her|them) and (me|myself)|for \w+ and (me|myself))"
)


def focused(turn: Turn) -> Turn:
    """The turn without someone else's jobs from the backstory when the question names its own topic:
    "My dad was a programme manager and pointed me here. what does a pmo analyst do?" is about the
    analyst. Kept when the question is asked for that person or points back at them ("is that the
    same as a PMO Director?")."""
    others = [e for e in turn.entities if e.get("role") == "other" and not asked(turn.text, e)]
    if not others or turn.reading.for_someone_else:
        return turn
    spans = question_spans(turn.text)
    if set(re.findall(r"[a-z']+", turn.asked_text)) & _BACK or _EACH.search(turn.asked_text):
        return turn  # "is that the same as...?", "what would you suggest for both of us?"
    own_topic = any(
        asked(turn.text, e) and e.get("entity") in _TOPICS and e.get("role") != "other" for e in turn.entities
    )
    if not own_topic and len(spans) == 1 and spans[0] == (0, len(turn.text)):
        return turn  # no question sentence to focus on
    kept = tuple(e for e in turn.entities if e not in others)
    return Turn(turn.intent, kept, turn.text)


def visitor_evidence(kb: KnowledgeBase, turn: Turn) -> Evidence:
    """What the message says about the visitor's own level: their job now (after a change first),
    never someone else's; a past job only when nothing else is said; years in another job ignored."""
    reading = turn.reading
    own_said = reading.own_roles or reading.cues or reading.loose_cues or turn.values("background")
    pointed = not own_said and bool(turn.words & THIRD_PERSON) and not turn.words & {"me", "myself"}
    if (reading.for_someone_else or pointed) and (reading.others or reading.others_cues or _job_outside(kb, turn)):
        return _their_evidence(kb, turn)  # "I want to put my PMO Officer on a course. She builds the dashboards"
    base = evidence_from_entities(kb, [e for e in turn.entities if e.get("role") not in ("other", "unassigned")])
    known = {r.name for r in kb.roles}
    texts = {
        str(e.get("value")): str(e.get("text") or "")
        for e in turn.entities
        if e.get("entity") == "role" and e.get("group") != "team"
    }
    own = [r for r in reading.own_roles if r in known]
    if reading.team:  # in a team request the titles listed are the members'; the visitor's is said as theirs
        own = [r for r in (*reading.now, *reading.current) if r in known]
    moving_up = False
    if own and any(r in known and kb.role(r).level > kb.role(own[0]).level for r in reading.target):
        moving_up = not reading.now  # "I'm an admin and want to become an analyst"
    elif not own:
        own = [r for r in reading.target if r in known] or (
            [r for r in reading.past if r in known] if not base.cues else []
        )
    if not own and not base.cues and reading.loose_cues:  # "mostly minutes, action logs and booking rooms"
        base = Evidence(cues=tuple(c for c in reading.loose_cues if c in CUE_LEVELS), years=base.years)
    if not own and not base.cues and reading.members and not turn.values("background"):
        members = [m.role for m in reading.members if m.role in known]  # "my new PMO admins need training"
        return Evidence(roles=tuple(RoleMention(role=r) for r in members[:1]), about_someone=True)
    work = [c for c in (*base.cues, *reading.loose_cues) if c in ("support_work", "analyst_work")]
    if (
        own
        and work
        and says(turn, dialogue_words().title_only)
        and not set(base.cues) & {"manages_team", *_RUNS_AN_OFFICE}  # "my title says lead... 3 analysts report to me"
        and all(CUE_LEVELS[c][0] != kb.role(own[0]).level for c in work)
    ):  # "my title is PMO Analyst but I mostly take minutes": the work decides
        return Evidence(cues=(work[0],), years=None if reading.background_years else base.years)
    only_a_title = says(turn, dialogue_words().title_only)  # "my official title is Senior Analyst but I manage three"
    running = [CUE_LEVELS[c][0] for c in base.cues if c in _RUNS_AN_OFFICE or (c == "manages_team" and only_a_title)]
    if own and running and max(running) > kb.role(own[0]).level:
        own = []  # "I'm a PMO analyst and I've been asked to set up our PMO": the work says level 3
    return Evidence(
        roles=tuple(RoleMention(role=r, text=texts.get(r, "")) for r in own),
        cues=base.cues,
        years=None if reading.background_years else base.years,
        moving_up=moving_up,
    )


def _their_evidence(kb: KnowledgeBase, turn: Turn) -> Evidence:
    """ "My daughter's just started as a project support officer: what would be right for her?"."""
    known = {r.name for r in kb.roles}
    theirs = [r for r in turn.reading.others if r in known]
    cues = tuple(c for c in turn.reading.others_cues if c in CUE_LEVELS)
    if not theirs and not cues and _job_outside(kb, turn):
        cues = ("new_to_pmo",)  # "my sister's been a practice manager at a GP surgery for 9 years": new to PMO
    return Evidence(roles=tuple(RoleMention(role=r) for r in theirs[:1]), cues=cues, about_someone=True)


def _job_outside(kb: KnowledgeBase, turn: Turn) -> bool:
    """Someone else's job, said as theirs, is outside PMO and project work (a nurse, a practice manager; not a
    project manager, whose experience counts)."""
    return any(
        e.get("entity") in ("other_role", "background")
        and e.get("role") == "other"
        and not (
            e.get("entity") == "other_role"
            and (kb.adjacent_role(str(e.get("value"))) or kb.is_specialist_role(str(e.get("value"))))
        )
        for e in turn.entities
    )


def own_level(kb: KnowledgeBase, turn: Turn) -> Optional[int]:
    found = level_from_evidence(kb, visitor_evidence(kb, turn))
    return found[0] if found else None


def _groups(kb: KnowledgeBase, turn: Turn, ctx: Context) -> List[Tuple[int, Optional[int]]]:
    reading = turn.reading
    members = list(reading.members)
    groups = [(kb.role(m.role).level, m.count) for m in members if m.role in {r.name for r in kb.roles}]
    if ctx.topic == "team":  # "two analysts and an admin" after "who's in the team?"
        named = (*reading.unassigned, *reading.current, *(reading.others if elliptical(turn) else ()))
        groups += [(kb.role(r).level, None) for r in named if kb.role(r)]
    elif reading.team and not reading.members:  # "my team's titles: Project Assistant, PMO Planner... which for each?"
        groups += [(kb.role(r).level, None) for r in reading.unassigned if kb.role(r)]
    groups += [(CUE_LEVELS[c][0], None) for c in reading.member_cues if c in CUE_LEVELS]  # "one does the minutes"
    if not groups and reading.team and says(turn, dialogue_words().newcomer_groups):
        groups = [(1, None)]  # "our PMO lead says our new starters should do PRINCE2 first": the entry course
    seen: List[Tuple[int, Optional[int]]] = []
    for level, count in groups:
        if all(level != s[0] for s in seen):
            seen.append((level, count))
    return seen


def team_training(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    groups = _groups(kb, turn, ctx)
    level = own_level(kb, turn)  # the lead's own course too ("for myself and the three PMO managers")
    known = {r.name for r in kb.roles}
    lead = [r for r in turn.reading.unassigned if r in known]
    reading = turn.reading
    if reading.team and reading.members and lead and not (reading.now or reading.current):
        level = kb.role(lead[0]).level  # "Head of PMO at a retailer here. 10 in my team across analysts and admins"
    if level is not None and any(g[0] == level for g in groups) and not turn.reading.current:
        level = None  # the level is the group's ("a team of analysts"), not the visitor's
    reply = answers.team_training(kb, groups, level, turn.reading.team_size, turn.reading.constraints)
    named = [c.name for c in kb.courses if c.name in reply.text]
    listed = tuple(f"course:{n}" for n in sorted(named, key=reply.text.index))  # "the second one" after it
    groups_course = list(dict.fromkeys(kb.course(kb.recommendation_for(g[0]).main).name for g in groups))
    return Outcome(
        [reply],
        replace(
            ctx,
            topic="team",
            awaiting_level=False,
            level=level or ctx.level,
            listed=listed or ctx.listed,
            course=groups_course[0] if len(groups_course) == 1 else None,  # "after that course": the group's
            recommended=kb.course(kb.recommendation_for(level).main).name if level else ctx.recommended,
        ),
    )


def _course_in_context(kb: KnowledgeBase, ctx: Context) -> Optional[Course]:
    if ctx.topic == "team":
        return None
    return kb.course_named(ctx.course or ctx.recommended or "")


def _level_free_course_fit(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """A course that is not one level's (P3O, MoP) weighed against what the visitor says about themself."""
    done = turn.reading.done  # "I passed P3O Foundation. What next?" weighs nothing: it asks past it
    named = [c for c in (kb.course_named(v) for v in turn.values("course")) if c and c.name not in done]
    families = [
        f for f in (kb.family_named(v) for v in turn.values("course_family")) if f and f"family:{f.id}" not in done
    ]
    if done and not named and not families:
        return None
    if not named and len(families) == 1 and len(families[0].courses) > 1:
        first_of = kb.course(families[0].courses[0])  # "P3O is the best, should I do it?": where P3O starts
        named = [first_of] if first_of.level is None else []
    elif families:
        return None
    if len(named) != 1 or named[0].level is not None or turn.values("certification"):
        return None
    if ctx.topic == "team" or turn.asked_words & {"team", "them", "they", "everyone", "staff", "group"}:
        return None  # "would it make sense to put them all on P3O Foundation?": for the team (team_course)
    if not _fit_asked(kb, turn) or attribute_asked(
        turn, ("prerequisites", "length", "exam", "format", "price", "dates")
    ):
        return None
    level = own_level(kb, turn)
    if level is None:
        return None
    course = named[0]
    return Outcome(
        [answers.course_fit(kb, course, level)], replace(ctx, course=course.name, topic="course", level=level)
    )


def _first_course_asked(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """ "Do I have to do the admin one first?" with another course in context: that course's prerequisites."""
    if not (turn.words & {"first", "before", "beforehand"} and turn.words & {"have", "need", "must", "required"}):
        return None
    meant = course_meant(kb, turn, ctx)
    current = _course_in_context(kb, ctx) or kb.course_named(ctx.recommended or "")
    if meant is None or current is None or meant.name == current.name or turn.values("course"):
        return None
    if meant.level is None or current.level is None or meant.level >= current.level:
        return None
    from bot.dialogue.courses import course_question

    named = ({"entity": "course", "value": current.name}, {"entity": "attribute", "value": "prerequisites"})
    return course_question(kb, Turn(turn.intent, named, turn.text), ctx)


def _same_body(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """Who certifies the course in context and another one named, side by side."""
    if not attribute_asked(turn, ("accreditation",)) or not turn.words & {"it", "this", "that", "same"}:
        return None
    current = _course_in_context(kb, ctx)
    named = [c for c in (kb.course_named(v) for v in turn.values("course")) if c]
    for family in (kb.family_named(v) for v in turn.values("course_family")):
        named += [kb.course(c) for c in family.courses] if family else []
    others = [c for c in named if current is None or c.name != current.name]
    if current is None or not others:
        return None
    return Outcome([answers.courses_detail(kb, [current, *others], "accreditation")], ctx)


_AIMED_AT = re.compile(r"\b(tailored (to|for)|aimed at|designed for|specifically for|specific to|meant for|just for)\b")


def _course_aimed_at(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """A course asked for one role ("something tailored to analysts"): that level's course."""
    low = turn.text.lower()
    aimed = [
        str(e.get("value"))
        for e in turn.entities
        if e.get("entity") == "role"
        and e.get("value") in {x.name for x in kb.roles}
        and any(0 <= int(e.get("start") or 0) - m.end() <= 12 for m in _AIMED_AT.finditer(low))
    ]  # the title right after "tailored to", not a backstory one
    if len(set(aimed)) != 1 or turn.values("course"):
        return None
    course = kb.course(kb.recommendation_for(kb.role(aimed[0]).level).main)
    return Outcome([answers.describe_course(kb, course)], replace(ctx, course=course.name, topic="course"))


# Words that make "something more senior?" about other people rather than the visitor.
_OTHER_PEOPLE = THIRD_PERSON | {"they", "them", "their", "leads", "who", "people", "staff"}


def other_level(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """ "I'd rather not start at the very bottom" after a level 1 course: the course a level up, if the
    visitor's experience covers it; "what if I'm not ready for that?": the course a level down."""
    text = normalised(turn.text)
    up = any(p in text for p in dialogue_words().aims_higher)
    down = not up and any(p in text for p in dialogue_words().not_ready)
    current = _course_in_context(kb, ctx)
    if not (up or down) or current is None or current.level is None or turn.values("course"):
        return None
    if turn.reading.current or turn.reading.now:  # "I'm a PMO analyst, 2 years. I don't manage anyone": the job said
        return None
    if turn.values("course_family") or turn.values("certification"):  # "P3O - is that for me or more senior?"
        return None
    counted_people = re.search(r"\b\d+\s+(people|staff)\b", text)  # "i was managing 30 people": still the visitor
    if turn.words & _OTHER_PEOPLE and not (counted_people and turn.words & _OTHER_PEOPLE <= {"people", "staff"}):
        return None  # "and for the two team leads, is there something more senior?": not the visitor
    level = current.level + (1 if up else -1)
    if level not in (1, 2, 3, 4):
        return None
    other = kb.course(kb.recommendation_for(level).main)
    pair = tuple(kb.role_at_level(n).name for n in sorted((level, current.level)))
    return Outcome(
        [answers.other_level(kb, current, other, up)],
        replace(
            ctx,
            course=other.name,
            topic="course",
            compared=pair,
            role=kb.role_at_level(level).name,
            listed=(f"course:{other.name}", f"course:{current.name}"),
        ),
    )


def _asked_length(turn: Turn) -> int:
    """Words in the message's question sentences ("bit embarassing after 5 yrs tbh. whats the next step up?": 6)."""
    return sum(len(turn.text[a:b].split()) for a, b in question_spans(turn.text)) or len(turn.words)


def accepted(turn: Turn, ctx: Context) -> Context:
    """ "fine, you've convinced me" after another course was weighed: the suggested one is "it" again."""
    if ctx.topic == "instead" and any(p in normalised(turn.text) for p in dialogue_words().accepts_suggestion):
        return replace(ctx, course=ctx.recommended, topic="recommendation")
    return ctx


# Jobs a question about how training with PMO Learning works may be read as ("how do people train with you?").
_MAY_MEAN_TRAINING = ("out_of_scope", "fallback", "course_list", "capabilities", "follow_up", "course")


# Before the course a prerequisites question is about: "straight to the analyst one", "before the Directors one".
_SUBJECT_COURSE = re.compile(
    r"\b(straight\s+(on\s*to|to|into|on)|before|go\s+on"
    r"|before\s+(i|you|we|they|he|she|someone)\s+(can\s+|could\s+|may\s+)?(do|take|book|start|sit|go\s+on(to)?))"
    r"\s+(the\s+|an?\s+)?$"
)  # "have done the admin course before you can do the analyst one?": the analyst one


def _course_asked_about(kb: KnowledgeBase, turn: Turn) -> Course:
    """The course a prerequisites question is about: the one written after "straight to" or "before", else the
    first one named (by its name, or by a role and "one"/"course": "the analyst one")."""
    found: List[Tuple[int, Course]] = []
    for entity in turn.entities:
        start, value = int(entity.get("start") or 0), str(entity.get("value"))
        course = kb.course_named(value) if entity.get("entity") == "course" else None
        if course is not None:
            found.append((start, course))
        elif (
            entity.get("entity") == "role"
            and value in {r.name for r in kb.roles}
            and re.match(r"s?\s+(one|course)\b", turn.text[int(entity.get("end") or start) :].lower())
        ):
            found.append((start, course_for_level(kb, kb.role(value).level)))
    low = turn.text.lower()
    subject = [item for item in found if _SUBJECT_COURSE.search(low[max(0, item[0] - 30) : item[0]])]
    return min(subject or found, key=lambda item: item[0])[1]


# Words asking for a course for an office ("anything more specific to that?", "a course on running one?").
_OFFICE_COURSE = re.compile(
    r"\b(course|courses|training|anything (more )?specific|something (more )?specific|specifically"
    r"|for (our|my|the|her|his) (\w+ )?(portfolio|programme|project) office)\b"
)
_RUNNING_ONE = re.compile(r"\b(running|run|set(ting)? up|lead(ing)?|design(ing)?) (one|it|this|that|a pmo|the pmo)\b")


def _course_for_an_office(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """A kind of PMO named with a course asked for it: the course written for that kind ("since it's a portfolio
    office, anything more specific?" -> MoP), or P3O for running one ("... and is there a course on running one?")."""
    kinds = turn.values("pmo_type")
    if len(kinds) != 1 or turn.values("course") or turn.values("course_family") or turn.values("certification"):
        return None
    if turn.reading.team or turn.reading.members:
        return None  # "a team of six in a new portfolio office... training for all of us": the team's courses
    office = next(e for e in turn.entities if e.get("entity") == "pmo_type")
    if not asked(turn.text, office) and len(turn.words) > 20:
        return None  # "I work in a portfolio office ... which course is for me?": their level decides
    low = normalised(turn.text)
    asked_text = " ".join(low[s:e] for s, e in question_spans(turn.text))
    if not _OFFICE_COURSE.search(asked_text):
        return None
    from bot.dialogue.courses import course_question, pmo_types

    kind = kinds[0].split(" (")[0].lower()
    written_for = [c for c in kb.courses if kind in c.audience.lower() or kind in c.audience_short.lower()]
    if written_for:
        named = Turn(turn.intent, ({"entity": "course", "value": written_for[0].name},), turn.text)
        return course_question(kb, with_attribute(named, "audience"), ctx)
    if _RUNNING_ONE.search(asked_text):  # "what's a CoE ... and is there a course on running one?"
        described = pmo_types(kb, turn, ctx)
        p3o = next((c for c in kb.courses if "setting up" in c.audience.lower()), None)
        if p3o is None:
            return None
        named = Turn(turn.intent, ({"entity": "course", "value": p3o.name},), turn.text)
        about = course_question(kb, with_attribute(named, "audience"), ctx)
        return Outcome([*described.replies, *about.replies], about.context)
    return None


def _the_other_of_the_family(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """After a detail of each course of a family, "no, I meant the practitioner": that detail, for that one."""
    if ctx.topic != "family" or ctx.attribute not in COURSE_ATTRIBUTES or attribute_of(turn, COURSE_ATTRIBUTES):
        return None
    if not turn.words & {"meant", "mean", "other", "no", "just", "only"} and len(turn.words) > 8:
        return None  # "no, I meant the practitioner", or short: "the foundation one i think"
    family = kb.family_named((ctx.course or "")[7:]) if (ctx.course or "").startswith("family:") else None
    if family is None:
        return None
    from bot.dialogue.courses import course_question, names_course

    picked = [
        kb.course(c)
        for c in family.courses
        if kb.course(c).name in turn.values("course") or names_course(kb.course(c), family, turn)
    ]
    if len(picked) != 1:
        return None
    named = Turn(turn.intent, ({"entity": "course", "value": picked[0].name},), turn.text)
    return course_question(kb, with_attribute(named, ctx.attribute), ctx)


def _suggestion_in_family(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """ "which of the essentials courses matches it?" right after a course was suggested from that family: the
    suggestion, not the whole family."""
    families = turn.values("course_family")
    suggested = kb.course_named(ctx.recommended or "")
    if len(families) != 1 or suggested is None or turn.values("course") or not turn.words & {"which", "what"}:
        return None
    if not turn.words & {"matches", "match", "fits", "fit", "suits", "suit", "me", "my", "it", "that"}:
        return None
    family = kb.family_named(families[0])
    if family is None or suggested.id not in family.courses:
        return None
    from bot.dialogue.courses import course_question

    named = Turn(turn.intent, ({"entity": "course", "value": suggested.name},), turn.text)
    return course_question(kb, with_attribute(named, "audience"), ctx)


def _someones_title_compared(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """ "My new boss's title is Head of PMO ... Is that the same as a PMO Director?": whether someone else's title,
    said in the backstory, is the role the question names."""
    if "same as" not in normalised(turn.text) or not turn.words & dialogue_words().back_references:
        return None
    known = {r.name for r in kb.roles}
    theirs = [
        e for e in turn.entities if e.get("entity") == "role" and e.get("role") == "other" and e.get("value") in known
    ]
    named = [
        e
        for e in turn.entities
        if e.get("entity") == "role" and e.get("role") != "other" and e.get("value") in known and asked(turn.text, e)
    ]
    if not theirs or len(named) != 1:
        return None
    title, role, asked_role = str(theirs[0].get("text") or ""), str(theirs[0]["value"]), str(named[0]["value"])
    if role == asked_role:
        reply = answers.same_role(kb, role, [title, str(named[0].get("text") or "")])
    else:
        reply = answers.not_same_role(kb, role, title, asked_role)
    return Outcome([reply], replace(ctx, role=role, title=title, topic="role"))


def _level_asked(kb: KnowledgeBase, job: str, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """The visitor asks where they fit ("what level would you put me at?") and says enough to place them: their
    level's course, whatever courses the backstory names."""
    if job not in ("course", "recommend", "follow_up", "fallback", "out_of_scope", "course_list") or turn.reading.team:
        return None
    asked_text = " ".join(normalised(turn.text)[s:e] for s, e in question_spans(turn.text))
    by_list = job == "course_list" and any(p in asked_text for p in dialogue_words().asks_what_to_take)
    if not by_list and not any(p in asked_text for p in dialogue_words().asks_my_level):
        return None  # "... Which of your courses fits me?" read as a request for the list: their course
    if level_from_evidence(kb, visitor_evidence(kb, turn)) is None:
        return None
    from bot.dialogue.roles import recommend_course

    return recommend_course(kb, Turn("ask_course_recommendation", turn.entities, turn.text), ctx)


def _course_checked_against_title(kb: KnowledgeBase, job: str, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """ "My new job title is Enterprise PMO Manager. Does that mean I should do the PMO Managers course?": the visitor
    names their own title and asks whether one course is theirs. When the title's level has another course, say who
    the named course is for, then the course for their level."""
    reading = turn.reading
    if job not in ("course", "recommend", "describe_role", "follow_up") or reading.team or reading.for_someone_else:
        return None
    if not says(turn, dialogue_words().asks_what_to_take):
        return None
    known = {r.name for r in kb.roles}
    own = [r for r in (*reading.now, *reading.current) if r in known]
    named = {c.name for c in courses_named(kb, turn) if c.level}
    if not own or len(named) != 1:
        return None
    course = kb.course_named(next(iter(named)))
    level = kb.role(own[0]).level
    if course is None or course.level == level:
        return None
    from bot.dialogue.courses import course_question
    from bot.dialogue.roles import recommend_course

    about = course_question(
        kb, with_attribute(Turn(turn.intent, ({"entity": "course", "value": course.name},), turn.text), "audience"), ctx
    )
    mine = recommend_course(kb, Turn("ask_course_recommendation", turn.entities, turn.text), ctx)
    return Outcome([*about.replies[:1], *mine.replies], mine.context)


def _asks_pmo_type(kb: KnowledgeBase, job: str, turn: Turn, ctx: Context) -> bool:
    """ "which type is that?", or right after the kinds of PMO "and the office that's only there until the
    programme finishes?"."""
    if says(turn, dialogue_words().asks_pmo_type):
        return True
    from bot.dialogue.courses import described_pmo_types

    return (
        ctx.topic == "pmo_types"
        and job in ("fallback", "follow_up", "out_of_scope", "describe_role")
        and bool(described_pmo_types(kb, turn.text))
    )


# Jobs that already answer for whoever the message is about, or answer something else entirely.
_ANSWERS_FOR_THEM = ("recommend", "course_list", "compare", "pmo_types", "free_resources", "training_options")
_THEY = frozenset({"they", "them", "their", "theirs"}) | THIRD_PERSON


def _course_for_them(kb: KnowledgeBase, job: str, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """Someone else, or a group, brought up while a course is being worked out ("and for my analysts?", "My line
    manager runs the programme office. what would she need?", "and the new juniors? a few of them have never worked
    in projects"): their course, when what is said of them places them; never the visitor's level."""
    if job in _ANSWERS_FOR_THEM or not (ctx.recommended or ctx.topic in ("recommendation", "team")):
        return None
    if any(turn.values(n) for n in ("course", "course_family", "certification")) or attribute_of(
        turn, COURSE_ATTRIBUTES
    ):
        return None  # "how long is hers?" is about a course (others.about_them)
    reading = turn.reading
    if reading.own_roles or reading.now or reading.current or turn.words & {"i", "me", "myself", "i'm", "im"}:
        return None
    told = reading.members or reading.others or reading.others_cues
    new_to_it = bool(turn.values("background")) and not reading.cues  # "none of them have ever worked on projects"
    if not told and not ((reading.cues or new_to_it) and turn.words & _THEY):
        return None
    entities = (*turn.entities, {"entity": "asking_for", "value": "other"})
    if not told:  # "and the new juniors? a few of them have never worked in projects": what is said is theirs
        entities = tuple({**e, "role": "other"} if e.get("entity") == "experience" else e for e in entities)
        if new_to_it:
            entities += ({"entity": "experience", "value": "new_to_pmo", "role": "other"},)
    their = Turn("ask_course_recommendation", entities, turn.text)
    from bot.dialogue.roles import recommend_course

    suggested = recommend_course(kb, their, ctx)
    return suggested if suggested.context.topic == "recommendation" else None


def _course_each(kb: KnowledgeBase, job: str, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """The visitor and one other person, each said to do a job, and a course asked for both ("I'm the PMO Lead...
    my colleague Sam just moved over from reception... what would you suggest for both of us?"): a course each."""
    reading = turn.reading
    if job in _OWN_FLOW or reading.team or reading.members or not (reading.others or reading.others_cues):
        return None
    if not _EACH.search(turn.asked_text):
        return None
    visitor = Turn(turn.intent, tuple(e for e in turn.entities if e.get("entity") != "asking_for"), turn.text)
    mine_evidence = visitor_evidence(kb, visitor)
    if mine_evidence.about_someone:
        return None
    mine, theirs = recommend(kb, mine_evidence), recommend(kb, _their_evidence(kb, turn))
    if not isinstance(mine, Recommendation) or not isinstance(theirs, Recommendation):
        return None
    person = next((str(e["person"]) for e in turn.entities if e.get("role") == "other" and e.get("person")), "")
    written = re.search(r"\b" + re.escape(person) + r"\b", turn.text, re.IGNORECASE) if person else None
    called = next(
        (f"your {w}" for w in ("colleague", "boss", "manager", "deputy") if w in turn.words), "your colleague"
    )
    reply = answers.course_each(kb, mine, theirs, written.group(0) if written else called)
    return Outcome(
        [reply],
        replace(
            ctx,
            level=mine.level,
            recommended=mine.main.name,
            course=mine.main.name if mine.main.name == theirs.main.name else None,
            role=mine.role,
            other=theirs.role,
            topic="recommendation",
            awaiting_level=False,
            listed=tuple(dict.fromkeys((f"course:{mine.main.name}", f"course:{theirs.main.name}"))),
        ),
    )


def _changed_facts(kb: KnowledgeBase, job: str, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """ "I'm stepping up to run the programme office from April, does that change anything?" after a suggestion:
    the suggestion for what was just said (not a question about April's dates)."""
    if job in _OWN_FLOW or not ctx.recommended or not says(turn, dialogue_words().asks_if_it_changes):
        return None
    evidence = visitor_evidence(kb, turn)
    if not (evidence.roles or evidence.cues) or evidence.about_someone:
        return None
    from bot.dialogue.roles import recommend_course

    updated = recommend_course(kb, Turn("inform_experience", turn.entities, turn.text), ctx)
    return updated if updated.context.topic == "recommendation" else None


# "which level is that?", "what level would a coordinator be?": the level of a role asked, not a course for a group.
_LEVEL_OF = re.compile(r"\b(which|what) level\b")


_STARTS = frozenset({"begin", "start", "starting", "first"})


def _where_family_starts(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """ "Which P3O level do I begin with?": the family's courses in order, with what each needs first."""
    families = {f.id for f in (kb.family_named(v) for v in turn.values("course_family")) if f and len(f.courses) > 1}
    if len(families) != 1 or turn.values("course") or not turn.asked_words & _STARTS:
        return None
    if not turn.asked_words & {"which", "where", "what"}:
        return None
    from bot.dialogue.courses import course_question

    family = ({"entity": "course_family", "value": next(iter(families))},)
    return course_question(kb, with_attribute(Turn(turn.intent, family, turn.text), "prerequisites"), ctx)


def _course_named_in_question(kb: KnowledgeBase, job: str, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """A message the classifier could not place whose question names one course or family: that is the topic
    ("my finance director asked me what P3O is - can you give me a one-liner for her?")."""
    if job not in ("out_of_scope", "fallback") or turn.values("certification") or turn.values("role"):
        return None
    named = {
        str(e.get("value"))
        for e in turn.entities
        if e.get("entity") in ("course", "course_family") and asked(turn.text, e)
    }
    if len(named) != 1 or turn.reading.team or turn.reading.done:
        return None
    from bot.dialogue.courses import course_question

    return course_question(kb, turn, ctx)


def first(kb: KnowledgeBase, job: str, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """The outcome a precedence rule decides, or None to let the job answer."""
    reading = turn.reading
    if reading.foreign:
        return Outcome([answers.other_language(kb)], ctx)
    if job in _OWN_FLOW or turn.values("topic"):
        return None
    theirs = others.counts_as_equivalent(kb, turn, ctx) or others.about_them(kb, turn, ctx)
    if theirs is not None:  # "how long is hers?", "she was a PM for years, does that count?"
        return theirs
    changed = _changed_facts(kb, job, turn, ctx)
    if changed is not None:  # "I'm stepping up to run the programme office, does that change anything?"
        return changed
    travels = (  # "And can I attend from Nigeria or do I have to travel?" with nothing discussed yet
        job in ("fallback", "out_of_scope")
        and (not ctx.topic or ctx.topic.startswith("declined:"))
        and attribute_asked(turn, ("format",))
        and not context_course(kb, ctx)
        and not turn.values("course")
    )
    if travels or (job in _MAY_MEAN_TRAINING and says(turn, dialogue_words().ways_to_train)):
        from bot.dialogue.courses import training_options  # how people train ("ok, how do I train with you?")

        return training_options(kb, turn, ctx)
    meant = _the_other_of_the_family(kb, turn, ctx)
    if meant is not None:  # "no, I meant the other one, the practitioner" after both P3O lengths
        return meant
    for_office = _course_for_an_office(kb, turn, ctx)
    if for_office is not None:  # "since it's a portfolio office, is there anything more specific to that?"
        return for_office
    if job != "pmo_types" and not turn.values("role") and _asks_pmo_type(kb, job, turn, ctx):
        from bot.dialogue.courses import pmo_types  # "is there a name for that set-up?", "this PMO thing"

        return pmo_types(kb, turn, ctx)
    before_this = _first_course_asked(kb, turn, ctx) or _where_family_starts(kb, turn, ctx)
    if before_this is not None:  # "do i have to do the admin one first?", "which P3O level do I begin with?"
        return before_this
    same_body = _same_body(kb, turn, ctx)
    if same_body is not None:  # "and who certifies it, is it the same people as P3O?"
        return same_body
    if (
        attribute_asked(turn, ("next",))
        and ctx.topic in COURSE_TOPICS
        and context_course(kb, ctx)
        and not turn.values("role")
        and not turn.values("course")
        and turn.words & {"that", "it", "this", "one"}
        and not any(p in normalised(turn.text) for p in dialogue_words().moving_up)  # "the next step up": a role
    ):  # "What would I do after that one, assuming I actually get a job?"
        from bot.dialogue.courses import course_question

        return course_question(kb, with_attribute(turn, "next"), ctx)
    same = _someones_title_compared(kb, turn, ctx)
    if same is not None:  # "My new boss's title is Head of PMO... Is that the same as a PMO Director?"
        return same
    in_family = _suggestion_in_family(kb, turn, ctx)
    if in_family is not None:  # "... and which of the Essentials courses matches it?" after a suggestion
        return in_family
    placed = _level_asked(kb, job, turn, ctx)
    if placed is not None:  # "... 14 years. I feel I should be on the managers course. What level would you put me at?"
        return placed
    checked = _course_checked_against_title(kb, job, turn, ctx)
    if checked is not None:  # "My new title is Enterprise PMO Manager. Should I do the PMO Managers course?"
        return checked
    aimed = _course_aimed_at(kb, turn, ctx)
    if aimed is not None:  # "is there something more tailored to analysts, or is P3O it?"
        return aimed
    level_away = other_level(kb, turn, ctx)
    if level_away is not None:  # "i dont really want to start at the very bottom tbh"
        return level_away
    if (
        job in ("recommend", "describe_role", "career_path", "entry_requirements")
        and attribute_asked(turn, ("prerequisites",))
        and any(e.get("entity") == "course" for e in turn.entities)
    ):  # "Can I go on the Directors course if I've never done the others? I'm a new head of PMO"
        from bot.dialogue.courses import course_question

        last = _course_asked_about(kb, turn)  # "... can I go straight to the analyst one?": the last course named
        about = [e for e in turn.entities if e.get("entity") not in ("course", "role")] + [
            {"entity": "course", "value": last.name}
        ]
        return course_question(kb, with_attribute(Turn(turn.intent, tuple(about), turn.text), "prerequisites"), ctx)
    each = _course_each(kb, job, turn, ctx)
    if each is not None:  # "what would you suggest for both of us?": a course for the visitor and one for them
        return each
    if job == "training_options" and not reading.members:
        pass  # "can you train my whole team in-house?": the ways to train, and the enquiry opens (actions)
    elif reading.team or (
        ctx.topic == "team"
        and (reading.members or reading.unassigned or (reading.others and elliptical(turn)))
        and len(turn.words) <= 25
        and not _LEVEL_OF.search(normalised(turn.text))  # "and the coordinator, which level is that?": a role question
    ):  # "and our Portfolio Office Manager?" after a team's courses: one more group
        group = [m.role for m in reading.members] or list(reading.unassigned)
        detail = attribute_of(turn, COURSE_ATTRIBUTES)
        if not reading.team and len(group) == 1 and detail and detail != "next":
            from bot.dialogue.courses import course_question  # "and the support officers, how long would theirs be"

            course = course_for_level(kb, kb.role(group[0]).level)
            their_course = Turn(turn.intent, ({"entity": "course", "value": course.name},), turn.text)
            return course_question(kb, with_attribute(their_course, detail), ctx)
        return team_training(kb, turn, ctx)
    counted = any(m.count for m in reading.members)
    for_them = ctx.topic == "team" or bool(turn.words & _GROUP_WORDS) or not (reading.own_roles or reading.cues)
    trains = bool(words().training_words.search(normalised(turn.text)))
    if (
        counted
        and for_them
        and (
            ctx.topic in ("team", "recommendation", "ask_level", "training")
            or ctx.awaiting_level
            or _weighs_courses(turn)
            or trains
            or turn.words & dialogue_words().course_words
        )
    ):
        return team_training(kb, turn, ctx)  # "ok so for the 5 analysts, which one exactly?"
    if (
        ctx.topic in ("recommendation", "course")
        and ctx.level
        and ctx.level < 4
        and _asked_length(turn) <= 12
        and not turn.values("role")
        and any(p in normalised(turn.text) for p in dialogue_words().moving_up)
    ):  # "whats the next step up from that?" after a recommendation: the next role
        from bot.dialogue.roles import career_path

        following = kb.role_at_level(ctx.level + 1).name
        return career_path(kb, Turn(turn.intent, ({"entity": "role", "value": following},), turn.text), ctx)
    if job != "free_resources" and any(
        asked(turn.text, {"start": m.start()}) for m in words().free_resources.finditer(normalised(turn.text))
    ):  # "is there anything free I could read first?"
        from bot.dialogue.courses import free_resources

        return free_resources(kb, turn, ctx)
    other = course_meant(kb, turn, ctx)
    for_the_team = ctx.topic == "team" or bool(turn.words & {"team", "them", "they", "everyone", "staff", "group"})
    if (
        other is not None
        and ctx.recommended
        and not (for_the_team and other.level is None)  # "put them all on P3O Foundation instead?": team_course
        and any(p in normalised(turn.text) for p in dialogue_words().instead)
        and len(turn.words) <= 20
    ):
        recommended = kb.course_named(ctx.recommended)  # "hmm would the directors one be better?"
        if recommended is not None and other.name != recommended.name:  # the other one is now "that"
            weighed = (
                answers.instead(kb, other, recommended, ctx.level)
                if other.level is not None
                else answers.course_fit(kb, other, ctx.level)  # "what if I go for P3O, can I just do the practitioner?"
            )
            return Outcome([weighed], replace(ctx, course=other.name, topic="instead"))
    if attribute_asked(turn, ("price", "dates")) and job in _NEVER_QUOTES:
        from bot.dialogue.courses import course_question  # "can you give me dates for next month?"

        quoted = course_question(kb, turn, ctx)
        wants_course = job == "recommend" or (
            job in ("out_of_scope", "fallback") and says(turn, dialogue_words().asks_what_to_take)
        )  # "My employer will fund one course this year. Is there something at my level?"
        if wants_course and level_from_evidence(kb, visitor_evidence(kb, turn)) is not None:
            from bot.dialogue.roles import recommend_course  # "My employer funds one course. What's at my level?"

            suggested = recommend_course(kb, turn, ctx)
            if suggested.context.recommended:
                return Outcome([*suggested.replies, *quoted.replies], suggested.context)
        return quoted
    named = [c for c in (kb.course_named(v) for v in turn.values("course")) if c]
    if (
        (ctx.topic == "team" or turn.asked_words & {"team", "them", "they", "people", "everyone", "staff", "group"})
        and len(named) == 1
        and any(p in normalised(turn.text) for p in dialogue_words().suits_team)
        and not attribute_asked(turn, ("prerequisites", "length", "exam", "price", "dates"))
    ):  # "maybe it's simpler to put everyone on P3O Foundation together instead. would that work?"
        team_ctx = replace(ctx, listed=(f"course:{named[0].name}",), course=named[0].name)
        return Outcome([answers.team_course(kb, named[0])], team_ctx)
    if (
        ctx.topic == "team"
        and (set(reading.constraints) & {"online", "sites"} or "format" in turn.values("attribute"))
        and not turn.values("mention")
        and not turn.values("course")
    ):
        return Outcome([answers.team_format(kb)], ctx)  # "is it online? they can't fly to the UK"
    in_context = _course_in_context(kb, ctx)
    if (
        "online" in reading.constraints
        and in_context is not None
        and not turn.words & {"self", "paced", "pace", "elearning", "recorded", "evenings", "evening"}
        and not turn.values("course")
        and not turn.values("course_family")  # "ok the P3O one. is there an online version?": P3O, not the context
        and not reading.own_roles
        and any(asked(turn.text, e) for e in turn.entities if e.get("entity") == "constraint")
    ):  # "It is possible to follow from France? I cannot travel to UK"
        from bot.dialogue.courses import course_question

        format_of = ({"entity": "course", "value": in_context.name}, {"entity": "attribute", "value": "format"})
        return course_question(kb, Turn(turn.intent, format_of, turn.text), ctx)
    if (
        ctx.topic == "free"
        and len(turn.words) <= 10
        and turn.words & {"it", "where", "called", "link", "download", "get"}
    ):
        from bot.dialogue.courses import free_resources  # "where do I get it?" after the free eBook

        return free_resources(kb, turn, ctx)
    if (
        job != "training_options"
        and attribute_asked(turn, ("team",))
        and not turn.values("course")
        and bool(turn.words & {"house", "inhouse", "onsite", "site"})
    ):  # "With 20 people it probably makes sense to bring it in house?"
        return team_training(kb, turn, ctx)
    course_for_them = _course_for_them(kb, job, turn, ctx)
    if course_for_them is not None:  # "and for my analysts?", "what would she need?" while courses are worked out
        return course_for_them
    about_me = any(p in normalised(turn.text) for p in _ABOUT_ME) and (reading.current or reading.now or reading.cues)
    if about_me and ctx.topic:  # "and what about me? I'm the PMO administrator in one of her PMOs"
        from bot.dialogue.roles import recommend_course

        return recommend_course(kb, Turn("ask_course_recommendation", turn.entities, turn.text), ctx)
    if (
        len(turn.words) <= 8
        and re.search(r"\b(about|for|and|what of) (me|myself)\b", turn.text.lower())
        and not names_pmo(turn)
        and (ctx.topic in _ABOUT_OTHERS or ctx.other is not None)
    ):
        from bot.dialogue.roles import recommend_course  # "and what about me?" after a team or someone else

        return recommend_course(kb, Turn("ask_course_recommendation", turn.entities, turn.text), ctx)
    fitting = _level_free_course_fit(kb, turn, ctx)
    if fitting is not None:  # "Half my team have P3O Foundation. Is it worth it for someone at my level?"
        return fitting
    if (
        job in ("course", "follow_up", "fallback")
        and turn.values("course")
        and not turn.values("certification")
        and _fit_asked(kb, turn)
        and not attribute_asked(turn, ("prerequisites", "length", "exam", "format", "price", "dates"))
    ):  # "she mentioned the directors course, is that the right one for me?" (I'm her PA, I do the minutes)
        from bot.dialogue.roles import recommend_course

        return recommend_course(kb, Turn("ask_course_recommendation", turn.entities, turn.text), ctx)
    if (
        job == "recommend"
        and (turn.values("course") or turn.values("course_family"))
        and not turn.values("certification")
        and (
            attribute_asked(turn, ("prerequisites", "length", "exam", "format", "content", "resit"))
            or (not _weighs_courses(turn) and not _fit_asked(kb, turn))
        )
    ):
        # "my director asked me to look at P3O. What's involved?": about P3O, not a recommendation
        from bot.dialogue.courses import course_question

        return course_question(kb, turn, ctx)
    if (
        job == "describe_role"
        and turn.values("role")
        and turn.asked_words & dialogue_words().course_words
        and not turn.values("attribute")
        and not turn.values("course")
    ):  # "just a couple of project analysts... would your PMO courses still be relevant to them?"
        from bot.dialogue.roles import recommend_course

        return recommend_course(kb, Turn("ask_course_recommendation", turn.entities, turn.text), ctx)
    if (
        job in ("describe_role", "career_path", "entry_requirements")
        and not turn.values("role")
        and (turn.values("course") or turn.values("course_family"))
    ):  # "can you explain P3O in simple terms?" read as a role question
        from bot.dialogue.courses import course_question

        return course_question(kb, turn, ctx)
    in_question = _course_named_in_question(kb, job, turn, ctx)
    if in_question is not None:  # "my finance director asked me what P3O is - can you give me a one-liner for her?"
        return in_question
    if ctx.awaiting_level and job != "recommend":
        said_as_mine = (
            turn.reading.now or turn.reading.current or turn.reading.loose_cues
        )  # not "what does a planner do?"
        if said_as_mine or visitor_evidence(kb, turn).cues or turn.values("background"):
            from bot.dialogue.roles import recommend_course

            return recommend_course(kb, Turn("inform_experience", turn.entities, turn.text), ctx)
    return None
