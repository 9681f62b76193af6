"""Debian's Chromium, headless, as every browser test, screenshot and benchmark starts it.

No browser download (``make browser`` installs Debian's ``chromium``); the flags keep it
from reaching for the network this machine does not have.
"""

from __future__ import annotations

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
