"""TensorFlow left out of the serving process (bot/serving/no_tensorflow.py), and its guards.

Each case runs in a fresh interpreter: the stand-ins must be installed before anything
imports TensorFlow, and this pytest process may already have the real one.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from bot.settings import load
from harness.servers import ROOT, base_env

pytestmark = pytest.mark.slow  # each test imports Rasa in a Python process of its own


def run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=base_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_rasa_imports_with_no_tensorflow_in_memory_and_this_pipeline_passes_the_check():
    done = run(
        """
        from bot.serving import no_tensorflow
        no_tensorflow.install()
        import bot.serving
        bot.serving.apply(bot.settings.load())
        import rasa.core.run, rasa.core.agent
        from rasa.core.policies.rule_policy import RulePolicy
        from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
        from bot.nlu.classifier import MLPIntentClassifier
        assert no_tensorflow.loaded() == [], no_tensorflow.loaded()
        maps = open("/proc/self/maps").read()
        assert "tensorflow" not in maps
        ours = [("rules", RulePolicy), ("fallback", FallbackClassifier), ("mlp", MLPIntentClassifier)]
        no_tensorflow.check_model(ours)
        import tensorflow as tf
        try:
            tf.constant(1)
        except no_tensorflow.TensorFlowLeftOut as error:
            print("refused:", error)
        """
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "refused: tensorflow.constant was called" in done.stdout, done.stdout


@pytest.mark.parametrize(
    "module, component",
    [
        ("rasa.nlu.classifiers.diet_classifier", "DIETClassifier"),
        ("rasa.core.policies.ted_policy", "TEDPolicy"),
        ("rasa.nlu.selectors.response_selector", "ResponseSelector"),
    ],
)
def test_a_model_that_needs_tensorflow_refuses_to_start(module, component):
    done = run(
        f"""
        from bot.serving import no_tensorflow
        no_tensorflow.install()
        from {module} import {component}
        no_tensorflow.check_model([("node", {component})])
        """
    )
    assert done.returncode != 0
    assert "the model needs TensorFlow" in done.stderr and "PMO_TENSORFLOW=on" in done.stderr, done.stderr[-2000:]


def test_tensorflow_imported_first_refuses_to_start():
    done = run(
        """
        import tensorflow
        from bot.serving import no_tensorflow
        no_tensorflow.install()
        """
    )
    assert done.returncode != 0 and "TensorFlow was imported before the patch" in done.stderr, done.stderr[-2000:]


@pytest.mark.parametrize("value, leave_out", [("", True), ("off", True), ("on", False), ("1", False)])
def test_pmo_tensorflow_keeps_it(value, leave_out):
    from bot.serving.no_tensorflow import wanted

    assert wanted(load({"PMO_TENSORFLOW": value})) is leave_out


def test_a_bad_pmo_tensorflow_is_refused():
    from bot.serving.no_tensorflow import wanted

    with pytest.raises(ValueError, match="PMO_TENSORFLOW"):
        wanted(load({"PMO_TENSORFLOW": "maybe"}))
