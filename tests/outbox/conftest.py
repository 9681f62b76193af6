"""An SMTP server process, a webhook stub and the outbox settings pointing at them."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

from harness.servers import ROOT, free_port


class SmtpSink:
    """``python -m tests.outbox.smtp_sink``: started, stopped and restarted on the same port."""

    def __init__(self, folder: Path, port: Optional[int] = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.process: Optional[subprocess.Popen[str]] = None

    def start(self, *options: str) -> "SmtpSink":
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.outbox.smtp_sink",
                "--port",
                str(self.port),
                "--dir",
                str(self.folder),
                *options,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None and self.process.stdout.readline().strip() == "ready"
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def messages(self) -> List[EmailMessage]:
        files = sorted(self.folder.glob("*.eml"), key=lambda p: int(p.stem))
        return [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
            for p in files
        ]

    def recipients(self) -> List[List[str]]:
        files = sorted(self.folder.glob("*.rcpt"), key=lambda p: int(p.stem))
        return [p.read_text().split("\n") for p in files]

    def wait_for(self, count: int, timeout: float = 15.0) -> List[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.messages()
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"{len(self.messages())} messages received, expected {count}")


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpSink]:
    sink = SmtpSink(tmp_path / "mail")
    try:
        yield sink
    finally:
        sink.stop()


class WebhookStub:
    def __init__(self) -> None:
        self.posts: List[Dict[str, Any]] = []
        self.status = 200
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                stub.posts.append(json.loads(self.rfile.read(length)))
                self.send_response(stub.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T000/B000"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook() -> Iterator[WebhookStub]:
    stub = WebhookStub()
    try:
        yield stub
    finally:
        stub.close()


def outbox_env(smtp: SmtpSink, webhook_url: str = "", **extra: str) -> Dict[str, str]:
    env = {
        "PMO_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
        "PMO_ENQUIRY_TO": "team@pmo-learning.co.uk, sales@pmo-learning.co.uk",
        "PMO_ENQUIRY_FROM": "assistant@pmo-learning.co.uk",
        "PMO_OUTBOX_BACKOFF_SECONDS": "0.2",
        "PMO_OUTBOX_POLL_SECONDS": "0.1",
        "PMO_OUTBOX_LEASE_SECONDS": "2",
    }
    if webhook_url:
        env["PMO_ENQUIRY_WEBHOOK_URL"] = webhook_url
    env.update(extra)
    return env
