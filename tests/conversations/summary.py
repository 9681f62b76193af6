"""Summaries of the conversation tests and of the corpus gate at the end of the pytest session.

Printed after pytest's own summary whenever any of them ran, e.g.
``conversations (tests/conversations): 52 conversations, 50 passed, 2 failed; 201/207 turns as expected``.
A plugin of the root conftest (``pytest_plugins``), so that with pytest-xdist the controller, which
collects no test, prints them: the figures travel in each test report's ``user_properties``.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator

import pytest

_MARK = "tests/conversations/test_context.py::test_conversation["
_results: Dict[str, Dict[str, object]] = {}
# The corpus gate's summary line and failures file, set by tests/conversations/test_corpus.py's fixture
# (in the worker) and carried to the controller by the reports.
CORPUS: Dict[str, str] = {}
_corpus: Dict[str, str] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if CORPUS and report.when == "teardown" and not CORPUS.get("sent"):
        report.user_properties.append(("corpus_summary", dict(CORPUS)))
        CORPUS["sent"] = "yes"


def pytest_runtest_logreport(report) -> None:
    for key, value in report.user_properties:
        if key == "corpus_summary":
            _corpus.update(value)
    if _MARK not in report.nodeid.replace("\\", "/"):
        return
    name = report.nodeid.split("[", 1)[1].rsplit("]", 1)[0]
    entry = _results.setdefault(name, {"outcome": "passed", "turns": 0, "turns_passed": 0})
    properties = dict(report.user_properties)
    if "conversation_turns" in properties:
        entry["turns"] = properties["conversation_turns"]
        entry["turns_passed"] = properties["conversation_turns_passed"]
    if report.failed:
        entry["outcome"] = "failed"  # in setup (servers), the test or teardown
    elif report.skipped and entry["outcome"] == "passed":
        entry["outcome"] = "skipped"


def pytest_terminal_summary(terminalreporter) -> None:
    if _corpus:
        terminalreporter.write_sep("=", "corpus summary")
        terminalreporter.write_line(_corpus["line"])
        terminalreporter.write_line(f"  failures: {_corpus['failures']}")
    if not _results:
        return
    outcomes = [e["outcome"] for e in _results.values()]
    turns = sum(int(e["turns"]) for e in _results.values())
    turns_passed = sum(int(e["turns_passed"]) for e in _results.values())
    failed = sorted(name for name, e in _results.items() if e["outcome"] == "failed")
    line = (
        f"conversations (tests/conversations): {len(_results)} conversations, "
        f"{outcomes.count('passed')} passed, {len(failed)} failed"
    )
    if outcomes.count("skipped"):
        line += f", {outcomes.count('skipped')} skipped"
    if turns:
        line += f"; {turns_passed}/{turns} turns as expected"
    terminalreporter.write_sep("=", "conversation summary")
    terminalreporter.write_line(line)
    for name in failed:
        entry = _results[name]
        where = (
            f"turn {int(entry['turns_passed']) + 1} of {entry['turns']}" if entry["turns"] else "before the first turn"
        )
        terminalreporter.write_line(f"  failed: {name} ({where})")
