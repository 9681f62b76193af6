"""``make bench``: how well and how fast this assistant works, side by side with stock Rasa.

    python -m benchmarks.run            the full run (about half an hour on 2 cores)
    python -m benchmarks.run --smoke    a quick run of every code path (no training,
                                        no stock assistant, no cross-validation, tiny load)
    python -m benchmarks.run --stock-cv also cross-validate the stock pipeline (five more
                                        DIET trainings with a transformer: ~1 hour more)

Writes <out>/results.json, <out>/latency.png and the logs of every step to <out>
(bench/out by default); a full run also copies the JSON and the plot to docs/.

Over 300 lines on purpose: the steps of `make bench` in the order they run, and their
report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from benchmarks import corpus, lean, load, report, serving, steps
from harness import servers
from harness.servers import ROOT

DOCS = ROOT / "docs"
COMMAND = "make bench"
KEEP_RUNS = 2  # work folders (models, logs) of earlier runs kept in the output folder


class Bench:
    def __init__(self, out: Path, smoke: bool) -> None:
        self.out, self.smoke = out, smoke
        self.began = time.monotonic()
        self.step_no, self.steps_total = 0, 0
        self.loads: List[float] = []
        self.errors: List[str] = []

    def guarded(self, label: str, fn: Callable[[], Any]) -> Any:
        """Run one measurement; a failure is reported and recorded, and the run goes on."""
        try:
            return fn()
        except (steps.StepFailed, RuntimeError, OSError, ValueError, KeyError) as failure:
            self.errors.append(f"{label}: {failure}")
            self.say(f"FAILED {label}: {str(failure).splitlines()[0]}")
            return None

    def say(self, message: str) -> None:
        print(f"[{time.monotonic() - self.began:6.0f} s] {message}", flush=True)

    def step(self, title: str) -> None:
        self.step_no += 1
        self.loads.append(os.getloadavg()[0])
        self.say(f"({self.step_no}/{self.steps_total}) {title}")


def understanding_summary(result: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "test_examples": result["test_examples"],
        "intent_accuracy": round(result["intent"]["accuracy"], 4),
        "intent_macro_f1": round(result["intent"]["macro_f1"], 4),
        "role_precision": round(result["role"]["precision"], 4),
        "role_recall": round(result["role"]["recall"], 4),
        "role_f1": round(result["role"]["f1"], 4),
        "role_support": result["role"]["support"],
        "oos_examples": result["out_of_scope"]["examples"],
        "oos_rejected": round(result["out_of_scope"]["rejected"], 4),
        "worst_confusions": result["intent"]["worst_confusions"],
    }


def held_out(model: Path, work: Path, name: str, bench: Bench) -> Dict[str, Any]:
    """benchmarks.understanding in its own process (it loads the model like the server)."""
    path = work / f"understanding-{name}.json"
    steps.run_logged(
        [sys.executable, "-m", "benchmarks.understanding", str(model), "--json", str(path)],
        work / f"understanding-{name}.log",
        f"held-out sets ({name})",
        bench.say,
    )
    summary = understanding_summary(json.loads(path.read_text()))
    bench.say(
        f"held-out ({name}): intent accuracy {summary['intent_accuracy']:.3f}, "
        f"role F1 {summary['role_f1']:.3f}, out-of-scope rejected {summary['oos_rejected']:.3f}"
    )
    return summary


def corpus_run(model: Path, work: Path, bench: Bench) -> Dict[str, Any]:
    """benchmarks.corpus in its own process; the readable failure list goes beside results.json."""
    path, failures = work / "corpus.json", bench.out / "corpus-failures.txt"
    steps.run_logged(
        [
            sys.executable,
            "-m",
            "benchmarks.corpus",
            "--model",
            str(model),
            "--json",
            str(path),
            "--failures",
            str(failures),
        ],
        work / "corpus.log",
        "corpus",
        bench.say,
    )
    result = json.loads(path.read_text())
    summary = {key: value for key, value in result.items() if key != "rows"}
    bench.say(corpus.summary_line(summary) + f"; failures in {failures}")
    return summary


def git_state() -> Dict[str, Any]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--", "config.yml", "data", "domain.yml", "actions", "bot")),
    }


def run(args: argparse.Namespace) -> Dict[str, Any]:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for old in sorted(out.glob("run-*"), key=lambda p: p.stat().st_mtime)[:-KEEP_RUNS]:
        shutil.rmtree(old, ignore_errors=True)  # models and logs of older runs
    work = Path(tempfile.mkdtemp(prefix="run-", dir=out))
    bench = Bench(out, args.smoke)
    full = not args.smoke
    levels = args.levels or ([1, 5] if args.smoke else [1, 20, 50])
    seconds = args.seconds or (3.0 if args.smoke else 30.0)
    with_stock = full and not args.no_stock
    with_cv = full and not args.no_cv
    with_stock_cv = with_stock and with_cv and args.stock_cv
    rates = [float(r) for r in (args.open_loop or ("5" if args.smoke else "60,90,120,150,180,210,240")).split(",")]
    open_seconds = 3.0 if args.smoke else 15.0
    args.open_loop = ",".join(f"{r:g}" for r in rates)
    bench.steps_total = full + 1 + with_cv + 1 + full + 1 + 1 + 1 + full + (5 + with_stock_cv if with_stock else 0)
    results: Dict[str, Any] = {
        "meta": {
            "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": COMMAND + ("-smoke" if args.smoke else ""),
            "mode": "smoke" if args.smoke else "full",
            "machine": report.machine(),
            "rasa": _rasa_version(),
            "git": git_state(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "levels": levels,
            "seconds_per_level": seconds,
            "tracker_store": "in-memory for both assistants (stock's default); one extra "
            "run of this assistant with Rasa's SQLite tracker store",
        },
        "understanding": {},
        "training": {},
        "serving": {},
    }
    bench.say(f"benchmark ({results['meta']['mode']}), output in {out}")

    # 1. Training (full run only: the smoke run uses the trained model as it is).
    model = Path(args.model)
    if full:
        bench.step("rasa train (this assistant, cold cache)")
        trained = steps.train(
            ROOT / "config.yml",
            ROOT / "domain.yml",
            ROOT / "data",
            work / "models",
            "pmo",
            work,
            bench.say,
            "rasa train",
        )  # everything else needs it: not guarded
        model = trained["model"]
        results["training"]["this_assistant"] = {"seconds": trained["seconds"]}
        bench.say(f"rasa train: {trained['seconds']:.0f} s")
    if not model.exists():
        raise steps.StepFailed(f"no trained model at {model}: run `make train`")
    results["meta"]["model"] = str(model)

    # 2. Understanding: held-out sets and cross-validation.
    bench.step("understanding on the held-out sets (this assistant)")
    results["understanding"]["this_assistant"] = (
        bench.guarded("held-out sets", lambda: held_out(model, work, "this-assistant", bench)) or {}
    )
    if with_cv:
        bench.step("5-fold cross-validation on data/nlu/ (this assistant)")
        cv = bench.guarded(
            "cross-validation",
            lambda: steps.cross_validation(
                ROOT / "config.yml",
                ROOT / "data" / "nlu",
                work / "cv-this-assistant",
                work,
                bench.say,
                "cross-validation",
            ),
        )
        if cv:
            results["understanding"]["this_assistant"]["cross_validation"] = cv
            bench.say(
                f"cross-validation: intent accuracy {cv['intent_accuracy']:.3f}, "
                f"macro F1 {cv['intent_macro_f1']:.3f}"
            )

    # 3. Conversation tests.
    bench.step("conversation tests (rasa test core, tests/test_stories.yml)")
    results["conversations"] = bench.guarded(
        "conversation tests",
        lambda: steps.conversation_tests(
            model, ROOT / "tests" / "test_stories.yml", work / "test-core", work, bench.say, "rasa test core"
        ),
    )
    if results["conversations"]:
        bench.say(
            f"conversation tests: {results['conversations']['passed']}/" f"{results['conversations']['stories']} passed"
        )

    # 3b. What real visitors write (issue 19): the corpus and the distractors over REST, in its own
    # process with its own servers (full run only: tests/conversations/test_corpus.py gates it).
    if full:
        bench.step("real-visitor corpus and distractors (benchmarks/corpus.py)")
        results["corpus"] = bench.guarded("corpus", lambda: corpus_run(model, work, bench))

    # 4. The stock assistant: scaffold + train, and its pipeline on our data.
    stock_project = work / "stock"
    stock_init: Optional[Dict[str, Any]] = None
    if with_stock:
        bench.step("stock assistant: rasa init --no-prompt (scaffold and train, cold cache)")
        stock_init = bench.guarded("stock rasa init", lambda: steps.stock_init(stock_project, work, bench.say))
        if stock_init:
            results["training"]["stock"] = {
                "seconds": stock_init["seconds"],
                "note": "rasa init --no-prompt, scaffold included",
            }
            bench.step("stock pipeline trained on data/nlu/, on the held-out sets")

            def stock_understanding() -> Dict[str, Any]:
                nlu = steps.train_nlu(
                    stock_project / "config.yml",
                    ROOT / "data" / "nlu",
                    work / "models",
                    "stock-nlu",
                    work,
                    bench.say,
                    "rasa train nlu (stock pipeline)",
                )
                summary = held_out(Path(nlu["model"]), work, "stock-pipeline", bench)
                summary["train_nlu_seconds"] = nlu["seconds"]
                return summary

            results["understanding"]["stock"] = bench.guarded("stock understanding", stock_understanding) or {}
            if with_stock_cv:
                bench.step("5-fold cross-validation on data/nlu/ (stock pipeline)")
                cv = bench.guarded(
                    "stock cross-validation",
                    lambda: steps.cross_validation(
                        stock_project / "config.yml",
                        ROOT / "data" / "nlu",
                        work / "cv-stock",
                        work,
                        bench.say,
                        "cross-validation (stock)",
                    ),
                )
                if cv:
                    results["understanding"]["stock"]["cross_validation"] = cv
                    bench.say(f"cross-validation (stock): intent accuracy {cv['intent_accuracy']:.3f}")

    # 5. Serving, this assistant then stock, back to back. This assistant as `make run`,
    # `make web` and `make serve` start it: one process, the actions inside it (issue 20).
    bench.step("serving: this assistant (actions in-process), in-memory tracker store")
    results["serving"]["this_assistant"] = bench.guarded(
        "serving",
        lambda: serving.measure(
            "this assistant",
            serving.our_rasa_server(work / "ours", model, None, serving.IN_MEMORY),
            levels,
            seconds,
            bench.say,
            check_answer=load.recommends,
        ),
    )
    bench.step("turn cost at 1, 50 and 200 events: this assistant")
    results["turn_cost"] = {
        "this_assistant": bench.guarded(
            "turn cost",
            lambda: lean.turn_cost_of(
                serving.our_rasa_server(work / "ours-cost", model, None, serving.IN_MEMORY), 1 if args.smoke else 5
            ),
        )
    }
    bench.step(f"open loop: this assistant, Poisson arrivals at {args.open_loop} msg/s")
    results["open_loop"] = {"rates_per_s": rates, "seconds_per_rate": open_seconds}
    results["open_loop"]["this_assistant"] = bench.guarded(
        "open loop",
        lambda: serving.open_loop(
            serving.our_rasa_server(work / "ours-open", model, None, serving.IN_MEMORY),
            rates,
            open_seconds,
            bench.say,
            "this assistant: ",
        ),
    )
    if full:
        bench.step("serving: this assistant with Rasa's SQLite tracker store")
        results["serving"]["this_assistant_sqlite"] = bench.guarded(
            "serving (SQLite)",
            lambda: serving.measure(
                "this assistant, SQLite",
                serving.our_rasa_server(work / "ours-sqlite", model, None, None),
                [20],
                seconds,
                bench.say,
                check_answer=load.recommends,
            ),
        )
    if stock_init:
        bench.step("serving: stock rasa init assistant")
        results["serving"]["stock"] = bench.guarded(
            "serving (stock)",
            lambda: serving.measure(
                "stock",
                serving.stock_rasa_server(work / "stock-serving", stock_project, Path(stock_init["model"])),
                levels,
                seconds,
                bench.say,
            ),
        )
        if results["serving"]["stock"] and results["serving"].get("this_assistant"):
            results["serving"]["ratios"] = ratios(results["serving"])
        bench.step("turn cost at 1, 50 and 200 events: stock rasa init assistant")
        results.setdefault("turn_cost", {})["stock"] = bench.guarded(
            "turn cost (stock)",
            lambda: lean.turn_cost_of(
                serving.stock_rasa_server(work / "stock-cost", stock_project, Path(stock_init["model"])), 5
            ),
        )
        bench.step(f"open loop: stock rasa init assistant, {args.open_loop} msg/s")
        results.setdefault("open_loop", {})["stock"] = bench.guarded(
            "open loop (stock)",
            lambda: serving.open_loop(
                serving.stock_rasa_server(work / "stock-open", stock_project, Path(stock_init["model"])),
                rates,
                open_seconds,
                bench.say,
                "stock: ",
            ),
        )

    results["errors"] = bench.errors
    results["targets"] = report.targets(results)
    results["meta"]["load_average_at_steps"] = [round(x, 2) for x in bench.loads]
    results["meta"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["meta"]["total_seconds"] = round(time.monotonic() - bench.began, 1)
    results["meta"]["work_dir"] = str(work)
    return results


def ratios(serving_results: Dict[str, Any]) -> Dict[str, Any]:
    ours, stock = serving_results.get("this_assistant") or {}, serving_results.get("stock") or {}
    by_level = {}
    for entry in ours.get("levels", []):
        other = report.level(stock, entry["concurrency"])
        if other and other["throughput_rps"] and entry["p95_ms"]:
            by_level[str(entry["concurrency"])] = {
                "throughput_x": round(entry["throughput_rps"] / other["throughput_rps"], 2),
                "p95_stock_over_ours": round(other["p95_ms"] / entry["p95_ms"], 2),
            }

    def over(key: str) -> Optional[float]:
        return round(stock[key] / ours[key], 2) if ours.get(key) and stock.get(key) else None

    return {
        "by_concurrency": by_level,
        "ready_stock_over_ours": over("ready_s"),
        "rss_stock_over_ours": over("rss_peak_mb"),
    }


def _rasa_version() -> str:
    try:
        from importlib.metadata import version

        return version("rasa")
    except Exception:  # pragma: no cover - metadata missing
        return "unknown"


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="quick run of every code path (used by the tests)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument(
        "--model", type=Path, default=servers.MODEL, help="model for the smoke run (a full run trains its own)"
    )
    parser.add_argument("--levels", type=lambda s: [int(x) for x in s.split(",")], help="e.g. 1,20,50")
    parser.add_argument("--seconds", type=float, help="load duration per concurrency level")
    parser.add_argument("--open-loop", help="Poisson arrival rates for the open loop, e.g. 60,120,180 (msg/s)")
    parser.add_argument("--no-stock", action="store_true", help="skip the stock assistant")
    parser.add_argument("--no-cv", action="store_true", help="skip cross-validation")
    parser.add_argument(
        "--stock-cv", action="store_true", help="also cross-validate the stock pipeline (about an hour more on 2 cores)"
    )
    parser.add_argument("--no-docs", action="store_true", help="do not copy a full run's results to docs/")
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    try:
        results = run(args)
    except steps.StepFailed as failure:
        print(f"benchmark failed: {failure}", file=sys.stderr)
        return 1
    results_path = args.out / "results.json"
    results_path.write_text(json.dumps(results, indent=1, default=str) + "\n")
    plot = report.plot(results, args.out / "latency.png")
    print()
    print(report.table(results))
    print()
    print(f"results: {results_path}" + (f", plot: {plot}" if plot else ""))
    if not args.smoke and not args.no_docs and not results["errors"]:
        DOCS.mkdir(exist_ok=True)
        shutil.copy(results_path, DOCS / "bench-results.json")
        if plot:
            shutil.copy(plot, DOCS / "bench-latency.png")
        print(f"copied to {DOCS / 'bench-results.json'} and {DOCS / 'bench-latency.png'}")
    print(f"total {results['meta']['total_seconds']:.0f} s")
    for error in results["errors"]:
        print(f"FAILED {error.splitlines()[0]}", file=sys.stderr)
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
