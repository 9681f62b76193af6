"""Start the real action server and Rasa server for integration tests.

Each server runs as its own process on a free local port, with its own
endpoints file and SQLite tracker store in a temporary folder, so the tests
never touch a developer's running bot or conversations.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import requests

from bot.settings import TEST_ACTIONS_ENV, load

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MODEL = Path(load().test_model or ROOT / "models" / "pmo.tar.gz")


# Ports for test servers: below Linux's ephemeral range (32768 and up, where the OS picks client ports and
# ``bind(0)``), in a block of its own for each pytest-xdist worker, so two workers never choose the same port
# in the moment between choosing and binding (once, the soak's Rasa lost its port that way and the soak
# measured the other worker's server instead).
_PORT_BLOCK = 4000
_PORT_BASE = 16000


def free_port() -> int:
    worker = "".join(ch for ch in os.environ.get("PYTEST_XDIST_WORKER", "") if ch.isdigit())
    block = int(worker) % 4 if worker else 3
    start = _PORT_BASE + block * _PORT_BLOCK
    for _ in range(200):
        port = random.randrange(start, start + _PORT_BLOCK)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:  # a crowded block: let the OS choose
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class TcpSocket:
    """One row of /proc/net/tcp or tcp6."""

    local_address: str  # hexadecimal, as the kernel writes it
    local_port: int
    remote_port: int
    listening: bool
    inode: str


def tcp_sockets() -> List[TcpSocket]:
    """Every TCP socket on the machine (from /proc/net/tcp and tcp6; none where there is no /proc)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            address, local_port = parts[1].rsplit(":", 1)
            found.append(
                TcpSocket(address, int(local_port, 16), int(parts[2].rsplit(":", 1)[1], 16), parts[3] == "0A", parts[9])
            )
    return found


def session_pids(leader: int) -> List[int]:
    """Every live process in the session ``leader`` started (a server and its children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == leader and fields[0] != "Z":  # fields[3] is the session id
            found.append(int(entry.name))
    return found


def _session_inodes(leader: int) -> set[str]:
    """Socket inodes held by the processes of the session ``leader`` started."""
    found = set()
    for pid in session_pids(leader):
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        found |= {link[8:-1] for link in links if link.startswith("socket:[")}
    return found


def base_env(**extra: str) -> Dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONHASHSEED": "0",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONPATH": str(ROOT),
            # Test servers take many messages from one address and often one sender: rate limits
            # off (bot/channels/limits.py), except where a test sets them to test them.
            "PMO_RATE_LIMIT_PER_SENDER": "0",
            "PMO_RATE_LIMIT_PER_ADDRESS": "0",
        }
    )
    env.update(extra)
    return env


@dataclass
class Server:
    name: str
    args: List[str]
    port: int
    ready_path: str
    log: Path
    env: Dict[str, str] = field(default_factory=base_env)
    process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180.0) -> "Server":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.log, "ab")  # noqa: SIM115 - the server process writes to it for its whole life
        self.process = subprocess.Popen(
            self.args,
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early; see {self.log}:\n{self.tail()}")
            try:
                if requests.get(self.url + self.ready_path, timeout=2).status_code == 200 and self.owns_port():
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f}s; see {self.log}:\n{self.tail()}")

    def owns_port(self) -> bool:
        """The socket listening on the port is this server's, not another process's that answered first."""
        if self.process is None:
            return False
        if not Path("/proc/net/tcp").exists():
            return True  # no /proc to ask: trust the answer
        listening = {s.inode for s in tcp_sockets() if s.listening and s.local_port == self.port}
        return bool(listening & _session_inodes(self.process.pid))

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def action_server(workdir: Path, port: Optional[int] = None, env: Optional[Dict[str, str]] = None) -> Server:
    port = port or free_port()
    return Server(
        name="action server",
        args=[str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
        port=port,
        ready_path="/health",
        log=workdir / f"actions-{port}.log",
        env=base_env(**(env or {})),
    )


# "in-process": every endpoints file written here runs the actions inside the Rasa server
# (bot/serving/inprocess.py), even where a test started an action server (the whole suite
# against the default set-up of `make run`).
ACTIONS_ENV = TEST_ACTIONS_ENV


def write_endpoints(
    workdir: Path,
    action_port: Optional[int],
    tracker_store: Optional[str] = None,
    lock_store: Optional[str] = None,
    name: Optional[str] = None,
) -> Path:
    """An endpoints file: actions at the action server on ``action_port``, or in-process when it is None."""
    store = tracker_store or (
        "tracker_store:\n  type: SQL\n  dialect: sqlite\n" f"  db: \"{workdir / 'conversations.db'}\"\n"
    )
    if action_port is None or load().test_actions == "in-process":
        action = "action_endpoint:\n  actions_module: actions\n"
    else:
        action = f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
    path = workdir / (name or f"endpoints-{action_port or 'in-process'}.yml")
    path.write_text(action + store + (lock_store or ""))
    return path


def rasa_server(
    workdir: Path,
    endpoints: Path,
    port: Optional[int] = None,
    credentials: Path = ROOT / "credentials.yml",
    model: Path = MODEL,
    extra_args: Optional[List[str]] = None,
    env: Optional[Dict[str, str]] = None,
) -> Server:
    port = port or free_port()
    return Server(
        name="rasa server",
        # The one entry point users run (README): Rasa's CLI behind bot.serving's patches.
        args=[
            str(BIN / "python"),
            "-m",
            "bot.serving",
            "run",
            "--model",
            str(model),
            "--port",
            str(port),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(credentials),
            "--interface",
            "127.0.0.1",
            *(extra_args or []),
        ],
        port=port,
        ready_path="/",
        log=workdir / f"rasa-{port}.log",
        env=base_env(**(env or {})),
    )
