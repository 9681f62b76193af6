"""A chatty message is understood by its question (bot.nlu.sentences)."""

from bot.nlu.sentences import focus, sentences


def parse(text, intent, confidence=0.9, entities=()):
    return {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "entities": list(entities),
    }


NURSE = (
    "Good morning! I've been a nurse on the wards for twelve years. A friend mentioned PMOs. "
    "Where on earth would someone like me start?"
)


def test_sentences():
    assert sentences(NURSE)[-1] == "Where on earth would someone like me start?"
    assert sentences("what does a pmo analyst do?") == []
    assert sentences('/greet{"a": 1}. hello there') == []


def test_the_clearest_pmo_question_wins_and_the_entities_stay():
    background = {"entity": "background", "value": "career_changer", "start": 24, "end": 29}
    whole = parse(NURSE, "out_of_scope", 0.7, [background])
    by_sentence = {
        "Where on earth would someone like me start?": parse("", "ask_career_path", 0.8),
        "A friend mentioned PMOs.": parse("", "ask_pmo_types", 0.55),
    }
    chosen = focus(whole, lambda text: by_sentence.get(text, parse(text, "greet", 0.99)))
    assert chosen["intent"]["name"] == "ask_career_path" and chosen["entities"] == [background]
    assert chosen["text"] == NURSE


def test_a_message_about_something_else_is_left_alone():
    whole = parse("I'm planning a party. Where can I hire a venue? It is for fifty people.", "out_of_scope")
    assert focus(whole, lambda text: parse(text, "ask_training_options", 0.95)) is whole


def test_a_confident_whole_message_is_left_alone():
    whole = parse("Hi. What does a PMO planner do?", "ask_role_description", 0.9)
    assert focus(whole, lambda text: parse(text, "greet")) is whole


def test_unsure_sentences_do_not_win():
    whole = parse("Hello there. Tell me about PMO stuff maybe.", "greet", 0.8)
    assert focus(whole, lambda text: parse(text, "ask_pmo_types", 0.4)) is whole
