"""benchmarks/corpus.py, its pure parts: the format check, the verdict on a turn, the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import corpus
from benchmarks.corpus import Corpus, Exchange, Job, judge
from benchmarks.distractors import Distractor


def say(*texts: str, buttons: int = 0) -> list:
    """A REST reply: one message per text; the last one gets ``buttons`` buttons."""
    messages = [{"recipient_id": "x", "text": text} for text in texts]
    if buttons:
        messages[-1]["buttons"] = [{"title": f"Choice {i}", "payload": f"/p{i}"} for i in range(buttons)]
    return messages


# ---------------------------------------------------------------- the verdict on one turn


def test_expect_expect_any_and_not() -> None:
    checks = {"expect": ["Essentials for PMO Analysts"], "expect_any": ["3 days", "pmolearning.co.uk"], "not": ["£"]}
    assert judge(checks, say("I'd recommend essentials for pmo analysts. See pmolearning.co.uk")).passed
    assert not judge(checks, say("I'd recommend Essentials for PMO Analysts.")).passed
    assert not judge(checks, say("Essentials for PMO Analysts, 3 days, £900")).passed
    verdict = judge(checks, say("Essentials for PMO Managers, 3 days"))
    assert not verdict.passed and verdict.problems == ["expected 'Essentials for PMO Analysts'"]


def test_typographic_apostrophes_match_plain_ones() -> None:
    assert judge({"expect": ["it's open book"]}, say("Yes, it\u2019s open book.")).passed


def test_a_wrong_course_is_confidently_wrong() -> None:
    checks = {"expect": ["Essentials for PMO Administrators"], "wrong": ["Essentials for PMO Directors"]}
    verdict = judge(checks, say("I'd recommend Essentials for PMO Directors."))
    assert not verdict.passed and verdict.confidently_wrong
    assert judge(checks, say("Essentials for PMO Directors", "Which is closer to you?", buttons=2)).confidently_wrong


def test_a_clarifying_question_is_not_confidently_wrong_but_fails_without_clarify_ok() -> None:
    checks = {"expect": ["Essentials for PMO Analysts"], "wrong": ["PMO Director"]}
    question = say("Is that closer to a PMO Analyst or a PMO Director?", buttons=2)
    verdict = judge(checks, question)
    assert verdict.clarifying and not verdict.confidently_wrong and not verdict.passed


def test_clarify_ok_passes_a_clarifying_question_without_wrong_strings() -> None:
    checks = {"expect": ["Essentials for PMO Analysts"], "wrong": ["PMO Director"], "clarify_ok": True}
    assert judge(checks, say("Thanks!", "Which of these is closest to what you do now?", buttons=3)).passed
    assert not judge(checks, say("Is that closer to a PMO Analyst or a PMO Director?", buttons=2)).passed
    assert not judge(checks, say("Which of these is closest to what you do now?")).passed, "no buttons"
    assert not judge(checks, say("Pick one.", buttons=3)).passed, "no question"
    assert judge(checks, say("Essentials for PMO Analysts fits.")).passed, "a right answer also passes"


def test_a_fallback_is_never_a_clarifying_question() -> None:
    checks = {"expect": ["x"], "clarify_ok": True}
    fallback = say("Sorry, I didn't quite understand that. Could you say it another way?", buttons=3)
    assert not judge(checks, fallback).clarifying and not judge(checks, fallback).passed


def test_a_fallback_fails_unless_a_decline_is_wanted() -> None:
    reply = say("Sorry, that's outside what I can help with. I'm here for PMO roles.")
    assert not judge({"expect_any": ["PMO"]}, reply).passed
    assert judge({"expect_any": ["PMO"], "allow_decline": True}, reply).passed
    assert judge({"decline": True}, reply).passed


def test_decline_wants_a_polite_decline() -> None:
    assert judge({"decline": True}, say("I'm sorry, I can\u2019t advise on salaries. I can explain PMO roles.")).passed
    assert not judge({"decline": True}, say("A PMO Analyst earns well.")).passed
    assert not judge({"decline": True}, say("Sorry, I didn't quite understand that.")).passed
    assert not judge({"decline": True, "expect": ["team"]}, say("I can't advise on that.")).passed


def test_the_channel_apology_always_fails() -> None:
    apology = say("Sorry, I can't answer that right now because of a problem on my side.")
    assert not judge({"decline": True}, apology).passed
    assert not judge({"expect": ["sorry"], "allow_decline": True}, apology).passed
    assert not judge({"expect": ["x"], "clarify_ok": True}, []).passed


def test_order_and_buttons_of_the_conversation_tests() -> None:
    reply = say("A PMO Analyst does planning. The course is Essentials for PMO Analysts.", buttons=2)
    assert judge({"order": ["PMO Analyst", "Essentials for PMO Analysts"]}, reply).passed
    assert not judge({"order": ["Essentials for PMO Analysts", "PMO Analyst does"]}, reply).passed
    assert judge({"expect": ["planning"], "buttons": [["choice 1", "/p1"]]}, reply).passed
    assert not judge({"expect": ["planning"], "buttons": ["choice 7"]}, reply).passed


# ---------------------------------------------------------------- the format


def _good() -> Corpus:
    return Corpus(
        first_messages=[{"id": "a001", "source": "reddit", "text": "which course?", "expect": ["x"]}],
        conversations=[
            {
                "id": "ac01",
                "source": "quora",
                "turns": [
                    {"user": "hi", "expect_any": ["a", "b"]},
                    {"user": "b", "decline": True},
                    {"user": "c", "expect": ["d"], "wrong": ["e"], "clarify_ok": True, "why": "f"},
                ],
            }
        ],
    )


def test_a_well_formed_corpus_has_no_problems() -> None:
    assert corpus.schema_problems(_good()) == []


@pytest.mark.parametrize(
    "breaks, expected",
    [
        (lambda c: c.first_messages[0].pop("source"), "first message a001: needs source"),
        (lambda c: c.first_messages[0].pop("expect"), "first message a001: needs expect, expect_any or decline"),
        (lambda c: c.first_messages[0].update(expects=["x"]), "first message a001: unknown keys ['expects']"),
        (lambda c: c.first_messages[0].update(wrong="x"), "first message a001: wrong must be a non-empty list"),
        (lambda c: c.first_messages[0].update(decline="yes"), "first message a001: decline must be true or false"),
        (lambda c: c.conversations[0].update(id="a001"), "ids used more than once: ['a001']"),
        (lambda c: c.conversations[0]["turns"].pop(), "conversation ac01: needs 3 to 6 turns"),
        (lambda c: c.conversations[0]["turns"][1].pop("user"), "conversation ac01, turn 2: needs user"),
    ],
)
def test_each_format_problem_is_named(breaks, expected: str) -> None:
    broken = _good()
    breaks(broken)
    assert any(p.startswith(expected) for p in corpus.schema_problems(broken)), corpus.schema_problems(broken)


def test_load_file_names_the_file_it_cannot_read(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "first_messages.yml").write_text("messages:\n  - id: a001\n    text: [unclosed\n")
    with pytest.raises(ValueError, match="first_messages.yml"):
        corpus.load_corpus(tmp_path)
    (tmp_path / "a" / "first_messages.yml").write_text("conversations: []\n")
    with pytest.raises(ValueError, match="no top-level 'messages:'"):
        corpus.load_corpus(tmp_path)


def test_load_corpus_reads_every_writer(tmp_path: Path) -> None:
    for writer in ("a", "b"):
        (tmp_path / writer).mkdir()
        (tmp_path / writer / "first_messages.yml").write_text(
            f"# writer {writer}\nmessages:\n  - id: {writer}001\n    source: s\n    text: one two three\n"
            "    expect: [x]\n"
        )
    (tmp_path / "b" / "conversations.yml").write_text("conversations: []\n")
    loaded = corpus.load_corpus(tmp_path)
    assert [m["id"] for m in loaded.first_messages] == ["a001", "b001"] and len(loaded.files) == 3
    assert corpus.median_words(["one two", "one two three four", "a b c d e f"]) == 4.0


# ---------------------------------------------------------------- the report


def _exchange(text: str, *replies: str, seconds: float = 0.1, buttons: int = 0) -> Exchange:
    return Exchange(text, say(*replies, buttons=buttons), seconds)


def test_summarise_counts_each_set_apart() -> None:
    loaded = Corpus(
        first_messages=[
            {"id": "a001", "text": "one two three", "expect": ["Analysts"], "wrong": ["Directors"]},
            {"id": "a002", "text": "one two three four five", "expect": ["Managers"]},
        ],
        conversations=[{"id": "ac01", "turns": [{"user": "q1", "expect": ["a"]}, {"user": "q2", "expect": ["b"]}]}],
    )
    distractors = [
        Distractor("c / greeting", "c", "greeting", "q?", ("hi there", "q?"), {"expect": ["yes"]}),
        Distractor("c / trailing", "c", "trailing", "q?", ("q? Sorry.",), {"expect": ["yes"]}),
    ]
    jobs = corpus.jobs_for(loaded, distractors)
    kinds = ["first_message", "first_message", "conversation", "plain", "distractor", "distractor"]
    assert [j.kind for j in jobs] == kinds
    exchanges = [
        [_exchange("one two three", "Essentials for PMO Directors")],
        [_exchange("one...", "Essentials for PMO Managers", seconds=0.3)],
        [_exchange("q1", "a"), _exchange("q2", "not it")],
        [_exchange("q?", "yes, the answer")],
        [_exchange("hi there", "Hello!"), _exchange("q?", "yes, the answer")],
        [_exchange("q? Sorry.", "yes, but another answer")],
    ]
    result = corpus.summarise(jobs, exchanges, loaded)
    assert result["first_messages"] == {"total": 2, "passed": 1, "rate": 0.5, "median_words": 4.0}
    assert result["conversations"]["total"] == 1 and result["conversations"]["passed"] == 0
    assert result["turns"] == {"total": 2, "passed": 1, "rate": 0.5}
    assert result["confidently_wrong"] == {"count": 1, "ids": ["a001"]}
    d = result["distractors"]
    assert (d["questions"], d["total"], d["passed_checks"], d["same_reply"], d["passed"]) == (1, 2, 2, 1, 1)
    assert d["by_kind"]["greeting"] == {"total": 1, "passed": 1} and d["by_kind"]["trailing"]["passed"] == 0
    assert result["latency_ms"]["requests"] == 8 and result["latency_ms"]["p50"] == 100.0
    assert [r["id"] for r in result["rows"] if r["kind"] == "conversation"] == ["ac01 turn 1", "ac01 turn 2"]

    report = corpus.failures_report(result)
    assert "CONFIDENTLY WRONG (1): a001" in report and "-- a001 [CONFIDENTLY WRONG]" in report
    assert "-- ac01 turn 2" in report and "user: q2" in report and "not it" in report
    assert "-- c / trailing" in report and "not the plain question's reply" in report
    assert "-- a002" not in report and "-- c / greeting" not in report
    assert corpus.summary_line(result).startswith("corpus: first messages 1/2, conversations 0/1, turns 1/2")


def test_a_failed_request_fails_its_turn() -> None:
    loaded = Corpus(first_messages=[{"id": "a001", "text": "q", "expect": ["x"], "decline": True}])
    jobs = [Job("first_message", "a001", ["q"], [loaded.first_messages[0]])]
    result = corpus.summarise(jobs, [[Exchange("q", [], 60.0, "request failed: ReadTimeout")]], loaded)
    assert result["rows"][0]["passed"] is False and "request failed" in result["rows"][0]["problems"][0]
    assert result["latency_ms"]["requests"] == 0
