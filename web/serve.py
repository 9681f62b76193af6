"""Serve the demo page and the widget's files (``python -m web.serve``).

A plain static server for ``web/dist`` (see ``web.build``). The demo page's
``__SOCKET_URL__`` placeholder becomes ``--socket-url``, the Rasa server the
widget talks to. For a real website, copy ``web/dist/pmo-chat/`` to it instead.

At start it prints the origins ``credentials.yml`` allows for the widget
(``cors_allowed_origins`` of the socket.io channel): a page on any other origin
gets no widget at all, only a console error, so this says so up front.
"""

from __future__ import annotations

import argparse
import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import List, Union

from web.build import DIST, ROOT

PLACEHOLDER = "__SOCKET_URL__"
SOCKETIO_CHANNEL = "bot.channels.socketio.SocketIOInput"


class Handler(SimpleHTTPRequestHandler):
    socket_url = "http://localhost:5005"

    def do_GET(self) -> None:
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


def allowed_origins(credentials: Path) -> Union[str, List[str]]:
    """``"*"`` or the origins the socket.io channel of ``credentials`` lets browsers connect from."""
    import yaml

    channels = yaml.safe_load(credentials.read_text(encoding="utf-8")) or {}
    value = (channels.get(SOCKETIO_CHANNEL) or {}).get("cors_allowed_origins")
    if value == "*":
        return "*"
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [str(v).rstrip("/") for v in values]


def origins_report(credentials: Path, page_origins: List[str]) -> str:
    """What ``make web`` prints about the origins the widget may be embedded on."""
    try:
        origins = allowed_origins(credentials)
    except Exception as error:  # a bad file must not stop the demo page
        return f"widget: could not read {credentials} ({type(error).__name__})"
    if origins == "*":
        return f'widget: {credentials.name} allows every origin (cors_allowed_origins: "*")'
    lines = [f"widget: browsers may connect from these origins ({credentials.name}, cors_allowed_origins):"]
    lines += [f"  {origin}" for origin in origins] or ["  (none: every browser is refused)"]
    missing = [o for o in page_origins if o not in origins]
    if missing:
        lines.append(
            f"  warning: this demo page's origin {', '.join(missing)} is not allowed: " "the widget will not show"
        )
    lines.append(
        "  A page on another origin shows no widget: add its origin (scheme://host[:port]) to that list "
        "and restart Rasa."
    )
    return "\n".join(lines)


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the PMO Learning widget demo page.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--socket-url", default="http://localhost:5005", help="the Rasa server")
    parser.add_argument("--dist", type=Path, default=DIST)
    parser.add_argument(
        "--credentials",
        type=Path,
        default=ROOT / "credentials.yml",
        help="the Rasa server's credentials file, for its allowed origins",
    )
    args = parser.parse_args(argv)
    server = make_server(args.host, args.port, args.socket_url, args.dist)
    print(
        origins_report(args.credentials, [f"http://localhost:{args.port}", f"http://127.0.0.1:{args.port}"]), flush=True
    )
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
