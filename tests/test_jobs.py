"""The intent -> job -> action table (bot/jobs.py) and everything that must agree with it."""

import logging
from itertools import pairwise
from pathlib import Path

import pytest
import yaml
from rasa_sdk.executor import ActionExecutor

from actions.answers import class_name
from actions.common import AnswerAction
from bot.jobs import ACTION_OF_JOB, JOBS

ROOT = Path(__file__).resolve().parents[1]


def _load(name):
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def _pairs(steps):
    """(intent, the action right after it) for each intent step followed by an action."""
    for step, after in pairwise(steps):
        if "intent" in step and "action" in after:
            yield step["intent"], after["action"]


def test_each_job_action_and_intent_is_in_the_table_once():
    names = [job.name for job in JOBS]
    actions = [job.action for job in JOBS]
    intents = [intent for job in JOBS for intent in job.rule_intents]
    assert len(set(names)) == len(names) and len(set(actions)) == len(actions) and len(set(intents)) == len(intents)


def test_the_jobs_are_bot_dialogues():
    from bot.dialogue import JOBS as DIALOGUE_JOBS

    assert {job.name for job in JOBS} == set(DIALOGUE_JOBS)


@pytest.mark.parametrize("job", JOBS, ids=lambda job: job.name)
def test_each_intent_has_its_answer_rule(job):
    rules = {rule["rule"]: rule for rule in _load("data/rules.yml")["rules"]}
    for intent in job.rule_intents:
        rule = rules[f"answer {intent}"]
        assert "condition" not in rule
        assert rule["steps"][:2] == [{"intent": intent}, {"action": job.action}]


def test_rules_and_stories_give_each_intent_the_tables_action():
    """An unconditional rule or a story that answers an intent with an answering action uses the table's."""
    answering = set(ACTION_OF_JOB.values())
    flows = [r["steps"] for r in _load("data/rules.yml")["rules"] if "condition" not in r]
    flows += [s["steps"] for s in _load("data/stories.yml")["stories"]]
    pairs = {(intent, action) for steps in flows for intent, action in _pairs(steps) if action in answering}
    assert pairs and pairs <= {(intent, job.action) for job in JOBS for intent in job.rule_intents}


def test_every_table_action_is_in_the_domain(domain):
    assert set(ACTION_OF_JOB.values()) <= set(domain["actions"])


def test_the_executor_finds_one_action_per_row_with_its_job(domain, caplog):
    """What rasa-sdk registers from the actions package (as `rasa run actions` and bot.serving.inprocess do)."""
    executor = ActionExecutor()
    with caplog.at_level(logging.INFO, logger="rasa_sdk.executor"):
        executor.register_package("actions")
    assert not [r for r in caplog.records if r.getMessage().startswith("Re-registered")]  # one class per name
    assert set(executor.actions) == set(domain["actions"])
    for job in JOBS:
        action = executor.actions[job.action].__self__
        assert isinstance(action, AnswerAction) and action.job == job.name, job.name


def test_generated_classes_are_module_level_and_named_after_their_action():
    import actions.answers

    for job in JOBS:
        if job.action in actions.answers.BY_HAND:
            continue
        cls = getattr(actions.answers, class_name(job.action))
        assert cls.__module__ == "actions.answers" and cls.__qualname__ == class_name(job.action)
        assert cls().name() == job.action and cls.job == job.name
