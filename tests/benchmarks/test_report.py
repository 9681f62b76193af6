"""The benchmark's arithmetic and report, on made-up results (fast)."""

from __future__ import annotations

import pytest

from benchmarks import load, report, run


@pytest.mark.parametrize(
    "values,q,expected",
    [
        ([1.0], 50, 1.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.0),
        ([1.0, 2.0, 3.0, 4.0], 95, 4.0),
        (list(range(1, 101)), 95, 95),
        (list(range(1, 101)), 99, 99),
        ([5.0, 1.0, 3.0], 100, 5.0),
    ],
)
def test_percentile_is_nearest_rank(values, q, expected):
    assert load.percentile(values, q) == expected


def test_level_summary():
    result = load.LevelResult(
        concurrency=20, seconds=2.0, latencies=[0.1] * 19 + [1.0], errors=1, answers_checked=4, answers_ok=3
    )
    summary = result.summary()
    assert summary["throughput_rps"] == 10.0
    assert summary["p50_ms"] == 100.0 and summary["p95_ms"] == 100.0 and summary["p99_ms"] == 1000.0
    assert summary["errors"] == 1 and summary["answers_ok"] == 0.75
    assert summary["p50_ms_by_turn"] == []

    result.by_turn = {1: [0.2, 0.3, 0.4], 0: [0.1]}
    assert result.summary()["p50_ms_by_turn"] == [100.0, 300.0]


def test_conversation_is_the_five_turns_of_the_issue():
    import random

    turns = load.conversation(random.Random(1))
    assert len(turns) == 5 and turns[0] in load.CONVERSATION[0] and turns[-1] in load.CONVERSATION[-1]
    assert load.recommends([{"text": "I'd recommend Essentials for PMO Analysts."}])
    assert not load.recommends([{"text": "Which of these is closest to what you do now?"}])


def serving(throughput, p95, ready=20.0, rss=600.0):
    return {
        "ready_s": ready,
        "first_reply_s": ready + 0.1,
        "rss_idle_mb": rss - 10,
        "rss_peak_mb": rss,
        "levels": [
            {
                "concurrency": c,
                "requests": 100,
                "errors": 0,
                "conversations": 20,
                "seconds": 10.0,
                "throughput_rps": throughput,
                "p50_ms": p95 / 2,
                "p95_ms": p95,
                "p99_ms": p95 * 1.5,
                "mean_ms": p95 / 2,
                "answers_ok": 1.0,
            }
            for c in (1, 20, 50)
        ],
    }


RESULTS = {
    "meta": {"date": "2026-11-28T23:00:00+00:00", "machine": {"nproc": 2, "cpu_model": "AMD EPYC"}},
    "understanding": {
        "this_assistant": {
            "intent_accuracy": 0.96,
            "intent_macro_f1": 0.95,
            "role_precision": 0.99,
            "role_recall": 0.98,
            "role_f1": 0.985,
            "oos_rejected": 0.93,
            "cross_validation": {"intent_accuracy": 0.83, "intent_macro_f1": 0.82},
        },
        "stock": {
            "intent_accuracy": 0.9,
            "intent_macro_f1": 0.88,
            "role_precision": 0.0,
            "role_recall": 0.0,
            "role_f1": 0.0,
            "oos_rejected": 0.8,
        },
    },
    "conversations": {"stories": 10, "passed": 10, "pass_rate": 1.0},
    "training": {"this_assistant": {"seconds": 40.0}, "stock": {"seconds": 150.0}},
    "serving": {"this_assistant": serving(60.0, 300.0), "stock": serving(12.0, 2500.0, ready=70.0, rss=1100.0)},
}


def test_targets_met_and_missed():
    rows = {row["key"]: row for row in report.targets(RESULTS)}
    assert rows["intent_accuracy"]["met"] is True
    assert rows["p95_ms_at_20"]["met"] is False and rows["p95_ms_at_20"]["value"] == 300.0
    assert rows["throughput_vs_stock_at_20"]["value"] == 5.0 and rows["throughput_vs_stock_at_20"]["met"]
    assert rows["ready_s"]["met"] and rows["rss_peak_mb"]["met"] and rows["train_s"]["met"]


def test_unmeasured_targets_are_reported_as_such():
    rows = {row["key"]: row for row in report.targets({"understanding": {}, "serving": {}})}
    assert all(row["met"] is None for row in rows.values())
    assert "not measured" in report.table({"targets": list(rows.values())})


def test_table_and_ratios():
    results = dict(RESULTS, targets=report.targets(RESULTS))
    text = report.table(results)
    assert "20 concurrent: msg/s" in text and "60.0" in text and "12.0" in text
    assert "MISSED" in text and "10/10" in text
    ratios = run.ratios(RESULTS["serving"])
    assert ratios["by_concurrency"]["20"] == {"throughput_x": 5.0, "p95_stock_over_ours": 8.33}
    assert ratios["ready_stock_over_ours"] == 3.5


def test_plot_is_a_png(tmp_path):
    path = report.plot(RESULTS, tmp_path / "latency.png")
    assert path and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_markdown_table_for_the_readme():
    results = dict(RESULTS, targets=report.targets(RESULTS))
    text = report.markdown(results)
    lines = text.splitlines()
    assert lines[0] == "| measure | this assistant | stock rasa init |"
    assert "| held-out intent accuracy | 0.960 | 0.900 |" in lines
    assert "| p95 latency at 20 concurrent (ms) | <= 250 | 300.0 | **missed** |" in lines
    assert all(line.count("|") in (4, 5) for line in lines if line)
