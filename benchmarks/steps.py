"""The benchmark's steps that run Rasa's own command line (train, test, init).

Each command runs in its own process with its output in a log file under the
output folder, and a heartbeat line every 15 s so a long step never looks hung.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

from harness.servers import BIN, ROOT, base_env

Progress = Callable[[str], None]
HEARTBEAT_S = 15.0


class StepFailed(RuntimeError):
    pass


def run_logged(
    args: List[str],
    log: Path,
    label: str,
    progress: Progress,
    cwd: Path = ROOT,
    env: Optional[Dict[str, str]] = None,
    timeout: float = 3600.0,
) -> float:
    """Run ``args``; return wall seconds. Raises StepFailed with the log's tail."""
    log.parent.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            args, cwd=cwd, env=env or base_env(), stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        next_beat = began + HEARTBEAT_S
        while process.poll() is None:
            now = time.monotonic()
            if now - began > timeout:
                process.kill()
                process.wait()
                raise StepFailed(f"{label}: timed out after {timeout:.0f} s; see {log}")
            if now >= next_beat:
                progress(f"{label}: still running, {now - began:.0f} s")
                next_beat += HEARTBEAT_S
            time.sleep(0.5)
    seconds = time.monotonic() - began
    if process.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        raise StepFailed(f"{label}: exit code {process.returncode}; see {log}\n{tail}")
    return seconds


def cold_env(cache: Path) -> Dict[str, str]:
    """An environment whose Rasa training cache is empty, so training is timed from scratch."""
    cache.mkdir(parents=True, exist_ok=True)
    return base_env(RASA_CACHE_DIRECTORY=str(cache))


def train(
    config: Path, domain: Path, data: Path, out: Path, name: str, work: Path, progress: Progress, label: str
) -> Dict[str, object]:
    """``rasa train`` from a cold cache; returns the model path and the seconds it took."""
    seconds = run_logged(
        [
            str(BIN / "rasa"),
            "train",
            "--config",
            str(config),
            "--domain",
            str(domain),
            "--data",
            str(data),
            "--out",
            str(out),
            "--fixed-model-name",
            name,
        ],
        work / f"train-{name}.log",
        label,
        progress,
        env=cold_env(work / f"cache-{name}"),
    )
    model = out / f"{name}.tar.gz"
    if not model.exists():
        raise StepFailed(f"{label}: no model at {model}")
    return {"model": model, "seconds": round(seconds, 1)}


def train_nlu(
    config: Path, nlu: Path, out: Path, name: str, work: Path, progress: Progress, label: str
) -> Dict[str, object]:
    seconds = run_logged(
        [
            str(BIN / "rasa"),
            "train",
            "nlu",
            "--config",
            str(config),
            "--nlu",
            str(nlu),
            "--out",
            str(out),
            "--fixed-model-name",
            name,
        ],
        work / f"train-nlu-{name}.log",
        label,
        progress,
        env=cold_env(work / f"cache-nlu-{name}"),
    )
    return {"model": out / f"{name}.tar.gz", "seconds": round(seconds, 1)}


def cross_validation(
    config: Path, nlu: Path, out: Path, work: Path, progress: Progress, label: str, folds: int = 5
) -> Dict[str, object]:
    """``rasa test nlu --cross-validation``: intent figures over all held-out folds."""
    seconds = run_logged(
        [
            str(BIN / "rasa"),
            "test",
            "nlu",
            "--cross-validation",
            "--folds",
            str(folds),
            "--config",
            str(config),
            "--nlu",
            str(nlu),
            "--out",
            str(out),
        ],
        work / f"cv-{out.name}.log",
        label,
        progress,
    )
    report = json.loads((out / "intent_report.json").read_text())
    return {
        "folds": folds,
        "examples": report["macro avg"]["support"],
        "intent_accuracy": round(report["accuracy"], 4),
        "intent_macro_f1": round(report["macro avg"]["f1-score"], 4),
        "seconds": round(seconds, 1),
    }


def conversation_tests(
    model: Path, stories: Path, out: Path, work: Path, progress: Progress, label: str
) -> Dict[str, object]:
    """``rasa test core`` on the conversation tests: the share of stories that pass."""
    args = [str(BIN / "rasa"), "test", "core", "--model", str(model), "--stories", str(stories), "--out", str(out)]
    seconds = run_logged(args, work / "test-core.log", label, progress)
    report = json.loads((out / "story_report.json").read_text())["conversation_accuracy"]
    return {
        "stories": report["total"],
        "passed": report["correct"],
        "pass_rate": round(report["correct"] / report["total"], 4) if report["total"] else 0.0,
        "seconds": round(seconds, 1),
    }


def stock_init(project: Path, work: Path, progress: Progress) -> Dict[str, object]:
    """``rasa init --no-prompt``: the stock assistant, scaffolded and trained (timed)."""
    project.mkdir(parents=True, exist_ok=True)
    seconds = run_logged(
        [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
        work / "stock-init.log",
        "stock: rasa init --no-prompt",
        progress,
        cwd=project,
        env=cold_env(work / "cache-stock"),
    )
    models = sorted((project / "models").glob("*.tar.gz"))
    if not models:
        raise StepFailed(f"rasa init trained no model in {project / 'models'}")
    return {"model": models[-1], "seconds": round(seconds, 1)}
