"""The sentence-encoder experiment's pure parts (benchmarks/encoder.py): BERT's tokenizer and the config it writes.
The encoder's weights are not installed here; `python -m benchmarks.encoder` measures the rest."""

from __future__ import annotations

from benchmarks.encoder import WordPiece, basic_tokens, config_with_encoder

VOCAB = {
    t: n for n, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "pmo", "analyst", "un", "##aff", "##able", "?"])
}


def test_the_basic_tokenizer_lowercases_strips_accents_and_splits_punctuation():
    assert basic_tokens("Café PMO-Analyst?") == ["cafe", "pmo", "-", "analyst", "?"]


def test_wordpiece_takes_the_longest_pieces_and_marks_unknown_words():
    pieces = WordPiece(VOCAB)
    assert pieces.ids("PMO analyst unaffable?") == [2, 4, 5, 6, 7, 8, 9, 3]
    assert pieces.ids("zebra") == [2, 1, 3]


def test_long_text_is_cut_and_still_ends_with_the_separator():
    ids = WordPiece(VOCAB).ids("pmo " * 500, limit=16)
    assert len(ids) == 16 and ids[0] == 2 and ids[-1] == 3


def test_the_encoder_goes_just_before_the_intent_classifier():
    names = [c["name"] for c in config_with_encoder(4.0)["pipeline"]]
    at = names.index("benchmarks.encoder.SentenceEncoderFeaturizer")
    assert names[at + 1] == "bot.nlu.classifier.MLPIntentClassifier"
