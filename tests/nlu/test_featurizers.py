"""SentenceCountVectorsFeaturizer: Rasa's sentence features, without the sequence ones."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.featurizers import SentenceCountVectorsFeaturizer

TRAINING = [
    "hi there",
    "what does a PMO analyst do",
    "which course is right for me",
    "I'm a project co-ordinator with 3 years",
    "thanks, that helps",
    "tell me about the head of PMO role",
]
UNSEEN = [
    "what does a pmo manager do?",
    "course course course",
    "zzz qqq",
    "Thanks!! 😀",
    "I manage the PMO",
    "what's a portfolio analyst",
]


def tokenized(texts, storage, context):
    tokenizer = WhitespaceTokenizer.create(
        WhitespaceTokenizer.get_default_config(), storage, Resource("tokenizer"), context
    )
    messages = [Message({TEXT: text, "intent": "x"}) for text in texts]
    tokenizer.process(messages)
    return messages


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4},
        {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 3, "binary": True},
    ],
)
def test_sentence_features_equal_rasas(tmp_path, config):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    featurizers = []
    for cls, name in ((CountVectorsFeaturizer, "rasa"), (SentenceCountVectorsFeaturizer, "ours")):
        featurizer = cls.create({**cls.get_default_config(), **config}, storage, Resource(name), context)
        featurizer.train(TrainingData(tokenized(TRAINING, storage, context)))
        featurizers.append(featurizer)

    for text in TRAINING + UNSEEN:
        theirs, ours = (tokenized([text], storage, context)[0] for _ in range(2))
        featurizers[0].process([theirs])
        featurizers[1].process([ours])
        _, their_sentence = theirs.get_sparse_features(TEXT)
        our_sequence, our_sentence = ours.get_sparse_features(TEXT)
        assert our_sequence is None
        assert our_sentence.features.shape == their_sentence.features.shape
        assert (our_sentence.features != their_sentence.features).nnz == 0, text
        assert our_sentence.features.dtype == their_sentence.features.dtype


def test_no_tokens_no_features(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    featurizer = SentenceCountVectorsFeaturizer.create(
        SentenceCountVectorsFeaturizer.get_default_config(), storage, Resource("ours"), context
    )
    featurizer.train(TrainingData(tokenized(TRAINING, storage, context)))
    empty = Message({TEXT: ""})
    featurizer.process([empty])
    assert empty.get_sparse_features(TEXT) == (None, None)
