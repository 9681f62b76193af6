"""From intent to job to action: the one table that says which answers which.

An answering turn goes intent -> job -> action: a rule in ``data/rules.yml`` answers
the intent with the action, and the action asks :func:`bot.dialogue.respond` for its
job. Each row below is one job, the Rasa action that asks for it and the intents
whose rule runs that action. Everything else reads it: ``actions/answers.py``
generates the answering actions from it, ``tests/test_jobs.py`` checks
``data/rules.yml``, the stories, ``domain.yml`` and :mod:`bot.dialogue` against it,
and ``benchmarks/beyond.py`` picks the job for a predicted intent from it.

Why a typed Python module and not a YAML file in ``bot/knowledge/``: these are names
in the code (Rasa actions, intents, :mod:`bot.dialogue`'s jobs), not facts the
assistant states, so mypy checks the rows, and the actions package builds its
classes from them at import with no file to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Tuple

__all__ = ["ACTION_OF_JOB", "JOBS", "JOB_OF_INTENT", "SIDE_QUESTION_JOBS", "Job"]


@dataclass(frozen=True)
class Job:
    """One job of :func:`bot.dialogue.respond` and the Rasa action that asks for it."""

    name: str
    action: str
    # Intents answered with this job wherever they come: by their rule in data/rules.yml
    # ("answer <intent>"), and as a side question inside the enquiry form
    # (bot.dialogue.digression_job).
    intents: Tuple[str, ...] = ()
    # Intents answered with this job by their rule only, never inside a form: a
    # statement, an unsure or off-topic reading, "what can you do?".
    outside_forms: Tuple[str, ...] = ()
    # What the action is for, when its name does not say it all (the class's docstring).
    doc: str = ""

    @property
    def rule_intents(self) -> Tuple[str, ...]:
        """Every intent whose rule in data/rules.yml runs the action."""
        return self.intents + self.outside_forms


JOBS: Tuple[Job, ...] = (
    Job("describe_role", "action_describe_role", ("ask_role_description",)),
    Job("compare", "action_compare_roles", ("compare_roles",)),
    Job("career_path", "action_explain_career_path", ("ask_career_path",)),
    Job(
        "recommend",
        "action_recommend_course",
        ("ask_course_recommendation",),
        ("inform_experience",),
        doc="Recommends at once when the user said enough, otherwise asks their level.",
    ),
    Job(
        "resume",
        "action_resume_recommendation",
        doc="After small talk while the level question is open, asks it again (rules with a condition).",
    ),
    Job("stop_recommendation", "action_stop_recommendation"),
    Job("course", "action_describe_course", ("ask_course_details",)),
    Job("course_list", "action_list_courses", ("ask_course_list",)),
    Job("follow_up", "action_follow_up", ("follow_up",)),
    Job(
        "training_options",
        "action_explain_training_options",
        ("ask_training_options",),
        doc="Answers; a question about in-house training or booking then opens an enquiry (see rules).",
    ),
    Job("pmo_types", "action_explain_pmo_types", ("ask_pmo_types",)),
    Job("free_resources", "action_explain_free_resources", ("ask_free_resources",)),
    Job("certification", "action_explain_certification", ("ask_certification",)),
    Job("entry_requirements", "action_explain_entry_requirements", ("ask_entry_requirements",)),
    Job("career_change", "action_advise_career_change", ("ask_career_change",)),
    Job("decline", "action_decline_topic", ("ask_beyond_scope",)),
    Job(
        "fallback",
        "action_fallback",
        outside_forms=("nlu_fallback",),
        doc="NLU was unsure: answer what the entities allow, or ask to rephrase.",
    ),
    Job(
        "out_of_scope",
        "action_out_of_scope",
        outside_forms=("out_of_scope",),
        doc="Not a PMO question; a topic the assistant declines (salary...) is named as such.",
    ),
    Job("capabilities", "action_explain_capabilities", outside_forms=("ask_capabilities",)),
)

# The Rasa action of each job.
ACTION_OF_JOB: Dict[str, str] = {job.name: job.action for job in JOBS}
# The job a rule gives each intent it answers with an answering action.
JOB_OF_INTENT: Dict[str, str] = {intent: job.name for job in JOBS for intent in job.rule_intents}
# The job that answers each question intent asked inside the enquiry form.
SIDE_QUESTION_JOBS: Dict[str, str] = {intent: job.name for job in JOBS for intent in job.intents}
