"""Serve the demo page and the widget's files (``python -m web.serve``).

A plain static server for ``web/dist`` (see ``web.build``). The demo page's
``__SOCKET_URL__`` placeholder becomes ``--socket-url``, the Rasa server the
widget talks to. For a real website, copy ``web/dist/pmo-chat/`` to it instead.
"""

from __future__ import annotations

import argparse
import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from web.build import DIST

PLACEHOLDER = "__SOCKET_URL__"


class Handler(SimpleHTTPRequestHandler):
    socket_url = "http://localhost:5005"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path.split("?")[0] in ("/", "/index.html"):
            page = (Path(self.directory) / "index.html").read_text(encoding="utf-8")
            body = page.replace(PLACEHOLDER, self.socket_url).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # paths only, never bodies
        sys.stderr.write("web.serve: " + (format % args) + "\n")


def make_server(host: str, port: int, socket_url: str, dist: Path = DIST) -> ThreadingHTTPServer:
    if not (dist / "index.html").exists():
        raise SystemExit(f"{dist} is not built: run `python -m web.build` (or `make web`)")
    handler = type("PMOHandler", (Handler,), {"socket_url": socket_url.rstrip("/")})
    return ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(dist)))


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the PMO Learning widget demo page.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--socket-url", default="http://localhost:5005", help="the Rasa server")
    parser.add_argument("--dist", type=Path, default=DIST)
    args = parser.parse_args(argv)
    server = make_server(args.host, args.port, args.socket_url, args.dist)
    print(f"demo page: http://localhost:{args.port} (Rasa at {args.socket_url})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
