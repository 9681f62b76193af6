"""A chatty message is understood by its question (bot.nlu.sentences)."""

from bot.nlu.sentences import asks_for_a_person, focus, sentences, the_question


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


def test_the_one_question_of_a_backstory_decides_when_the_whole_reads_as_a_statement():
    text = "I run the PMO for a housing group. Two years now. How is a PMO Manager different from a PMO Director?"
    whole = parse(text, "inform_experience", 0.95)
    chosen = focus(whole, lambda t: parse(t, "compare_roles", 0.9) if t.endswith("?") else parse(t, "greet"))
    assert chosen["intent"]["name"] == "compare_roles" and chosen["text"] == text


def test_the_question_does_not_decide_when_unsure_or_when_the_whole_is_a_specific_question():
    text = "I run the PMO for a housing group. Two years now. What next for me?"
    unsure = focus(parse(text, "inform_experience"), lambda t: parse(t, "ask_course_recommendation", 0.6))
    assert unsure["intent"]["name"] == "inform_experience"
    specific = focus(parse(text, "ask_course_recommendation"), lambda t: parse(t, "ask_training_options", 0.99))
    assert specific["intent"]["name"] == "ask_course_recommendation"
    two = "I run a PMO. Which course? And is it online?"
    assert the_question(two) is None and the_question("Which course fits a PMO manager?") is None


def test_a_short_ask_for_a_person_is_a_request_for_the_team():
    chosen = focus(
        parse("great, thanks. who should I contact to get this booked?", "thank"), lambda t: parse(t, "greet")
    )
    assert chosen["intent"]["name"] == "request_human"
    detail = parse("what do I need before I can book it?", "ask_course_details", 0.9, [{"entity": "attribute"}])
    assert focus(detail, lambda t: parse(t, "greet"))["intent"]["name"] == "ask_course_details"


def test_a_quote_for_everything_is_a_request_for_the_team() -> None:
    assert asks_for_a_person("lovely, could you send me a quote for everything?")
