"""Running stacks for the production tests, and talking to them over REST."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests

from harness.servers import BIN, MODEL, ROOT, Server, base_env, free_port, tcp_sockets

TRACKER_STORE = 'tracker_store:\n  type: bot.storage.tracker_store.EnvSQLTrackerStore\n  db: "{db}"\n'
LOCK_STORE = "lock_store:\n  type: bot.storage.lock_store.EnvLockStore\n{extra}"
TOKEN = "test-" + uuid.uuid4().hex
# One visitor's ten turns over every kind of answer: the scale-out test and benchmarks/workers.py replay it.
SCRIPT = [
    "hi",
    "which course is right for me?",
    "what does a pmo analyst do?",
    "are you a bot?",
    "I'm a project co-ordinator",
    "how long is the course?",
    "what types of PMO are there?",
    "difference between a pmo analyst and a pmo manager",
    "how do I become a PMO manager?",
    "what can you do?",
]


def replica(workdir: Path, endpoints: Path, env: Dict[str, str], port: Optional[int] = None) -> Server:
    """A Rasa server started by scripts/rasa-server.sh, the way production starts one."""
    port = port or free_port()
    return Server(
        name=f"replica {port}",
        args=[str(ROOT / "scripts" / "rasa-server.sh")],
        port=port,
        ready_path="/",
        log=workdir / f"rasa-{port}.log",
        env=base_env(
            PYTHON_BIN=str(BIN / "python"),
            RASA_PORT=str(port),
            RASA_ENDPOINTS=str(endpoints),
            RASA_MODEL=str(MODEL),
            **env,
        ),
    )


def wait_for_workers(server: Server, workers: int, timeout: float = 240.0) -> None:
    """Each Sanic worker loads the model itself; wait until all of them are up."""
    deadline = time.monotonic() + timeout
    while server.log.read_text(errors="replace").count("Rasa server is up and running") < workers:
        if time.monotonic() > deadline or (server.process and server.process.poll() is not None):
            raise RuntimeError(f"{server.name}: {workers} workers not up; see {server.log}:\n{server.tail()}")
        time.sleep(0.5)


@dataclass
class Turn:
    status: int
    messages: List[Dict[str, Any]]
    seconds: float

    @property
    def texts(self) -> List[str]:
        return [m.get("text", "") for m in self.messages]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


def say(server: Server, sender: str, text: str, timeout: float = 120.0) -> Turn:
    started = time.monotonic()
    response = requests.post(
        server.url + "/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=timeout
    )
    seconds = time.monotonic() - started
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else []
    return Turn(response.status_code, body if isinstance(body, list) else [body], seconds)


def tracker(server: Server, sender: str, token: str = TOKEN) -> Dict[str, Any]:
    response = requests.get(f"{server.url}/conversations/{sender}/tracker", params={"token": token}, timeout=60)
    response.raise_for_status()
    return response.json()


def slots(server: Server, sender: str) -> Dict[str, Any]:
    return tracker(server, sender)["slots"]


@dataclass
class Stack:
    workdir: Path
    database_url: str
    actions: Server
    replicas: List[Server] = field(default_factory=list)

    def all(self) -> List[Server]:
        return [*self.replicas, self.actions]

    def stop(self) -> None:
        for server in self.all():
            server.stop()

    def logs(self) -> str:
        return "\n".join(s.log.read_text(errors="replace") for s in self.all() if s.log.exists())


_DOMAIN: Dict[str, Any] = {}


def replayed_slots(sender: str, events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Slots after replaying stored events as Rasa does ("/back" and "/restart" undo what they undo)."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    if "domain" not in _DOMAIN:
        _DOMAIN["domain"] = Domain.load(str(ROOT / "domain.yml"))
    if not events:
        return {}
    return DialogueStateTracker.from_dict(sender, events, _DOMAIN["domain"].slots).current_slot_values()


def listening_addresses(port: int) -> List[str]:
    """Local addresses with a socket listening on ``port``."""
    return [_address(s.local_address) for s in tcp_sockets() if s.listening and s.local_port == port]


def _address(hex_address: str) -> str:
    import ipaddress

    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return str(ipaddress.IPv4Address(raw[::-1]))
    words = [raw[i : i + 4][::-1] for i in range(0, 16, 4)]
    return str(ipaddress.IPv6Address(b"".join(words)))
