"""Choose the FallbackClassifier thresholds by cross-validation on the training data.

    python -m benchmarks.tune_fallback [--config config.yml] [--folds 5]

Trains the pipeline on k-1 folds of the NLU data in data/, parses the held-back fold, and
keeps each message's raw top intent and confidences (the fallback undone). Then,
for a grid of (threshold, ambiguity_threshold), prints what the fallback would do
on those unseen training messages: in-scope accuracy (a fallback counts as an
error) and the share of out_of_scope examples rejected (predicted out_of_scope or
fallen back), and their mean (balanced accuracy), the figure config.yml's
thresholds are chosen by (marked with *). The held-out sets in tests/nlu are
never read here, so choosing the thresholds from this table does not tune to them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
OUT_OF_SCOPE = "out_of_scope"

Prediction = Tuple[str, str, float, float]  # gold, raw top intent, top confidence, second confidence


async def _parse_all(agent: Any, texts: List[str]) -> List[Dict[str, Any]]:
    return [await agent.parse_message(text) for text in texts]


def nlu_files(path: Path) -> List[Path]:
    """``path`` itself, or every NLU file (a YAML file with an ``nlu:`` key) under it, sorted."""
    if path.is_file():
        return [path]
    import yaml

    return [p for p in sorted(path.rglob("*.yml")) if "nlu" in (yaml.safe_load(p.read_text()) or {})]


def fold_predictions(config: Path, nlu: Path, folds: int, seed: int, work: Path) -> List[Prediction]:
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu
    from rasa.nlu.classifiers.fallback_classifier import (
        is_fallback_classifier_prediction,
        undo_fallback_prediction,
    )
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    examples = [e for path in nlu_files(nlu) for e in load_data(str(path)).intent_examples]
    labels = [e.get("intent") for e in examples]
    predictions: List[Prediction] = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for k, (train_index, test_index) in enumerate(splitter.split(examples, labels)):
        print(f"fold {k + 1}/{folds}: training on {len(train_index)} examples", flush=True)
        path = work / f"fold-{k}.yml"
        RasaYAMLWriter().dump(path, TrainingData(training_examples=[examples[i] for i in train_index]))
        model = train_nlu(str(config), str(path), str(work), fixed_model_name=f"fold-{k}")
        agent = Agent.load(model)

        texts = [examples[i].get("text") for i in test_index]
        for i, parsed in zip(test_index, asyncio.run(_parse_all(agent, texts)), strict=True):
            if is_fallback_classifier_prediction(parsed):
                parsed = undo_fallback_prediction(parsed)
            ranking = parsed.get("intent_ranking") or [parsed["intent"]]
            second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
            predictions.append((labels[i], parsed["intent"]["name"], parsed["intent"]["confidence"], second))
    return predictions


def sweep(predictions: List[Prediction], thresholds: List[float], ambiguities: List[float]) -> List[Dict[str, float]]:
    rows = []
    in_scope = [p for p in predictions if p[0] != OUT_OF_SCOPE]
    oos = [p for p in predictions if p[0] == OUT_OF_SCOPE]
    for threshold in thresholds:
        for ambiguity in ambiguities:

            def falls_back(p: Prediction, threshold: float = threshold, ambiguity: float = ambiguity) -> bool:
                return p[2] < threshold or (p[2] - p[3]) < ambiguity

            rows.append(
                {
                    "threshold": threshold,
                    "ambiguity_threshold": ambiguity,
                    "in_scope_accuracy": sum(1 for p in in_scope if p[1] == p[0] and not falls_back(p)) / len(in_scope),
                    "oos_rejected": sum(1 for p in oos if p[1] == OUT_OF_SCOPE or falls_back(p)) / len(oos)
                    if oos
                    else 0.0,
                    "raw_accuracy": sum(1 for p in predictions if p[1] == p[0]) / len(predictions),
                }
            )
            rows[-1]["balanced"] = (rows[-1]["in_scope_accuracy"] + rows[-1]["oos_rejected"]) / 2
    return rows


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--nlu", type=Path, default=ROOT / "data", help="a file or the folder of NLU files")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", type=Path, help="write the raw predictions here")
    args = parser.parse_args(argv)

    from benchmarks.understanding import quiet_logging

    quiet_logging()
    with tempfile.TemporaryDirectory(prefix="tune-fallback-") as tmp:
        predictions = fold_predictions(args.config, args.nlu, args.folds, args.seed, Path(tmp))
    if args.json:
        args.json.write_text(json.dumps(predictions))
    rows = sweep(predictions, [0.0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6], [0.0, 0.05, 0.1])
    print(f"{len(predictions)} unseen training messages; raw intent accuracy {rows[0]['raw_accuracy']:.3f}")
    best = max(rows, key=lambda row: row["balanced"])
    print("threshold  ambiguity  in-scope accuracy  out-of-scope rejected  balanced")
    for row in rows:
        print(
            f"{row['threshold']:9.2f}  {row['ambiguity_threshold']:9.2f}  "
            f"{row['in_scope_accuracy']:17.3f}  {row['oos_rejected']:21.3f}  {row['balanced']:8.3f}"
            + ("  *" if row is best else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
