"""The soak's short mode (``python -m benchmarks.soak --smoke``): every code path of `make bench`'s soak.

A minute of traffic through the production set-up (PostgreSQL, Redis, the outbox
workers, the insights refresher): the report has a baseline and a sample every
15 s with every figure the soak reports, no process died, no turn failed, every
confirmed enquiry was mailed once and the refresher kept up.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from harness import services
from harness.servers import MODEL, ROOT, base_env

pytestmark = pytest.mark.slow
PROCESSES = {"rasa", "actions", "outbox", "insights"}


def test_the_soak_smoke_run_reports_every_figure(tmp_path):
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train`")
    services.require_postgres()
    services.require_redis()
    soak = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.soak", "--smoke", "--out", str(tmp_path)],
        cwd=ROOT,
        env=base_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = soak.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        soak.terminate()  # SIGTERM: the soak stops its servers and drops its database
        out, err = soak.communicate(timeout=120)
    assert soak.returncode == 0, out[-3000:] + err[-3000:]
    report = json.loads((tmp_path / "soak.json").read_text())
    samples = report["samples"]
    assert (tmp_path / "soak.png").stat().st_size > 10_000
    assert report["rate"] == 2.0 and len(samples) >= 5  # the baseline, four windows, the final one
    for sample in samples:
        assert set(sample["processes"]) == PROCESSES and sample["dead_processes"] == []
        for figures in sample["processes"].values():
            assert figures["rss_mb"] > 20 and figures["fds"] > 2 and figures["pg_sockets"] >= 1, figures
        assert sample["db_connections"] >= 4
    assert sample["processes"]["rasa"]["redis_sockets"] >= 1  # the lock store is Redis
    windows = samples[1:]
    assert all(w["messages"] > 0 and w["p95_ms"] >= w["p50_ms"] > 0 for w in windows[:-1])
    totals = samples[-1]["totals"]
    assert totals["errors"] == 0 and totals["messages"] >= 60, totals
    assert totals["enquiries_confirmed"] >= 1
    final = samples[-1]
    assert final["enquiries"] == totals["enquiries_confirmed"]
    assert final["outbox"] == {"sent": final["enquiries"]} and final["mails_received"] == final["enquiries"]
    assert final["insights_lag_events"] < final["events"] // 4  # the refresher keeps up (every 10 s)
