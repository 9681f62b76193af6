"""A Rasa server whose model cannot be loaded exits with the reason instead of apologising forever."""

from __future__ import annotations

import time

import pytest

from harness import servers

pytestmark = pytest.mark.slow


def test_a_broken_model_stops_the_server(tmp_path):
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not a model at all" * 100)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: InMemoryTrackerStore\n")
    server = servers.rasa_server(tmp_path, endpoints, model=broken)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="exited early"):
        server.start(timeout=120)
    assert server.process is not None and server.process.wait(timeout=30) != 0
    assert time.monotonic() - started < 120
    log = server.log.read_text(errors="replace")
    assert "could not be loaded" in log and "refusing to serve" in log
