"""The Teams app's icons, drawn here, and the app package to upload to Teams.

    python scripts/teams_icons.py                      # redraw docs/teams/color.png and outline.png
    python scripts/teams_icons.py --package APP_ID OUT.zip

The icons are a speech bubble holding three rising bars (the PMO career ladder):
``color.png`` 192x192, white on PMO Learning's navy, full bleed as Teams wants;
``outline.png`` 32x32, white on transparent (Teams allows only white and
transparency there). Shapes only, no fonts, so every machine draws the same pixels.
The package is ``manifest.json`` with the Azure app ID in ``id`` and
``bots[0].botId``, plus the two icons, zipped flat as Teams expects.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import zipfile
from pathlib import Path
from typing import Dict, Tuple

from PIL import Image, ImageDraw

TEAMS = Path(__file__).resolve().parents[1] / "docs" / "teams"
NAVY = (0x1D, 0x35, 0x57, 255)
WHITE = (255, 255, 255, 255)
CLEAR = (255, 255, 255, 0)  # transparent white: scaling down never darkens the edges
SCALE = 8  # drawn large, then scaled down for smooth edges
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

Box = Tuple[float, float, float, float]


def _px(box: Box, size: int) -> Tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    return round(x0 * size), round(y0 * size), round(x1 * size), round(y1 * size)


def _glyph(size: int, background: Tuple[int, int, int, int], outline_only: bool) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGBA", (big, big), background)
    draw = ImageDraw.Draw(image)
    bubble: Box = (0.14, 0.18, 0.86, 0.70)
    tail = [(0.28 * big, 0.66 * big), (0.44 * big, 0.66 * big), (0.24 * big, 0.86 * big)]
    radius = round(0.12 * big)
    if outline_only:
        stroke = round(0.075 * big)
        draw.rounded_rectangle(_px(bubble, big), radius=radius, outline=WHITE, width=stroke)
        draw.polygon(tail, fill=WHITE)
        bar_colour = WHITE
    else:
        draw.rounded_rectangle(_px(bubble, big), radius=radius, fill=WHITE)
        draw.polygon(tail, fill=WHITE)
        bar_colour = NAVY
    for left, top in ((0.31, 0.50), (0.45, 0.41), (0.59, 0.32)):  # three rising bars
        draw.rectangle(_px((left, top, left + 0.10, 0.58), big), fill=bar_colour)
    return image.resize((size, size), Image.LANCZOS)


def colour_icon() -> Image.Image:
    return _glyph(192, NAVY, outline_only=False).convert("RGB").convert("RGBA")


def outline_icon() -> Image.Image:
    return _glyph(32, CLEAR, outline_only=True)


def icons() -> Dict[str, Image.Image]:
    return {"color.png": colour_icon(), "outline.png": outline_icon()}


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def package(app_id: str, out: Path, folder: Path = TEAMS) -> Path:
    """The zip to upload to Teams: the manifest for ``app_id`` and the committed icons."""
    if not GUID.match(app_id):
        raise ValueError(f"the app ID must be the Azure app registration's GUID, not {app_id!r}")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["id"] = app_id
    for bot in manifest.get("bots", []):
        bot["botId"] = app_id
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2) + "\n")
        for name in ("color.png", "outline.png"):
            archive.write(folder / name, name)
    return out


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--package", nargs=2, metavar=("APP_ID", "OUT_ZIP"), help="write the app package")
    args = parser.parse_args(argv)
    if args.package:
        print(package(args.package[0], Path(args.package[1])))
        return 0
    for name, image in icons().items():
        (TEAMS / name).write_bytes(png(image))
        print(TEAMS / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
