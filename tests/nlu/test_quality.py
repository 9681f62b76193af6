"""Quality gate on the held-out NLU sets (written apart from data/).

The figures themselves are reported by `make bench`; this only keeps them from
sliding below the targets unnoticed.
"""

from pathlib import Path

import pytest

from benchmarks.understanding import evaluate
from harness.servers import MODEL
from tests.nlu.overlap import describe, nlu_examples, overlaps, questions, reportable, training_examples

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scores():
    return evaluate(str(MODEL))


# Re-baselined on 30 November 2026 with honest held-out sets (see the overlap test
# below): the 0.951 measured before came from a set in which 93 sentences were
# near-copies of training sentences. On the honest set, the model of that day
# scores 0.867 on the intents it knew; this one scores 0.906 on all of them,
# the eight new intents included (README, "Understanding").
INTENT_ACCURACY = 0.88


def test_intent_accuracy(scores):
    assert scores["intent"]["accuracy"] >= INTENT_ACCURACY, scores["intent_errors"]


def test_role_entity(scores):
    assert scores["role"]["precision"] >= 0.95 and scores["role"]["recall"] >= 0.95, scores["role"]


def test_out_of_scope_rejected(scores):
    assert scores["out_of_scope"]["examples"] >= 100
    assert scores["out_of_scope"]["rejected"] >= 0.95, scores["out_of_scope_missed"]


def test_test_set_is_apart_from_training_data():
    """No held-out sentence is a training sentence, exactly or nearly.

    Equal once normalised, or a near-duplicate once role titles and course names
    are placeholders (tests/nlu/overlap.py). Only one- and two-word messages
    ("hi", "bye", "thanks") may coincide.
    """
    held_out = [
        *nlu_examples(ROOT / "tests/nlu/test_nlu.yml"),
        *nlu_examples(ROOT / "tests/nlu/out_of_scope.yml"),
        *questions(ROOT / "tests/nlu/beyond_catalogue.yml"),
    ]
    found = reportable(overlaps(held_out, training_examples(ROOT / "data")))
    assert not found, f"{len({test for test, _, _ in found})} held-out sentences overlap data/:\n" + describe(found)
