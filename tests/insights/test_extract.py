"""From Rasa's events to counted facts: the outcome of a turn comes from the action that answered it."""

from typing import Any, Dict, List, Tuple

from bot.insights.extract import FALLBACK, OUT_OF_SCOPE, Extractor, Feedback, Message, Recommendation
from tests.insights.rasa_events import Conversation

START = 1_796_000_000.0  # 2026-11-30 00:53 UTC


def rows(conversation: Conversation, first_id: int = 1) -> List[Tuple[Any, ...]]:
    return [
        (first_id + i, r["sender_id"], r["type_name"], r["timestamp"], r["action_name"], r["data"])
        for i, r in enumerate(conversation.rows)
    ]


def messages(extractor: Extractor) -> Dict[str, Message]:
    return {f.text: f for f in extractor.facts if isinstance(f, Message)}


def test_outcomes_mentions_recommendation_and_feedback():
    c = Conversation("a", START)
    c.turn("what does a PMO analyst do?", "ask_role_description", "action_describe_role", [("role", "PMO Analyst")])
    c.turn("tell me a joke", "out_of_scope", "action_out_of_scope")
    c.turn("hmm", "nlu_fallback", "action_fallback")
    c.turn("which course?", "ask_course_recommendation", "action_fallback")  # a core fallback: the policy's
    c.user("I'm brand new to PMO", "inform_experience")
    c.action("action_recommend_course")
    c.slot("recommended_course", "Essentials for PMO Administrators")
    c.slot("answer_feedback", {"rating": "down", "answer": "Call us on 020 7946 0958"})
    c.slot("answer_feedback", {"rating": "sideways", "answer": "ignored"})
    c.action("action_listen")
    extractor = Extractor()
    extractor.feed(rows(c))
    found = messages(extractor)
    assert found["what does a PMO analyst do?"].outcome == "answered"
    assert found["what does a PMO analyst do?"].mentions == [("role", "PMO Analyst")]
    assert found["tell me a joke"].outcome == OUT_OF_SCOPE
    assert found["hmm"].outcome == FALLBACK
    assert found["which course?"].outcome == FALLBACK
    assert found["I'm brand new to PMO"].day == "2026-11-30"
    assert [f.course for f in extractor.facts if isinstance(f, Recommendation)] == ["Essentials for PMO Administrators"]
    assert [(f.rating, f.answer) for f in extractor.facts if isinstance(f, Feedback)] == [
        ("down", "Call us on [phone]")
    ]
    assert not extractor.open and extractor.safe_id == len(c.rows)


def test_a_turn_not_yet_ended_holds_the_watermark_before_it():
    a, b = Conversation("a", START), Conversation("b", START)
    a.user("tell me a joke", "out_of_scope")  # the answer is not stored yet
    b.turn("hi", "greet", "utter_greet")
    extractor = Extractor()
    extractor.feed(rows(a) + rows(b, first_id=100))
    final, safe = extractor.take_final()
    assert safe == 4 - 1  # just before a's message (ids 1-3 are the session start)
    assert final == []  # b's message (id 103) is after it: counted next time, from the watermark
    extractor.close_stale(now=START + 3600)
    final, safe = extractor.take_final()
    assert sorted(f.text for f in final if isinstance(f, Message)) == ["hi", "tell me a joke"]


def test_masked_text_and_broken_json_do_not_stop_it():
    c = Conversation("a", START)
    c.turn("mail me at jo@example.com", "out_of_scope", "action_out_of_scope")
    broken = rows(c)
    broken.insert(0, (0, "a", "user", START, None, "{not json"))
    extractor = Extractor()
    extractor.feed(broken)
    texts = [f.text for f in extractor.facts if isinstance(f, Message)]
    assert texts == ["", "mail me at [email]"]
