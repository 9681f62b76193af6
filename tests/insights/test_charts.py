"""Chart geometry: axis tops, bars inside the drawing, an empty chart said as such."""

import pytest

from bot.insights.charts import HEIGHT, WIDTH, columns, nice_top, rows


@pytest.mark.parametrize("value, top", [(0, 1), (7, 10), (10, 10), (11, 20), (180, 200), (0.13, 0.2), (0.5, 0.5)])
def test_axis_top(value, top):
    assert nice_top(value) == pytest.approx(top)


def test_columns_fit_and_show_percentages():
    chart = columns("share", ["2026-11-01", "2026-11-02"], [[0.1, 0.15]], percent=True)
    assert [b.value for b in chart.bars] == ["10%", "15%"]
    assert [t.text for t in chart.y_ticks] == ["0%", "10%", "20%"]
    assert all(b.x >= 0 and b.x + b.width <= WIDTH and b.y >= 0 and b.y + b.height <= HEIGHT for b in chart.bars)
    assert [t.text for t in chart.x_ticks] == ["11-01", "11-02"]


def test_rows_and_empty():
    chart = rows("intents", [("greet", 10), ("out_of_scope", 5)])
    assert [b.width for b in chart.bars] == [chart.bars[0].width, chart.bars[0].width / 2]
    assert not chart.empty and rows("none", []).empty and columns("none", ["a"], [[0]]).empty
