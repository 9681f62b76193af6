"""tests.nlu.overlap: the check that held-out sentences are apart from data/."""

from __future__ import annotations

import random
import textwrap
import time

import pytest

from tests.nlu.overlap import (
    COURSE,
    ROLE,
    nlu_examples,
    normalise,
    overlaps,
    questions,
    reportable,
    training_examples,
    with_placeholders,
)

ROLE_MARKUP = '{"entity": "role", "value": "PMO Analyst"}'


@pytest.mark.parametrize(
    "text,expected",
    [
        ("What's a PMO Analyst?", "whats a pmo analyst"),
        ("what\u2019s a pmo analyst", "whats a pmo analyst"),
        ("what\u2018s a pmo analyst", "whats a pmo analyst"),
        ("what`s a pmo analyst", "whats a pmo analyst"),
        ("  Hi   there!!  ", "hi there"),
        ("thanks \U0001f44d\U0001f3fb so much \U0001f680", "thanks so much"),
        ("\U0001f436", ""),
        ("...", ""),
        ("costs \u00a3500 + vat", "costs 500 vat"),
        ("co-ordinator", "co ordinator"),
        ("wie sp\u00e4t ist es?", "wie sp\u00e4t ist es"),
        (f"what is a [pmo analyst]{ROLE_MARKUP} then", "what is a pmo analyst then"),
        ("im a [pmo planner](role) at a bank", "im a pmo planner at a bank"),
        ("im a [pmo planner](role:PMO Analyst)", "im a pmo planner"),
        (
            'whats a [pmo lead]{"entity": "role"} vs a [head of pmo]{"entity": "role", "value": "PMO Director"}',
            "whats a pmo lead vs a head of pmo",
        ),
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("what does a Project Support Officer do?", f"what does a {ROLE} do"),
        ("PMO analysts vs heads of PMO", f"{ROLE} vs {ROLE}"),  # plurals
        ("is a programme office co-ordinator senior", f"is a {ROLE} senior"),
        ("is a program office coordinator senior", f"is a {ROLE} senior"),  # other spellings
        ("im a project manager", f"im a {ROLE}"),  # not a PMO role, still a title
        ("how long is P3O Foundation?", f"how long is {COURSE}"),
        ("the essentials for pmo managers course", f"the {COURSE} course"),
        ("is the admin course any good", f"is the {COURSE} any good"),  # a course alias beats the role word
        (f"whats a [pmo analyst]{ROLE_MARKUP}", f"whats a {ROLE}"),
    ],
)
def test_with_placeholders(text, expected):
    assert with_placeholders(text) == expected


def test_longest_title_wins_on_word_boundaries():
    # "pmo manager" not "pmo" + "manager"; "enterprise pmo manager" not "pmo manager".
    assert with_placeholders("an enterprise pmo manager") == f"an {ROLE}"
    # "managerial" and "administration" are not titles.
    assert with_placeholders("managerial administration") == "managerial administration"


def test_titles_come_from_the_knowledge_base(kb):
    for role in kb.roles:
        for title in role.titles:
            assert with_placeholders(title) == ROLE, title
    for course in kb.courses:
        assert with_placeholders(course.name) == COURSE, course.name


def test_exact_after_normalising():
    found = overlaps(["What's the weather like today?"], ["whats the weather like today", "hello"])
    assert found == [("What's the weather like today?", "whats the weather like today", "exact")]


def test_same_sentence_with_another_title_is_a_near_duplicate():
    found = overlaps(["what does a project support officer actually do"], ["what does a pmo analyst actually do?"])
    assert len(found) == 1 and found[0][2].startswith("near-duplicate")


def test_near_duplicate_with_a_small_edit():
    found = overlaps(
        ["how do i get promoted from analyst to manager in a pmo"],
        ["how can i get promoted from analyst to manager in a pmo"],
    )
    assert [reason.split()[0] for _, _, reason in found] == ["near-duplicate"]


def test_unrelated_sentences_do_not_overlap():
    assert overlaps(["what types of pmo are there"], ["can someone call me back tomorrow"]) == []
    assert overlaps(["what does a pmo analyst do"], ["how do i become a pmo analyst"]) == []


def test_every_overlapping_training_sentence_is_listed():
    found = overlaps(["what is a pmo lead"], ["what is a head of pmo", "whats a pmo lead", "bye"])
    assert sorted(train for _, train, _ in found) == ["what is a head of pmo", "whats a pmo lead"]


def test_short_greetings_may_coincide():
    found = overlaps(
        ["hi there", "thanks!", "what does a pmo lead do"], ["Hi there", "thanks", "what does a pmo lead do?"]
    )
    assert [test for test, _, _ in reportable(found)] == ["what does a pmo lead do"]


def test_fast_enough_for_thousands_of_sentences():
    pick = random.Random(7)
    syllables = "pmo ana lyst ma na ger ro le of fice cour se ex am tra in ing ca reer pa th da ta bo ok".split()
    vocab = ["".join(pick.choice(syllables) for _ in range(pick.randint(1, 3))) for _ in range(400)]

    def sentence() -> str:
        return " ".join(pick.choice(vocab) for _ in range(pick.randint(2, 14)))

    train = [sentence() for _ in range(3000)]
    test = [sentence() for _ in range(2950)] + [text + "s" for text in train[:50]]
    start = time.perf_counter()
    found = overlaps(test, train)
    assert time.perf_counter() - start < 20
    assert {train for _, train, _ in found} >= set(train[:50])


def test_reads_every_nlu_file_under_data(tmp_path):
    (tmp_path / "nlu").mkdir()
    (tmp_path / "nlu" / "roles.yml").write_text(
        textwrap.dedent("""\
        version: "3.1"
        nlu:
        - intent: greet
          examples: |
            - hello there
            - hiya
        - regex: years
          examples: |
            - \\d+ years
        - synonym: PMO Analyst
          examples: |
            - pmo analyst
        """)
    )
    (tmp_path / "rules.yml").write_text('version: "3.1"\nrules:\n- rule: x\n  steps: []\n')
    (tmp_path / "more.yml").write_text("nlu:\n- intent: thank\n  examples: |\n    - ta very much\n")
    assert sorted(training_examples(tmp_path)) == ["hello there", "hiya", "pmo analyst", "ta very much"]
    assert nlu_examples(tmp_path / "rules.yml") == []


def test_questions_file(tmp_path):
    path = tmp_path / "beyond.yml"
    path.write_text(
        "questions:\n  - text: a\n    kind: k\noff_topic_with_role:\n  - text: b\n    kind: j\n"
        "non_pmo_titles:\n  - nurse\n"
    )
    assert questions(path) == ["a", "b"]
