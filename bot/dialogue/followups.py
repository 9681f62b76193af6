"""Short messages that lean on the last answer, and what to do when NLU was unsure."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

from bot import answers
from bot.answers import Reply
from bot.dialogue.beyond import about_course_asked, fits_around, states_work
from bot.dialogue.context import (
    COURSE_ATTRIBUTES,
    COURSE_TOPICS,
    ROLE_ATTRIBUTES,
    Context,
    Outcome,
    Turn,
    attribute_of,
    context_course,
    course_for_level,
    courses_named,
    elliptical,
    mentioned_item,
    roles_named,
    says,
    with_attribute,
)
from bot.dialogue.courses import (
    about_course,
    course_question,
    partial_course,
    pmo_types,
    sibling_course,
    training_options,
)
from bot.dialogue.precedence import names_pmo, visitor_evidence
from bot.dialogue.roles import career_path, compare, describe_role, recommend_course
from bot.knowledge_base import KnowledgeBase
from bot.nlu.reading import asked
from bot.words import dialogue_words


def _pointed_course_words(turn: Turn) -> set[str]:
    """ "that course", "the course", "that one": the course words of a message that points back."""
    low = turn.text.lower()
    return {w for w in ("course", "one") if any(f"{d} {w}" in low for d in ("that", "the", "this", "same"))}


_CHANGES = (
    "does that change",
    "does it change",
    "would that change",
    "does that matter",
    "does that make a difference",
)


def _why(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Optional[Outcome]:
    """ "why?" / "why that one?" right after a recommendation, or "does that change anything?": the
    reason, in a sentence, and how to change it."""
    changes = says(turn, dialogue_words().asks_if_it_changes) and not roles_named(kb, turn)
    if (("why" not in turn.words or len(turn.words) > 6) and not changes) or not ctx.recommended:
        return None
    if ctx.topic != "recommendation" and not changes:
        return None
    course = kb.course_named(ctx.recommended)
    if course is None:
        return None
    return Outcome([answers.why_recommended(kb, course, ctx.level)], ctx)


# Words above which a message read as a follow-up, with nothing said before, is a first message with a backstory.
_LONG_FIRST_MESSAGE = 15


def follow_up(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    """A short message that leans on the last answer: "and a manager?", "the second one", "what's next?"."""
    if (
        not (ctx.topic or ctx.course or ctx.role)
        and len(turn.words) > _LONG_FIRST_MESSAGE
        and not any(  # "Essentials or P3O? I run a programme office...": about the courses named; a kind of PMO
            e.get("entity") in ("course", "course_family", "certification")  # only when asked about
            or (e.get("entity") == "pmo_type" and asked(turn.text, e))
            for e in turn.entities
        )
    ):
        evidence = visitor_evidence(kb, turn)  # a long first message has nothing to lean on: read for the visitor
        if evidence.roles or evidence.cues or turn.values("background"):
            return recommend_course(kb, Turn("inform_experience", turn.entities, turn.text), ctx)
    why = _why(kb, turn, ctx)
    if why is not None:
        return why
    kinds = turn.values("pmo_type")
    if kinds and not roles_named(kb, turn) and not courses_named(kb, turn):  # "and the centre of excellence one?"
        return pmo_types(kb, turn, ctx)
    item = mentioned_item(turn, ctx)
    if item:
        kind, name = item.split(":", 1)
        if kind == "course":
            carried = ctx.attribute if ctx.topic == "ask_course" or elliptical(turn) else None
            asked_now = attribute_of(turn, COURSE_ATTRIBUTES)  # "and the other one, how long is it?"
            reply, new = about_course(kb, ctx, name, asked_now or (carried if carried in COURSE_ATTRIBUTES else None))
            return Outcome([reply], new)
        as_named = Turn(turn.intent, (*turn.entities, {"entity": "role", "value": name}), turn.text)
        if turn.words & dialogue_words().course_words:  # "which course for the second one?" after a comparison
            return recommend_course(kb, as_named, replace(ctx, role=name))
        return describe_role(kb, Turn(turn.intent, ({"entity": "role", "value": name},), turn.text), ctx)
    roles = roles_named(kb, turn)
    carried = attribute_of(turn, COURSE_ATTRIBUTES) or (ctx.attribute if ctx.attribute in COURSE_ATTRIBUTES else None)
    if courses_named(kb, turn) or turn.values("course_family"):
        return course_question(kb, with_attribute(turn, carried), ctx)
    partial = partial_course(kb, ctx, turn) if turn.words & {"practitioner", "foundation"} else None
    current = kb.course_named(str(context_course(kb, ctx) or ""))
    if partial and current is not None and current.level is not None and not turn.values("course_family"):
        reply, new = about_course(kb, ctx, partial, carried)  # "and the practitioner?" after an Essentials course
        return Outcome([reply], new)
    sibling = sibling_course(kb, ctx, turn) if ctx.topic in ("course", "recommendation") else None
    if sibling:
        reply, new = about_course(kb, ctx, sibling, carried)
        return Outcome([reply], new)
    if roles and ctx.topic == "role" and ctx.attribute in ROLE_ATTRIBUTES and not turn.values("attribute"):
        return describe_role(kb, with_attribute(turn, ctx.attribute), ctx)  # "and the director?" after skills
    if roles and turn.words & {"which", "what"} and turn.words & {"one", "course", "training"}:
        named = Turn(turn.intent, (*turn.entities, {"entity": "asking_for", "value": "other"}), turn.text)
        return recommend_course(kb, named, ctx)  # "fine. the coordinators then, which one exactly?"
    if roles:
        if ctx.topic == "compare":
            return compare(kb, turn, ctx)
        if ctx.topic in ("catalogue", "course", "family", "ask_course"):  # "the managers one"
            course = course_for_level(kb, kb.role(roles[0].role).level)
            reply, new = about_course(kb, ctx, course.name, carried if ctx.topic != "catalogue" else None)
            return Outcome([reply], new)
        if ctx.topic == "recommendation":
            return recommend_course(kb, Turn("inform_experience", turn.entities, turn.text), ctx)
        if ctx.topic == "career":
            return career_path(kb, turn, ctx)
        return describe_role(kb, turn, ctx)
    attribute = attribute_of(turn, COURSE_ATTRIBUTES + ROLE_ATTRIBUTES)
    wants_next = attribute == "next" or (
        attribute not in ("dates", "price") and bool(turn.words & {"next", "after", "afterwards"})
    )  # "when is the next one running?" asks for a date
    if ctx.topic == "recommendation" and ctx.level and ctx.level < 4 and says(turn, dialogue_words().moving_up):
        following = kb.role_at_level(ctx.level + 1)  # "what's the next step up from that?"
        return career_path(kb, Turn(turn.intent, ({"entity": "role", "value": following.name},), turn.text), ctx)
    if ctx.course and attribute in COURSE_ATTRIBUTES and _pointed_course_words(turn):
        reply, new = about_course(kb, ctx, ctx.course, attribute)  # "a next step for them after that course?"
        return Outcome([reply], new)
    if ctx.topic in COURSE_TOPICS and context_course(kb, ctx):
        target = str(context_course(kb, ctx))
        family = kb.family_named(target[7:]) if target.startswith("family:") else None
        if family is not None and wants_next:
            target = kb.course(family.courses[0]).name
        reply, new = about_course(kb, ctx, target, "next" if wants_next else attribute)
        return Outcome([reply], new)
    if ctx.role and ctx.topic in ("role", "compare", "career"):
        role = kb.role(ctx.role)
        if turn.words & dialogue_words().course_words and not wants_next:  # "and the course for that?"
            return recommend_course(kb, Turn("ask_course_recommendation", turn.entities, turn.text + " them"), ctx)
        if wants_next:
            if role.level < 4:
                return career_path(
                    kb, Turn(turn.intent, ({"entity": "role", "value": kb.role_at_level(role.level + 1).name},)), ctx
                )
            return Outcome(
                [
                    Reply(
                        f"{role.name} is the top of the PMO career path.",
                        [answers.button("Which course suits this role?", "ask_course_recommendation", role=role.name)],
                        kind=f"career:{role.level}",
                    )
                ],
                ctx,
            )
        detail = attribute if attribute in ROLE_ATTRIBUTES else "duties"
        return Outcome([answers.role_detail(kb, role.name, detail)], replace(ctx, topic="role"))
    if ctx.topic == "catalogue" or ctx.topic == "ask_course":
        return Outcome([answers.which_course(kb)], ctx)
    if states_work(turn, ctx):  # "no wait, it's for her deputy, who runs the main portfolio office"
        return recommend_course(kb, Turn("inform_experience", turn.entities, turn.text), ctx)
    return Outcome([answers.what_about(kb)], ctx)


def fallback(kb: KnowledgeBase, turn: Turn, ctx: Context) -> Outcome:
    """NLU was not sure what was asked: say what was understood and offer the closest help.

    (The guards have already answered a declined topic, a certification or a job
    that is not a PMO role.)
    """
    why = _why(kb, turn, ctx)
    if why is not None:
        return why
    roles = roles_named(kb, turn)
    courses = courses_named(kb, turn)
    evidence = visitor_evidence(kb, turn)
    if roles and not courses and re.search(r"\bwhat (would|does|do|will)\b.*\bdo\b\W*$", turn.text.lower()):
        return describe_role(kb, with_attribute(turn, "duties"), ctx)  # "what would a new PMO administrator do?"
    if roles and attribute_of(turn, ROLE_ATTRIBUTES) and not courses:  # "what would I do day to day as an analyst?"
        return describe_role(kb, turn, ctx)
    if attribute_of(turn, ("price", "dates")) and not roles:  # "rough price, ballpark?"
        return course_question(kb, turn, ctx)
    about_a_course = about_course_asked(kb, turn, ctx)
    if about_a_course is not None:  # "the analyst one, is it live or recorded?"
        return about_a_course
    attribute = attribute_of(turn, COURSE_ATTRIBUTES + ROLE_ATTRIBUTES)
    if (
        not roles
        and ctx.role
        and (
            says(turn, dialogue_words().thats_me)
            or (turn.words & dialogue_words().course_words and turn.words & dialogue_words().back_references)
        )
    ):
        return recommend_course(kb, Turn("ask_course_recommendation", turn.entities, turn.text), ctx)
    if not roles and not courses:  # "what skills do you need for it": the context says what "it" is
        if mentioned_item(turn, ctx) and turn.values("mention"):
            return follow_up(kb, turn, ctx)
        if attribute in COURSE_ATTRIBUTES and ctx.topic in (*COURSE_TOPICS, "ask_course"):
            return course_question(kb, turn, ctx)
        if attribute in ROLE_ATTRIBUTES and ctx.role:
            return describe_role(kb, turn, ctx)
        if attribute == "next" and ctx.topic in ("role", "compare", "career"):
            return follow_up(kb, turn, ctx)
    if (evidence.roles or evidence.cues or turn.values("background")) and turn.words & (
        dialogue_words().course_words | dialogue_words().advice_words
    ):
        return recommend_course(kb, Turn("inform_experience", turn.entities, turn.text), ctx)
    if roles:
        role = roles[0].role
        reply = Reply(
            f"I'm not sure what you'd like to know about the {role} role. Is it one of these?",
            [
                answers.button(f"What a {role} does", "ask_role_description", role=role),
                answers.button("Which course suits this role?", "ask_course_recommendation", role=role),
                answers.button("Career path", "ask_career_path", role=role),
            ],
            kind="clarify",
        )
        return Outcome([reply], ctx)
    if courses and attribute_of(turn, COURSE_ATTRIBUTES):  # "do I really need to sit P3O Foundation first?"
        return course_question(kb, turn, ctx)
    if courses:
        course = courses[0]
        reply = Reply(
            f"I'm not sure what you'd like to know about {course.name}. Is it one of these?",
            answers.course_buttons(course),
            kind="clarify",
        )
        return Outcome([reply], ctx)
    if ctx.topic == "certification":  # "so what do you offer instead?"
        return Outcome(
            [answers.pmo_routes(kb)],
            replace(ctx, topic="catalogue", listed=tuple(f"course:{c.name}" for c in kb.courses)),
        )
    if states_work(turn, ctx):  # "he's a programme support officer, 4 years in": facts that refine the suggestion
        return recommend_course(kb, Turn("inform_experience", turn.entities, turn.text), ctx)
    if fits_around(turn):  # "can we do it around shifts?"
        return training_options(kb, turn, ctx)
    if names_pmo(turn):  # a PMO message we could not place: one short question, never "outside"
        return Outcome([answers.clarify_pmo(kb, [])], ctx)
    return Outcome([answers.did_not_understand(kb)], ctx)
