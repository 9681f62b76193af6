"""bot.nlu.classifier: the MLP intent classifier, its saved weights and its inputs."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.neural_network import MLPClassifier

from bot.nlu.classifier import HiddenLayerNetwork, MLPIntentClassifier, sentence_matrix, unit_row

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.mark.parametrize("classes", [["a", "b"], ["a", "b", "c", "d"]])
def test_network_matches_scikit_learn(classes, tmp_path):
    rng = np.random.default_rng(0)
    inputs = rng.random((40, 6))
    labels = [classes[i % len(classes)] for i in range(40)]
    model = MLPClassifier((5,), max_iter=300, random_state=0).fit(inputs, labels)
    network = HiddenLayerNetwork.from_sklearn(model)
    np.testing.assert_allclose(network.predict_proba(inputs), model.predict_proba(inputs), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        network.predict_proba(scipy.sparse.csr_matrix(inputs)), model.predict_proba(inputs), rtol=1e-9, atol=1e-12
    )
    inputs[0, [1, 4]] = 0.0
    columns = np.flatnonzero(inputs[0])
    np.testing.assert_allclose(
        network.predict_proba_one(columns, inputs[0, columns]), model.predict_proba(inputs[:1]), rtol=1e-9, atol=1e-12
    )

    network.save(tmp_path / "weights.npz")
    loaded = HiddenLayerNetwork.load(tmp_path / "weights.npz")
    assert loaded.classes == classes and loaded.input_size == 6
    np.testing.assert_array_equal(loaded.predict_proba(inputs), network.predict_proba(inputs))


def test_saved_weights_hold_no_pickle(tmp_path):
    model = MLPClassifier((3,), max_iter=50, random_state=0).fit(np.eye(4), ["a", "b", "c", "d"])
    HiddenLayerNetwork.from_sklearn(model).save(tmp_path / "weights.npz")
    with np.load(tmp_path / "weights.npz", allow_pickle=False) as arrays:
        assert sorted(arrays.files) == ["classes", "hidden_bias", "hidden_weights", "output_bias", "output_weights"]


def message_with_features() -> Message:
    message = Message({TEXT: "x"})
    message.add_features(Features(scipy.sparse.coo_matrix([[0, 2, 0]]), "sentence", TEXT, "cv_words"))
    message.add_features(Features(scipy.sparse.coo_matrix([[1, 1, 0, 0], [0, 0, 0, 3]]), "sequence", TEXT, "cv_words"))
    message.add_features(Features(np.array([[0.5, 0.0]]), "sentence", TEXT, "dense"))
    message.add_features(Features(scipy.sparse.coo_matrix([[0, 0, 4, 1]]), "sentence", TEXT, "cv_chars"))
    return message


def test_sentence_matrix_has_rasas_layout():
    message = message_with_features()
    sparse = message.get_sparse_features(TEXT)[1].features
    dense = message.get_dense_features(TEXT)[1].features
    rasa_layout = scipy.sparse.hstack([scipy.sparse.csr_matrix(sparse), scipy.sparse.csr_matrix(dense)])
    ours = sentence_matrix([message, message_with_features()])
    assert ours.shape == (2, 9)
    np.testing.assert_array_equal(ours.toarray(), np.vstack([rasa_layout.toarray()] * 2))


def test_sentence_matrix_of_a_message_without_features():
    assert sentence_matrix([Message({TEXT: ""})], width=9).shape == (1, 9)
    with pytest.raises(ValueError):
        sentence_matrix([message_with_features()], width=5)


def test_unit_row_is_the_batch_input_of_one_message():
    message = message_with_features()
    batch = MLPIntentClassifier._inputs([message])
    columns, values = unit_row(message, width=9)
    np.testing.assert_array_equal(columns, batch.indices)
    np.testing.assert_allclose(values, batch.data, rtol=0, atol=1e-15)
    assert [len(part) for part in unit_row(Message({TEXT: ""}), width=9)] == [0, 0]
    with pytest.raises(ValueError):
        unit_row(message, width=5)


TRAINING = {
    "greet": ["hi", "hello", "hello there", "hi bot", "good morning", "hey"],
    "ask_role_description": [
        "what does a __role__ do",
        "what is a __role__",
        "tell me about the __role__ role",
        "what does the __role__ job involve",
        "describe a __role__",
    ],
    "thank": ["thanks", "thank you", "cheers", "thanks a lot", "many thanks"],
}


def featurize(storage: LocalModelStorage, context: ExecutionContext, messages, training: bool):
    tokenizer = WhitespaceTokenizer.create(
        WhitespaceTokenizer.get_default_config(), storage, Resource("tokenizer"), context
    )
    if training:
        data = TrainingData(messages)
        tokenizer.process_training_data(data)
        featurizer = CountVectorsFeaturizer.create(
            CountVectorsFeaturizer.get_default_config(), storage, Resource("cvf"), context
        )
        featurizer.train(data)
        featurizer.process_training_data(data)
        return featurizer
    return tokenizer.process(messages)


def test_trains_saves_loads_and_classifies(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    examples = [Message({TEXT: text, "intent": intent}) for intent, texts in TRAINING.items() for text in texts]
    featurizer = featurize(storage, context, examples, training=True)

    resource = Resource("mlp")
    classifier = MLPIntentClassifier.create({"epochs": 200}, storage, resource, context)
    classifier.train(TrainingData(examples))
    loaded = MLPIntentClassifier.load(
        {**MLPIntentClassifier.get_default_config(), "epochs": 200}, storage, resource, context
    )

    messages = [
        Message({TEXT: "hello bot"}),
        Message({TEXT: "what is the __role__"}),
        Message({TEXT: "thank you bot"}),
        Message({TEXT: ""}),
    ]
    featurize(storage, context, messages, training=False)
    featurizer.process(messages)
    loaded.process(messages)
    intents = [m.get("intent") for m in messages]
    assert [i["name"] for i in intents[:3]] == ["greet", "ask_role_description", "thank"]
    for message in messages:
        ranking = message.get("intent_ranking")
        assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking), reverse=True)
        assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6
        assert isinstance(ranking[0]["confidence"], float) and isinstance(ranking[0]["name"], str)
    assert intents[3]["confidence"] < 0.9  # no words: only the biases speak

    # Serving classifies one message at a time (a fast path): the same ranking as a batch.
    for message in messages:
        alone = Message({TEXT: message.get(TEXT)})
        featurize(storage, context, [alone], training=False)
        featurizer.process([alone])
        loaded.process([alone])
        assert [r["name"] for r in alone.get("intent_ranking")] == [r["name"] for r in message.get("intent_ranking")]
        np.testing.assert_allclose(
            [r["confidence"] for r in alone.get("intent_ranking")],
            [r["confidence"] for r in message.get("intent_ranking")],
            rtol=1e-9,
        )


def test_missing_weights_predict_nothing(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    config = MLPIntentClassifier.get_default_config()
    classifier = MLPIntentClassifier.load(config, storage, Resource("absent"), context)
    message = Message({TEXT: "hi"})
    classifier.process([message])
    assert message.get("intent") is None
