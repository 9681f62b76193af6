"""Understanding figures on the held-out NLU sets (kept apart from data/).

Loads a trained model in-process and parses every test message, so it measures
exactly what the server would answer. Used by `make bench` and by the quality
gate in tests/nlu/test_quality.py.
"""

from __future__ import annotations

import asyncio
import collections
import json
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
TEST_SET = ROOT / "tests" / "nlu" / "test_nlu.yml"
OUT_OF_SCOPE_SET = ROOT / "tests" / "nlu" / "out_of_scope.yml"
REJECTED = {"out_of_scope", "nlu_fallback"}

Example = Tuple[str, str, List[Tuple[int, int, str]]]


def load_examples(path: Path) -> List[Example]:
    """(text, intent, [(start, end, role value)]) for each example in a Rasa NLU file."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for message in load_data(str(path)).intent_examples:
        roles = [(e["start"], e["end"], e["value"]) for e in message.get("entities") or [] if e.get("entity") == "role"]
        examples.append((message.get("text"), message.get("intent"), roles))
    return examples


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def intent_scores(pairs: Iterable[Tuple[str, str]]) -> Dict[str, Any]:
    pairs = list(pairs)
    labels = sorted({gold for gold, _ in pairs})
    per_label = {}
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        per_label[label] = {"precision": prec, "recall": rec, "f1": _f1(prec, rec), "support": tp + fn}
    confusions = collections.Counter((g, p) for g, p in pairs if g != p)
    return {
        "accuracy": sum(1 for g, p in pairs if g == p) / len(pairs) if pairs else 0.0,
        "macro_f1": sum(v["f1"] for v in per_label.values()) / len(per_label) if per_label else 0.0,
        "per_intent": per_label,
        "worst_confusions": [{"gold": g, "predicted": p, "count": n} for (g, p), n in confusions.most_common(8)],
    }


def role_scores(
    gold: List[List[Tuple[int, int, str]]], predicted: List[List[Tuple[int, int, str]]]
) -> Dict[str, float]:
    """Role entity precision/recall/F1: a hit needs the right value on an overlapping span."""
    tp = fp = fn = 0
    for g_list, p_list in zip(gold, predicted):
        unmatched = list(p_list)
        for gs, ge, gv in g_list:
            hit = next((p for p in unmatched if p[2] == gv and p[0] < ge and gs < p[1]), None)
            if hit:
                tp += 1
                unmatched.remove(hit)
            else:
                fn += 1
        fp += len(unmatched)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": precision, "recall": recall, "f1": _f1(precision, recall), "support": tp + fn}


async def _parse_all(agent: Any, texts: List[str]) -> List[Dict[str, Any]]:
    return [await agent.parse_message(text) for text in texts]


def evaluate(model_path: str, test_set: Path = TEST_SET, oos_set: Path = OUT_OF_SCOPE_SET) -> Dict[str, Any]:
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)
    examples = load_examples(test_set)
    oos = load_examples(oos_set)
    parsed = asyncio.run(_parse_all(agent, [t for t, _, _ in examples + oos]))
    in_scope, out_scope = parsed[: len(examples)], parsed[len(examples) :]
    pairs = [(gold, (p.get("intent") or {}).get("name") or "") for (_, gold, _), p in zip(examples, in_scope)]
    predicted_roles = [
        [
            (e.get("start", -1), e.get("end", -1), e.get("value"))
            for e in p.get("entities", [])
            if e.get("entity") == "role"
        ]
        for p in in_scope
    ]
    rejected = [((p.get("intent") or {}).get("name") in REJECTED) for p in out_scope]
    errors = [{"text": t, "gold": g, "predicted": p} for (t, _, _), (g, p) in zip(examples, pairs) if g != p]
    missed_oos = [t for (t, _, _), ok in zip(oos, rejected) if not ok]
    return {
        "test_examples": len(examples),
        "intent": intent_scores(pairs),
        "role": role_scores([r for _, _, r in examples], predicted_roles),
        "out_of_scope": {"examples": len(oos), "rejected": sum(rejected) / len(rejected) if rejected else 0.0},
        "intent_errors": errors,
        "out_of_scope_missed": missed_oos,
    }


def quiet_logging() -> None:
    """Rasa logs every parse at debug level when used as a library; keep warnings only."""
    import logging

    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)


def evaluate_from_command_line(
    description: str, evaluate_model: Callable[[str], Dict[str, Any]], argv: Optional[List[str]] = None
) -> Dict[str, Any]:
    """``[MODEL] [--json PATH]``: evaluate a trained model, optionally saving the full result."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("model", nargs="?", default=str(ROOT / "models" / "pmo.tar.gz"))
    parser.add_argument("--json", help="also write the full result to this file")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    quiet_logging()
    result = evaluate_model(args.model)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return result


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m benchmarks.understanding [MODEL] [--json PATH]``."""
    result = evaluate_from_command_line(__doc__.splitlines()[0], evaluate, argv)
    print(json.dumps({k: v for k, v in result.items() if k != "intent"}, indent=1))
    print("intent accuracy", round(result["intent"]["accuracy"], 3), "macro F1", round(result["intent"]["macro_f1"], 3))
    print("worst confusions", result["intent"]["worst_confusions"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
