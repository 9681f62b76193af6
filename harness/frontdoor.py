"""The front door, really running: HAProxy (scripts/frontdoor.sh balancer, deploy/haproxy/haproxy.cfg)
in front of two Rasa replicas on PostgreSQL and Redis, the action server and the demo page.

Used by tests/deploy/conftest.py and benchmarks/frontdoor.py. Every process is started the
way production starts it: replicas by scripts/rasa-server.sh (``python -m bot.serving run``) with
endpoints.production.yml, the credentials file scripts/frontdoor.sh writes (the allowed origins).
"""

from __future__ import annotations

import csv
import io
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import requests
from requests.adapters import HTTPAdapter

from harness import servers
from harness import stack as production
from harness.servers import ROOT, Server, base_env, free_port

SCRIPT = ROOT / "scripts" / "frontdoor.sh"
# Rasa's conversation lock lifetime (seconds), as scripts/frontdoor.sh and deploy/compose.yaml set
# it: how long a conversation whose replica died mid-turn stays locked (Rasa's default is 60).
LOCK_LIFETIME = "15"


class SourceAddress(HTTPAdapter):
    """Requests from one loopback address (127.x.y.z are all this machine): a client of its own."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


@dataclass
class FrontDoor:
    workdir: Path
    env: Dict[str, str]
    balancer: Server
    actions: Server
    replicas: List[Server]
    page: Any = None
    extra: List[Any] = field(default_factory=list)
    slack: Any = None  # the Slack and Teams stubs, when the tests start them
    teams: Any = None

    @property
    def https_port(self) -> int:
        return int(self.env["FRONTDOOR_HTTPS_PORT"])

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def http_url(self) -> str:
        return f"http://{self.env['FRONTDOOR_HTTP_BIND']}"

    @property
    def certificate(self) -> str:
        return str(self.workdir / "frontdoor" / "selfsigned.crt")

    @property
    def log(self) -> Path:
        return self.balancer.log

    def client(self, address: str = "127.0.0.1") -> requests.Session:
        """An HTTPS client that checks the front door's certificate, from ``address``."""
        session = requests.Session()
        session.trust_env = False  # REQUESTS_CA_BUNDLE would replace the certificate below
        session.verify = self.certificate
        session.mount("https://", SourceAddress(address))
        session.mount("http://", SourceAddress(address))
        return session

    def stats(self) -> Dict[Tuple[str, str], Dict[str, str]]:
        """HAProxy's stats CSV: (proxy, server) -> its row."""
        text = requests.get(f"http://{self.env['FRONTDOOR_STATS_BIND']}/;csv", timeout=10).text.lstrip("# ")
        return {(row["pxname"], row["svname"]): row for row in csv.DictReader(io.StringIO(text))}

    def status(self, name: str, backend: str = "replicas_socketio") -> str:
        return self.stats()[(backend, name)]["status"]

    def sessions(self, backend: str = "replicas") -> Dict[str, int]:
        """Requests each replica has been sent through ``backend`` so far."""
        rows = self.stats()
        return {f"replica{n}": int(rows[(backend, f"replica{n}")]["stot"] or 0) for n in (1, 2)}

    def wait_status(self, name: str, wanted: str, timeout: float) -> float:
        """Seconds until HAProxy says ``name`` is ``wanted`` (UP/DOWN); fails after ``timeout``."""
        started = time.monotonic()
        while True:
            state = self.status(name)
            if state.startswith(wanted):
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                raise AssertionError(f"{name} still {state} after {timeout:.0f}s, expected {wanted}")
            time.sleep(0.1)

    def replica(self, name: str) -> Server:
        return self.replicas[int(name[-1]) - 1]

    def kill(self, name: str) -> None:
        self.replica(name).stop(signal.SIGKILL)

    def restart(self, name: str) -> threading.Thread:
        """Start a killed replica again, in the background (it takes a minute to load)."""
        thread = threading.Thread(target=self.replica(name).start, kwargs={"timeout": 300}, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        for server in (self.balancer, *self.replicas, self.actions):
            server.stop()
        if self.page is not None:
            self.page.shutdown()
            self.page.server_close()
        for stub in self.extra:
            stub.stop()


def start(
    workdir: Path,
    database_url: str,
    redis_url: str,
    replica_env: Optional[Dict[str, str]] = None,
    rate: str = "120/60",
    replicas: int = 2,
    server_timeout: str = "60s",
) -> FrontDoor:
    """Start everything; replicas in parallel (each loads TensorFlow and the model)."""
    from web.build import build
    from web.serve import make_server

    if not servers.MODEL.exists():
        raise RuntimeError(f"no trained model at {servers.MODEL}: run `make train`")
    if subprocess.run([str(ROOT / "scripts" / "install-balancer.sh")], timeout=600).returncode:
        raise RuntimeError("HAProxy is missing and could not be installed (scripts/install-balancer.sh)")
    https_port = free_port()
    origin = f"https://127.0.0.1:{https_port}"
    ports = {name: free_port() for name in ("web", "actions", "actions_bind", "replica1", "replica2")}
    env = {
        "FRONTDOOR_DIR": str(workdir / "frontdoor"),
        "FRONTDOOR_HOST": "127.0.0.1",
        "FRONTDOOR_HTTPS_PORT": str(https_port),
        "FRONTDOOR_HTTP_BIND": f"127.0.0.1:{free_port()}",
        "FRONTDOOR_STATS_BIND": f"127.0.0.1:{free_port()}",
        "FRONTDOOR_HSTS": "31536000",
        "FRONTDOOR_SERVER_TIMEOUT": server_timeout,
        "PMO_ALLOWED_ORIGINS": origin,  # the one setting: the replicas' credentials and HAProxy's list
        "PMO_REPLICA_1": f"127.0.0.1:{ports['replica1']}",
        "PMO_REPLICA_2": f"127.0.0.1:{ports['replica2']}",
        "PMO_WEB": f"127.0.0.1:{ports['web']}",
        "PMO_ACTIONS_1": f"127.0.0.1:{ports['actions']}",
        "PMO_ACTIONS_BIND": f"127.0.0.1:{ports['actions_bind']}",
        "PMO_RATE_LIMIT_PER_ADDRESS": rate,
        "PMO_MAX_BODY_BYTES": "65536",
        "PYTHON_BIN": str(servers.BIN / "python"),
    }
    subprocess.run([str(SCRIPT), "prepare"], env=base_env(**env), check=True, timeout=60)

    dist = build(workdir / "dist")
    page = make_server("127.0.0.1", ports["web"], origin, dist)
    threading.Thread(target=page.serve_forever, daemon=True).start()

    stores = {"PMO_DATABASE_URL": database_url, "PMO_REDIS_URL": redis_url}
    actions = servers.action_server(workdir, port=ports["actions"], env=stores)
    shared = {
        **stores,
        "ACTION_SERVER_URL": f"http://{env['PMO_ACTIONS_BIND']}/webhook",
        "RASA_CREDENTIALS": str(workdir / "frontdoor" / "credentials.yml"),
        "PMO_TRUSTED_PROXIES": "127.0.0.1",
        "PMO_MAX_BODY_BYTES": "65536",
        "PMO_RATE_LIMIT_PER_ADDRESS": rate,
        "TICKET_LOCK_LIFETIME": LOCK_LIFETIME,
        **(replica_env or {}),
    }
    # endpoints.production.yml as scripts/frontdoor.sh prepare passes it on
    endpoints = workdir / "frontdoor" / "endpoints.yml"
    rasa = [production.replica(workdir, endpoints, shared, port=ports[f"replica{n}"]) for n in range(1, 3)]
    balancer = Server(
        name="haproxy",
        args=[str(SCRIPT), "balancer"],
        port=int(env["FRONTDOOR_HTTP_BIND"].rsplit(":", 1)[1]),
        ready_path="/frontdoor-health",
        log=workdir / "haproxy.log",
        env=base_env(**env),
    )
    door = FrontDoor(workdir, env, balancer, actions, rasa, page)
    try:
        balancer.start(timeout=60)
        with ThreadPoolExecutor(3) as pool:
            for future in [pool.submit(s.start, timeout=300) for s in (actions, *rasa[:replicas])]:
                future.result()
        for n in range(1, replicas + 1):
            door.wait_status(f"replica{n}", "UP", timeout=30)
        if replicas == 1:
            door.wait_status("replica2", "DOWN", timeout=30)
    except BaseException:
        door.stop()
        raise
    return door


def texts(response: requests.Response) -> List[str]:
    body = response.json()
    return [m.get("text", "") for m in body] if isinstance(body, list) else []
