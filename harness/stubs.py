"""Local stand-ins for the services a channel talks to, on 127.0.0.1.

A :class:`StubServer` answers each request from a small route table and keeps
every request it got, so a test can wait for the bot's replies (Slack's Web
API, the Bot Connector at a Teams ``serviceUrl``) or check that nothing was
fetched (Bot Framework's OpenID metadata at server start). A route may answer
``(status, body, headers)`` to send headers too (Slack's ``Retry-After``).
:func:`hung_server` is a TCP listener that accepts and never answers (a hung
Redis, say).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple
from urllib.parse import parse_qs, unquote, urlsplit

Reply = Tuple[Any, ...]  # (status, body) or (status, body, headers)
Route = Callable[["Recorded"], Reply]


@dataclass
class Recorded:
    method: str
    path: str
    headers: Dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)  # when it arrived
    query: Dict[str, str] = field(default_factory=dict)

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def form(self) -> Dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class StubServer:
    routes: Dict[Tuple[str, str], Route] = field(default_factory=dict)
    prefixes: List[Tuple[str, str, Route]] = field(default_factory=list)
    requests: List[Recorded] = field(default_factory=list)
    _server: Optional[ThreadingHTTPServer] = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def route(self, method: str, path: str, reply: Route) -> "StubServer":
        self.routes[(method, path)] = reply
        return self

    def route_prefix(self, method: str, prefix: str, reply: Route) -> "StubServer":
        self.prefixes.append((method, prefix, reply))
        return self

    @property
    def url(self) -> str:
        assert self._server is not None, "stub not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "StubServer":
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                url = urlsplit(self.path)
                recorded = Recorded(
                    self.command,
                    unquote(url.path),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                    query={k: v[0] for k, v in parse_qs(url.query).items()},
                )
                with stub._lock:
                    stub.requests.append(recorded)
                status, payload, *more = stub._reply(recorded)
                body = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in (more[0] if more else {}).items():
                    self.send_header(name, str(value))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def _reply(self, recorded: Recorded) -> Reply:
        route = self.routes.get((recorded.method, recorded.path))
        if route is None:
            route = next((r for m, p, r in self.prefixes if m == recorded.method and recorded.path.startswith(p)), None)
        if route is None:
            return 404, {"error": f"no stub for {recorded.method} {recorded.path}"}
        return route(recorded)

    def received(self, predicate: Callable[[Recorded], bool] = lambda r: True) -> List[Recorded]:
        with self._lock:
            return [r for r in self.requests if predicate(r)]

    def wait_for(self, predicate: Callable[[Recorded], bool], count: int = 1, timeout: float = 60.0) -> List[Recorded]:
        """The first ``count`` matching requests, waiting for them to arrive."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.received(predicate)
            if len(found) >= count:
                return found[:count]
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} matching request(s) within {timeout:.0f}s, got {len(found)}")
            time.sleep(0.1)


@contextmanager
def hung_server() -> Iterator[int]:
    """The port of a listener on 127.0.0.1 that takes connections and never says anything."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)  # the kernel completes the handshakes; nobody ever reads or writes
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
