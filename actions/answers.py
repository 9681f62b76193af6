"""The answering actions, one per row of :mod:`bot.jobs`, generated (decisions in bot.dialogue).

Each asks :func:`bot.dialogue.respond` for its job and sends the replies, so a class
per row written out would only repeat the table. Each generated class is a
module-level name spelt after its action (``action_describe_role`` ->
``ActionDescribeRole``), so rasa-sdk's executor finds it as it finds any ``Action``
subclass, and tests import it by name. An action that does more than answer is
written by hand in its feature's module and left out here (:data:`BY_HAND`).
"""

from __future__ import annotations

import types
from typing import Any, Dict, Type

from actions.common import AnswerAction
from bot.jobs import JOBS, Job

# Answering actions written by hand: training options may also open the enquiry form (actions/courses.py).
BY_HAND = frozenset({"action_explain_training_options"})


def class_name(action: str) -> str:
    """``action_explain_pmo_types`` -> ``ActionExplainPmoTypes``."""
    return "".join(part.capitalize() for part in action.split("_"))


def answer_action(job: Job) -> Type[AnswerAction]:
    """A module-level :class:`AnswerAction` subclass for one row of the table."""
    name = class_name(job.action)

    def body(namespace: Dict[str, Any]) -> None:
        namespace.update(
            __module__=__name__, __qualname__=name, __doc__=job.doc or None, action_name=job.action, job=job.name
        )

    return types.new_class(name, (AnswerAction,), exec_body=body)


for _job in JOBS:
    if _job.action not in BY_HAND:
        globals()[class_name(_job.action)] = answer_action(_job)
del _job
