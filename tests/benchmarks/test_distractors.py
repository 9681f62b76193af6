"""benchmarks/distractors.py: the distractor variants of the conversation tests' first turns (pure)."""

from __future__ import annotations

from benchmarks import corpus, distractors
from benchmarks.distractors import BACKSTORIES, GREETING, TRAILING, generate, is_single_topic, variants


def _conversation(name: str, user: str, **checks) -> dict:
    return {"name": name, "turns": [{"user": user, **checks}, {"user": "and then?", "expect": ["x"]}]}


def test_three_variants_of_one_question() -> None:
    found = variants("c", {"user": "what does a pmo analyst do", "expect": ["PMO Analyst"]}, 0)
    by_kind = {d.kind: d for d in found}
    assert set(by_kind) == {"greeting", "backstory", "trailing"}
    assert by_kind["greeting"].messages == (GREETING, "what does a pmo analyst do")  # a turn of its own
    assert by_kind["backstory"].messages == (f"{BACKSTORIES[0]} what does a pmo analyst do",)  # one message
    assert by_kind["trailing"].messages == (f"what does a pmo analyst do? {TRAILING}",)
    assert all(d.question == "what does a pmo analyst do" and d.source == "c" for d in found)
    assert all(d.checks == {"expect": ["PMO Analyst"]} for d in found)


def test_trailing_sentence_keeps_the_question_apart() -> None:
    assert variants("c", {"user": "how long is it?", "expect": ["x"]}, 0)[2].messages[0].startswith("how long is it? ")
    told = variants("c", {"user": "tell me about p3o", "expect": ["x"]}, 0)[2].messages[0]
    assert told == f"tell me about p3o. {TRAILING}"


def test_only_checks_are_copied() -> None:
    turn = {"user": "q", "expect": ["a"], "not": ["b"], "buttons": ["c"], "allow_decline": True, "note": "x"}
    assert variants("c", turn, 0)[0].checks == {"expect": ["a"], "not": ["b"], "buttons": ["c"], "allow_decline": True}


def test_two_questions_in_one_message_and_greetings_are_not_single_topic() -> None:
    assert is_single_topic(_conversation("a", "what's a pmo lead"))
    assert not is_single_topic(_conversation("b", "what's a scheduler and which course?", order=["x", "y"]))
    assert not is_single_topic(_conversation("c", "hi there"))
    assert not is_single_topic({"name": "d", "turns": []})


def test_backstories_are_taken_in_turn() -> None:
    conversations = [_conversation(f"c{i}", f"question {i}?", expect=["x"]) for i in range(len(BACKSTORIES) + 1)]
    backstory = [d.messages[0] for d in generate(conversations) if d.kind == "backstory"]
    assert [b.split(" question")[0] for b in backstory] == [*BACKSTORIES, BACKSTORIES[0]]


def test_backstories_name_pmo_and_other_jobs() -> None:
    text = " ".join(BACKSTORIES).lower()
    for pmo_title in ("head of pmo", "pmo analyst", "pmo director", "project support officer", "pmo lead"):
        assert pmo_title in text
    for other in ("nurse", "chef", "programme manager"):
        assert other in text


def test_every_single_topic_conversation_of_the_tests_is_used() -> None:
    data = corpus.load_distractors()
    conversations = corpus.yaml.safe_load(corpus.CONVERSATIONS_FILE.read_text())["conversations"]
    single = [c for c in conversations if distractors.is_single_topic(c)]
    assert len(single) >= 40
    assert len(data) == 3 * len(single)
    assert {d.source for d in data} == {c["name"] for c in single}
    assert all(d.checks for d in data), "every variant has the original turn's checks"
