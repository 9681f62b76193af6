"""`make bench-smoke`: the benchmark runs end to end and reports sane figures.

The full `make bench` takes half an hour and is not part of the test suite; this
runs every code path of it on the trained model with a tiny load, so it cannot
silently break.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from harness.servers import MODEL, ROOT, base_env

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train`")
    out = tmp_path_factory.mktemp("bench")
    docs_before = {p: p.stat().st_mtime for p in (ROOT / "docs").glob("bench*")}
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--smoke", "--out", str(out), "--model", str(MODEL)],
        cwd=ROOT,
        env=base_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    assert {p: p.stat().st_mtime for p in (ROOT / "docs").glob("bench*")} == docs_before, "smoke wrote docs/"
    return run.stdout, json.loads((out / "results.json").read_text()), out


def test_progress_and_table_are_printed(smoke):
    stdout, _, _ = smoke
    assert "(1/5) understanding on the held-out sets" in stdout
    assert "this assistant: ready after" in stdout
    assert "held-out intent accuracy" in stdout and "targets:" in stdout


def test_results_have_the_expected_keys(smoke):
    _, results, _ = smoke
    assert results["meta"]["mode"] == "smoke" and results["errors"] == []
    assert {"date", "command", "machine", "rasa", "levels", "total_seconds"} <= set(results["meta"])
    assert results["meta"]["machine"]["nproc"] >= 1 and results["meta"]["rasa"] == "3.6.21"
    assert {
        "intent_accuracy",
        "intent_macro_f1",
        "role_precision",
        "role_recall",
        "role_f1",
        "oos_rejected",
        "worst_confusions",
    } <= set(results["understanding"]["this_assistant"])
    assert [t["key"] for t in results["targets"]] == [
        "intent_accuracy",
        "role_f1",
        "oos_rejected",
        "p95_ms_at_20",
        "throughput_vs_stock_at_20",
        "ready_s",
        "rss_peak_mb",
        "train_s",
        "capacity_vs_stock",
        "p50_ms_at_1",
        "rss_everything_mb",
        "ready_s_lean",
        "turn_cost_growth",
    ]


def test_understanding_and_conversations_are_sane(smoke):
    _, results, _ = smoke
    ours = results["understanding"]["this_assistant"]
    assert ours["test_examples"] >= 200 and ours["oos_examples"] >= 100
    for key in ("intent_accuracy", "intent_macro_f1", "role_f1", "oos_rejected"):
        assert 0.5 < ours[key] <= 1.0, key
    conversations = results["conversations"]
    assert conversations["stories"] >= 5 and 0.0 <= conversations["pass_rate"] <= 1.0


def test_serving_figures_are_sane(smoke):
    _, results, _ = smoke
    ours = results["serving"]["this_assistant"]
    assert 0 < ours["ready_s"] <= ours["first_reply_s"] < 300
    assert 100 < ours["rss_idle_mb"] <= ours["rss_peak_mb"] < 4000
    assert [level["concurrency"] for level in ours["levels"]] == [1, 5]
    for level in ours["levels"]:
        assert level["requests"] > 0 and level["errors"] == 0 and level["throughput_rps"] > 0
        assert 0 < level["p50_ms"] <= level["p95_ms"] <= level["p99_ms"]
        assert len(level["p50_ms_by_turn"]) == 5 and all(ms > 0 for ms in level["p50_ms_by_turn"])
        assert level["answers_ok"] in (None, 1.0)  # every finished conversation got its recommendation
    assert "stock" not in results["serving"]


def test_open_loop_figures_are_sane(smoke):
    stdout, results, _ = smoke
    opened = results["open_loop"]
    assert opened["rates_per_s"] == [5.0] and "stock" not in opened
    [row] = opened["this_assistant"]["rates"]
    assert row["rate"] == 5.0 and row["requests"] > 0 and row["errors"] == 0 and 0 < row["p50_ms"] <= row["p95_ms"]
    assert opened["this_assistant"]["capacity_per_s"] == (5.0 if row["p95_ms"] <= 300 else 0)
    assert "this assistant: open loop 5/s" in stdout and "open loop: capacity" in stdout


def test_plot_is_written(smoke):
    _, _, out = smoke
    assert (out / "latency.png").read_bytes()[:4] == b"\x89PNG"


def test_turn_cost_is_measured_at_1_50_and_200_events(smoke):
    stdout, results, _ = smoke
    cost = results["turn_cost"]["this_assistant"]
    for mark in ("1", "50", "200"):
        assert cost[mark]["turns"] > 0 and cost[mark]["p50_ms"] > 0, cost
    assert cost["growth_200_over_1"] == round(cost["200"]["p50_ms"] / cost["1"]["p50_ms"], 2)
    assert "turn cost p50 at 1/50/200 events (ms)" in stdout
