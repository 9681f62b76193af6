"""Assemble the widget's static files into ``web/dist`` (``python -m web.build``).

Everything the browser loads comes from here, never from a CDN:

- ``pmo-chat/webchat.js``: rasa-webchat 1.0.1's bundle from ``node_modules``,
  with its ``@import`` of Google Fonts removed (offline it fails; online it
  sends every visitor's IP address to a third party);
- ``pmo-chat/inter.css`` and ``pmo-chat/fonts/``: the Inter font from
  ``@fontsource/inter``, served with the widget;
- ``pmo-chat/pmo-chat.js``: the one-line loader a website embeds (brand, labels,
  privacy notice, "clear conversation" and thumbs on answers);
- ``pmo-chat/privacy.html``: what the assistant keeps and for how long (the notice's
  default link) and ``pmo-chat/pmo-avatar.svg``, the demo's avatar;
- ``index.html``: the demo page served by ``web.serve``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = Path(__file__).resolve().parent / "src"
DIST = Path(__file__).resolve().parent / "dist"
NODE_MODULES = ROOT / "node_modules"
WEBCHAT_VERSION = "1.0.1"
GOOGLE_FONTS_IMPORT = "@import url(https://fonts.googleapis.com/css?family=Inter:400,500,700&display=swap);"
FONT_WEIGHTS = (400, 500, 700)
# Served beside the loader: the privacy page its notice links to by default, and the demo's avatar.
WIDGET_FILES = ("pmo-chat.js", "inter.css", "privacy.html", "pmo-avatar.svg")


class BuildError(Exception):
    pass


def patched_bundle(node_modules: Path = NODE_MODULES) -> str:
    """rasa-webchat's browser bundle without any request to Google Fonts."""
    package = node_modules / "rasa-webchat" / "package.json"
    if not package.exists():
        raise BuildError(f"{package} not found: run `npm ci` (or `make web`) first")
    version = json.loads(package.read_text())["version"]
    if version != WEBCHAT_VERSION:
        raise BuildError(f"rasa-webchat {version} installed, {WEBCHAT_VERSION} expected: run `npm ci`")
    bundle = (node_modules / "rasa-webchat" / "lib" / "index.js").read_text(encoding="utf-8")
    if GOOGLE_FONTS_IMPORT not in bundle:
        raise BuildError("rasa-webchat's Google Fonts import has changed: update web/build.py")
    bundle = bundle.replace(GOOGLE_FONTS_IMPORT, "")
    if "fonts.googleapis.com" in bundle or "fonts.gstatic.com" in bundle:
        raise BuildError("rasa-webchat still refers to Google Fonts after patching")
    return bundle


def build(out: Path = DIST, node_modules: Path = NODE_MODULES) -> Path:
    widget = out / "pmo-chat"
    (widget / "fonts").mkdir(parents=True, exist_ok=True)
    (widget / "webchat.js").write_text(patched_bundle(node_modules), encoding="utf-8")
    for name in WIDGET_FILES:
        shutil.copyfile(SRC / name, widget / name)
    fonts = node_modules / "@fontsource" / "inter"
    for weight in FONT_WEIGHTS:
        name = f"inter-latin-{weight}-normal.woff2"
        shutil.copyfile(fonts / "files" / name, widget / "fonts" / name)
    shutil.copyfile(fonts / "LICENSE", widget / "fonts" / "LICENSE-Inter.txt")
    shutil.copyfile(node_modules / "rasa-webchat" / "LICENSE", widget / "LICENSE-rasa-webchat.txt")
    shutil.copyfile(SRC / "index.html", out / "index.html")
    return out


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DIST)
    args = parser.parse_args(argv)
    try:
        print(f"widget built in {build(args.out)}")
    except BuildError as error:
        print(f"web.build: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
