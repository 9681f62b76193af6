"""Jobs about roles and careers: describe, compare, career path, recommendation, entry
requirements and moving into PMO from another job.

Just over 300 lines after formatting: the role jobs (describe, compare, career path,
recommend) share their helpers.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional, Tuple

from bot import answers
from bot.answers import Reply
from bot.dialogue.context import (
    COURSE_ATTRIBUTES,
    COURSE_TOPICS,
    ROLE_ATTRIBUTES,
    THIRD_PERSON,
    Context,
    Outcome,
    Turn,
    attribute_of,
    context_course,
    course_for_level,
    courses_named,
    elliptical,
    first_person_first,
    mentioned_item,
    roles_named,
    says,
    with_attribute,
)
from bot.dialogue.courses import course_question
from bot.dialogue.precedence import visitor_evidence
from bot.knowledge_base import AdjacentRole, KnowledgeBase
from bot.nlu.reading import asked, question_spans
from bot.recommend import Evidence, NeedLevel, RoleMention, past_done, recommend
from bot.words import dialogue_words


def other_role_answer(
    kb: KnowledgeBase, title: str, turn: Turn, ctx: Context, compare: bool = False
) -> Tuple[Reply, Context]:
    adjacent = kb.adjacent_role(title)
    if adjacent is not None:
        return answers.adjacent_role(kb, adjacent, title), replace(ctx, topic="adjacent")
    if kb.is_specialist_role(title):
        return answers.specialist_role(kb, title), replace(ctx, topic="specialist")
    if title.lower() in (t.lower() for t in kb.not_pmo_roles):
        return answers.not_a_pmo_role(kb, title), replace(ctx, topic="adjacent")
    return answers.other_job(kb, title), replace(ctx, topic="unknown_title")


def describe_role(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    mentions = roles_named(kb, turn)
    if (
        not mentions
        and ctx.role
        and turn.words & dialogue_words().back_references
        and turn.words & dialogue_words().course_words
    ) or says(turn, dialogue_words().asks_what_to_take):  # "so as an analyst what would you book me on?"
        return recommend_course(kb, Turn("ask_course_recommendation", turn.entities, turn.text), ctx)
    course_attribute = attribute_of(turn, tuple(a for a in COURSE_ATTRIBUTES if a != "next"))
    if not mentions and course_attribute and ctx.topic in ("recommendation", "course", "family") and elliptical(turn):
        return course_question(kb, turn, ctx)  # "length?" after a course: the course's, not a role's
    attribute = attribute_of(turn, ROLE_ATTRIBUTES)
    by_level = role_by_level(kb, turn.text) if not mentions else None
    if by_level is not None:  # "what does the entry level job involve?", "what does a level 2 person do?"
        mentions = [RoleMention(role=by_level)]
    if not mentions and ctx.role and (attribute or turn.words & dialogue_words().back_references):
        mentions = [RoleMention(role=ctx.role)]
    unknown = next(
        (
            str(e.get("value"))
            for e in turn.entities
            if e.get("entity") == "role" and e.get("value") not in {r.name for r in kb.roles}
        ),
        None,
    )
    if not mentions:
        if unknown:
            return Outcome([answers.unknown_role(kb, unknown)], ctx)
        reply = answers.list_roles(kb)
        return Outcome(
            [reply],
            replace(
                ctx, topic="roles", listed=tuple(f"role:{r.name}" for r in sorted(kb.roles, key=lambda r: r.level))
            ),
        )
    replies = []
    for mention in mentions[:2]:
        if attribute:
            replies.append(answers.role_detail(kb, mention.role, attribute))
        else:
            replies.append(answers.describe_role(kb, mention.role, mention.text))
    return Outcome(
        replies, replace(ctx, role=mentions[0].role, topic="role", attribute=attribute, title=mentions[0].text or None)
    )


def compare(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    roles = [m.role for m in roles_named(kb, turn)]
    other = turn.values("other_role")
    if len(courses_named(kb, turn)) + len(turn.values("course_family")) >= 2:
        return course_question(kb, turn, ctx)  # "difference between P3O Foundation and Practitioner"
    titles = [(str(e.get("value")), str(e.get("text") or "")) for e in turn.entities if e.get("entity") == "role"]
    same = len(titles) >= 2 and len({value for value, _ in titles}) == 1
    if (
        not same
        and len(roles) == 1
        and ctx.role == roles[0]
        and ctx.topic == "role"
        and turn.words & dialogue_words().back_references
        and not turn.values("other_role")
    ):
        same = True  # "is that the same as head of pmo?" after the ePMO Manager
        titles = [(roles[0], ctx.title or ""), *titles]
    if (
        not same
        and len(roles) == 1
        and ctx.role
        and ctx.role != roles[0]
        and "same" in turn.words
        and turn.words & dialogue_words().back_references
    ):  # "is that the same as a PMO manager?" when it is not
        return Outcome([answers.not_same_role(kb, ctx.role, ctx.title or "", roles[0])], ctx)
    if same and roles:
        reply = answers.same_role(kb, roles[0], [t for _, t in titles if t])
        return Outcome([reply], replace(ctx, role=roles[0], topic="role"))
    if other and len(roles) < 2:  # "business analyst vs PMO analyst": say what the other job is
        reply, new = other_role_answer(kb, other[0], turn, ctx, compare=True)
        return Outcome([reply], new)
    if len(roles) == 1 and ctx.topic == "compare" and ctx.compared and roles[0] not in ctx.compared:
        # "and a manager?" after a comparison: compare it with the nearer of the two.
        level = kb.role(roles[0]).level
        nearer = min(ctx.compared, key=lambda r: (abs(kb.role(r).level - level), -kb.role(r).level))
        roles = [nearer, roles[0]]
    elif len(roles) == 1 and ctx.role and ctx.role != roles[0] and turn.words & dialogue_words().back_references:
        roles = [ctx.role, roles[0]]
    elif not roles and len(ctx.compared) == 2 and turn.words & (dialogue_words().back_references | {"two", "both"}):
        roles = list(ctx.compared)
    elif not roles and ctx.role:
        roles = [ctx.role]
    if not roles:
        return Outcome(
            [
                Reply(
                    "Which two roles would you like to compare?",
                    [
                        answers.button(r.name, "compare_roles", role=r.name)
                        for r in sorted(kb.roles, key=lambda r: r.level)
                    ],
                    kind="ask_compare",
                )
            ],
            ctx,
        )
    reply = answers.compare_roles(kb, roles[0], roles[1] if len(roles) > 1 else None)
    pair = tuple(reply.kind.split(":", 1)[1].split("|"))
    return Outcome(
        [reply],
        replace(
            ctx,
            compared=pair,
            role=pair[-1] if roles[-1] == pair[-1] else pair[0],
            topic="compare",
            listed=tuple(f"role:{r}" for r in pair),
        ),
    )


def career_path(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    roles = [m.role for m in roles_named(kb, turn)]
    if (
        not roles
        and "next" in turn.values("attribute")
        and ctx.topic in COURSE_TOPICS
        and turn.words & dialogue_words().back_references
    ):  # "next steps after it?" after a course
        return course_question(kb, turn, ctx)
    course_attribute = attribute_of(turn, tuple(a for a in COURSE_ATTRIBUTES if a != "next"))
    if not roles and course_attribute and ctx.topic in ("recommendation", "course", "family"):
        return course_question(kb, turn, ctx)  # "who do I get the cert from?" after a course
    newcomer = "new_to_pmo" in turn.values("experience") or bool(turn.values("background"))
    if not roles and not newcomer and ctx.role and turn.words & dialogue_words().back_references:
        roles = [ctx.role]
    target = max(roles, key=lambda r: kb.role(r).level) if roles else None
    reply = answers.career_path(kb, target, newcomer=newcomer)
    about = target if target and not newcomer else kb.role_at_level(1).name
    course = kb.course(kb.recommendation_for(kb.role(about).level).main)  # the course the answer names
    return Outcome([reply], replace(ctx, role=about, topic="career", course=course.name))


def _background_title(turn: Turn) -> str:
    texts = turn.texts("background")
    return texts[0] if texts else ""


def recommend_course(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    evidence = visitor_evidence(kb, turn)  # never someone else's job; the job after a change first
    if len(evidence.roles) > 1:
        evidence = replace(evidence, roles=tuple(first_person_first(turn, list(evidence.roles))))
    # "I'm an admin, want to move up"
    if (
        (evidence.roles or evidence.cues)
        and not turn.reading.now
        and says(turn, dialogue_words().moving_up)
        and not says(turn, dialogue_words().moved_up_already)
    ):
        evidence = replace(evidence, moving_up=True)
    if not evidence.roles and ctx.role and says(turn, dialogue_words().thats_me):  # "that's me actually"
        evidence = replace(evidence, roles=(RoleMention(role=ctx.role),))
    item = mentioned_item(turn, ctx) if turn.values("mention") or "other" in turn.words else None
    if not evidence.roles and item and item.startswith("role:"):  # "which course for the second one?"
        evidence = replace(evidence, roles=(RoleMention(role=item[5:]),), about_someone=True)
    other = turn.own_values("other_role")
    own_specialist = next((o for o in other if kb.is_specialist_role(o)), None)
    if own_specialist and not evidence.roles and set(evidence.cues) <= {"support_work", "analyst_work"}:
        evidence = replace(evidence, cues=())  # "My title is Resource Manager... I chase timesheets": ask, don't guess
    if not evidence.roles and not evidence.cues:
        if (
            other and kb.adjacent_role(other[0]) and claims_title(turn, "other_role")
        ):  # "I'm a project manager, which course?"
            return career_change(kb, turn, ctx)
        theirs = _their_adjacent_job(kb, turn)
        if theirs is not None:  # "my husband has managed projects for ten years... what would suit him?"
            from bot.dialogue.others import whose  # others reads this module's recommend_course lazily too

            course = course_for_level(kb, theirs.entry_level)
            pronoun = whose(turn).replace("your", "their")  # "his", "her", else "their"
            return Outcome(
                [answers.career_change(kb, theirs.id, whose=pronoun.capitalize())],
                replace(ctx, topic="recommendation", course=course.name, recommended=course.name, awaiting_level=False),
            )
        if turn.values("background") and (
            not ctx.awaiting_level or turn.intent in ("ask_course_recommendation", "inform_experience")
        ):
            reply = answers.career_change(kb, "career_changer", _background_title(turn), asked_course=True)
            course = course_for_level(kb, 1)
            return Outcome(
                [reply],
                replace(
                    ctx,
                    level=1,
                    recommended=course.name,
                    course=course.name,
                    awaiting_level=False,
                    topic="recommendation",
                ),
            )
        if other and not evidence.years:  # a job we don't know: ask what they do, never guess
            reply = (
                answers.specialist_role(kb, other[0])
                if kb.is_specialist_role(other[0])
                else answers.other_job(kb, other[0])
            )
            ask = answers.ask_level(kb, NeedLevel())
            return Outcome([Reply(reply.text, ask.buttons, reply.kind)], replace(ctx, awaiting_level=True))
    if (
        not evidence.roles
        and not evidence.cues
        and evidence.years is None
        and turn.intent == "ask_course_recommendation"
        and not ctx.awaiting_level
    ):
        # "which course for that role?" / "which course suits them?": the role just discussed.
        if ctx.role and turn.words & dialogue_words().back_references:  # about the role just discussed, not the visitor
            evidence = Evidence(roles=(RoleMention(role=ctx.role),), about_someone=True)
        elif ctx.level:
            evidence = Evidence(roles=(RoleMention(role=kb.role_at_level(ctx.level).name),), remembered=True)
    outcome = recommend(kb, evidence)
    named = [  # a course written by its name ("would Essentials for PMO Managers suit me?"), not "director courses"
        str(e.get("value"))
        for e in turn.entities
        if e.get("entity") == "course" and _BY_NAME.search(str(e.get("text") or "").lower())
    ]
    if isinstance(outcome, NeedLevel) and len(named) == 1:  # "would Essentials for PMO Managers suit me?": who it's for
        about = course_question(kb, with_attribute(turn, "audience"), ctx)
        return Outcome([*about.replies, answers.ask_level(kb, outcome)], replace(about.context, awaiting_level=True))
    if isinstance(outcome, NeedLevel):
        return Outcome([answers.ask_level(kb, outcome)], replace(ctx, awaiting_level=True, topic="ask_level"))
    if turn.reading.done:  # "I've done P3O already (both levels). What's the logical next step?"
        outcome = past_done(kb, outcome, turn.reading.done)
    weighed = [c.name for c in courses_named(kb, turn) if c.name not in (outcome.main.name, *turn.reading.done)]
    after = replace(
        ctx,
        awaiting_level=False,
        level=ctx.level if evidence.about_someone else outcome.level,  # someone else's level is not the visitor's
        recommended=outcome.main.name,
        course=outcome.main.name,
        role=outcome.role,
        topic="recommendation",
        # "torn between the analysts course and P3O Foundation": "the other one" is the course not suggested
        listed=tuple(f"course:{n}" for n in (outcome.main.name, *weighed[:1])) if weighed else ctx.listed,
    )
    replies = [answers.recommendation(kb, outcome)]
    detail = _detail_asked(turn)
    if detail is not None:  # "... Which course fits me, and is it online?": the detail of the course suggested
        # only the question's words: "the project managers" of the backstory do not name a course
        asked_text = " ".join(turn.text[start:end] for start, end in question_spans(turn.text))
        named_courses = [  # not a course the visitor has done ("I did your admin course... is it online?")
            str(e.get("value"))
            for e in turn.entities
            if e.get("entity") == "course" and e.get("value") not in turn.reading.done
        ]
        one = ({"entity": "course", "value": named_courses[0]},) if len(set(named_courses)) == 1 else ()
        # "Someone said P3O Foundation is more relevant. How many questions?": the course named, else the suggestion
        about = course_question(kb, with_attribute(Turn(turn.intent, one, asked_text), detail), after)
        replies += about.replies
    return Outcome(replies, after)


def _their_adjacent_job(kb: KnowledgeBase, turn: Turn) -> Optional[AdjacentRole]:
    """The job next to PMO (project manager, business analyst...) of the person a course is asked for."""
    if not (turn.reading.for_someone_else or (turn.asked_words & THIRD_PERSON and not turn.words & {"me", "myself"})):
        return None
    held = [str(e.get("value")) for e in turn.entities if e.get("entity") == "other_role" and e.get("role") == "other"]
    return next((kb.adjacent_role(o) for o in held if kb.adjacent_role(o)), None)


def role_by_level(kb: KnowledgeBase, text: str) -> Optional[str]:
    """The one role a message names by its level ("the entry level job", "level 2", "the management level"), or
    None; the labels are the knowledge base's."""
    low = text.lower().replace("-", " ")
    found = {r.name for r in kb.roles if r.level_label and r.level_label.lower() in low}
    found |= {kb.role_at_level(int(n)).name for n in re.findall(r"\blevel ([1-4])\b", low)}
    return next(iter(found)) if len(found) == 1 else None


def claims_title(turn: Turn, name: str) -> bool:
    """The first ``name`` entity is said as the visitor's own job ("I've been a project manager for 8 years")."""
    entity = next((e for e in turn.entities if e.get("entity") == name), None)
    if entity is None:
        return False
    start = int(entity.get("start") or 0)
    before = turn.text[max(0, start - 30) : start].lower().replace("\u2019", "'")
    return not turn.text[:start] or any(cue in before for cue in dialogue_words().own_title_before)


_BY_NAME = re.compile(r"\b(essentials|p3o|mop|foundation|practitioner)\b")

# Details of the suggested course a visitor asks alongside "which course?" (not "who is it for", "what next").
_DETAILS_ALONGSIDE = ("length", "format", "exam", "prerequisites", "accreditation", "content")


def _detail_asked(turn: Turn) -> Optional[str]:
    """A course detail asked in a question sentence of the message ("and is it online?"), or None."""
    for entity in turn.entities:
        value = entity.get("value")
        if entity.get("entity") == "attribute" and value in _DETAILS_ALONGSIDE and asked(turn.text, entity):
            return str(value)
    return None


def resume_recommendation(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    """After small talk while the level question is open: ask it again."""
    if ctx.awaiting_level:
        return Outcome([answers.ask_level_again(kb)], ctx)
    return Outcome([], ctx)


def stop_recommendation(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    return Outcome([answers.stop_recommendation()], replace(ctx, awaiting_level=False, topic=None))


def entry_requirements(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    roles = roles_named(kb, turn)
    about_the_job = bool(turn.words & {"degree", "degrees", "qualifications", "qualified", "age", "old"})
    if (
        not roles
        and not about_the_job
        and (courses_named(kb, turn) or (context_course(kb, ctx) and ctx.topic in COURSE_TOPICS))
    ):  # "any pre-reqs I'd need for it?" after a course
        return course_question(kb, with_attribute(turn, "prerequisites"), ctx)
    if not roles and ctx.role and turn.words & dialogue_words().back_references:
        roles = [RoleMention(role=ctx.role)]
    level = kb.role(roles[0].role).level if roles else None
    return Outcome(
        [answers.entry_requirements(kb, level)], replace(ctx, topic="entry", role=roles[0].role if roles else ctx.role)
    )


def career_change(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    other = turn.own_values("other_role")
    adjacent = next((kb.adjacent_role(o) for o in other if kb.adjacent_role(o)), None)
    asked_course = turn.intent in ("ask_course_recommendation", "inform_experience")
    if adjacent is not None:
        reply = answers.career_change(kb, adjacent.id)
        course = course_for_level(kb, adjacent.entry_level)
        return Outcome(
            [reply],
            replace(
                ctx,
                topic="recommendation",
                course=course.name,
                recommended=course.name,
                level=adjacent.entry_level,
                awaiting_level=False,
                role=kb.role_at_level(adjacent.entry_level).name,
            ),
        )
    specialist = next((o for o in other if kb.is_specialist_role(o)), None)
    if specialist and not turn.values("background"):
        return Outcome([answers.specialist_role(kb, specialist)], replace(ctx, topic="specialist"))
    if roles_named(kb, turn) and not turn.values("background") and not other:
        return career_path(kb, turn, ctx)  # "I'm an analyst, could I move up to manager?"
    # From outside project work (a nurse, a hotel duty manager, a graduate...): level 1.
    title = _background_title(turn) or (other[0] if other else "")
    reply = answers.career_change(kb, "career_changer", title, asked_course)
    course = course_for_level(kb, 1)
    return Outcome(
        [reply],
        replace(
            ctx,
            topic="recommendation",
            course=course.name,
            recommended=course.name,
            level=1,
            awaiting_level=False,
            role=kb.role_at_level(1).name,
        ),
    )
