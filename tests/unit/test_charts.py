"""Server-rendered SVG charts (web/charts.py): named and described for a screen reader, the same
figures as a table, nothing the Content-Security-Policy refuses, text escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from chalicelib.web import charts
from chalicelib.web.charts import Point


def points(*values):
    return [Point(f"{i + 1} Nov", v, "—" if v is None else f"{v:g}") for i, v in enumerate(values)]


def svg_of(markup: str) -> ET.Element:
    svg = re.search(r"<svg.*</svg>", markup, re.S)
    assert svg is not None
    return ET.fromstring(svg.group(0).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


NS = "{http://www.w3.org/2000/svg}"


def test_a_line_is_named_described_and_has_its_figures_as_a_table():
    markup = str(charts.line("contacts", "Contacts per day", points(3, 40, 7), y_name="Contacts", total="50"))
    svg = svg_of(markup)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "contacts-title contacts-desc"
    assert svg.find(f"{NS}title").text == "Contacts per day"
    desc = svg.find(f"{NS}desc").text
    assert desc == "Contacts per day, 1 Nov to 3 Nov: lowest 3 (1 Nov), highest 40 (2 Nov); 50 in all."
    rows = re.findall(
        r'<td data-label="Day">([^<]*)</td><td data-label="Contacts" class="num">([^<]*)</td>', markup
    )
    assert rows == [("1 Nov", "3"), ("2 Nov", "40"), ("3 Nov", "7")]
    assert '<table class="cards"' in markup


def test_the_axis_ends_at_a_round_number_above_the_highest_value():
    assert [charts.nice_ceiling(v) for v in (0, 0.3, 1, 7, 40, 41, 130, 2400)] == [
        1,
        0.5,
        1,
        10,
        50,
        50,
        200,
        2500,
    ]
    svg = svg_of(str(charts.line("c", "C", points(3, 40, 7))))
    labels = [t.text for t in svg.iter(f"{NS}text") if t.get("text-anchor") == "end" and t.get("x") == "50"]
    assert labels == ["0", "25", "50"]


def test_the_highest_point_is_drawn_at_its_height():
    svg = svg_of(str(charts.line("c", "C", points(0, 50))))
    (line,) = svg.iter(f"{NS}polyline")
    (start, end) = [tuple(float(n) for n in xy.split(",")) for xy in line.get("points").split()]
    assert start[1] == charts.HEIGHT - charts.BOTTOM  # 0 sits on the axis
    assert end[1] == charts.TOP  # 50 at the top, which is 50


def test_a_missing_figure_breaks_the_line_and_a_lone_point_keeps_its_dot():
    svg = svg_of(str(charts.line("c", "C", [*points(1, 2, None, 4, None, 6, 7)])))
    lines = list(svg.iter(f"{NS}polyline"))
    assert [len(line.get("points").split()) for line in lines] == [2, 2]
    many = [Point(str(i), None if i == 50 else float(i % 7), "x") for i in range(100)]
    svg = svg_of(str(charts.line("c", "C", many)))
    assert len(list(svg.iter(f"{NS}circle"))) == 0  # too many for dots, and no lone point
    many[48] = Point("48", None, "—")  # 49 is now alone between two gaps
    svg = svg_of(str(charts.line("c", "C", many)))
    assert len(list(svg.iter(f"{NS}circle"))) == 1


def test_bars_draw_one_bar_per_figure():
    svg = svg_of(str(charts.bars("b", "Bars", points(2, None, 0, 5))))
    heights = [float(r.get("height")) for r in svg.iter(f"{NS}rect")]
    assert len(heights) == 2 and heights[1] == pytest.approx(2.5 * heights[0])


def test_no_figures_says_so():
    assert charts.describe("CSAT", points(None, None)) == "CSAT, 1 Nov to 2 Nov: no figures yet."
    assert charts.describe("CSAT", []) == "CSAT: nothing in this period."
    svg_of(str(charts.line("c", "CSAT", [])))  # still a well-formed, empty chart


def test_text_is_escaped_and_nothing_is_styled_inline():
    markup = str(charts.bars("x", "<script>alert(1)</script>", [Point('"&<', 1.0, "<b>1</b>")]))
    assert "<script>" not in markup and "<b>" not in markup
    assert "&lt;script&gt;" in markup
    assert "style=" not in markup
    svg_of(markup)
    with pytest.raises(ValueError):
        charts.line('x" onload="alert(1)', "T", [])


def test_durations_read_as_people_say_them():
    assert [charts.duration(s) for s in (45, 720, 3 * 3600 + 1800, 15 * 3600, 3 * 86400)] == [
        "45 s",
        "12 min",
        "3.5 h",
        "15 h",
        "3.0 d",
    ]
