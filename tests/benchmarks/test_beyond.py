"""Questions beyond the catalogue, on the held-out set tests/nlu/beyond_catalogue.yml.

Each message goes through the trained model and the actions' own decision code
(benchmarks/beyond.py). At least 90 % must be answered on topic, and no answer
may be confidently wrong: no PMO role description, comparison or level 2-4
recommendation for a question about another job, a certification or a topic
the assistant declines, including every non-PMO job title in three phrasings.
"""

import pytest

from benchmarks.beyond import evaluate
from harness.servers import MODEL

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def result():
    return evaluate(str(MODEL))


def test_the_set_is_big_enough(result):
    assert result["questions"] >= 60 and result["non_pmo_titles"] >= 40 and result["off_topic_with_role"] >= 15


def test_answered_on_topic(result):
    assert result["on_topic"] >= 0.90, result["missed"]


def test_off_topic_questions_that_name_a_role_are_declined(result):
    assert result["off_topic_declined"] >= 0.90, result["missed"]


def test_never_confidently_wrong(result):
    assert result["confidently_wrong"] == []
