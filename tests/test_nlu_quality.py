"""Quality gate on the held-out NLU sets (written apart from data/nlu.yml).

The figures themselves are reported by `make bench`; this only keeps them from
sliding below the targets unnoticed.
"""

import pytest

from benchmarks.understanding import evaluate
from tests.support.servers import MODEL

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scores():
    return evaluate(str(MODEL))


def test_intent_accuracy(scores):
    assert scores["intent"]["accuracy"] >= 0.95, scores["intent_errors"]


def test_role_entity(scores):
    assert scores["role"]["precision"] >= 0.95 and scores["role"]["recall"] >= 0.95, scores["role"]


def test_out_of_scope_rejected(scores):
    assert scores["out_of_scope"]["examples"] >= 100
    assert scores["out_of_scope"]["rejected"] >= 0.90, scores["out_of_scope_missed"]


def test_test_set_is_apart_from_training_data():
    import yaml
    from pathlib import Path

    def texts(path):
        data = yaml.safe_load(Path(path).read_text())
        lines = [l[2:] for block in data["nlu"] for l in block["examples"].splitlines() if l.startswith("- ")]
        return {" ".join(l.lower().split()) for l in lines}

    import re
    plain = lambda s: re.sub(r"\[([^\]]+)\]\{[^}]*\}", r"\1", s)
    test = {plain(t) for t in texts("tests/nlu/test_nlu.yml") | texts("tests/nlu/out_of_scope.yml")}
    train = texts("data/nlu.yml")
    overlap = test & train
    # A few one-word greetings ("hi", "bye") are bound to coincide; sentences must not.
    assert all(len(t.split()) <= 2 for t in overlap), sorted(overlap)
    assert len(overlap) <= 0.05 * len(test)
