"""The gate on what real visitors write (issue 19): the corpus and the distractors.

The slow tests start one real action server and Rasa server for this module (as
test_context.py does) and run, once, every first message and conversation of
``benchmarks/corpus/*/`` and every distractor variant (benchmarks/distractors.py) over REST,
through ``benchmarks.corpus.evaluate``: no confidently wrong answer, and each pass rate at
least its gate in ``benchmarks/corpus/gates.yml``. A summary line is printed at the end of the
session; the readable list of failures goes to a file named there.

The fast tests (no servers) check the corpus itself: every file loads, every item follows the
format, ids are unique, the corpus is as big and its first messages as long as the gates ask,
and no message is a sentence of the training data (tests/nlu/overlap.py, as the held-out NLU
sets are checked).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import yaml

from benchmarks import corpus
from harness import servers
from tests.conversations import summary
from tests.nlu.overlap import describe, overlaps, reportable, training_examples

GATES: Dict[str, Any] = yaml.safe_load(corpus.GATES_FILE.read_text(encoding="utf-8"))
RATES = ("first_messages", "conversations", "turns", "distractors")
WORKERS = 2  # conversations at once: the server admits two messages at a time


# ---------------------------------------------------------------- the corpus itself (no servers)


def test_gates_file_is_complete() -> None:
    for key in ("min_first_messages", "min_conversations", "min_median_words"):
        assert isinstance(GATES.get(key), (int, float)) and GATES[key] > 0, key
    for key in RATES:
        assert isinstance(GATES.get(key), (int, float)) and 0 <= GATES[key] <= 1, key


def test_every_corpus_file_loads() -> None:
    files = corpus.corpus_files()
    assert files, f"no corpus files under {corpus.CORPUS_DIR}/<writer>/"
    for path in files:
        assert corpus.load_file(path), f"{path} is empty"


def test_every_item_follows_the_format() -> None:
    problems = corpus.schema_problems(corpus.load_corpus())
    assert not problems, "\n".join(problems)


def test_corpus_is_big_enough() -> None:
    loaded = corpus.load_corpus()
    assert (
        len(loaded.first_messages) >= GATES["min_first_messages"]
    ), f"{len(loaded.first_messages)} first messages, the gate wants {GATES['min_first_messages']}"
    assert (
        len(loaded.conversations) >= GATES["min_conversations"]
    ), f"{len(loaded.conversations)} conversations, the gate wants {GATES['min_conversations']}"


def test_first_messages_are_as_long_as_people_write() -> None:
    median = corpus.median_words([str(item["text"]) for item in corpus.load_corpus().first_messages])
    assert median >= GATES["min_median_words"], f"median {median:g} words"


@pytest.mark.parametrize("folder", [corpus.CORPUS_DIR, corpus.HELDOUT_DIR], ids=["corpus", "held-out"])
def test_corpus_is_apart_from_training_data(folder: Path) -> None:
    """No corpus or held-out message equals, or nearly copies, a training sentence of data/ (titles normalised)."""
    training = training_examples(servers.ROOT / "data")
    assert training, "no training sentences under data/"
    found = reportable(overlaps(corpus.corpus_texts(corpus.load_corpus(folder)), training))
    assert not found, f"{len({t for t, _, _ in found})} messages of {folder} overlap data/:\n" + describe(found)


# ---------------------------------------------------------------- against the real servers


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Dict[str, Any]]:
    if not servers.MODEL.exists():
        pytest.fail(f"no trained model at {servers.MODEL}: run `make train`")
    workdir = tmp_path_factory.mktemp("corpus")
    with corpus.servers_for(workdir, servers.MODEL) as url:
        figures = corpus.evaluate(url, corpus.load_corpus(), corpus.load_distractors(), WORKERS)
    failures = workdir / "corpus-failures.txt"
    failures.write_text(corpus.failures_report(figures), encoding="utf-8")
    summary.CORPUS.update(line=corpus.summary_line(figures), failures=str(failures))  # printed at the end
    figures["failures_file"] = str(failures)
    yield figures


def _failed(result: Dict[str, Any], kind: str) -> str:
    ids = [row["id"] for row in result["rows"] if row["kind"] == kind and not row["passed"]]
    return f"failed: {', '.join(ids[:40])}{' ...' if len(ids) > 40 else ''}; details in {result['failures_file']}"


@pytest.mark.slow
def test_no_confidently_wrong_answer(result: Dict[str, Any]) -> None:
    wrong = result["confidently_wrong"]
    assert wrong["count"] == 0, f"confidently wrong: {', '.join(wrong['ids'])}; details in {result['failures_file']}"


@pytest.mark.slow
def test_first_messages(result: Dict[str, Any]) -> None:
    figures = result["first_messages"]
    assert figures["total"] and figures["rate"] >= GATES["first_messages"], (
        f"{figures['passed']}/{figures['total']} passed; " + _failed(result, "first_message")
    )


@pytest.mark.slow
def test_conversations(result: Dict[str, Any]) -> None:
    figures = result["conversations"]
    assert figures["total"] and figures["rate"] >= GATES["conversations"], (
        f"{figures['passed']}/{figures['total']} passed; " + _failed(result, "conversation")
    )


@pytest.mark.slow
def test_conversation_turns(result: Dict[str, Any]) -> None:
    figures = result["turns"]
    assert figures["total"] and figures["rate"] >= GATES["turns"], (
        f"{figures['passed']}/{figures['total']} passed; " + _failed(result, "conversation")
    )


@pytest.mark.slow
def test_distractors_get_the_plain_questions_answer(result: Dict[str, Any]) -> None:
    figures = result["distractors"]
    assert figures["questions"] and figures["plain_passed"] == figures["questions"], (
        "a plain question fails its own checks: " + _failed(result, "plain")
    )
    assert figures["rate"] >= GATES["distractors"], (
        f"{figures['passed']}/{figures['total']} variants pass the checks and give the plain reply "
        f"(checks {figures['passed_checks']}, same reply {figures['same_reply']}); "
        + _failed(result, "distractor")
        + "; variants with another reply: "
        + ", ".join(row["id"] for row in result["rows"] if row["kind"] == "distractor" and not row["same_reply"])
    )
