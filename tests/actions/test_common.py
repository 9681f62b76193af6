"""actions/common.py: two questions of one message answered by the same reply say it once."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import answer, said_for_this_message
from bot.answers import describe_course
from bot.knowledge_base import default_knowledge_base

KB = default_knowledge_base()
SAID = describe_course(KB, KB.course_named("Essentials for PMO Analysts")).text  # what "who is it for?" gets


def tracker(events: List[Dict[str, Any]], text: str) -> Tracker:
    return Tracker(
        sender_id="clauses",
        slots={"context_course": "Essentials for PMO Analysts", "context_topic": "course"},
        latest_message={"text": text, "intent": {"name": "ask_course_details", "confidence": 1.0}, "entities": []},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def user(text: str, message_id: str) -> Dict[str, Any]:
    return {"event": "user", "text": text, "message_id": message_id}


def bot(text: str) -> Dict[str, Any]:
    return {"event": "bot", "text": text}


def test_the_second_question_of_a_message_does_not_repeat_the_first_ones_reply():
    events = [user("tell me about it", "abc123"), bot(SAID), user("and who is it for?", "abc123-1")]
    assert said_for_this_message(tracker(events, "and who is it for?")) == {SAID}
    dispatcher = CollectingDispatcher()
    answer(dispatcher, tracker(events, "and who is it for?"), "course")
    assert SAID not in [m["text"] for m in dispatcher.messages]


def test_a_new_message_may_say_it_again():
    events = [user("tell me about it", "abc123"), bot(SAID), user("who is it for?", "def456")]
    assert said_for_this_message(tracker(events, "who is it for?")) == set()
    dispatcher = CollectingDispatcher()
    answer(dispatcher, tracker(events, "who is it for?"), "course")
    assert SAID in [m["text"] for m in dispatcher.messages]


def test_a_later_part_not_understood_after_an_answer_is_not_called_out_of_scope():
    events = [user("who certifies it", "abc123"), bot(SAID), user("and the thing with the lead times", "abc123-1")]
    dispatcher = CollectingDispatcher()
    answer(dispatcher, tracker(events, "and the thing with the lead times"), "out_of_scope")
    texts = [m["text"] for m in dispatcher.messages]
    assert len(texts) == 1 and "last part of your message" in texts[0] and "outside what I can help" not in texts[0]
    alone = [user("and the thing with the lead times", "xyz789")]
    dispatcher = CollectingDispatcher()
    answer(dispatcher, tracker(alone, "and the thing with the lead times"), "out_of_scope")
    assert "outside what I can help" in dispatcher.messages[0]["text"], "a message of its own keeps the plain answer"
