"""The guards that run before every job (declined topics, other certifications, jobs that
are not PMO roles) and the jobs beyond the catalogue."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import List, Optional, Tuple

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
    courses_named,
    elliptical,
    first_start,
    only_attribute,
    roles_named,
    team_courses,
)
from bot.dialogue.courses import course_question, details_in_order, training_options
from bot.dialogue.precedence import course_meant, names_pmo, visitor_evidence
from bot.dialogue.roles import career_change, claims_title, other_role_answer, recommend_course
from bot.knowledge_base import Course, KnowledgeBase
from bot.nlu.reading import asked, normalised, weighed, words
from bot.words import dialogue_words

# Before a certification named only as a yardstick for another question.
_BY_WAY_OF_COMPARISON = re.compile(r"\b(like|like with|as with|as for|unlike|similar to|same as)\s+(the\s+)?$")


def _asked(turn: Turn, name: str) -> List[str]:
    """Values of one entity type that stand in a sentence asking something."""
    found: List[str] = []
    for entity in turn.entities:
        value = entity.get("value")
        if entity.get("entity") != name or not isinstance(value, str) or value in found:
            continue
        start = int(entity.get("start") or 0)
        if name == "certification" and _BY_WAY_OF_COMPARISON.search(turn.text[max(0, start - 14) : start].lower()):
            continue  # "who accredits the Essentials courses - a proper body like with PRINCE2?": a yardstick
        if asked(turn.text, entity) or weighed(turn.text, entity):  # "choosing between PMO-CP and P3O"
            found.append(value)
    return found


def _certification(kb: KnowledgeBase, turn: Turn, ctx: Context, newcomer: bool = True) -> Tuple[Reply, Context]:
    certs = _asked(turn, "certification") or turn.values("certification")
    known = [kb.certification(c) for c in certs if kb.certification(c)]
    mentioned = [c.name for c in courses_named(kb, turn)]
    for family_id in turn.values("course_family"):
        family = kb.family_named(family_id)
        if family:
            mentioned += [kb.course(c).name for c in family.courses[:1]]
    if known:
        replies = [answers.certification(kb, cert, mentioned, newcomer) for cert in known[:2] if cert]
        reply = (
            replies[0]
            if len(replies) == 1
            else Reply("\n\n".join(r.text for r in replies), replies[0].buttons, replies[0].kind)
        )
        suggested = kb.course_named(ctx.recommended or "")
        weighs = turn.words & {"instead", "better", "rather", "thoughts", "worth", "vs", "versus", "alternative"}
        # "a mate suggested PMP instead"; "do you do PMP?" once a course was suggested in this conversation
        if suggested is not None and (weighs or ctx.topic != "certification") and suggested.name not in reply.text:
            reply = Reply(
                f"{reply.text}\n\nFor what you've told me, {suggested.name} is still the PMO course I'd suggest.",
                reply.buttons,
                reply.kind,
            )
        named = [c.name for c in kb.courses if c.name in reply.text]
        # "how long is that course?" after PRINCE2: the one course the answer named, if just one.
        return reply, replace(ctx, topic="certification", course=named[0] if len(named) == 1 else ctx.course)
    typed = next((t for e, t in zip(turn.values("certification"), turn.texts("certification")) if e == "unknown"), "")
    return answers.unknown_certification(kb, typed), replace(ctx, topic="certification")


# Declined topics that are never mere backstory.
_DECLINED_ANYWHERE = ("voucher",)


def guard(kb: KnowledgeBase, job: str, turn: Turn, ctx: Context) -> Optional[Tuple[Reply, Context]]:
    # "are you hiring?", not "a recruiter suggested PMO"; a voucher from elsewhere is declined wherever it is said
    # ("I bought a P3O exam voucher from another company. Can I use it with you?")
    for topic_id in _asked(turn, "topic") + [v for v in turn.values("topic") if v in _DECLINED_ANYWHERE]:
        topic = kb.declined_topic(topic_id)
        if topic is not None:
            roles = roles_named(kb, turn)
            return answers.decline(kb, topic.what, topic.id), replace(
                ctx, topic=f"declined:{topic.id}", role=roles[0].role if roles else ctx.role
            )
    if (
        job in ("out_of_scope", "fallback", "decline", "follow_up")
        and not roles_named(kb, turn)
        and not courses_named(kb, turn)
    ):
        found = kb.technique_in(turn.text)  # "what's a RAID log?": PMO work, just not ours to teach
        if found is not None and not _describes_own_work(turn, ctx) and _technique_asked(turn, found[1]):
            technique = found[0]
            return answers.technique(kb, technique), replace(
                ctx, topic="technique", role=technique.role, attribute=None
            )
    if (
        ctx.topic and ctx.topic.startswith("declined:") and job in ("describe_role", "follow_up") and elliptical(turn)
    ):  # "ok what about a pmo manager?" after a salary question
        topic = kb.declined_topic(ctx.topic.split(":", 1)[1])
        if topic is not None:
            return answers.decline(kb, topic.what, topic.id), ctx
    if job in (
        "describe_role",
        "compare",
        "course",
        "decline",
        "recommend",
        "training_options",
        "course_list",
        "follow_up",
        "career_path",
        "certification",
        "entry_requirements",
        "career_change",
        "fallback",
        "out_of_scope",
    ):
        if (
            turn.values("certification")
            and attribute_of(turn, ("prerequisites",))
            and (context_course(kb, ctx) or courses_named(kb, turn))
        ):  # "do I need PRINCE2 first?" about the course just discussed or named
            others = [d for d in details_in_order(turn, "prerequisites") if d and d != "prerequisites"]
            outcome = course_question(kb, only_attribute(turn, "prerequisites"), ctx)
            reply = outcome.replies[0]
            named_in = _prerequisites_naming(kb, turn)  # "does my PRINCE2 Practitioner count towards any prerequisite?"
            asked_course = kb.course_named(outcome.context.course or "")
            if asked_course and asked_course.prerequisites.strip().lower() == "none":
                # "is there a course for people like me or do I need PRINCE2 first?" about the entry course:
                # no, and another course's prerequisites are beside the point.
                cert = turn.values("certification")[0]
                reply = Reply(f"{reply.text}\n\nSo you don't need {cert} first.", reply.buttons, reply.kind)
            elif named_in and named_in[0].name not in reply.text:
                course = named_in[0]
                reply = Reply(
                    f"{reply.text}\n\n{turn.values('certification')[0]} is named in the prerequisites of "
                    f"{course.name}: {course.prerequisites}.",
                    reply.buttons,
                    reply.kind,
                )
            for detail in others:  # "For the directors course: how long, what's the prereq...? just MSP Practitioner"
                more = course_question(kb, only_attribute(turn, detail), outcome.context)
                reply = Reply(f"{reply.text}\n\n{more.replies[0].text}", reply.buttons, reply.kind)
            return reply, outcome.context
        certs = _asked(turn, "certification")  # "PRINCE2 Practitioner, 8 years as a PM" is backstory
        evidence = visitor_evidence(kb, turn)
        holds_role = bool(evidence.roles or evidence.cues or turn.values("background")) and (
            job in ("recommend", "career_path", "certification", "career_change")
            or bool(turn.words & (dialogue_words().course_words | dialogue_words().advice_words))
        )  # "analyst with PRINCE2, what next?", "I'm a co-ordinator: is MSP right, or something else?"
        if (
            certs
            and not holds_role
            and (job != "career_change" or not (turn.values("other_role") or turn.values("background")))
        ):
            return _certification(kb, turn, ctx)
        if certs and holds_role:  # "PMP or one of your courses? I'm a project co-ordinator": both
            outcome = recommend_course(kb, turn, ctx)
            cert_reply, _ = _certification(kb, turn, ctx, newcomer=(outcome.context.level or 1) == 1)
            reply = outcome.replies[0]
            # The certification is what was asked (its kind); the course for their level follows.
            return Reply(f"{cert_reply.text}\n\n{reply.text}", reply.buttons, cert_reply.kind), outcome.context
        other = turn.own_values("other_role")
        if other and job in ("describe_role", "compare", "follow_up", "entry_requirements", "fallback"):
            # "can an ex project manager go into PMO?"
            first_other = next(e for e in turn.entities if e.get("entity") == "other_role")
            said = claims_title(turn, "other_role") or asked(turn.text, first_other)  # not "chasing the PMs for..."
            if kb.adjacent_role(other[0]) and turn.words & dialogue_words().moving_into_pmo and said:
                outcome = career_change(kb, turn, ctx)
                return outcome.replies[0], outcome.context
            if said and (not roles_named(kb, turn) or first_start(turn, "other_role") < first_start(turn, "role")):
                # "planning manager on a programme, is that a PMO manager job?": about the other job
                return other_role_answer(kb, other[0], turn, ctx, compare=job == "compare")
    return None


def certification(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    evidence = visitor_evidence(kb, turn)
    if turn.values("certification") and not _asked(turn, "certification") and (evidence.roles or evidence.cues):
        return recommend_course(kb, turn, ctx)  # "I've done PRINCE2 years ago. What should I do now?": backstory
    reply, new = _certification(kb, turn, ctx)
    return Outcome([reply], new)


def capabilities(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    """ "What can you do?"; straight after another provider's certification, "what do you offer
    instead?" is about PMO Learning's own courses."""
    if ctx.topic == "certification":
        return Outcome([answers.pmo_routes(kb)], replace(ctx, topic="catalogue"))
    return Outcome([answers.capabilities(kb)], ctx)


def out_of_scope(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    """Not a PMO question (a declined topic was already answered by the guard); a question about
    prices, dates or payment is pointed to the website and the team instead."""
    if attribute_of(turn, ("price", "dates")):
        return course_question(kb, turn, ctx)
    if _asks_advice_with_experience(kb, turn) or _describes_own_work(turn, ctx):  # "I run a small PMO... any advice?"
        return recommend_course(kb, Turn("inform_experience", turn.entities, turn.text), ctx)
    if words().contact_words.search(normalised(turn.text)):  # "who do I talk to to get this booked?"
        return Outcome([answers.contact(kb)], ctx)
    about_a_course = about_course_asked(kb, turn, ctx)
    if about_a_course is not None:  # "ok, leaning to the analyst one. is it live or recorded?"
        return about_a_course
    if attribute_of(turn, ("format",)):  # "is there a version I can do at home, not live?" with no course in mind
        return training_options(kb, turn, ctx)
    if len(ctx.compared) == 2 and turn.words & {"difference", "differences", "compare", "vs", "versus", "between"}:
        from bot.dialogue.roles import compare  # "whats the difference between the two roles really?"

        return compare(kb, turn, ctx)
    if states_work(turn, ctx):  # "my colleague Dev does our minutes, room bookings and expenses"
        return recommend_course(kb, Turn("inform_experience", turn.entities, turn.text), ctx)
    if fits_around(turn):  # "is any of this on evenings or weekends? we work shifts"
        return training_options(kb, turn, ctx)
    named = names_pmo(turn)
    in_conversation = bool(ctx.topic) and bool(
        turn.words & (dialogue_words().back_references | {"both", "difference", "similar", "same"})
    )
    if named or in_conversation:  # never "outside what I can help with" for a PMO message: one short question
        return Outcome([answers.clarify_pmo(kb, [])], ctx)
    return Outcome([answers.out_of_scope(kb)], ctx)


def about_course_asked(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """A course detail asked about a course the message names ("the analyst one") or the one in context,
    whatever the intent said."""
    attribute = attribute_of(turn, COURSE_ATTRIBUTES)
    if attribute is None or attribute == "next" or (roles_named(kb, turn) and not turn.words & {"one", "course"}):
        return None
    meant = course_meant(kb, turn, ctx)
    if meant is not None:
        return course_question(
            kb, Turn(turn.intent, (*turn.entities, {"entity": "course", "value": meant.name}), turn.text), ctx
        )
    if ctx.topic in COURSE_TOPICS and (context_course(kb, ctx) or team_courses(kb, ctx)):
        return course_question(kb, turn, ctx)
    return None


def _prerequisites_naming(kb: KnowledgeBase, turn: Turn) -> List[Course]:
    """The courses whose prerequisites name the certification the message names."""
    names = [c.name for c in (kb.certification(v) for v in turn.values("certification")) if c]
    return [c for c in kb.courses if any(n.lower() in c.prerequisites.lower() for n in names)]


def _technique_asked(turn: Turn, term: str) -> bool:
    """The technique stands in a question ("what's a RAID log?"), not in the backstory of another question ("I
    update the RAID logs... What level am I?")."""
    position = normalised(turn.text).find(term.split()[0])
    return position < 0 or asked(turn.text, {"start": position})


def _describes_own_work(turn: Turn, ctx: Context) -> bool:
    """ "it's mostly minutes, chasing actions, keeping the risk log up to date" while a course for the visitor is
    being worked out: their work, not a question about a technique."""
    reading = turn.reading
    tokens = re.findall(r"[\w']+", normalised(turn.text))
    opener = next((t for t in tokens if t not in dialogue_words().lead_ins), "")
    return (
        bool(reading.cues or reading.loose_cues)
        and (ctx.topic in ("recommendation", "ask_level", "instead") or ctx.awaiting_level)
        and "?" not in turn.text
        and opener not in words().question_words  # "and what's a dashboard then" is a question
    )


def fits_around(turn: Turn) -> bool:
    """A question about fitting training around a life ("can I do it part time around work?", "is any of it
    online?"): how people train with PMO Learning answers it."""
    return any(
        e.get("entity") == "constraint" and e.get("value") in ("online", "evenings") and asked(turn.text, e)
        for e in turn.entities
    )


def states_work(turn: Turn, ctx: Context) -> bool:
    """A statement, not a question, of what someone does, said once a conversation is under way ("Day to day I keep
    the resource plan... Nobody reports to me", "my colleague Dev does our minutes"): facts that refine a suggestion,
    answered with one rather than with "what would you like to know?"."""
    reading = turn.reading
    facts = (
        reading.cues
        or reading.loose_cues
        or reading.own_roles
        or reading.now
        or reading.others
        or reading.others_cues
        or turn.values("background")
    )
    tokens = re.findall(r"[\w']+", normalised(turn.text))
    opener = next((t for t in tokens if t not in dialogue_words().lead_ins), "")
    return (
        bool(facts)
        and bool(ctx.topic or ctx.recommended)
        and "?" not in turn.text
        and opener not in words().question_words
    )


def _asks_advice_with_experience(kb: KnowledgeBase, turn: Turn) -> bool:
    evidence = visitor_evidence(kb, turn)
    return bool(
        (evidence.roles or evidence.cues or turn.values("background"))
        and turn.words & (dialogue_words().course_words | dialogue_words().advice_words)
    )


def decline(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    """ "Beyond scope" with no topic word we know: say so plainly, offer what we can do."""
    return Outcome([answers.decline(kb, "that", "other")], replace(ctx, topic="declined"))
