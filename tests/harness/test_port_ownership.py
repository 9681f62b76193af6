"""harness.servers: a test server is ready only when the socket answering on its port is its own."""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness.servers import Server, base_env, free_port


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_another_process_answering_on_the_port_does_not_make_a_server_ready(tmp_path):
    port = free_port()
    squatter = ThreadingHTTPServer(("127.0.0.1", port), _Ok)  # answers 200 on the port our server was given
    threading.Thread(target=squatter.serve_forever, daemon=True).start()
    idle = Server(
        name="idle",
        args=[sys.executable, "-c", "import time; time.sleep(60)"],  # never listens
        port=port,
        ready_path="/",
        log=tmp_path / "idle.log",
        env=base_env(),
    )
    try:
        with pytest.raises(RuntimeError, match="not ready"):
            idle.start(timeout=3)
    finally:
        idle.stop()
        squatter.shutdown()
        squatter.server_close()


def test_ports_come_from_the_workers_own_block(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    assert all(20000 <= free_port() < 24000 for _ in range(20))
