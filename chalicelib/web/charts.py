"""Charts drawn on the server as inline SVG (the metrics dashboards, issue 16).

No JavaScript and nothing inline that the Content-Security-Policy (`style-src 'self'`) would
refuse: shapes carry SVG presentation attributes and classes from app.css, never a `style`
attribute. Every chart is a `<figure>`:

- the `<svg role="img">` is named by its `<title>` and described by its `<desc>`, which says in
  words what the chart shows (the period, the lowest and the highest value, the total or the
  latest), so that a screen reader hears the point of the chart rather than its shapes;
- under it, the same numbers as a table (`<details>`, closed by default; a `table.cards`, so that
  it reads as cards on a phone): the chart is never the only way to the figures.

    charts.line("frt", "First response time, median", points, unit=charts.DURATION)
    charts.bars("contacts", "Contacts per day", points)

A point is `(label, value, shown)`: the x label ("25 Nov"), the value to draw (None where there
is no figure: a gap in a line, no bar), and how the table shows it ("12 min", "—"). The y axis
starts at 0 and ends at a round number above the highest value."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
HEIGHT = 220
LEFT = 56  # room for the y axis' labels
RIGHT = 12
TOP = 12
BOTTOM = 28  # room for the x axis' labels
DOTS_UP_TO = 62  # a line of more points than this is drawn without a dot on each


@dataclass(frozen=True)
class Point:
    label: str  # the x axis' label and the table's first column
    value: float | None  # what is drawn; None: no figure that day
    shown: str  # the value as the table shows it


def number(value: float) -> str:
    """An axis label: 0, 12, 2.5, 1,200."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.1f}"


def percent(value: float) -> str:
    return f"{value:.0f} %"


def duration(seconds: float) -> str:
    """An axis label for a duration given in seconds: 45 s, 12 min, 3.5 h, 2 d."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        hours = seconds / 3600
        return f"{hours:.1f} h" if hours < 10 else f"{hours:.0f} h"
    return f"{seconds / 86400:.1f} d"


NUMBER: Callable[[float], str] = number
PERCENT: Callable[[float], str] = percent
DURATION: Callable[[float], str] = duration


def nice_ceiling(value: float) -> float:
    """The round number (1, 2, 2.5, 5 times a power of ten) at or above `value`: the axis' top."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power * (1 + 1e-12):
            return step * power
    return 10 * power  # pragma: no cover - the loop ends at 10


def _x_positions(count: int) -> list[float]:
    inner = WIDTH - LEFT - RIGHT
    if count == 1:
        return [LEFT + inner / 2]
    return [LEFT + inner * i / (count - 1) for i in range(count)]


def _y(value: float, top: float) -> float:
    inner = HEIGHT - TOP - BOTTOM
    return TOP + inner * (1 - value / top)


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _label_indexes(count: int) -> list[int]:
    """Which x labels are written: all of a few, else the first, the middle and the last."""
    if count <= 7:
        return list(range(count))
    return sorted({0, count // 2, count - 1})


def describe(title: str, points: Sequence[Point], *, total: str | None = None) -> str:
    """The chart in words: 'Contacts per day, 1 Nov to 30 Nov: lowest 3 on 2 Nov, highest 40 on
    25 Nov; 310 in all.' A chart with no figure says so."""
    if not points:
        return f"{title}: nothing in this period."
    span = points[0].label if len(points) == 1 else f"{points[0].label} to {points[-1].label}"
    known = [p for p in points if p.value is not None]
    if not known:
        return f"{title}, {span}: no figures yet."
    low = min(known, key=lambda p: p.value or 0.0)
    high = max(known, key=lambda p: p.value or 0.0)
    text = f"{title}, {span}: lowest {low.shown} ({low.label}), highest {high.shown} ({high.label})"
    if total is not None:
        text += f"; {total} in all"
    return text + "."


def _frame(
    chart_id: str, title: str, description: str, top: float, axis: Callable[[float], str]
) -> list[str]:
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="chart-svg" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for share in (0.0, 0.5, 1.0):
        y = _y(top * share, top)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_f(y)}" y2="{_f(y)}" class="grid" '
            f'stroke="#d0d5dd" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{_f(y + 4)}" text-anchor="end" class="axis" '
            f'font-size="12" fill="#344054">{escape(axis(top * share))}</text>'
        )
    return parts


def _x_labels(points: Sequence[Point], xs: Sequence[float]) -> list[str]:
    parts = []
    for i in _label_indexes(len(points)):
        anchor = "start" if i == 0 and len(points) > 1 else "end" if i == len(points) - 1 and i else "middle"
        parts.append(
            f'<text x="{_f(xs[i])}" y="{HEIGHT - 8}" text-anchor="{anchor}" class="axis" '
            f'font-size="12" fill="#344054">{escape(points[i].label)}</text>'
        )
    return parts


def _table(chart_id: str, title: str, points: Sequence[Point], x_name: str, y_name: str) -> str:
    rows = "".join(
        f'<tr><td data-label="{escape(x_name)}">{escape(p.label)}</td>'
        f'<td data-label="{escape(y_name)}" class="num">{escape(p.shown)}</td></tr>'
        for p in points
    )
    return (
        f'<details class="chart-data"><summary>{escape(title)}: the figures</summary>'
        f'<table class="cards" id="{chart_id}-table"><thead><tr><th scope="col">{escape(x_name)}</th>'
        f'<th scope="col">{escape(y_name)}</th></tr></thead><tbody>{rows}</tbody></table></details>'
    )


def _figure(chart_id: str, title: str, svg: list[str], table: str) -> Markup:
    return Markup(
        f'<figure class="chart" id="{chart_id}">{"".join(svg)}</svg>'
        f"<figcaption>{escape(title)}</figcaption>{table}</figure>"
    )


def _check_id(chart_id: str) -> str:
    if not chart_id.replace("-", "").isalnum():
        raise ValueError(f"a chart id is letters, digits and hyphens: {chart_id!r}")
    return chart_id


def line(
    chart_id: str,
    title: str,
    points: Sequence[Point],
    *,
    axis: Callable[[float], str] = number,
    x_name: str = "Day",
    y_name: str = "Value",
    total: str | None = None,
) -> Markup:
    """A line over the points, broken where a point has no value; a dot on each point when
    there are few (a lone point between two gaps is then still seen)."""
    chart_id = _check_id(chart_id)
    known = [p.value for p in points if p.value is not None]
    top = nice_ceiling(max(known, default=0.0))
    svg = _frame(chart_id, title, describe(title, points, total=total), top, axis)
    xs = _x_positions(len(points)) if points else []
    segment: list[str] = []
    segments: list[list[str]] = []
    for x, point in zip(xs, points, strict=True):
        if point.value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{_f(x)},{_f(_y(point.value, top))}")
    if segment:
        segments.append(segment)
    for run in segments:
        if len(run) > 1:
            svg.append(
                f'<polyline points="{" ".join(run)}" class="series" fill="none" stroke="#175cd3" '
                f'stroke-width="2" stroke-linejoin="round"/>'
            )
    if len(points) <= DOTS_UP_TO or any(len(run) == 1 for run in segments):
        lone = {run[0] for run in segments if len(run) == 1}
        for run in segments:
            for xy in run:
                if len(points) <= DOTS_UP_TO or xy in lone:
                    x, y = xy.split(",")
                    svg.append(f'<circle cx="{x}" cy="{y}" r="3" class="dot" fill="#175cd3"/>')
    svg.extend(_x_labels(points, xs))
    return _figure(chart_id, title, svg, _table(chart_id, title, points, x_name, y_name))


def bars(
    chart_id: str,
    title: str,
    points: Sequence[Point],
    *,
    axis: Callable[[float], str] = number,
    x_name: str = "Day",
    y_name: str = "Value",
    total: str | None = None,
) -> Markup:
    """A bar per point (none where a point has no value)."""
    chart_id = _check_id(chart_id)
    known = [p.value for p in points if p.value is not None]
    top = nice_ceiling(max(known, default=0.0))
    svg = _frame(chart_id, title, describe(title, points, total=total), top, axis)
    inner = WIDTH - LEFT - RIGHT
    slot = inner / max(1, len(points))
    width = max(1.0, slot * 0.7)
    xs = [LEFT + slot * (i + 0.5) for i in range(len(points))]
    base = _y(0, top)
    for x, point in zip(xs, points, strict=True):
        if point.value is None or point.value <= 0:
            continue
        y = _y(point.value, top)
        svg.append(
            f'<rect x="{_f(x - width / 2)}" y="{_f(y)}" width="{_f(width)}" height="{_f(base - y)}" '
            f'class="bar" fill="#175cd3"/>'
        )
    svg.extend(_x_labels(points, xs))
    return _figure(chart_id, title, svg, _table(chart_id, title, points, x_name, y_name))
