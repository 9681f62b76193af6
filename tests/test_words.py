"""bot.words: the word lists beside the knowledge base (words.yml, dialogue_words.yml)."""

import subprocess
import sys
from pathlib import Path

import pytest

from bot.dialogue.context import COURSE_ATTRIBUTES, ROLE_ATTRIBUTES, Turn, elliptical
from bot.nlu.reading import words as reading_words
from bot.words import (
    DIALOGUE_WORDS_FILE,
    NLU_WORDS_FILE,
    WordListError,
    dialogue_words,
    load_dialogue_words,
    load_nlu_words,
    nlu_words,
)


def test_every_attribute_the_ruler_finds_is_one_the_dialogue_answers():
    assert set(nlu_words().attribute_phrases) == set(COURSE_ATTRIBUTES + ROLE_ATTRIBUTES)


def test_list_positions_are_the_ones_a_list_can_have():
    assert list(nlu_words().ordinals) == ["1", "2", "3", "4", "5", "6", "7", "last"]


def test_phrases_typed_with_a_misplaced_space_are_found():
    spaceless = nlu_words().spaceless_attributes
    assert spaceless["howlong"] == "length" and spaceless["passmark"] == "exam"
    assert "exam" not in spaceless  # one word: nothing to misplace


def copy_with(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_word_yaml_reads_as_something_else_is_refused(tmp_path):
    # Unquoted, YAML reads yes as True: the list would silently lose the word.
    path = copy_with(tmp_path, NLU_WORDS_FILE, 'okay, "yes", yeah', "okay, yes, yeah")
    with pytest.raises(WordListError, match=r"allowed_before_bare\] True"):
        load_nlu_words(path)


def test_an_upper_case_entry_is_refused(tmp_path):
    path = copy_with(tmp_path, DIALOGUE_WORDS_FILE, "name_openers: [will]", "name_openers: [Will]")
    with pytest.raises(WordListError, match="lower-case"):
        load_dialogue_words(path)


def test_a_misspelt_list_name_is_refused(tmp_path):
    path = copy_with(tmp_path, DIALOGUE_WORDS_FILE, "\nlead_ins:", "\nlead_in:")
    with pytest.raises(WordListError, match=r"unknown lists \['lead_in'\]"):
        load_dialogue_words(path)


def test_nothing_is_read_at_import():
    # bot.nlu.extract is left out: it imports spaCy (8 s); it reads its words inside functions too.
    code = (
        "import bot.nlu.patterns, bot.dialogue, bot.enquiries, bot.words as w\n"
        "print(w.nlu_words.cache_info().currsize, w.dialogue_words.cache_info().currsize)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["0", "0"]


def test_the_exceptions_to_question_words_are_question_words():
    """The lists that narrow question_words (reading.yml) name only words it has."""
    question_words = reading_words().question_words
    assert dialogue_words().short_follow_up_openers <= question_words
    assert dialogue_words().name_openers <= question_words


@pytest.mark.parametrize(
    "text,leans",
    [
        ("tell me more", True),  # short_follow_up_openers
        ("would it?", True),
        ("the practitioner one", True),
        ("what is it", False),  # question_words
        ("who is it for", False),
    ],
)
def test_a_short_follow_up_leans_on_the_last_question(text, leans):
    assert elliptical(Turn(text=text)) is leans
