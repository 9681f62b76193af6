"""The spaCy pipeline and entity extraction, as pure functions (no Rasa)."""

import pytest

from bot.knowledge_base import default_knowledge_base
from bot.nlu.extract import extract_entities, parse_years
from bot.nlu.patterns import fuzzy_vocabulary, spelling_variants
from bot.nlu.spacy_pipeline import build_pipeline, save_pipeline

KB = default_knowledge_base()
ALL_TITLES = [(title, role.name) for role in KB.roles for title in [role.name, *role.titles]]


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline(KB)


def entities(nlp, text, fuzzy=True):
    # SpacyNLP lower-cases text before spaCy sees it (case_sensitive: false).
    doc = nlp(text.lower())
    return [(e["entity"], e["value"]) for e in extract_entities(doc, fuzzy_vocabulary(KB) if fuzzy else None)]


def roles(nlp, text):
    return [v for k, v in entities(nlp, text) if k == "role"]


@pytest.mark.parametrize("title,role", ALL_TITLES)
def test_every_title_maps_to_its_canonical_role(nlp, title, role):
    assert roles(nlp, f"what does a {title} do?") == [role]
    assert roles(nlp, f"WHAT DOES A {title.upper()} DO") == [role]


@pytest.mark.parametrize("title,role", ALL_TITLES)
def test_every_title_in_plural(nlp, title, role):
    plural = sorted(spelling_variants(title), key=len)[-1] if " of " in title.lower() else title + "s"
    assert roles(nlp, f"what do {plural} do") == [role]


@pytest.mark.parametrize(
    "text,role",
    [
        ("whats a controls and reporting coordinator?", "PMO Analyst"),
        ("controls & reporting co-ordinator", "PMO Analyst"),
        ("program office coordinator", "PMO Analyst"),
        ("program support officer", "PMO Administrator"),
        ("project admin", "PMO Administrator"),
        ("pmo admin", "PMO Administrator"),
        ("what does an admin do", "PMO Administrator"),
        ("what is a head of PMO?", "PMO Director"),
        ("e-pmo manager", "PMO Director"),
        ("enterprise pmo manager", "PMO Director"),
        ("program office manager", "PMO Manager"),
        ("analyst", "PMO Analyst"),
    ],
)
def test_spelling_variants(nlp, text, role):
    assert roles(nlp, text) == [role]


@pytest.mark.parametrize(
    "text,role",
    [
        ("what does an adminstrator do", "PMO Administrator"),
        ("pmo analist", "PMO Analyst"),
        ("whats a project co-ordinater", "PMO Analyst"),
        ("programe office manager", "PMO Manager"),
        ("schedular", "PMO Analyst"),
    ],
)
def test_typos_are_matched_cautiously(nlp, text, role):
    assert roles(nlp, text) == [role]


@pytest.mark.parametrize(
    "text",
    [
        "I managed projects for years",
        "my analysis was wrong",
        "directly after lunch",
        "what is the weather like",
        "",
        "🙂🙂🙂",
    ],
)
def test_no_role_in_ordinary_words(nlp, text):
    assert roles(nlp, text) == []


def test_two_roles_in_order(nlp):
    assert roles(nlp, "difference between an analyst and a manager") == ["PMO Analyst", "PMO Manager"]


def test_project_manager_is_not_a_pmo_role(nlp):
    assert entities(nlp, "what does a project manager do") == [("other_role", "Project Manager")]


@pytest.mark.parametrize(
    "text,cue",
    [
        ("I'm brand new to PMO", "new_to_pmo"),
        ("just starting out", "new_to_pmo"),
        ("no experience at all", "new_to_pmo"),
        ("I'm a career changer", "new_to_pmo"),
        ("I run the programme office", "runs_pmo"),
        ("I lead the PMO", "runs_pmo"),
        ("I run a small PMO in the NHS", "runs_pmo"),
        ("i manage our new programme office", "runs_pmo"),
        ("I look after several PMOs", "several_pmos"),
        ("I manage a team of analysts", "manages_team"),
        ("head of delivery", "head_of"),
    ],
)
def test_experience_cues(nlp, text, cue):
    assert ("experience", cue) in entities(nlp, text)


@pytest.mark.parametrize(
    "text,years",
    [
        ("8 years, which course?", "8"),
        ("eight years in", "8"),
        ("10+ years", "10"),
        ("12yrs", "12"),
        ("a couple of years", "2"),
        ("about five yrs", "5"),
    ],
)
def test_years_in_words_or_digits(nlp, text, years):
    assert ("years", years) in entities(nlp, text)


@pytest.mark.parametrize("text,value", [("8 years", 8), ("a year", 1), ("nothing", None), ("twenty yrs", 20)])
def test_parse_years(text, value):
    assert parse_years(text) == value


@pytest.mark.parametrize(
    "text,course",
    [
        ("how long is P3O Foundation?", "P3O Foundation"),
        ("p3o practitioner exam", "P3O Practitioner"),
        ("tell me about essentials for pmo managers", "Essentials for PMO Managers"),
        ("what is MoP", "MoP Foundation and Practitioner"),
    ],
)
def test_courses(nlp, text, course):
    assert ("course", course) in entities(nlp, text)


def test_spans_point_at_the_typed_text(nlp):
    text = "i work as a project co-ordinator now"
    found = extract_entities(nlp(text))
    assert [(e["start"], e["end"], e["text"]) for e in found] == [(12, 32, "project co-ordinator")]


def test_long_input_is_cheap(nlp):
    import time

    text = "what does a scheduler do " * 800
    # CPU time, not wall time: on a loaded shared machine the wall clock measures the neighbours
    start = time.process_time()
    found = extract_entities(nlp(text), fuzzy_vocabulary(KB))
    assert len([e for e in found if e["entity"] == "role"]) == 800
    assert time.process_time() - start < 5


def test_pipeline_round_trips_through_disk(tmp_path, nlp):
    import spacy

    path = save_pipeline(tmp_path / "pmo", KB)
    loaded = spacy.load(path)
    text = "what does a pmo planner do"
    assert [(e.label_, e.ent_id_) for e in loaded(text).ents] == [(e.label_, e.ent_id_) for e in nlp(text).ents]


@pytest.mark.parametrize(
    "text,attribute", [("howl ong is it", "length"), ("whats the passm ark", "exam"), ("is it ope nbook", "exam")]
)
def test_a_space_in_the_wrong_place_still_finds_the_question(nlp, text, attribute):
    from bot.knowledge_base import default_knowledge_base
    from bot.nlu.extract import extract_entities
    from bot.nlu.patterns import fuzzy_vocabulary

    found = extract_entities(nlp(text), fuzzy_vocabulary(default_knowledge_base()))
    assert ("attribute", attribute) in [(e["entity"], e["value"]) for e in found]


@pytest.mark.parametrize(
    "text,attribute",
    [
        ("and are those certified?", "accreditation"),
        ("could I bring the manual into it", "exam"),
        ("whats the logical next qualification for me", "next"),
    ],
)
def test_details_asked_in_everyday_words(nlp, text, attribute):
    from bot.knowledge_base import default_knowledge_base
    from bot.nlu.extract import extract_entities
    from bot.nlu.patterns import fuzzy_vocabulary

    found = extract_entities(nlp(text), fuzzy_vocabulary(default_knowledge_base()))
    assert ("attribute", attribute) in [(e["entity"], e["value"]) for e in found]


@pytest.mark.parametrize(
    "text,other",
    [
        ("what does an HR analyst do", "HR Analyst"),
        ("what does a resource manager do in a pmo", "Resource Manager"),
        ("is an appointments scheduler a pmo job", "Appointments Scheduler"),
        ("what does an it manager do", "IT Manager"),
    ],
)
def test_a_level_word_with_an_unknown_qualifier_is_another_job(nlp, text, other):
    from bot.nlu.extract import extract_entities

    found = [(e["entity"], e["value"]) for e in extract_entities(nlp(text))]
    assert ("other_role", other) in found and not any(name == "role" for name, _ in found)


@pytest.mark.parametrize("text", ["analyst vs manager", "and a manager?", "im a senior analyst", "the managers one"])
def test_a_bare_level_word_still_counts(nlp, text):
    from bot.nlu.extract import extract_entities

    assert any(e["entity"] == "role" for e in extract_entities(nlp(text)))


@pytest.mark.parametrize("text", ["i'm head of HR", "I manage a team of nurses"])
def test_cues_outside_pmo_are_not_levels(nlp, text):
    from bot.nlu.extract import extract_entities

    assert not [e for e in extract_entities(nlp(text)) if e["entity"] == "experience"]


@pytest.mark.parametrize(
    "text",
    [
        "my manager likes a certificate",
        "our director wants us trained",
        "do they always manage people?",
        "does a pmo manager run the office?",
    ],
)
def test_other_people_are_not_the_visitor(nlp, text):
    from bot.nlu.extract import extract_entities

    found = [(e["entity"], e["value"]) for e in extract_entities(nlp(text))]
    assert not any(name == "experience" for name, _ in found)
    assert ("role", "PMO Manager") not in found or "pmo manager" in text


@pytest.mark.parametrize("text", ["diff btwn admin n analyst", "ok wat abt manager"])
def test_chat_shorthand_is_not_a_qualifier(nlp, text):
    from bot.nlu.extract import extract_entities

    assert not [e for e in extract_entities(nlp(text)) if e["entity"] == "other_role"]
