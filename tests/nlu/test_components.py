"""The NLU components keep what they read from the knowledge base in Rasa's model storage.

Trained (``create`` then ``train``) into one storage directory, then loaded from a
copy of it elsewhere with the knowledge base and the pipeline builder made
unavailable: a loaded component must need nothing but its resource.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.knowledge_base import default_knowledge_base
from bot.nlu import components
from bot.nlu.components import EntityPlaceholders, KnowledgeBaseSpacyNLP, PMOEntityExtractor
from bot.nlu.patterns import fuzzy_vocabulary
from bot.nlu.spacy_pipeline import build_pipeline

ROOT = Path(__file__).resolve().parents[2]
CONTEXT = ExecutionContext(GraphSchema({}), "test")
SPACY_CONFIG = {**KnowledgeBaseSpacyNLP.get_default_config(), "case_sensitive": True}
TEXTS = [
    "what does a project support officer do?",
    "whats a PMO adminstrator",
    "an IT manager",
    "I run the PMO",
    "8 years as a pmo analyst",
    "tell me about P3O Foundation",
    "Nora Consent",
    "",
    "zzz qqq",
]


def trained(cls, config, storage: LocalModelStorage, name: str):
    component = cls.create({**cls.get_default_config(), **config}, storage, Resource(name), CONTEXT)
    assert component.train(TrainingData()) == Resource(name)
    return component


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A storage directory with the components trained into it, moved elsewhere after training."""
    first = tmp_path_factory.mktemp("trained")
    storage = LocalModelStorage(first)
    trained(KnowledgeBaseSpacyNLP, SPACY_CONFIG, storage, "spacy")
    trained(PMOEntityExtractor, {}, storage, "extractor")
    trained(PMOEntityExtractor, {"fuzzy": False}, storage, "exact_extractor")
    trained(EntityPlaceholders, {}, storage, "placeholders")
    moved = tmp_path_factory.mktemp("elsewhere") / "storage"
    shutil.move(str(first), moved)
    return LocalModelStorage(moved)


def loaded(cls, config, storage, name):
    return cls.load({**cls.get_default_config(), **config}, storage, Resource(name), CONTEXT)


@pytest.fixture(scope="module")
def pipeline(stored):
    """The components loaded from the moved storage, with the knowledge base and the builder hidden."""

    def unavailable(*args, **kwargs):
        raise AssertionError("read the knowledge base at load")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(components, "default_knowledge_base", unavailable)
        patch.setattr(components, "build_pipeline", unavailable)
        return {
            "spacy": loaded(KnowledgeBaseSpacyNLP, SPACY_CONFIG, stored, "spacy"),
            "extractor": loaded(PMOEntityExtractor, {}, stored, "extractor"),
            "exact_extractor": loaded(PMOEntityExtractor, {"fuzzy": False}, stored, "exact_extractor"),
            "placeholders": loaded(EntityPlaceholders, {}, stored, "placeholders"),
        }


def parsed(pipeline, texts, extractor="extractor"):
    messages = [Message({TEXT: text}) for text in texts]
    pipeline["spacy"].process(messages)
    SpacyTokenizer(SpacyTokenizer.get_default_config()).process(messages)
    pipeline[extractor].process(messages)
    return messages


def test_the_stored_pipeline_finds_what_the_built_one_does(pipeline):
    reference = build_pipeline(default_knowledge_base())
    for message, text in zip(parsed(pipeline, TEXTS), TEXTS, strict=True):
        doc = message.get(components.SPACY_DOC_KEY)
        if not text:
            assert doc is None
            continue
        assert [(e.label_, e.ent_id_, e.start_char, e.end_char) for e in doc.ents] == [
            (e.label_, e.ent_id_, e.start_char, e.end_char) for e in reference(text).ents
        ], text


def test_the_typo_vocabulary_comes_from_the_model(pipeline):
    typo, exact = "what is a PMO adminstrator", "what does a project support officer do?"
    fuzzy = parsed(pipeline, [typo, exact])
    assert [(e["entity"], e["value"]) for e in fuzzy[0].get(ENTITIES)] == [("role", "PMO Administrator")]
    assert [(e["entity"], e["value"]) for e in fuzzy[1].get(ENTITIES)] == [("role", "PMO Administrator")]
    assert all(e["extractor"] == "PMOEntityExtractor" for m in fuzzy for e in m.get(ENTITIES))
    without = parsed(pipeline, [typo, exact], extractor="exact_extractor")
    assert without[0].get(ENTITIES) == []
    assert [(e["entity"], e["value"]) for e in without[1].get(ENTITIES)] == [("role", "PMO Administrator")]


def test_placeholders_load_from_the_model(pipeline):
    messages = parsed(pipeline, ["what is a PMO adminstrator"])
    pipeline["placeholders"].process(messages)
    assert [t.text for t in messages[0].get(TOKENS_NAMES[TEXT])] == ["what", "is", "a", "__role__"]


def test_a_model_trained_before_the_vocabulary_was_stored_still_has_it(tmp_path):
    """Older models build these two components with ``create`` at start: the vocabulary comes from the KB."""
    extractor = PMOEntityExtractor.create(
        PMOEntityExtractor.get_default_config(), LocalModelStorage(tmp_path), Resource("old"), CONTEXT
    )
    assert extractor._vocabulary == fuzzy_vocabulary(default_knowledge_base())


def test_the_resources_are_plain_files(stored):
    with stored.read_from(Resource("spacy")) as directory:
        assert (directory / KnowledgeBaseSpacyNLP.PIPELINE_DIR / "entity_ruler" / "patterns.jsonl").is_file()
    with stored.read_from(Resource("extractor")) as directory:
        vocabulary = yaml.safe_load((directory / PMOEntityExtractor.VOCABULARY_FILE).read_text())
    assert vocabulary["project support officer"] == "PMO Administrator"
    with stored.read_from(Resource("exact_extractor")) as directory:
        assert (directory / PMOEntityExtractor.VOCABULARY_FILE).read_text() == "null"


def test_the_trained_model_loads_every_component_from_its_resources():
    """In the graph Rasa builds from config.yml, each of these loads from what its training stored."""
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    graph = DefaultV1Recipe().graph_config_for_recipe(config, {})
    ours = {KnowledgeBaseSpacyNLP, PMOEntityExtractor, EntityPlaceholders}
    predict = {name: node for name, node in graph.predict_schema.nodes.items() if node.uses in ours}
    assert {node.uses for node in predict.values()} == ours
    for name, node in predict.items():
        assert node.constructor_name == "load" and node.resource is not None, name
        assert node.resource.name in graph.train_schema.nodes, name
        assert graph.train_schema.nodes[node.resource.name].fn == "train", name
    # No component loads a spaCy model by name or path at start.
    assert not [
        node
        for node in graph.predict_schema.nodes.values()
        if issubclass(node.uses, SpacyNLP) and node.uses is not KnowledgeBaseSpacyNLP
    ]
    assert not [node for node in graph.predict_schema.nodes.values() if "model" in node.config]
