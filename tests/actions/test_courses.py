"""Course actions with a real Tracker and CollectingDispatcher."""

from rasa_sdk.events import SlotSet

from actions.answers import (
    ActionDescribeCourse,
    ActionExplainFreeResources,
    ActionExplainPmoTypes,
    ActionListCourses,
    ActionRecommendCourse,
    ActionStopRecommendation,
)
from actions.contact import ActionContactTeam
from actions.courses import ActionExplainTrainingOptions


def test_recommends_at_once_from_a_title(tracker, dispatcher, domain):
    t = tracker(
        "ask_course_recommendation", [{"entity": "role", "value": "PMO Analyst", "text": "project co-ordinator"}]
    )
    events = ActionRecommendCourse().run(dispatcher, t, domain)
    for expected in [
        SlotSet("pmo_level", 2.0),
        SlotSet("recommended_course", "Essentials for PMO Analysts"),
        SlotSet("context_course", "Essentials for PMO Analysts"),
    ]:
        assert expected in events
    assert SlotSet("awaiting_level", True) not in events
    assert dispatcher.messages[0]["text"].startswith(
        "Because you mentioned project co-ordinator, which is a level 2 PMO Analyst title, "
        "I'd recommend Essentials for PMO Analysts"
    )


def test_years_alone_get_one_clarifying_question(tracker, dispatcher, domain):
    events = ActionRecommendCourse().run(
        dispatcher, tracker("ask_course_recommendation", [{"entity": "years", "value": "8"}]), domain
    )
    assert SlotSet("awaiting_level", True) in events and not any(e["name"] == "pmo_level" for e in events)
    [message] = dispatcher.messages
    assert "8 years" in message["text"] and len(message["buttons"]) == 4


def test_a_cue_recommends_at_once(tracker, dispatcher, domain):
    events = ActionRecommendCourse().run(
        dispatcher, tracker("ask_course_recommendation", [{"entity": "experience", "value": "several_pmos"}]), domain
    )
    assert SlotSet("recommended_course", "Essentials for PMO Directors") in events


def test_correction_re_recommends(tracker, dispatcher, domain):
    t = tracker(
        "inform_experience",
        [{"entity": "role", "value": "PMO Manager", "text": "pmo manager"}],
        slots={"pmo_level": 2.0, "recommended_course": "Essentials for PMO Analysts"},
    )
    events = ActionRecommendCourse().run(dispatcher, t, domain)
    assert SlotSet("recommended_course", "Essentials for PMO Managers") in events


def test_known_level_is_reused_for_a_plain_question(tracker, dispatcher, domain):
    events = ActionRecommendCourse().run(
        dispatcher, tracker("ask_course_recommendation", slots={"pmo_level": 3.0}), domain
    )
    assert SlotSet("recommended_course", "Essentials for PMO Managers") in events


def test_forged_role_never_reaches_a_slot(tracker, dispatcher, domain):
    events = ActionRecommendCourse().run(
        dispatcher, tracker("inform_experience", [{"entity": "role", "value": "CEO"}]), domain
    )
    assert SlotSet("awaiting_level", True) in events and not any(e["name"] == "pmo_level" for e in events)


def test_stop_recommendation(tracker, dispatcher, domain):
    assert SlotSet("awaiting_level", False) in ActionStopRecommendation().run(
        dispatcher, tracker("deny", slots={"awaiting_level": True}), domain
    )
    assert dispatcher.messages[0]["text"].startswith("No problem")


def test_course_details_by_name_then_a_follow_up(tracker, dispatcher, domain):
    events = ActionDescribeCourse().run(
        dispatcher, tracker("ask_course_details", [{"entity": "course", "value": "P3O Practitioner"}]), domain
    )
    assert dispatcher.messages[0]["text"].startswith("P3O Practitioner is for PMO Managers")
    assert SlotSet("context_course", "P3O Practitioner") in events
    t = tracker(
        "ask_course_details",
        [{"entity": "attribute", "value": "prerequisites"}],
        text="any prerequisites?",
        slots={"context_course": "P3O Practitioner", "context_topic": "course"},
    )
    ActionDescribeCourse().run(dispatcher, t, domain)
    assert "you must pass P3O Foundation first" in dispatcher.messages[1]["text"]


def test_course_details_from_a_role(tracker, dispatcher, domain):
    ActionDescribeCourse().run(
        dispatcher, tracker("ask_course_details", [{"entity": "role", "value": "PMO Director"}]), domain
    )
    assert dispatcher.messages[0]["text"].startswith(
        "Essentials for PMO Directors is for new and aspiring PMO Directors."
    )


def test_course_details_fall_back_to_the_recommended_course(tracker, dispatcher, domain):
    ActionDescribeCourse().run(
        dispatcher, tracker("ask_course_details", slots={"recommended_course": "P3O Foundation"}), domain
    )
    assert dispatcher.messages[0]["text"].startswith("P3O Foundation is for")


def test_course_details_without_a_course_offer_a_choice(tracker, dispatcher, domain):
    ActionDescribeCourse().run(dispatcher, tracker("ask_course_details"), domain)
    assert len(dispatcher.messages[0]["buttons"]) == 7
    ActionListCourses().run(dispatcher, tracker("ask_course_list"), domain)
    assert "7. MoP Foundation and Practitioner" in dispatcher.messages[1]["text"]


def test_training_options_and_pmo_types_and_contact(tracker, dispatcher, domain):
    ActionExplainTrainingOptions().run(dispatcher, tracker("ask_training_options"), domain)
    ActionExplainPmoTypes().run(dispatcher, tracker("ask_pmo_types"), domain)
    ActionContactTeam().run(dispatcher, tracker("request_human"), domain)
    ActionExplainFreeResources().run(dispatcher, tracker("ask_free_resources"), domain)
    texts = [m["text"] for m in dispatcher.messages]
    assert "In-house training" in texts[0] and "Prices, dates and discounts are on" in texts[0]
    assert "centre of excellence" in texts[1] and any(
        b["title"] == "Centre of Excellence" for b in dispatcher.messages[1]["buttons"]
    )
    assert "pmolearning.co.uk" in texts[2]
    assert "How to Get Started in PMO" in texts[3] and "Lunch and Learn" in texts[3]


def test_every_domain_action_has_a_class(domain):
    import importlib
    import inspect
    import pkgutil

    from rasa_sdk import Action

    import actions

    for module in pkgutil.iter_modules(actions.__path__):
        importlib.import_module(f"actions.{module.name}")

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names = {
        cls().name()
        for cls in subclasses(Action)
        if cls.__module__.startswith("actions.") and not inspect.isabstract(cls)
    }
    assert set(domain["actions"]) == names


def test_change_level_button_asks_the_question_again(tracker, dispatcher, domain):
    events = ActionRecommendCourse().run(dispatcher, tracker("inform_experience", slots={"pmo_level": 2.0}), domain)
    assert SlotSet("awaiting_level", True) in events
