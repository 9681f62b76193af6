"""Rasa NLU components (thin glue around the pure functions in ``bot.nlu``).

- ``TextGuard`` runs first: it strips control characters and caps very long
  messages, so a 100 KB paste costs no more than a long paragraph.
- ``KnowledgeBaseSpacyNLP`` is Rasa's ``SpacyNLP`` with the project's own spaCy
  pipeline (``bot.nlu.spacy_pipeline``) built from the knowledge base at
  training and kept in the trained model, not loaded from a path at start.
- ``PMOEntityExtractor`` reads the spaCy ``Doc`` that pipeline made and reports
  ``role``, ``course``, ``experience``, ``years``... entities with canonical
  values from the knowledge base.
- ``EntityPlaceholders`` shows the featurizers one placeholder token per entity
  mention ("what does a __role__ do"), so the intent classifier generalises
  across the many job titles.

A trained model is one artefact: whatever these components read from the
knowledge base (the entity ruler's patterns, the typo vocabulary) is written into
their resources in Rasa's model storage when training and read back from there
when the model is loaded, so ``models/pmo.tar.gz`` runs from any directory.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.knowledge_base import default_knowledge_base
from bot.nlu.extract import extract_entities
from bot.nlu.patterns import fuzzy_vocabulary
from bot.nlu.placeholders import with_placeholders
from bot.nlu.reading import annotate, warm
from bot.nlu.sanity import checked_intent
from bot.nlu.spacy_pipeline import build_pipeline
from bot.text import plain_text

SPACY_DOC_KEY = "text_spacy_doc"
logger = logging.getLogger(__name__)


def clean_text(text: str, max_chars: int) -> str:
    """Drop control and format characters, fold white space, cap the length (:func:`bot.text.plain_text`)."""
    return plain_text(text, max_chars)


class _FromConfig(GraphComponent):
    """A component made from its configuration alone (nothing trained, nothing stored)."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class TextGuard(_FromConfig):
    """Cleans and caps message text before any other component sees it."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"max_chars": 1000}

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self._max_chars = int(config["max_chars"])

    def _clean(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str):
                message.set(TEXT, clean_text(text, self._max_chars))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._clean(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        return self._clean(messages)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class KnowledgeBaseSpacyNLP(SpacyNLP):
    """``SpacyNLP`` whose pipeline is built from the knowledge base and stored in the model.

    ``create`` builds the pipeline (``bot.nlu.spacy_pipeline.build_pipeline``),
    ``train`` writes it into this component's resource with ``nlp.to_disk`` and
    ``load`` reads it back with Rasa's ``SpacyNLP.load_model``, so training (whose
    processing step loads from the resource too) and prediction use the same
    stored pipeline, and nothing outside the model archive is read. Not a model
    loader in Rasa's sense: it hands the ``Doc`` to later components on the
    message, as ``SpacyNLP`` does, and needs no separate ``provide`` node.
    """

    PIPELINE_DIR = "spacy_pipeline"

    def __init__(
        self, model: SpacyModel, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource
    ) -> None:
        super().__init__(model, config)
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "KnowledgeBaseSpacyNLP":
        nlp = build_pipeline(default_knowledge_base())
        return cls(
            SpacyModel(nlp, str(nlp.meta["name"])), {**cls.get_default_config(), **config}, model_storage, resource
        )

    def train(self, training_data: TrainingData) -> Resource:
        """Persists the pipeline (patterns included) into the model."""
        with self._model_storage.write_to(self._resource) as directory:
            self._model.model.to_disk(directory / self.PIPELINE_DIR)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "KnowledgeBaseSpacyNLP":
        with model_storage.read_from(resource) as directory:
            model = cls.load_model(str(directory / cls.PIPELINE_DIR))
        cls.ensure_proper_language_model(model.model)
        return cls(model, {**cls.get_default_config(), **config}, model_storage, resource)

    def process_training_data(self, training_data: TrainingData, model: Optional[SpacyModel] = None) -> TrainingData:
        super().process_training_data(training_data, model or self._model)
        return training_data

    def process(self, messages: List[Message], model: Optional[SpacyModel] = None) -> List[Message]:
        super().process(messages, model or self._model)
        return messages


class _KnowledgeBaseComponent(GraphComponent):
    """Shared set-up: reads the spaCy ``Doc`` and, by default, typo-tolerant titles.

    The typo vocabulary (``bot.nlu.patterns.fuzzy_vocabulary``) is made from the
    knowledge base when training and kept in the model (``VOCABULARY_FILE``).
    """

    VOCABULARY_FILE = "fuzzy_vocabulary.json"

    @staticmethod
    def required_components() -> List[type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"fuzzy": True}

    def __init__(
        self,
        config: Dict[Text, Any],
        vocabulary: Optional[Dict[str, str]],
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        self._config = config
        self._vocabulary = vocabulary
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        """From the knowledge base: for training, and for models trained before the vocabulary was stored."""
        vocabulary = fuzzy_vocabulary(default_knowledge_base()) if config.get("fuzzy", True) else None
        return cls(config, vocabulary, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Persists the typo vocabulary (``null`` when ``fuzzy`` is off) into the model."""
        with self._model_storage.write_to(self._resource) as directory:
            (directory / self.VOCABULARY_FILE).write_text(json.dumps(self._vocabulary), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> GraphComponent:
        try:
            with model_storage.read_from(resource) as directory:
                stored = (directory / cls.VOCABULARY_FILE).read_bytes()
        except ValueError:  # no such resource: a model trained before the vocabulary was stored
            return cls.create(config, model_storage, resource, execution_context)
        return cls(config, json.loads(stored), model_storage, resource)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class PMOEntityExtractor(_KnowledgeBaseComponent, EntityExtractorMixin):
    """Role titles, courses and experience cues from the knowledge base, then the reading of them."""

    def __init__(
        self,
        config: Dict[Text, Any],
        vocabulary: Optional[Dict[str, str]],
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        super().__init__(config, vocabulary, model_storage, resource)
        warm()  # the reader's word lists load with the model, not on a visitor's first message

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            doc = message.get(SPACY_DOC_KEY)
            if doc is None:
                continue
            # What the message names, then how it names it (whose job, when, for a team...).
            entities = extract_entities(doc, self._vocabulary)
            try:
                entities = annotate(doc.text, entities)
            except Exception:  # the reading refines; a bug in it must not cost the visitor the turn
                logger.exception("The message reader failed; the entities are used without a reading")
            found = self.add_extractor_name(entities)
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=True)
class EntityPlaceholders(_KnowledgeBaseComponent):
    """Replaces entity mentions by one placeholder token each before featurizing.

    Runs after ``SpacyTokenizer`` and before the featurizers, in training and at
    prediction alike (it finds the entities itself, with the same pure function
    as ``PMOEntityExtractor``), so the classifier learns "what does a __role__
    do" once for every job title. See ``bot.nlu.placeholders``.
    """

    def _replace(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            doc = message.get(SPACY_DOC_KEY)
            tokens = message.get(TOKENS_NAMES[TEXT])
            if doc is None or not tokens:
                continue
            message.set(
                TOKENS_NAMES[TEXT],
                with_placeholders(
                    tokens,
                    extract_entities(doc, self._vocabulary),
                    start_of=lambda t: t.start,
                    end_of=lambda t: t.end,
                    make=lambda text, start, end: Token(text, start, end),
                ),
            )
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._replace(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        return self._replace(messages)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CommandIntentCheck(_FromConfig):
    """Keeps "no", "cancel" and "start over" for messages that say so (``bot.nlu.sanity``).

    Runs after the classifiers: a name such as "Nora Consent" given in the enquiry
    form must not stop the form because the classifier guessed ``deny``.
    """

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT)
            if not isinstance(intent, dict):
                continue
            checked = checked_intent(intent.get(INTENT_NAME_KEY), str(message.get(TEXT) or ""))
            if checked != intent.get(INTENT_NAME_KEY):
                message.set(
                    INTENT,
                    {INTENT_NAME_KEY: checked, PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY)},
                    add_to_output=True,
                )
        return messages
