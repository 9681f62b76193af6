"""Debian's Chromium, headless, as every browser test, screenshot and benchmark starts it.

No browser download (``make browser`` installs Debian's ``chromium``); the flags keep it
from reaching for the network this machine does not have.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def launch(playwright: Any, *extra_flags: str) -> Any:
    """A headless Chromium from a started ``sync_playwright()``; fails with the fix if none is installed."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} not found: `make browser` installs Debian's chromium package")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*FLAGS, *extra_flags])
