"""Time to deliver an enquiry: from the visitor's "yes" to the mail in the team's SMTP server.

    python -m benchmarks.outbox [--enquiries 20] [--database-url postgresql://...]

Starts a real SMTP server (aiosmtpd, in this process) and the action server
(``rasa run actions``, as `make run` does) with the notification settings,
then sends ``action_submit_enquiry`` calls over HTTP one after another, as
Rasa does when a visitor confirms, each from a new conversation. For each it
records when the confirmation came back and when the mail (matched by its
reference) arrived. The database is a fresh SQLite file unless given.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Dict, List

import requests
import yaml
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[1]
SLOTS = {
    "enquiry_name": "Jane Smith",
    "enquiry_email": "jane@acme.co.uk",
    "enquiry_organisation": "Acme",
    "enquiry_team_size": "12",
    "enquiry_interest": "P3O Foundation",
    "enquiry_consent": True,
    "recommended_course": "Essentials for PMO Analysts",
    "pmo_level": 2.0,
}


class Arrivals:
    def __init__(self) -> None:
        self.at: Dict[str, float] = {}
        self.changed = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        match = re.search(rb"^X-PMO-Enquiry: (\S+)", envelope.original_content, re.MULTILINE)
        with self.changed:
            if match:
                self.at.setdefault(match.group(1).decode(), time.monotonic())
            self.changed.notify_all()
        return "250 OK"

    def wait(self, reference: str, timeout: float) -> float:
        with self.changed:
            self.changed.wait_for(lambda: reference in self.at, timeout)
            return self.at[reference]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(sender: str, domain: Dict[str, Any]) -> Dict[str, Any]:
    tracker = {
        "sender_id": sender,
        "slots": SLOTS,
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "events": [
            {"event": "user", "text": "can you train our team in-house?"},
            {"event": "active_loop", "name": "enquiry_form"},
            {"event": "user", "text": "yes"},
        ],
        "latest_action_name": "enquiry_form",
        "latest_message": {"text": "yes", "intent": {"name": "affirm", "confidence": 1.0}, "entities": []},
    }
    return {"next_action": "action_submit_enquiry", "sender_id": sender, "tracker": tracker, "domain": domain}


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--enquiries", type=int, default=20)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="pmo-outbox-bench-"))
    arrivals = Arrivals()
    smtp_port, action_port = free_port(), free_port()
    controller = Controller(arrivals, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "PMO_DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'conversations.db'}",
        "PMO_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "PMO_ENQUIRY_TO": "team@pmo-learning.co.uk",
        "PMO_ENQUIRY_FROM": "assistant@pmo-learning.co.uk",
    }
    log = open(workdir / "actions.log", "wb")  # noqa: SIM115 (open for the whole run, closed in finally)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "rasa"),
            "run",
            "actions",
            "--actions",
            "actions",
            "--port",
            str(action_port),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{action_port}"
    try:
        for _ in range(240):
            try:
                if requests.get(url + "/health", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        domain = yaml.safe_load((ROOT / "domain.yml").read_text())
        replies, mails = [], []
        for n in range(-1, args.enquiries):  # -1: a warm-up (the first save creates the tables)
            started = time.monotonic()
            response = requests.post(url + "/webhook", json=call(f"bench-{n}-{time.time_ns()}", domain), timeout=60)
            replied = time.monotonic()
            reference = re.search(r"reference (ENQ-[0-9A-F]+)", response.json()["responses"][0]["text"])
            if reference is None:
                raise SystemExit(f"no reference in the reply: {response.text[:300]}")
            delivered = arrivals.wait(reference.group(1), 60)
            if n >= 0:
                mails.append(delivered - started)
                replies.append(replied - started)
    finally:
        server.terminate()
        server.wait(30)
        controller.stop()
        log.close()
    for name, values in (("confirmation reply", replies), ("confirm -> mail received", mails)):
        print(
            f"{name:26s} median {statistics.median(values) * 1000:7.1f} ms   "
            f"p95 {percentile(values, 0.95) * 1000:7.1f} ms   max {max(values) * 1000:7.1f} ms   (n={len(values)})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
