"""A sentence-only ``CountVectorsFeaturizer`` for classifiers that read nothing else.

Rasa's ``CountVectorsFeaturizer`` builds, for the message text, one row per token
(sequence features, for DIET and TED) and one for the whole text (sentence
features), each through scikit-learn's ``transform``, whose fixed cost dominates
for one short message. This assistant's classifier (``MLPIntentClassifier``)
reads only the sentence features and no policy reads either, so this featurizer
makes only those, counting the analyser's terms against the trained vocabulary
directly. Training, vocabulary, configuration and persistence are Rasa's; the
sentence features are the same numbers in the same columns (tests compare them).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Text, Tuple

import numpy as np
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.constants import TEXT


def count_terms(
    terms: List[Text], vocabulary: Dict[Text, int], width: int, binary: bool, dtype: Any
) -> scipy.sparse.coo_matrix:
    """One row of term counts over ``vocabulary``, like ``CountVectorizer.transform``."""
    counts: Dict[int, int] = {}
    for term in terms:
        index = vocabulary.get(term)
        if index is not None:
            counts[index] = counts.get(index, 0) + 1
    columns = np.array(sorted(counts), dtype=np.int32)
    values = np.ones(len(columns), dtype=dtype) if binary else np.array([counts[c] for c in columns], dtype=dtype)
    return scipy.sparse.coo_matrix((values, (np.zeros(len(columns), dtype=np.int32), columns)), shape=(1, width))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SentenceCountVectorsFeaturizer(CountVectorsFeaturizer):
    """``CountVectorsFeaturizer`` that makes only sentence features of the text."""

    def _create_features(
        self, attribute: Text, all_tokens: List[List[Text]]
    ) -> Tuple[List[Optional[scipy.sparse.spmatrix]], List[Optional[scipy.sparse.spmatrix]]]:
        vectorizer = self.vectorizers.get(attribute) if self.vectorizers else None
        if attribute != TEXT or vectorizer is None:
            features: Tuple[List[Optional[scipy.sparse.spmatrix]], List[Optional[scipy.sparse.spmatrix]]] = (
                super()._create_features(attribute, all_tokens)
            )
            return features
        analyze, vocabulary = self._analyzer(vectorizer)
        sentences = [
            count_terms(
                analyze(" ".join(tokens)), vocabulary, len(vocabulary), bool(vectorizer.binary), vectorizer.dtype
            )
            if tokens
            else None
            for tokens in all_tokens
        ]
        return [None] * len(all_tokens), sentences

    def _analyzer(self, vectorizer: Any) -> Tuple[Callable[[Text], List[Text]], Dict[Text, int]]:
        """The vectorizer's analyser and vocabulary, built once per vectorizer."""
        cached = getattr(self, "_analyzer_of", None)
        if cached is None or cached[0] is not vectorizer:
            cached = self._analyzer_of = (vectorizer, vectorizer.build_analyzer(), vectorizer.vocabulary_)
        return cached[1], cached[2]
