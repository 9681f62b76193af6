"""Chart geometry for server-drawn SVG (pure): the templates only place what is computed here.

No JavaScript and nothing from a CDN: a chart is an inline ``<svg>`` the
browser draws, with a ``<title>`` per bar for the exact figure on hover.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import List, Sequence, Tuple

WIDTH = 720
HEIGHT = 200
MARGIN_LEFT = 44
MARGIN_BOTTOM = 24
ROW_HEIGHT = 22
LABEL_WIDTH = 260


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str
    series: int = 0


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: List[Bar]
    x_ticks: List[Tick]
    y_ticks: List[Tick]
    title: str
    empty: bool  # nothing above zero: the page says so instead of drawing an empty frame


def nice_top(value: float) -> float:
    """The axis top: the smallest 1, 2 or 5 times a power of ten at or above ``value``."""
    if value <= 0:
        return 1.0
    step = 10.0 ** math.floor(math.log10(value))
    return next(step * factor for factor in (1, 2, 5, 10) if step * factor >= value * (1 - 1e-9))


def columns(
    title: str, labels: Sequence[str], series: Sequence[Sequence[float]], percent: bool = False, every: int = 0
) -> Chart:
    """Vertical bars over time: one group per label, one bar per series (side by side)."""
    top = nice_top(max((v for values in series for v in values), default=0.0))
    if percent:
        top = min(top, 1.0)
    plot_w, plot_h = WIDTH - MARGIN_LEFT - 8, HEIGHT - MARGIN_BOTTOM - 8
    slot = plot_w / max(len(labels), 1)
    bar_w = max(slot * 0.8 / max(len(series), 1), 1.0)
    bars = []
    for i, label in enumerate(labels):
        for s, values in enumerate(series):
            value = values[i]
            h = plot_h * value / top
            x = MARGIN_LEFT + i * slot + slot * 0.1 + s * bar_w
            shown = f"{value:.0%}" if percent else f"{value:g}"
            bars.append(Bar(round(x, 1), round(8 + plot_h - h, 1), round(bar_w, 1), round(h, 1), label, shown, s))
    every = every or max(1, len(labels) // 8)
    x_ticks = [
        Tick(round(MARGIN_LEFT + i * slot + slot / 2, 1), HEIGHT - 6, label[5:] if len(label) == 10 else label)
        for i, label in enumerate(labels)
        if i % every == 0
    ]
    y_ticks = [
        Tick(MARGIN_LEFT - 4, round(8 + plot_h - plot_h * f, 1), f"{top * f:.0%}" if percent else f"{top * f:g}")
        for f in (0.0, 0.5, 1.0)
    ]
    return Chart(WIDTH, HEIGHT, bars, x_ticks, y_ticks, title, not any(v > 0 for values in series for v in values))


def rows(title: str, items: Sequence[Tuple[str, float]]) -> Chart:
    """Horizontal bars, one row per item, the label at the left (most asked questions, mentions)."""
    top = max((value for _, value in items), default=0.0) or 1.0
    plot_w = WIDTH - LABEL_WIDTH - 60
    bars = [
        Bar(LABEL_WIDTH, 4 + i * ROW_HEIGHT, round(plot_w * value / top, 1), ROW_HEIGHT - 6, label, f"{value:g}")
        for i, (label, value) in enumerate(items)
    ]
    return Chart(WIDTH, 8 + len(items) * ROW_HEIGHT, bars, [], [], title, not any(v > 0 for _, v in items))
