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

Layout: :mod:`.context` (the message, the context and the readers every job
shares), :mod:`.roles`, :mod:`.courses`, :mod:`.beyond` (the guards and the jobs
beyond the catalogue) and :mod:`.followups` (short follow-ups and unsure NLU);
this module maps jobs to functions, answers questions asked inside a form, and,
after the job, what else the message asked (a course beside another question, a
certification weighed beside the suggestion, a practical detail) and the level the
visitor told while asking something else.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Optional

from bot import answers
from bot.dialogue import others, precedence
from bot.dialogue.beyond import capabilities, certification, decline, guard, out_of_scope
from bot.dialogue.context import (
    COURSE_ATTRIBUTES,
    COURSE_ONLY_ATTRIBUTES,
    COURSE_TOPICS,
    ROLE_ATTRIBUTES,
    SLOTS,
    THIRD_PERSON,
    Context,
    Outcome,
    Turn,
    attribute_of,
    context_course,
    context_from_slots,
    courses_named,
    roles_named,
    says,
    slots_from_context,
    team_courses,
    with_attribute,
)
from bot.dialogue.courses import course_list, course_question, free_resources, pmo_types, training_options
from bot.dialogue.followups import fallback, follow_up
from bot.dialogue.roles import (
    career_change,
    career_path,
    compare,
    describe_role,
    entry_requirements,
    recommend_course,
    resume_recommendation,
    stop_recommendation,
)
from bot.jobs import SIDE_QUESTION_JOBS
from bot.knowledge_base import KnowledgeBase
from bot.nlu.reading import asked, question_spans, weighed, words
from bot.words import dialogue_words

__all__ = [
    "JOBS",
    "SLOTS",
    "Context",
    "Outcome",
    "Turn",
    "context_from_slots",
    "digression_job",
    "looks_like_question",
    "respond",
    "slots_from_context",
]


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
_MAY_LEAN_ON_CONTEXT = (
    "recommend",
    "capabilities",
    "entry_requirements",
    "career_path",
    "fallback",
    "pmo_types",
    "free_resources",
    "out_of_scope",
)


def _names_a_topic(kb: KnowledgeBase, turn: Turn) -> bool:
    """The message names something of its own (a role, course, family, certification, PMO type,
    another job or a PMO technique): that topic beats the context."""
    return bool(
        roles_named(kb, turn)
        or courses_named(kb, turn)
        or any(turn.values(n) for n in ("course_family", "certification", "pmo_type", "other_role"))
        or kb.technique_in(turn.text) is not None
    )


def _about_the_last_thing(kb: KnowledgeBase, job: str, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """A question about "it"/"that" with an attribute of the role or course in context, whatever the intent."""
    if (
        job not in _MAY_LEAN_ON_CONTEXT
        or _names_a_topic(kb, turn)
        or turn.words & {"degree", "degrees", "qualifications"}
    ):
        return None
    if not turn.words & dialogue_words().back_references and not (
        (
            (len(turn.words) <= 8 and attribute_of(turn, COURSE_ONLY_ATTRIBUTES))
            or (len(turn.words) <= 2 and attribute_of(turn, COURSE_ATTRIBUTES))  # "length?"
        )
        and (context_course(kb, ctx) or team_courses(kb, ctx))
    ):  # "what if I fail?" right after a course is about that course
        return None
    role_attribute = attribute_of(turn, ROLE_ATTRIBUTES)
    if role_attribute and ctx.role and ctx.topic in ("role", "compare", "career", "entry"):
        return describe_role(kb, turn, ctx)
    course_attribute = attribute_of(turn, tuple(a for a in COURSE_ATTRIBUTES if a != "next"))
    if course_attribute and (context_course(kb, ctx) or team_courses(kb, ctx)) and ctx.topic in COURSE_TOPICS:
        return course_question(kb, turn, ctx)
    return None


def _explained(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """ "What does that mean?" right after an answer: the role in concrete terms (what the person
    does day to day), or the parts of the course in context to choose from."""
    if len(turn.words) > 7 or not says(turn, dialogue_words().asks_meaning) or _names_a_topic(kb, turn):
        return None
    if ctx.role and ctx.topic in ("role", "compare", "career", "technique"):
        if ctx.attribute != "duties":
            return Outcome(
                [answers.role_detail(kb, ctx.role, "duties")],
                dataclasses.replace(ctx, topic="role", attribute="duties"),
            )
        role = kb.role(ctx.role)
        return Outcome(
            [
                answers.Reply(
                    f"Happy to say more about the {role.name} role. Which part?",
                    answers.role_buttons(role),
                    kind="clarify",
                )
            ],
            ctx,
        )
    course = kb.course_named(str(context_course(kb, ctx) or ""))
    if course is not None and ctx.topic in ("course", "recommendation"):
        return Outcome(
            [
                answers.Reply(
                    f"Happy to explain more about {course.name}. Which part would you like?",
                    answers.course_buttons(course),
                    kind="clarify",
                )
            ],
            ctx,
        )
    return None


def respond(kb: KnowledgeBase, job: str, turn: Turn, ctx: Context) -> Outcome:
    """The replies for ``job`` and the context after it (precedence: :mod:`.precedence`)."""
    whole, turn = turn, precedence.focused(turn)  # someone else's job in the backstory is not the question's topic
    ctx = precedence.accepted(turn, ctx)  # "fine, you've convinced me. how long is it?"
    decided = precedence.first(kb, job, turn, ctx)
    guarded = guard(kb, job, turn, ctx) if decided is None and job not in ("resume", "stop_recommendation") else None
    leaning = None
    if decided is None and guarded is None and job not in ("resume", "stop_recommendation"):
        leaning = _explained(kb, turn, ctx) or _about_the_last_thing(kb, job, turn, ctx)
    if decided is not None:
        outcome = decided
    elif guarded is not None:
        reply, new = guarded
        outcome = Outcome([reply], new)
    elif leaning is not None:
        outcome = leaning
    else:
        outcome = JOBS[job](kb, turn, ctx)
    outcome = _recommendation_beside(kb, job, turn, ctx, outcome)
    outcome.replies += _certification_beside(kb, turn, outcome)
    if (
        job in _ANSWERS_SIDE_QUESTION
        and outcome.context.awaiting_level
        and all(r.kind != "ask_level" for r in outcome.replies)
    ):
        outcome.replies.append(answers.ask_level_again(kb))
    recommended = outcome.context.recommended != ctx.recommended or outcome.context.topic == "recommendation"
    for_them = recommended and outcome.context.other == ctx.other and others.about_someone(kb, turn)
    outcome.context = others.remember(kb, whole, ctx, outcome.context, for_them)
    outcome.context = _level_told(kb, job, whole, outcome.context)
    outcome.replies += _details_beside(kb, job, turn, outcome)
    unique: list[answers.Reply] = []
    for reply in outcome.replies:  # two clauses answered by the same reply say it once
        if all(reply.text != seen.text for seen in unique):
            unique.append(reply)
    outcome.replies = unique
    return outcome


# "Which course should I book her on, and is there anything she can read first?": a course asked for.
_COURSE_ASKED = re.compile(
    r"\b(which|what)\b[^.?!]{0,40}\b(course|courses|training|qualification)\b|\b(recommend|suggest|advise)\b"
)


def _recommendation_beside(kb: KnowledgeBase, job: str, turn: Turn, ctx: Context, outcome: Outcome) -> Outcome:
    """A course asked for beside another question that took the answer ("anything free to start with, and which paid
    course would I do later?", "what's the salary... also which qualification would help me get there"): the other
    answer, then the course, when the message says enough to choose one (never a second question)."""
    if job in ("resume", "stop_recommendation") or outcome.context.topic in ("recommendation", "team", "ask_level"):
        return outcome
    if outcome.context.awaiting_level or any(c.name in r.text for r in outcome.replies for c in kb.courses):
        return outcome
    if all(r.kind in ("ask_topic", "clarify") for r in outcome.replies):  # a question back: answered first
        return outcome
    asking = [turn.text[a:b].lower() for a, b in question_spans(turn.text)]
    asking = [s for s in asking if _COURSE_ASKED.search(s)]
    if not asking:
        return outcome
    asked_for = Turn("ask_course_recommendation", turn.entities, turn.text)
    if set(re.findall(r"[a-z]+", asking[0])) & THIRD_PERSON:  # "which course should I book her on": for her
        asked_for = Turn(asked_for.intent, (*turn.entities, {"entity": "asking_for", "value": "other"}), turn.text)
        if not precedence.visitor_evidence(kb, asked_for).about_someone:
            return outcome  # nothing said of her: never the visitor's course instead
    suggested = recommend_course(kb, asked_for, ctx)
    if suggested.context.topic != "recommendation" or not suggested.replies:
        return outcome
    replies = [r for r in outcome.replies if r.kind != "ask_level"] + suggested.replies[:1]
    return Outcome(replies, dataclasses.replace(suggested.context, other=outcome.context.other))


# Words of a question that weighs what the backstory named ("what's the difference and which should I do?").
_WEIGHING = frozenset({"difference", "realistic", "instead", "better", "or", "versus", "vs", "same", "worth", "count"})


def _certification_beside(kb: KnowledgeBase, turn: Turn, outcome: Outcome) -> list[answers.Reply]:
    """Another provider's certification weighed beside the course suggested ("HR said the APM PFQ, my manager said
    your courses: what's the difference and which should I do?"): after the suggestion, what that certification is."""
    if outcome.context.topic != "recommendation" or not outcome.context.recommended:
        return []
    said = "\n".join(r.text for r in outcome.replies)
    for entity in turn.entities:
        cert = kb.certification(str(entity.get("value"))) if entity.get("entity") == "certification" else None
        if cert is None or cert.name.lower() in said.lower():
            continue
        if asked(turn.text, entity) or weighed(turn.text, entity) or turn.asked_words & _WEIGHING:
            return [answers.certification(kb, cert, [outcome.context.recommended], False)]
    return []


def _level_told(kb: KnowledgeBase, job: str, turn: Turn, after: Context) -> Context:
    """A visitor who says what they do while asking something else ("I work in HR and want to move into PMO support:
    anything free?") has told us their level: it is kept, so that a later "which course would be the one for me?"
    is answered from it instead of asking again. Someone else's job is never kept as the visitor's."""
    if (
        after.level is not None
        or after.awaiting_level
        or job in ("resume", "stop_recommendation")
        or len(turn.words) < 6
    ):
        return after
    stated = recommend_course(kb, Turn("inform_experience", turn.entities, turn.text), Context())
    if stated.context.topic != "recommendation" or stated.context.level is None:
        return after
    return dataclasses.replace(after, level=stated.context.level)


# Practical details a visitor asks beside their main question ("... and can I do it from Ireland?").
_PRACTICAL = ("format", "length", "exam", "accreditation", "recognition", "prerequisites")
# Jobs whose answer is already about a detail, a form, or a decline of the whole message.
_NO_DETAILS_BESIDE = ("course", "resume", "stop_recommendation", "training_options", "course_list", "decline")


def _details_beside(kb: KnowledgeBase, job: str, turn: Turn, outcome: Outcome) -> list[answers.Reply]:
    """Every practical detail asked in its own question sentence, answered for the course the answer is about,
    when the main answer did not already give it ("Which course is for me? ... and can I do it from Ireland?")."""
    declined = bool(outcome.replies) and outcome.replies[0].kind.startswith("decline")
    if not outcome.replies or (not declined and (job in _NO_DETAILS_BESIDE or outcome.context.attribute)):
        return []
    wanted: tuple[str, ...] = _PRACTICAL
    if outcome.context.topic == "team":
        wanted = ("accreditation", "recognition", "exam")  # the team's answer says how a group trains
    spans = question_spans(turn.text)
    if len(spans) < 2 and len(turn.text.split()) < 25:
        return []  # a short single question: the job answered it
    in_message = {c.name for c in courses_named(kb, turn)}
    course = kb.course_named(outcome.context.course or outcome.context.recommended or "") or (
        kb.course_named(next(iter(in_message))) if len(in_message) == 1 else None
    )  # "Can I use those vouchers for P3O Foundation, and is the exam open book?": the course named
    if course is None:
        return []
    said = "\n".join(r.text for r in outcome.replies)
    extra: list[answers.Reply] = []
    for entity in turn.entities:
        value = str(entity.get("value"))
        if entity.get("entity") != "attribute" or value not in wanted or not asked(turn.text, entity):
            continue
        start = int(entity.get("start") or 0)
        sentence = next(((s, e) for s, e in spans if s <= start < e), None)
        if sentence is None or sentence == (0, len(turn.text)):
            continue  # the whole message is one question: the job answered what it asked
        named = Turn(turn.intent, ({"entity": "course", "value": course.name},), turn.text[sentence[0] : sentence[1]])
        about = course_question(kb, with_attribute(named, value), outcome.context)
        for reply in about.replies[:1]:
            if reply.text not in said and all(reply.text != r.text for r in extra):
                extra.append(reply)
        if len(extra) == 2:
            break
    return extra


def looks_like_question(text: str) -> bool:
    """ "hang on, what does a planner do" is a question; "Sam Taylor" or "Acme PMO Ltd" is not."""
    if "?" in text:
        return True
    tokens = "".join(ch if ch.isalnum() or ch == "'" else " " for ch in text.lower()).split()
    for word in tokens[:6]:
        if word in words().question_words:
            return True
        if word not in dialogue_words().lead_ins:
            return False
    return False


# Form slots whose answer is never a statement about PMO work (a name, an address, an organisation).
_PLAIN_ANSWERS = ("enquiry_name", "enquiry_email", "enquiry_organisation")


def _says_pmo_things(turn: Turn) -> Optional[str]:
    """ "I'm a PMO analyst at the moment, 2 years", "they are 3 planners and 2 assistants", "we're spread over
    three depots": said instead of a name; the job that takes it."""
    reading = turn.reading
    if len(turn.text.split()) < 4:
        return None
    if reading.members or reading.team or reading.own_roles or reading.cues or reading.now:
        return "recommend"
    if reading.constraints:
        return "training_options"
    return None


def digression_job(
    turn: Turn, confidence: float, min_confidence: float = 0.45, requested: Optional[str] = None
) -> Optional[str]:
    """The job that answers a side question (or a statement about PMO work instead of a name) asked
    inside a form, or None for an ordinary answer."""
    if requested in _PLAIN_ANSWERS and not looks_like_question(turn.text):
        return _says_pmo_things(turn)
    job = SIDE_QUESTION_JOBS.get(turn.intent)  # the table in bot/jobs.py
    if any(turn.values(name) for name in ("role", "course", "course_family", "other_role", "certification")):
        min_confidence = min(min_confidence, 0.35)  # "before that, what is a head of pmo": clearly about PMO
    if job is None or confidence < min_confidence or not looks_like_question(turn.text):
        return None
    return job
