"""What to answer, given the message and what the conversation is about (pure).

Every answering action calls :func:`respond` with its own job (``"describe_role"``,
``"course"``...), the latest message as a :class:`Turn` and the conversation's
:class:`Context`; it gets back the replies to send and the context to remember.

Why not Rasa SDK's ``ActionQueryKnowledgeBase``: it keeps the same four ideas
(object type, mention, attribute, last object / listed objects), and this module
keeps them too (``Context.course``/``role``, ``Context.listed``, the ``mention``
and ``attribute`` entities). But its knowledge base is an untyped JSON store
queried by attribute name, its mention resolution works on one object type per
turn, and its answers are "attribute: value" lists. Here the knowledge base is
typed and validated (:mod:`bot.knowledge_base`), a follow-up may switch object
type ("the managers one" after a course list names a *course* by a *role*), and
answers are written sentences. So the pattern is kept and the implementation is
our own.

Rules that hold for every job, before it runs:

- a topic the assistant declines (salary, vacancies, visas, vouchers) is
  declined, whatever else the message names ("how much does a PMO analyst
  earn?" is not a role question);
- a certification the knowledge base does not teach (PRINCE2, PMP...) is
  explained as such, never answered as one of our courses;
- a job title that is not a PMO role is never described as one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from bot import answers
from bot.answers import Reply
from bot.knowledge_base import Course, KnowledgeBase
from bot.recommend import Evidence, NeedLevel, RoleMention, evidence_from_entities, recommend

COURSE_ATTRIBUTES = ("length", "exam", "prerequisites", "accreditation", "next", "audience", "team", "format",
                     "price", "dates")
ROLE_ATTRIBUTES = ("duties", "skills", "titles")
# Words that say the visitor wants to move into PMO from the job they name.
_MOVING = {"move", "moving", "switch", "switching", "change", "changing", "transition", "retrain", "become",
           "ex", "former", "formerly", "redundant", "into", "join", "go", "get", "take", "taking", "hire", "hiring",
           "transfer", "transferable", "carry"}
_COURSE_WORDS = {"course", "courses", "training", "train", "qualification"}
# Words that point back at what was just said ("which course suits them?").
_BACK_REFERENCES = {"them", "they", "their", "that", "this", "it", "one", "role", "job", "those", "these"}


@dataclass(frozen=True)
class Turn:
    """The latest user message as NLU understood it."""

    intent: str = ""
    entities: Tuple[Mapping[str, Any], ...] = ()
    text: str = ""

    def values(self, name: str) -> List[str]:
        """Distinct string values of one entity type, in the order they were written."""
        found: List[str] = []
        for entity in self.entities:
            value = entity.get("value")
            if entity.get("entity") == name and isinstance(value, str) and value not in found:
                found.append(value)
        return found

    def texts(self, name: str) -> List[str]:
        return [str(e.get("text") or "") for e in self.entities if e.get("entity") == name]

    @property
    def words(self) -> set:
        return set("".join(ch if ch.isalnum() else " " for ch in self.text.lower()).split())


@dataclass(frozen=True)
class Context:
    """What the conversation is about, kept in slots between turns."""

    role: Optional[str] = None  # the role last described, compared or recommended
    title: Optional[str] = None  # the job title the visitor used for it ("ePMO manager")
    course: Optional[str] = None  # a course name, or "family:<id>"
    compared: Tuple[str, ...] = ()
    listed: Tuple[str, ...] = ()  # the last list shown: "course:<name>" / "role:<name>"
    topic: Optional[str] = None  # what the last answer was about: role, compare, course, catalogue...
    attribute: Optional[str] = None  # what was last asked about it ("exam"), for "and the practitioner?"
    level: Optional[int] = None
    recommended: Optional[str] = None
    awaiting_level: bool = False


@dataclass
class Outcome:
    replies: List[Reply] = field(default_factory=list)
    context: Context = field(default_factory=Context)


# Slots that hold the context, and how to read and write them.
SLOTS = ("context_role", "context_title", "context_course", "context_compared", "context_listed", "context_topic",
         "context_attribute", "pmo_level", "recommended_course", "awaiting_level")


def context_from_slots(kb: KnowledgeBase, slots: Mapping[str, Any]) -> Context:
    """Read the context from slot values, dropping anything the knowledge base does not know."""
    roles = {r.name for r in kb.roles}
    role = slots.get("context_role")
    course = slots.get("context_course")
    if isinstance(course, str) and not (kb.course_named(course) or
                                        (course.startswith("family:") and kb.family_named(course[7:]))):
        course = None
    level: Optional[int] = None
    try:
        level = int(float(slots.get("pmo_level"))) if slots.get("pmo_level") is not None else None
    except (TypeError, ValueError):
        level = None
    recommended = slots.get("recommended_course")
    return Context(
        role=role if role in roles else None,
        title=str(slots["context_title"])[:60] if role in roles and slots.get("context_title") else None,
        course=course if isinstance(course, str) else None,
        compared=tuple(r for r in (slots.get("context_compared") or []) if r in roles)[:2],
        listed=tuple(str(x) for x in (slots.get("context_listed") or []) if isinstance(x, str))[:10],
        topic=str(slots["context_topic"]) if slots.get("context_topic") else None,
        attribute=(slots.get("context_attribute")
                   if slots.get("context_attribute") in COURSE_ATTRIBUTES + ROLE_ATTRIBUTES else None),
        level=level if level in (1, 2, 3, 4) else None,
        recommended=recommended if isinstance(recommended, str) and kb.course_named(recommended) else None,
        awaiting_level=bool(slots.get("awaiting_level")),
    )


def slots_from_context(before: Context, after: Context) -> Dict[str, Any]:
    """The slot values that changed."""
    pairs = {
        "context_role": (before.role, after.role),
        "context_title": (before.title, after.title),
        "context_course": (before.course, after.course),
        "context_compared": (list(before.compared) or None, list(after.compared) or None),
        "context_listed": (list(before.listed) or None, list(after.listed) or None),
        "context_topic": (before.topic, after.topic),
        "context_attribute": (before.attribute, after.attribute),
        "pmo_level": (before.level, after.level),
        "recommended_course": (before.recommended, after.recommended),
        "awaiting_level": (before.awaiting_level, after.awaiting_level),
    }
    changed = {name: new for name, (old, new) in pairs.items() if old != new}
    if "pmo_level" in changed and changed["pmo_level"] is not None:
        changed["pmo_level"] = float(changed["pmo_level"])
    return changed


# -- helpers -----------------------------------------------------------------

def _courses_named(kb: KnowledgeBase, turn: Turn) -> List[Course]:
    return [c for c in (kb.course_named(v) for v in turn.values("course")) if c]


def _roles_named(kb: KnowledgeBase, turn: Turn) -> List[RoleMention]:
    return list(evidence_from_entities(kb, turn.entities).roles)


_PREREQUISITE_WORDS = ({"first", "before", "beforehand"}, {"need", "have", "require", "required", "must"})


def _attribute(turn: Turn, allowed: Sequence[str]) -> Optional[str]:
    values = turn.values("attribute")
    if "exam" in values and "exam" in allowed:
        return "exam"  # "how long is the exam?" asks about the exam, not the course
    found = next((a for a in values if a in allowed), None)
    if found is None and "team" in allowed and "team" in turn.words and turn.words & {"my", "our", "whole"}:
        found = "team"  # "can my team of five do it?" (read as a team-size cue by the ruler)
    if found is None and "prerequisites" in allowed and all(turn.words & w for w in _PREREQUISITE_WORDS):
        found = "prerequisites"  # "do I need PRINCE2 first?"
    return found


_QUESTION_OPENERS = {"who", "whos", "who's", "what", "whats", "what's", "which", "how", "is", "are", "does",
                     "do", "can", "could", "when", "where", "why"}


def _elliptical(turn: Turn) -> bool:
    """ "and for the practitioner?", "the practitioner one": leans on the last question asked."""
    words = turn.text.lower().replace(",", " ").split()
    while words and words[0] in ("ok", "okay", "ok.", "so", "right", "hmm", "and", "&", "or", "then"):
        if words[0] in ("and", "&", "or"):
            return True
        words = words[1:]
    if " ".join(words).startswith(("what about", "how about")):
        return True
    return 0 < len(words) <= 3 and words[0] not in _QUESTION_OPENERS


_NAME_FILLER = {"pmo", "for", "and", "the", "of", "essentials"}


def _mentioned_item(turn: Turn, ctx: Context) -> Optional[str]:
    """ "the second one" -> the second item of the last list shown; "the foundation one" -> the
    item whose name shares most of its words with the message (only when one clearly does)."""
    if not ctx.listed:
        return None
    for value in turn.values("mention"):
        if value == "last":
            return ctx.listed[-1]
        if value.isdigit() and 1 <= int(value) <= len(ctx.listed):
            return ctx.listed[int(value) - 1]
    scores = []
    for item in ctx.listed:
        words = set(item.split(":", 1)[1].lower().split()) - _NAME_FILLER
        shared = len(words & turn.words)
        scores.append((shared / len(words | (turn.words & words)) if shared and words else 0.0, item))
    scores.sort(reverse=True)
    if scores and scores[0][0] > 0 and (len(scores) == 1 or scores[0][0] > scores[1][0]):
        return scores[0][1]
    return None


def _with_attribute(turn: Turn, attribute: Optional[str]) -> Turn:
    if not attribute or attribute in turn.values("attribute"):
        return turn
    return Turn(turn.intent, (*turn.entities, {"entity": "attribute", "value": attribute}), turn.text)


def _context_course(kb: KnowledgeBase, ctx: Context) -> Optional[str]:
    return ctx.course or ctx.recommended


def _course_for_level(kb: KnowledgeBase, level: int) -> Course:
    return kb.course(kb.recommendation_for(level).main)


def _said_course(ctx: Context, name: str) -> Context:
    return replace(ctx, course=name, topic="course")


def _about_course(kb: KnowledgeBase, ctx: Context, target: str, attribute: Optional[str]) -> Tuple[Reply, Context]:
    """Answer about a course or a family ("family:<id>"), and remember it."""
    if target.startswith("family:"):
        family = kb.family_named(target[7:])
        assert family is not None
        reply = answers.describe_family(kb, family, attribute)
        listed = tuple(f"course:{kb.course(c).name}" for c in family.courses)
        return reply, replace(ctx, course=target, topic="family", attribute=attribute,
                              listed=listed if len(listed) > 1 else ctx.listed)
    course = kb.course_named(target)
    assert course is not None
    reply = answers.course_detail(kb, course, attribute) if attribute else answers.describe_course(kb, course)
    new = replace(_said_course(ctx, course.name), attribute=attribute)
    if attribute == "next" and kb.next_courses(course):  # "how long is the second one?" after the list
        new = replace(new, listed=tuple(f"course:{c.name}" for c in kb.next_courses(course)))
    return reply, new


def _names_course(course: Course, family: Any, turn: Turn) -> bool:
    """Whether the message names this course by a word no other course of its family has."""
    own = set(course.name.lower().split())
    others = set()
    for name in getattr(family, "courses", []):
        if name != course.id:
            others |= set(name.lower().split("_"))
    return bool((own - others - _NAME_FILLER - {"p3o", "mop"}) & turn.words)


def _sibling_course(kb: KnowledgeBase, ctx: Context, turn: Turn) -> Optional[str]:
    """ "and the practitioner?" after P3O Foundation: the course of the same family it names."""
    current = kb.course_named(ctx.course or "") if ctx.course else None
    if current is None:
        return None
    family = next((f for f in kb.families if current.id in f.courses), None)
    if family is None:
        return None
    own = set(current.name.lower().split())
    for course_id in family.courses:
        course = kb.course(course_id)
        distinct = set(course.name.lower().split()) - own
        if course.id != current.id and distinct & turn.words:
            return course.name
    return None


# -- the guards that run before every job -------------------------------------

def _guard(kb: KnowledgeBase, job: str, turn: Turn, ctx: Context) -> Optional[Tuple[Reply, Context]]:
    for topic_id in turn.values("topic"):
        topic = kb.declined_topic(topic_id)
        if topic is not None:
            roles = _roles_named(kb, turn)
            return answers.decline(kb, topic.what, topic.id), replace(
                ctx, topic=f"declined:{topic.id}", role=roles[0].role if roles else ctx.role)
    if ctx.topic and ctx.topic.startswith("declined:") and job in ("describe_role", "follow_up") \
            and _elliptical(turn):  # "ok what about a pmo manager?" after a salary question
        topic = kb.declined_topic(ctx.topic.split(":", 1)[1])
        if topic is not None:
            return answers.decline(kb, topic.what, topic.id), ctx
    if job in ("describe_role", "compare", "course", "recommend", "training_options", "course_list",
               "follow_up", "career_path", "certification", "entry_requirements", "career_change", "fallback",
               "out_of_scope"):
        certs = turn.values("certification")
        if certs and _attribute(turn, ("prerequisites",)) and _context_course(kb, ctx) \
                and not _courses_named(kb, turn):  # "do I need PRINCE2 first?" about the course just discussed
            outcome = course_question(kb, _with_attribute(turn, "prerequisites"), ctx)
            return outcome.replies[0], outcome.context
        holds_role = job in ("recommend", "career_path") and _roles_named(kb, turn)  # "analyst with PRINCE2, what next?"
        if certs and not holds_role and (job != "career_change" or not (turn.values("other_role")
                                                                        or turn.values("background"))):
            return _certification(kb, turn, ctx)
        other = turn.values("other_role")
        if other and job in ("describe_role", "compare", "follow_up", "entry_requirements", "fallback"):
            if kb.adjacent_role(other[0]) and turn.words & _MOVING:  # "can an ex project manager go into PMO?"
                outcome = career_change(kb, turn, ctx)
                return outcome.replies[0], outcome.context
            if not _roles_named(kb, turn) or _first(turn, "other_role") < _first(turn, "role"):
                # "planning manager on a programme, is that a PMO manager job?": about the other job
                return _other_role(kb, other[0], turn, ctx, compare=job == "compare")
    return None


def _first(turn: Turn, name: str) -> int:
    """Where the first entity of this type starts (a large number when there is none)."""
    return min((int(e.get("start") or 0) for e in turn.entities if e.get("entity") == name), default=10**6)


def _certification(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Tuple[Reply, Context]:
    certs = turn.values("certification")
    known = [kb.certification(c) for c in certs if kb.certification(c)]
    mentioned = [c.name for c in _courses_named(kb, turn)]
    for family_id in turn.values("course_family"):
        family = kb.family_named(family_id)
        if family:
            mentioned += [kb.course(c).name for c in family.courses[:1]]
    if known:
        replies = [answers.certification(kb, cert, mentioned) for cert in known[:2] if cert]
        reply = replies[0] if len(replies) == 1 else Reply("\n\n".join(r.text for r in replies),
                                                             replies[0].buttons, replies[0].kind)
        named = [c.name for c in kb.courses if c.name in reply.text]
        # "how long is that course?" after PRINCE2: the one course the answer named, if just one.
        return reply, replace(ctx, topic="certification", course=named[0] if len(named) == 1 else ctx.course)
    typed = next((t for e, t in zip(turn.values("certification"), turn.texts("certification")) if e == "unknown"), "")
    return answers.unknown_certification(kb, typed), replace(ctx, topic="certification")


def _other_role(kb: KnowledgeBase, title: str, turn: Turn, ctx: Context, compare: bool = False) -> Tuple[Reply, Context]:
    adjacent = kb.adjacent_role(title)
    if adjacent is not None:
        return answers.adjacent_role(kb, adjacent, title), replace(ctx, topic="adjacent")
    if kb.is_specialist_role(title):
        return answers.specialist_role(kb, title), replace(ctx, topic="specialist")
    if title.lower() in (t.lower() for t in kb.not_pmo_roles):
        return answers.not_a_pmo_role(kb, title), replace(ctx, topic="adjacent")
    return answers.other_job(kb, title), replace(ctx, topic="unknown_title")


# -- the jobs --------------------------------------------------------------------

def describe_role(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    mentions = _roles_named(kb, turn)
    if not mentions and ctx.role and turn.words & _BACK_REFERENCES and turn.words & _COURSE_WORDS:
        return recommend_course(kb, Turn("ask_course_recommendation", turn.entities, turn.text), ctx)
    attribute = _attribute(turn, ROLE_ATTRIBUTES)
    if not mentions and ctx.role and (attribute or turn.words & _BACK_REFERENCES):
        mentions = [RoleMention(role=ctx.role)]
    unknown = next((str(e.get("value")) for e in turn.entities
                    if e.get("entity") == "role" and e.get("value") not in {r.name for r in kb.roles}), None)
    if not mentions:
        if unknown:
            return Outcome([answers.unknown_role(kb, unknown)], ctx)
        reply = answers.list_roles(kb)
        return Outcome([reply], replace(ctx, topic="roles", listed=tuple(f"role:{r.name}" for r in
                                                                         sorted(kb.roles, key=lambda r: r.level))))
    replies = []
    for mention in mentions[:2]:
        if attribute:
            replies.append(answers.role_detail(kb, mention.role, attribute))
        else:
            replies.append(answers.describe_role(kb, mention.role, mention.text))
    return Outcome(replies, replace(ctx, role=mentions[0].role, topic="role", attribute=attribute,
                                    title=mentions[0].text or None))


def compare(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    roles = [m.role for m in _roles_named(kb, turn)]
    other = turn.values("other_role")
    if len(_courses_named(kb, turn)) + len(turn.values("course_family")) >= 2:
        return course_question(kb, turn, ctx)  # "difference between P3O Foundation and Practitioner"
    titles = [(str(e.get("value")), str(e.get("text") or "")) for e in turn.entities if e.get("entity") == "role"]
    same = len(titles) >= 2 and len({value for value, _ in titles}) == 1
    if not same and len(roles) == 1 and ctx.role == roles[0] and ctx.topic == "role" \
            and turn.words & _BACK_REFERENCES and not turn.values("other_role"):
        same = True  # "is that the same as head of pmo?" after the ePMO Manager
        titles = [(roles[0], ctx.title or ""), *titles]
    if same and roles:
        reply = answers.same_role(kb, roles[0], [t for _, t in titles if t])
        return Outcome([reply], replace(ctx, role=roles[0], topic="role"))
    if other and len(roles) < 2:  # "business analyst vs PMO analyst": say what the other job is
        reply, new = _other_role(kb, other[0], turn, ctx, compare=True)
        return Outcome([reply], new)
    if len(roles) == 1 and ctx.topic == "compare" and ctx.compared and roles[0] not in ctx.compared:
        # "and a manager?" after a comparison: compare it with the nearer of the two.
        level = kb.role(roles[0]).level
        nearer = min(ctx.compared, key=lambda r: (abs(kb.role(r).level - level), -kb.role(r).level))
        roles = [nearer, roles[0]]
    elif len(roles) == 1 and ctx.role and ctx.role != roles[0] and turn.words & _BACK_REFERENCES:
        roles = [ctx.role, roles[0]]
    elif not roles and len(ctx.compared) == 2 and turn.words & _BACK_REFERENCES:
        roles = list(ctx.compared)
    elif not roles and ctx.role:
        roles = [ctx.role]
    if not roles:
        return Outcome([Reply("Which two roles would you like to compare?",
                              [answers.button(r.name, "compare_roles", role=r.name)
                               for r in sorted(kb.roles, key=lambda r: r.level)], kind="ask_compare")], ctx)
    reply = answers.compare_roles(kb, roles[0], roles[1] if len(roles) > 1 else None)
    pair = tuple(reply.kind.split(":", 1)[1].split("|"))
    return Outcome([reply], replace(ctx, compared=pair, role=pair[-1] if roles[-1] == pair[-1] else pair[0],
                                    topic="compare"))


def career_path(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    roles = [m.role for m in _roles_named(kb, turn)]
    if not roles and "next" in turn.values("attribute") and ctx.topic in ("recommendation", "course") \
            and turn.words & _BACK_REFERENCES:  # "next steps after it?" after a course
        return follow_up(kb, turn, ctx)
    course_attribute = _attribute(turn, tuple(a for a in COURSE_ATTRIBUTES if a != "next"))
    if not roles and course_attribute and ctx.topic in ("recommendation", "course", "family"):
        return course_question(kb, turn, ctx)  # "who do I get the cert from?" after a course
    newcomer = "new_to_pmo" in turn.values("experience") or bool(turn.values("background"))
    if not roles and not newcomer and ctx.role and turn.words & _BACK_REFERENCES:
        roles = [ctx.role]
    target = max(roles, key=lambda r: kb.role(r).level) if roles else None
    reply = answers.career_path(kb, target, newcomer=newcomer)
    return Outcome([reply], replace(ctx, role=target or ctx.role, topic="career"))


def _background_title(turn: Turn) -> str:
    texts = turn.texts("background")
    return texts[0] if texts else ""


_MOVING_UP = ("move up", "moving up", "step up", "promotion", "promoted", "next level", "progress", "climb",
              "go up", "level up", "get to the next")
_THATS_ME = ("that's me", "thats me", "that is me", "sounds like me", "that's what i do", "thats what i do",
             "that's my job", "thats my job", "i do that")


def _says(turn: Turn, phrases: Sequence[str]) -> bool:
    text = " ".join(turn.text.lower().replace("\u2019", "'").split())
    return any(phrase in text for phrase in phrases)


def recommend_course(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    evidence = evidence_from_entities(kb, turn.entities)
    if evidence.roles and _says(turn, _MOVING_UP):  # "I'm a project administrator, want to move up"
        evidence = replace(evidence, moving_up=True)
    if not evidence.roles and ctx.role and _says(turn, _THATS_ME):  # "that's me actually"
        evidence = replace(evidence, roles=(RoleMention(role=ctx.role),))
    other = turn.values("other_role")
    if not evidence.roles and not evidence.cues:
        if other and kb.adjacent_role(other[0]):  # "I'm a project manager, which course?"
            return career_change(kb, turn, ctx)
        if turn.values("background") and not ctx.awaiting_level or (
                turn.values("background") and turn.intent in ("ask_course_recommendation", "inform_experience")):
            reply = answers.career_change(kb, "career_changer", _background_title(turn), asked_course=True)
            course = _course_for_level(kb, 1)
            return Outcome([reply], replace(ctx, level=1, recommended=course.name, course=course.name,
                                            awaiting_level=False, topic="recommendation"))
        if other and not evidence.years:  # a job we don't know: ask what they do, never guess
            reply = (answers.specialist_role(kb, other[0]) if kb.is_specialist_role(other[0])
                     else answers.other_job(kb, other[0]))
            ask = answers.ask_level(kb, NeedLevel())
            return Outcome([Reply(reply.text, ask.buttons, reply.kind)], replace(ctx, awaiting_level=True))
    if (not evidence.roles and not evidence.cues and evidence.years is None
            and turn.intent == "ask_course_recommendation" and not ctx.awaiting_level):
        # "which course for that role?" / "which course suits them?": the role just discussed.
        if ctx.role and turn.words & _BACK_REFERENCES:  # about the role just discussed, not the visitor
            evidence = Evidence(roles=(RoleMention(role=ctx.role),), about_someone=True)
        elif ctx.level:
            evidence = Evidence(roles=(RoleMention(role=kb.role_at_level(ctx.level).name),), remembered=True)
    outcome = recommend(kb, evidence)
    if isinstance(outcome, NeedLevel):
        return Outcome([answers.ask_level(kb, outcome)], replace(ctx, awaiting_level=True, topic="ask_level"))
    return Outcome([answers.recommendation(kb, outcome)],
                   replace(ctx, awaiting_level=False, level=outcome.level, recommended=outcome.main.name,
                           course=outcome.main.name, role=outcome.role, topic="recommendation"))


def resume_recommendation(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    """After small talk while the level question is open: ask it again."""
    if ctx.awaiting_level:
        return Outcome([answers.ask_level_again(kb)], ctx)
    return Outcome([], ctx)


def stop_recommendation(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    return Outcome([answers.stop_recommendation()], replace(ctx, awaiting_level=False, topic=None))


def course_question(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    """A question about a course: named, a family, by a role, by position, or the one just discussed."""
    attribute = _attribute(turn, COURSE_ATTRIBUTES)
    if attribute is None and (ctx.topic == "ask_course" or _elliptical(turn)) and ctx.attribute in COURSE_ATTRIBUTES:
        attribute = ctx.attribute  # "which course do you mean?" answered, or "and for the practitioner?"
    targets: List[str] = [c.name for c in _courses_named(kb, turn)]
    targets += [f"family:{f}" for f in turn.values("course_family") if kb.family_named(f)]
    if not targets:
        item = _mentioned_item(turn, ctx)
        if item and item.startswith("course:"):
            targets = [item[7:]]
    if not targets and ctx.topic in ("course", "recommendation"):
        sibling = _sibling_course(kb, ctx, turn)  # "what about the practitioner exam?" after P3O Foundation
        targets = [sibling] if sibling else []
    if not targets:
        roles = _roles_named(kb, turn)  # "is there an exam for the analyst course?"
        targets = [_course_for_level(kb, kb.role(m.role).level).name for m in roles[:1]]
    if not targets and ctx.role and ctx.topic in ("role", "compare", "career") and turn.words & _BACK_REFERENCES:
        targets = [_course_for_level(kb, kb.role(ctx.role).level).name]  # "how long is their course?"
    if not targets and _context_course(kb, ctx):
        target = str(_context_course(kb, ctx))
        family = kb.family_named(target[7:]) if target.startswith("family:") else None
        named_in_family = [kb.course(c) for c in family.courses if family and _names_course(kb.course(c), family,
                                                                                             turn)] if family else []
        if len(named_in_family) == 1:  # "is the practitioner open book?" after P3O
            target = named_in_family[0].name
        elif family is not None and attribute and len(family.courses) > 1 and not named_in_family \
                and "both" not in turn.words and "all" not in turn.words:  # "how long is it?" after P3O: which one?
            courses = [kb.course(c) for c in family.courses]
            return Outcome([answers.which_course(kb, attribute, courses)],
                           replace(ctx, topic="ask_course", attribute=attribute,
                                   listed=tuple(f"course:{c.name}" for c in courses)))
        targets = [target]
    if not targets:
        if attribute in ("price", "dates"):
            return Outcome([answers.training_options(kb)], ctx)
        if attribute or turn.words & _BACK_REFERENCES:
            return Outcome([answers.which_course(kb, attribute)],
                           replace(ctx, topic="ask_course", attribute=attribute,
                                   listed=tuple(f"course:{c.name}" for c in kb.courses)))
        reply = answers.list_courses(kb)
        return Outcome([reply], replace(ctx, topic="catalogue", listed=tuple(f"course:{c.name}" for c in kb.courses)))
    replies = []
    for target in targets[:2]:
        reply, ctx = _about_course(kb, ctx, target, attribute)
        replies.append(reply)
    return Outcome(replies, ctx)


def course_list(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    return Outcome([answers.list_courses(kb)],
                   replace(ctx, topic="catalogue", listed=tuple(f"course:{c.name}" for c in kb.courses)))


def follow_up(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    """A short message that leans on the last answer: "and a manager?", "the second one", "what's next?"."""
    item = _mentioned_item(turn, ctx)
    if item:
        kind, name = item.split(":", 1)
        if kind == "course":
            carried = ctx.attribute if ctx.topic == "ask_course" or _elliptical(turn) else None
            reply, new = _about_course(kb, ctx, name, carried if carried in COURSE_ATTRIBUTES else None)
            return Outcome([reply], new)
        return describe_role(kb, Turn(turn.intent, ({"entity": "role", "value": name},), turn.text), ctx)
    roles = _roles_named(kb, turn)
    carried = _attribute(turn, COURSE_ATTRIBUTES) or (ctx.attribute if ctx.attribute in COURSE_ATTRIBUTES else None)
    if _courses_named(kb, turn) or turn.values("course_family"):
        return course_question(kb, _with_attribute(turn, carried), ctx)
    sibling = _sibling_course(kb, ctx, turn) if ctx.topic in ("course", "recommendation") else None
    if sibling:
        reply, new = _about_course(kb, ctx, sibling, carried)
        return Outcome([reply], new)
    if roles and ctx.topic == "role" and ctx.attribute in ROLE_ATTRIBUTES and not turn.values("attribute"):
        return describe_role(kb, _with_attribute(turn, ctx.attribute), ctx)  # "and the director?" after skills
    if roles:
        if ctx.topic == "compare":
            return compare(kb, turn, ctx)
        if ctx.topic in ("catalogue", "course", "family", "ask_course"):  # "the managers one"
            course = _course_for_level(kb, kb.role(roles[0].role).level)
            reply, new = _about_course(kb, ctx, course.name, carried if ctx.topic != "catalogue" else None)
            return Outcome([reply], new)
        if ctx.topic == "recommendation":
            return recommend_course(kb, Turn("inform_experience", turn.entities, turn.text), ctx)
        if ctx.topic == "career":
            return career_path(kb, turn, ctx)
        return describe_role(kb, turn, ctx)
    attribute = _attribute(turn, COURSE_ATTRIBUTES + ROLE_ATTRIBUTES)
    wants_next = attribute == "next" or bool(turn.words & {"next", "after", "then", "afterwards"})
    if ctx.topic in ("course", "recommendation", "family") and _context_course(kb, ctx):
        target = str(_context_course(kb, ctx))
        if target.startswith("family:") and wants_next:
            target = kb.course(kb.family_named(target[7:]).courses[0]).name  # type: ignore[union-attr]
        reply, new = _about_course(kb, ctx, target, "next" if wants_next else attribute)
        return Outcome([reply], new)
    if ctx.role and ctx.topic in ("role", "compare", "career"):
        role = kb.role(ctx.role)
        if wants_next:
            if role.level < 4:
                return career_path(kb, Turn(turn.intent, ({"entity": "role", "value": kb.role_at_level(role.level + 1).name},)), ctx)
            return Outcome([Reply(f"{role.name} is the top of the PMO career path.",
                                  [answers.button("Which course suits this role?", "ask_course_recommendation",
                                                  role=role.name)], kind=f"career:{role.level}")], ctx)
        detail = attribute if attribute in ROLE_ATTRIBUTES else "duties"
        return Outcome([answers.role_detail(kb, role.name, detail)], replace(ctx, topic="role"))
    if ctx.topic == "catalogue" or ctx.topic == "ask_course":
        return Outcome([answers.which_course(kb)], ctx)
    return Outcome([answers.what_about(kb)], ctx)


def training_options(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    attribute = _attribute(turn, COURSE_ATTRIBUTES)
    named = _courses_named(kb, turn) or turn.values("course_family")
    about_last = _context_course(kb, ctx) and ctx.topic in ("course", "recommendation", "family") \
        and (turn.words & _BACK_REFERENCES or _elliptical(turn))
    if named or (attribute and about_last):  # "do you run P3O Foundation?", "can my whole team take it?"
        return course_question(kb, turn, ctx)
    return Outcome([answers.training_options(kb)], replace(ctx, topic="training"))


def pmo_types(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    kinds = [t for t in (kb.pmo_type(v) for v in turn.values("pmo_type")) if t]
    if kinds:
        return Outcome([answers.pmo_type(kb, kinds[0])], replace(ctx, topic="pmo_types"))
    return Outcome([answers.pmo_types(kb)], replace(ctx, topic="pmo_types"))


def free_resources(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    return Outcome([answers.free_resources(kb)], replace(ctx, topic="free"))


def certification(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    reply, new = _certification(kb, turn, ctx)
    return Outcome([reply], new)


def entry_requirements(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    roles = _roles_named(kb, turn)
    about_the_job = bool(turn.words & {"degree", "degrees", "qualifications", "qualified", "age", "old"})
    if not roles and not about_the_job and (_courses_named(kb, turn) or (_context_course(kb, ctx) and ctx.topic in (
            "course", "recommendation", "family"))):  # "any pre-reqs I'd need for it?" after a course
        return course_question(kb, _with_attribute(turn, "prerequisites"), ctx)
    if not roles and ctx.role and turn.words & _BACK_REFERENCES:
        roles = [RoleMention(role=ctx.role)]
    level = kb.role(roles[0].role).level if roles else None
    return Outcome([answers.entry_requirements(kb, level)],
                   replace(ctx, topic="entry", role=roles[0].role if roles else ctx.role))


def career_change(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    other = turn.values("other_role")
    adjacent = next((kb.adjacent_role(o) for o in other if kb.adjacent_role(o)), None)
    asked_course = turn.intent in ("ask_course_recommendation", "inform_experience")
    if adjacent is not None:
        reply = answers.career_change(kb, adjacent.id)
        course = _course_for_level(kb, adjacent.entry_level)
        return Outcome([reply], replace(ctx, topic="recommendation", course=course.name, recommended=course.name,
                                        level=adjacent.entry_level, awaiting_level=False))
    specialist = next((o for o in other if kb.is_specialist_role(o)), None)
    if specialist and not turn.values("background"):
        return Outcome([answers.specialist_role(kb, specialist)], replace(ctx, topic="specialist"))
    if _roles_named(kb, turn) and not turn.values("background") and not other:
        return career_path(kb, turn, ctx)  # "I'm an analyst, could I move up to manager?"
    # From outside project work (a nurse, a hotel duty manager, a graduate...): level 1.
    title = _background_title(turn) or (other[0] if other else "")
    reply = answers.career_change(kb, "career_changer", title, asked_course)
    course = _course_for_level(kb, 1)
    return Outcome([reply], replace(ctx, topic="recommendation", course=course.name, recommended=course.name,
                                    level=1, awaiting_level=False))


def fallback(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    """NLU was not sure what was asked: say what was understood and offer the closest help.

    (The guards have already answered a declined topic, a certification or a job
    that is not a PMO role.)
    """
    roles = _roles_named(kb, turn)
    courses = _courses_named(kb, turn)
    evidence = evidence_from_entities(kb, turn.entities)
    attribute = _attribute(turn, COURSE_ATTRIBUTES + ROLE_ATTRIBUTES)
    if not roles and ctx.role and (_says(turn, _THATS_ME) or (turn.words & _COURSE_WORDS
                                                               and turn.words & _BACK_REFERENCES)):
        return recommend_course(kb, Turn("ask_course_recommendation", turn.entities, turn.text), ctx)
    if not roles and not courses:  # "what skills do you need for it": the context says what "it" is
        if _mentioned_item(turn, ctx) and turn.values("mention"):
            return follow_up(kb, turn, ctx)
        if attribute in COURSE_ATTRIBUTES and ctx.topic in ("course", "recommendation", "family", "ask_course"):
            return course_question(kb, turn, ctx)
        if attribute in ROLE_ATTRIBUTES and ctx.role:
            return describe_role(kb, turn, ctx)
        if attribute == "next" and ctx.topic in ("role", "compare", "career"):
            return follow_up(kb, turn, ctx)
    if (evidence.roles or evidence.cues) and turn.words & _COURSE_WORDS:
        return recommend_course(kb, Turn("inform_experience", turn.entities, turn.text), ctx)
    if roles:
        role = roles[0].role
        reply = Reply(f"I'm not sure what you'd like to know about the {role} role. Is it one of these?",
                      [answers.button(f"What a {role} does", "ask_role_description", role=role),
                       answers.button("Which course suits this role?", "ask_course_recommendation", role=role),
                       answers.button("Career path", "ask_career_path", role=role)], kind="clarify")
        return Outcome([reply], ctx)
    if courses:
        course = courses[0]
        reply = Reply(f"I'm not sure what you'd like to know about {course.name}. Is it one of these?",
                      answers.course_buttons(course), kind="clarify")
        return Outcome([reply], ctx)
    if ctx.topic == "certification":  # "so what do you offer instead?"
        return Outcome([answers.pmo_routes(kb)], replace(ctx, topic="catalogue",
                                                        listed=tuple(f"course:{c.name}" for c in kb.courses)))
    return Outcome([answers.did_not_understand(kb)], ctx)


def capabilities(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    """ "What can you do?"; straight after another provider's certification, "what do you offer
    instead?" is about PMO Learning's own courses."""
    if ctx.topic == "certification":
        return Outcome([answers.pmo_routes(kb)], replace(ctx, topic="catalogue"))
    return Outcome([answers.capabilities(kb)], ctx)


def out_of_scope(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    """Not a PMO question (a declined topic was already answered by the guard)."""
    return Outcome([answers.out_of_scope(kb)], ctx)


def decline(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    """ "Beyond scope" with no topic word we know: say so plainly, offer what we can do."""
    return Outcome([answers.decline(kb, "that", "other")], replace(ctx, topic="declined"))


JOBS = {
    "describe_role": describe_role,
    "compare": compare,
    "career_path": career_path,
    "recommend": recommend_course,
    "resume": resume_recommendation,
    "stop_recommendation": stop_recommendation,
    "course": course_question,
    "course_list": course_list,
    "follow_up": follow_up,
    "training_options": training_options,
    "pmo_types": pmo_types,
    "free_resources": free_resources,
    "certification": certification,
    "entry_requirements": entry_requirements,
    "career_change": career_change,
    "decline": decline,
    "fallback": fallback,
    "out_of_scope": out_of_scope,
    "capabilities": capabilities,
}

# Jobs after which the open "what do you do now?" question is asked again.
_ANSWERS_SIDE_QUESTION = set(JOBS) - {"recommend", "resume", "stop_recommendation"}


# Jobs whose intent may have been a guess when the message really asks about the
# role or course just discussed ("what skills do you need for it?" read as "what can you do?").
_MAY_LEAN_ON_CONTEXT = ("recommend", "capabilities", "entry_requirements", "career_path", "fallback",
                        "pmo_types", "free_resources", "out_of_scope")


def _about_the_last_thing(kb: KnowledgeBase, job: str, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """A question about "it"/"that" with an attribute of the role or course in context, whatever the intent."""
    if job not in _MAY_LEAN_ON_CONTEXT or not turn.words & _BACK_REFERENCES:
        return None
    if _roles_named(kb, turn) or _courses_named(kb, turn) or turn.values("course_family") \
            or turn.words & {"degree", "degrees", "qualifications"}:
        return None
    role_attribute = _attribute(turn, ROLE_ATTRIBUTES)
    if role_attribute and ctx.role and ctx.topic in ("role", "compare", "career", "entry"):
        return describe_role(kb, turn, ctx)
    course_attribute = _attribute(turn, tuple(a for a in COURSE_ATTRIBUTES if a != "next"))
    if course_attribute and _context_course(kb, ctx) and ctx.topic in ("course", "recommendation", "family"):
        return course_question(kb, turn, ctx)
    return None


def respond(kb: KnowledgeBase, job: str, turn: Turn, ctx: Context) -> Outcome:
    """The replies for ``job`` and the context after it."""
    guarded = _guard(kb, job, turn, ctx) if job not in ("resume", "stop_recommendation") else None
    leaning = _about_the_last_thing(kb, job, turn, ctx) if guarded is None else None
    if guarded is not None:
        reply, new = guarded
        outcome = Outcome([reply], new)
    elif leaning is not None:
        outcome = leaning
    else:
        outcome = JOBS[job](kb, turn, ctx)
    if job in _ANSWERS_SIDE_QUESTION and outcome.context.awaiting_level:
        outcome.replies.append(answers.ask_level_again(kb))
    return outcome


# -- questions asked in the middle of the enquiry form ---------------------------

# The job that answers each question intent (the rules in data/ say the same
# for ordinary turns; this is for turns inside the enquiry form).
INTENT_JOBS = {
    "ask_role_description": "describe_role",
    "compare_roles": "compare",
    "ask_career_path": "career_path",
    "ask_course_recommendation": "recommend",
    "ask_course_details": "course",
    "ask_course_list": "course_list",
    "ask_training_options": "training_options",
    "ask_pmo_types": "pmo_types",
    "ask_free_resources": "free_resources",
    "ask_certification": "certification",
    "ask_entry_requirements": "entry_requirements",
    "ask_career_change": "career_change",
    "ask_beyond_scope": "decline",
    "follow_up": "follow_up",
}
_QUESTION_WORDS = {"what", "whats", "what's", "which", "who", "whos", "who's", "how", "hows", "how's", "why",
                   "where", "when", "is", "are", "can", "could", "do", "does", "did", "should", "would", "will",
                   "tell", "explain", "describe"}
_LEAD_INS = {"hang", "on", "wait", "sorry", "actually", "quick", "question", "btw", "oh", "ok", "okay", "um",
             "umm", "hmm", "before", "that", "first", "but", "and", "also", "just", "hold"}


def looks_like_question(text: str) -> bool:
    """ "hang on, what does a planner do" is a question; "Sam Taylor" or "Acme PMO Ltd" is not."""
    if "?" in text:
        return True
    words = "".join(ch if ch.isalnum() or ch == "'" else " " for ch in text.lower()).split()
    for word in words[:6]:
        if word in _QUESTION_WORDS:
            return True
        if word not in _LEAD_INS:
            return False
    return False


def digression_job(turn: Turn, confidence: float, min_confidence: float = 0.6) -> Optional[str]:
    """The job that answers a side question asked inside a form, or None for an ordinary answer."""
    job = INTENT_JOBS.get(turn.intent)
    if any(turn.values(name) for name in ("role", "course", "course_family", "other_role", "certification")):
        min_confidence = min(min_confidence, 0.35)  # "before that, what is a head of pmo": clearly about PMO
    if job is None or confidence < min_confidence or not looks_like_question(turn.text):
        return None
    return job
