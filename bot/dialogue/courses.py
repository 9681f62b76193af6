"""Jobs about courses: a course or family by name, position, role or context; the catalogue;
ways to train, kinds of PMO and free resources."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, List, Optional, Tuple

from bot import answers
from bot.answers import Reply
from bot.dialogue.context import (
    COURSE_ATTRIBUTES,
    COURSE_TOPICS,
    Context,
    Outcome,
    Turn,
    attribute_of,
    context_course,
    course_for_level,
    courses_named,
    elliptical,
    first_start,
    mentioned_item,
    roles_named,
    said_course,
    says,
    team_courses,
)
from bot.knowledge_base import Course, KnowledgeBase, NamedItem
from bot.nlu.reading import normalised
from bot.words import dialogue_words

_BODIES = {"apmg": "APMG", "peoplecert": "PeopleCert", "axelos": "AXELOS", "pmi": "PMI"}


def _asked_body(turn: Optional[Turn]) -> Optional[str]:
    """The certification body a question names ("is MoP certified by APMG?"), if any."""
    if turn is None:
        return None
    return next((name for word, name in _BODIES.items() if word in turn.words), None)


def about_course(
    kb: KnowledgeBase, ctx: Context, target: str, attribute: Optional[str], turn: Optional[Turn] = None
) -> Tuple[Reply, Context]:
    """Answer about a course or a family ("family:<id>"), and remember it."""
    if target.startswith("family:"):
        family = kb.family_named(target[7:])
        assert family is not None
        reply = answers.describe_family(kb, family, attribute, _visitor_level(kb, turn))
        listed = tuple(f"course:{kb.course(c).name}" for c in family.courses)
        return reply, replace(
            ctx, course=target, topic="family", attribute=attribute, listed=listed if len(listed) > 1 else ctx.listed
        )
    course = kb.course_named(target)
    assert course is not None
    reply = (
        answers.course_detail(kb, course, attribute, asked_body=_asked_body(turn))
        if attribute
        else answers.describe_course(kb, course)
    )
    new = replace(said_course(ctx, course.name), attribute=attribute)
    following = kb.next_courses(course) if attribute == "next" else []
    if len(following) == 1:  # "how long is that course?" after "the next step is P3O Practitioner": that one
        new = said_course(new, following[0].name)
    elif following:  # "how long is the second one?" after the list
        new = replace(new, listed=tuple(f"course:{c.name}" for c in following))
    return reply, new


def _visitor_level(kb: KnowledgeBase, turn: Optional[Turn]) -> Optional[int]:
    """The level the message says the visitor is at ("I'm a PMO manager"), or None."""
    from bot.dialogue.precedence import visitor_evidence  # precedence reads this module's answers lazily too
    from bot.recommend import Recommendation, recommend

    if turn is not None and not (turn.reading.now or turn.reading.current or turn.reading.cues):
        members = {m.role for m in turn.reading.members}
        if len(members) == 1:  # "my PMO managers - P3O Practitioner or the Essentials one?": that group's level
            return kb.role(next(iter(members))).level
    if turn is None or not (turn.reading.now or turn.reading.current or turn.reading.cues):
        return None  # said as theirs: "a friend of mine is a project support officer" is no level of the visitor's
    outcome = recommend(kb, visitor_evidence(kb, turn))
    return outcome.level if isinstance(outcome, Recommendation) else None


def names_course(course: Course, family: Any, turn: Turn) -> bool:
    """Whether the message names this course by a word no other course of its family has."""
    own = set(course.name.lower().split())
    others = set()
    for name in getattr(family, "courses", []):
        if name != course.id:
            others |= set(name.lower().split("_"))
    return bool((own - others - dialogue_words().name_filler - {"p3o", "mop"}) & turn.words)


_LEVEL_WORDS = ("practitioner", "foundation")


def partial_course(kb: KnowledgeBase, ctx: Context, turn: Turn) -> Optional[str]:
    """ "the practitioner" / "the foundation" with no family named: P3O's, unless the context is MoP
    (the only other course with those levels). When both are named, the practitioner is the subject
    ("do I need the foundation before the practitioner?")."""
    word = next((w for w in _LEVEL_WORDS if w in turn.words), None)
    if word is None:
        return None
    context = str(ctx.course or ctx.recommended or "")
    family = "mop" if "mop" in context.lower() or "portfolio" in context.lower() else "p3o"
    if family == "mop":
        return next((c.name for c in kb.courses if c.id == "mop"), None)
    return next((c.name for c in kb.courses if c.id == f"p3o_{word}"), None)


def sibling_course(kb: KnowledgeBase, ctx: Context, turn: Turn) -> Optional[str]:
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


def targets_named(kb: KnowledgeBase, turn: Turn) -> bool:
    return bool(turn.values("course_family")) or len(courses_named(kb, turn)) >= 2


def course_question(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    """A question about a course: named, a family, by a role, by position, or the one just discussed."""
    attribute = attribute_of(turn, COURSE_ATTRIBUTES)
    corrects = ctx.topic == "family" and bool(turn.words & {"meant", "other", "mean"})  # "no, I meant the practitioner"
    if (
        attribute is None
        and (ctx.topic == "ask_course" or elliptical(turn) or corrects)
        and ctx.attribute in COURSE_ATTRIBUTES
    ):
        attribute = ctx.attribute  # "which course do you mean?" answered, or "and for the practitioner?"
    if attribute == "length" and ctx.attribute == "exam" and not turn.words & {"course", "days", "training"}:
        attribute = "exam"  # "how long do I get?" right after the exam
    named = courses_named(kb, turn)
    done = turn.reading.done
    if done and named and all(c.name in done for c in named) and says(turn, dialogue_words().asks_what_to_take):
        from bot.dialogue.roles import recommend_course  # roles reads this module's course_question

        # "I did your admin course in 2023... What should I do now, and is it online?": what follows it
        return recommend_course(kb, Turn("ask_course_recommendation", turn.entities, turn.text), ctx)
    if attribute is None and done and turn.asked_text and all(c.name in done for c in named):
        attribute = "next"  # "I passed P3O Foundation a couple of years ago. What's the sensible next qualification?"
    if attribute in ("price", "dates") and len(named) != 1:
        return Outcome([answers.prices_and_dates(kb)], ctx)  # never "which course?" for a price or a date
    if len(named) < 2 and turn.words & {"together", "both", "combined", "back"} and not targets_named(kb, turn):
        current = kb.course_named(str(context_course(kb, ctx) or ""))
        if current is not None and current.id.startswith("p3o") and turn.words & {"foundation", "practitioner", "both"}:
            named = [kb.course(c) for c in ("p3o_foundation", "p3o_practitioner")]  # "can I do both back to back?"
    if named and turn.words & {"together", "both", "combined", "back"}:  # "P3O Foundation and Practitioner together?"
        family = next((f for f in kb.families if len(f.courses) > 1 and all(c.id in f.courses for c in named)), None)
        if family is not None:
            reply, new_ctx = about_course(kb, ctx, f"family:{family.id}", "length", turn)
            return Outcome([reply], new_ctx)
    targets: List[str] = [c.name for c in courses_named(kb, turn)]
    if done and attribute not in (None, "next") and set(targets) & set(done):
        # "I passed P3O Foundation... is the practitioner exam open book?": not the course already done
        other = [t for t in targets if t not in done] or [
            p for p in [partial_course(kb, ctx, turn)] if p and p not in done
        ]
        targets = other or targets
    later_role = [
        e for e in turn.entities if e.get("entity") == "role" and first_start(turn, "course") < int(e.get("start") or 0)
    ]
    if attribute == "prerequisites" and "before" in turn.words and len(targets) == 1 and later_role:
        role = (
            kb.role(str(later_role[-1].get("value")))
            if later_role[-1].get("value") in {r.name for r in kb.roles}
            else None
        )
        if role is not None:  # "the administrator course before you can do the analyst one?": the analyst one's
            targets = [course_for_level(kb, role.level).name]
    if attribute == "prerequisites" and "practitioner" in turn.words and targets == ["P3O Foundation"]:
        targets = ["P3O Practitioner"]  # "do I need the P3O Foundation first or can I go straight to the Practitioner?"
    targets += [f"family:{f}" for f in turn.values("course_family") if kb.family_named(f)]
    if not targets:
        item = mentioned_item(turn, ctx)
        if item and item.startswith("course:"):
            targets = [item[7:]]
    if not targets and ctx.topic in ("course", "recommendation"):
        sibling = sibling_course(kb, ctx, turn)  # "what about the practitioner exam?" after P3O Foundation
        targets = [sibling] if sibling else []
    if not targets:
        partial = partial_course(kb, ctx, turn)  # "is the practitioner exam hard?" after the Managers course
        targets = [partial] if partial else []
    if not targets:
        roles = roles_named(kb, turn)  # "is there an exam for the analyst course?"
        if attribute == "prerequisites" and "before" in turn.words and len(roles) >= 2:
            roles = roles[-1:]  # "do I need the Managers course before the Directors one?"
        targets = [course_for_level(kb, kb.role(m.role).level).name for m in roles[:1]]
    if (
        not targets
        and ctx.role
        and ctx.topic in ("role", "compare", "career")
        and turn.words & dialogue_words().back_references
    ):
        targets = [course_for_level(kb, kb.role(ctx.role).level).name]  # "how long is their course?"
    if not targets and attribute and len(team_courses(kb, ctx)) > 1:  # "who certifies them?" after a team's courses
        return Outcome(
            [answers.courses_detail(kb, team_courses(kb, ctx), attribute)], replace(ctx, attribute=attribute)
        )
    if not targets and context_course(kb, ctx):
        target = str(context_course(kb, ctx))
        family = kb.family_named(target[7:]) if target.startswith("family:") else None
        named_in_family = (
            [kb.course(c) for c in family.courses if family and names_course(kb.course(c), family, turn)]
            if family
            else []
        )
        if len(named_in_family) == 1:  # "is the practitioner open book?" after P3O
            target = named_in_family[0].name
        elif (
            family is not None
            and attribute
            and len(family.courses) > 2  # "pass mark?" after P3O: both of its two exams, not a question back
            and not named_in_family
            and not turn.words & {"both", "all", "each", "every"}
        ):  # "how long is it?" after P3O: which one? ("when's each exam?": each)
            courses = [kb.course(c) for c in family.courses]
            return Outcome(
                [answers.which_course(kb, attribute, courses)],
                replace(
                    ctx, topic="ask_course", attribute=attribute, listed=tuple(f"course:{c.name}" for c in courses)
                ),
            )
        targets = [target]
    if not targets and attribute and turn.words & {"every", "each", "all"} and "course" in " ".join(turn.words):
        return Outcome(
            [answers.courses_detail(kb, kb.courses, attribute)], ctx
        )  # "does every course end with an exam?"
    if not targets and attribute in ("accreditation", "recognition") and not turn.words & {"it", "this", "that"}:
        return Outcome([answers.courses_detail(kb, kb.courses, attribute)], ctx)  # "is there a certificate?"
    if not targets:
        if attribute or turn.words & dialogue_words().back_references:
            return Outcome(
                [answers.which_course(kb, attribute)],
                replace(
                    ctx, topic="ask_course", attribute=attribute, listed=tuple(f"course:{c.name}" for c in kb.courses)
                ),
            )
        reply = answers.list_courses(kb)
        return Outcome([reply], replace(ctx, topic="catalogue", listed=tuple(f"course:{c.name}" for c in kb.courses)))
    replies = []
    one = len(targets) == 1 and not targets[0].startswith("family:")
    # "how long, what's the prereq, and who certifies it?": each detail of the one course, in the order asked
    for target, detail in (
        [(targets[0], d) for d in details_in_order(turn, attribute)] if one else [(t, attribute) for t in targets[:2]]
    ):
        reply, ctx = about_course(kb, ctx, target, detail, turn)
        replies.append(reply)
    return Outcome(replies, ctx)


def details_in_order(turn: Turn, first: Optional[str]) -> List[Optional[str]]:
    """Every course detail the message asks, in the order asked ("how long, what's the prereq, and who certifies
    it?"), ``first`` among them; a detail inside the phrase of another ("how long is the exam?") is not one more."""
    mentions = sorted(
        (int(e.get("start") or 0), int(e.get("end") or 0), str(e.get("value")))
        for e in turn.entities
        if e.get("entity") == "attribute"
    )
    if first is None or first not in {value for _, _, value in mentions}:
        return [first]

    def apart(left: int, right: int) -> bool:
        return bool(re.search(r"\band\b|,|\?|\balso\b", turn.text[mentions[left][1] : mentions[right][0]].lower()))

    details: List[Optional[str]] = []
    for i, (_, _, value) in enumerate(mentions):
        alone = (i == 0 or apart(i - 1, i)) and (i == len(mentions) - 1 or apart(i, i + 1))
        if (value == first or (alone and value in _MORE_DETAILS)) and value not in details:
            details.append(value)
    return details


_MORE_DETAILS = ("length", "exam", "prerequisites", "accreditation", "format")


def course_list(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    return Outcome(
        [answers.list_courses(kb)],
        replace(ctx, topic="catalogue", listed=tuple(f"course:{c.name}" for c in kb.courses)),
    )


def training_options(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    attribute = attribute_of(turn, COURSE_ATTRIBUTES)
    named = courses_named(kb, turn) or turn.values("course_family")
    about_last = (
        context_course(kb, ctx)
        and ctx.topic in COURSE_TOPICS
        and (turn.words & (dialogue_words().back_references | {"both"}) or elliptical(turn))
    )
    if named or (attribute and about_last):  # "do you run P3O Foundation?", "can my whole team take it?"
        return course_question(kb, turn, ctx)
    return Outcome([answers.training_options(kb)], replace(ctx, topic="training"))


_ALL_KINDS = re.compile(r"\b(types|kinds|sorts) of\b|\bdifferent (types|kinds)\b")


def described_pmo_types(kb: KnowledgeBase, text: str) -> List[Tuple[NamedItem, int]]:
    """The kinds of PMO a message describes without naming them ("a central PMO plus a small one in each
    directorate that follows its standards"), with how many of their ``described_by`` phrases it uses, best first."""
    low = normalised(text)
    scored = [
        (kind, sum(bool(re.search(r"(?<![\w'])" + re.escape(p) + r"(?![\w'])", low)) for p in kind.described_by))
        for kind in kb.pmo_types
    ]
    return sorted((s for s in scored if s[1]), key=lambda s: -s[1])


def pmo_types(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    kinds = [t for t in (kb.pmo_type(v) for v in turn.values("pmo_type")) if t]
    if not kinds and not _ALL_KINDS.search(normalised(turn.text)):  # "can you explain the types of PMO?": all of them
        described = described_pmo_types(kb, turn.text)
        if described and (len(described) == 1 or described[0][1] > described[1][1]):
            return Outcome([answers.pmo_type(kb, described[0][0], described=True)], replace(ctx, topic="pmo_types"))
        if described:  # two kinds fit as well: both, and let the visitor say
            first, second = (answers.pmo_type(kb, kind, described=True) for kind, _ in described[:2])
            both = answers.Reply(f"{first.text}\n\n{second.text}", second.buttons, kind="pmo_types")
            return Outcome([both], replace(ctx, topic="pmo_types"))
    if len(kinds) >= 2:  # "the difference between a project office, a programme office and a portfolio office?"
        each = [answers.pmo_type(kb, kind) for kind in kinds[:3]]
        both = answers.Reply("\n\n".join(r.text for r in each), each[-1].buttons, kind="pmo_types")
        return Outcome([both], replace(ctx, topic="pmo_types"))
    if kinds:
        return Outcome([answers.pmo_type(kb, kinds[0])], replace(ctx, topic="pmo_types"))
    return Outcome([answers.pmo_types(kb)], replace(ctx, topic="pmo_types"))


def free_resources(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    return Outcome([answers.free_resources(kb)], replace(ctx, topic="free"))
