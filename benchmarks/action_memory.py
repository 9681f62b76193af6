"""Does the action server's memory level off? Its RSS after every 2,000 action calls.

    python -m benchmarks.action_memory [--rounds 15]

Starts the action server (SQLite database, an SMTP server in this process for the
enquiry mails, so the outbox worker thread delivers) and sends it action calls the
way Rasa does, four at a time: one in ten ``action_submit_enquiry`` (a stored
enquiry, a notification, a mail), the others answering actions (a role, a
recommendation, the course list, a comparison). Prints the RSS after each round.
The soak (benchmarks/soak.py) saw the action server grow by 5 MB in 30 minutes
(about 10,000 calls); this runs the same kind of calls further, to see whether
the growth continues or stops.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

import requests
import yaml
from aiosmtpd.controller import Controller

from benchmarks.outbox import Arrivals, call, free_port
from harness.servers import BIN, ROOT, base_env

ANSWERS = ("action_describe_role", "action_recommend_course", "action_list_courses", "action_compare_roles")


def rss_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return 0


def body(n: int, domain: Dict[str, Any], rng: random.Random) -> Dict[str, Any]:
    made = call(f"memory-{n}-{time.time_ns()}", domain)
    if n % 10:
        made["next_action"] = rng.choice(ANSWERS)
        made["tracker"]["latest_message"] = {
            "text": "what does a pmo analyst do?",
            "intent": {"name": "ask_role_description", "confidence": 1.0},
            "entities": [{"entity": "role", "value": "PMO Analyst"}],
        }
    return made


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.action_memory", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="rounds of 2,000 calls")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="action-memory-"))
    arrivals, smtp_port, port = Arrivals(), free_port(), free_port()
    smtp = Controller(arrivals, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    env = base_env(
        PMO_DATABASE_URL=f"sqlite:///{workdir / 'conversations.db'}",
        PMO_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        PMO_ENQUIRY_TO="learning@pmo-learning.co.uk",
        PMO_ENQUIRY_FROM="assistant@pmo-learning.co.uk",
    )
    with open(workdir / "actions.log", "wb") as log:
        server = subprocess.Popen(
            [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if requests.get(url + "/health", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        domain = yaml.safe_load((ROOT / "domain.yml").read_text())
        rng = random.Random(22)

        def one(n: int) -> None:
            requests.post(url + "/webhook", json=body(n, domain, rng), timeout=60).raise_for_status()

        print(f"calls {0:>6}: RSS {rss_mb(server.pid)} MB", flush=True)
        for done in range(2000, 2000 * args.rounds + 1, 2000):
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(one, range(done - 2000, done)))
            print(f"calls {done:>6}: RSS {rss_mb(server.pid)} MB, mails {len(arrivals.at)}", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        smtp.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
